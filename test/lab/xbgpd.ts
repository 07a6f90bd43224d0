// xbgpd, the device under test, as a lab router: writes its YAML config (camelCase here, kebab-case
// in the file, as config/schema.json spells it), runs `node --import tsx daemon/cli/xbgpd.ts --config
// FILE` (or the built dist/daemon/cli/xbgpd.js with XBGPD_LAB_BUILT=1) in a namespace, and reads what
// it logs (one pino JSON object per line on stdout).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../helpers/env.js';
import { runIn } from './exec.js';
import { DaemonRouter } from './router.js';
import type { RouterPlace } from './router.js';
import type { Family, LabRouter, NeighborStatus, ReceivedRoute, SessionState } from './types.js';
import { waitFor } from './wait.js';
import type { WaitOptions } from './wait.js';

export interface XbgpdPeerConfig {
  name: string;
  address: string;
  asn: number;
  port?: number;
  localAddress?: string;
  passive?: boolean;
  multihop?: number;
  holdTime?: number;
  connectRetryTime?: number;
  idleHoldTime?: number;
  families: Family[];
  nextHopIpv4?: string;
  nextHopIpv6?: string;
  [key: string]: unknown;
}

export interface XbgpdConfig {
  routerId: string;
  asn: number;
  listen: { address: string; port?: number } | { address: string; port?: number }[];
  peers: XbgpdPeerConfig[];
  originate?: { prefix: string }[];
  logLevel?: string;
  [key: string]: unknown;
}

/** Timers the lab uses unless a peer sets its own: reconnect fast so tests stay short. */
const labPeerDefaults = { connectRetryTime: 1, idleHoldTime: 1 };

/** camelCase keys → kebab-case, recursively (values untouched). */
function kebabKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(kebabKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = kebabKeys(v);
  return out;
}

/** One parsed log line of xbgpd. */
export type XbgpdLogEntry = Record<string, any> & { msg?: string };

export class XbgpdRouter extends DaemonRouter implements LabRouter {
  readonly kind = 'xbgpd';

  constructor(
    place: RouterPlace,
    readonly config: XbgpdConfig,
  ) {
    super(place);
  }

  get configFile(): string {
    return this.file('yaml');
  }

  protected writeConfig(): void {
    const config = {
      logLevel: 'debug',
      ...this.config,
      peers: this.config.peers.map((p) => ({ ...labPeerDefaults, ...p })),
    };
    writeFileSync(this.configFile, stringify(kebabKeys(config)));
  }

  protected command() {
    const built = process.env.XBGPD_LAB_BUILT === '1';
    const args = built
      ? [join(repoRoot, 'dist/daemon/cli/xbgpd.js'), '--config', this.configFile]
      : ['--import', 'tsx', join(repoRoot, 'daemon/cli/xbgpd.ts'), '--config', this.configFile];
    return { command: process.execPath, args, cwd: repoRoot };
  }

  protected async ready(): Promise<boolean> {
    const listens = Array.isArray(this.config.listen) ? this.config.listen : [this.config.listen];
    const out = await runIn(this.ns, 'ss', ['-Htln']);
    return listens.every((l) => out.includes(`:${l.port ?? 179} `));
  }

  /** Everything xbgpd wrote to stdout/stderr so far. */
  logText(): string {
    try {
      return readFileSync(this.file('out'), 'utf8');
    } catch {
      return '';
    }
  }

  /** The JSON log lines so far (non-JSON lines are skipped). */
  logEntries(): XbgpdLogEntry[] {
    const entries: XbgpdLogEntry[] = [];
    for (const line of this.logText().split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        entries.push(JSON.parse(line));
      } catch {
        // a line still being written
      }
    }
    return entries;
  }

  /** Wait until a log entry satisfies `match`; resolves with it. Only entries after `since` (an index) count. */
  waitForLog(
    what: string,
    match: (e: XbgpdLogEntry) => boolean,
    options: WaitOptions & { since?: number } = {},
  ): Promise<XbgpdLogEntry> {
    return waitFor(
      `xbgpd log: ${what}`,
      () =>
        this.logEntries()
          .slice(options.since ?? 0)
          .find(match),
      options,
    );
  }

  async neighbor(address: string): Promise<NeighborStatus> {
    return xbgpdNeighbor(address, this.config, this.logEntries());
  }

  async receivedRoutes(): Promise<ReceivedRoute[]> {
    return xbgpdRoutes(this.config, this.logEntries());
  }
}

// ===== log interpretation =====
// Filled in from daemon/session/README.md (log lines for session up/down and received routes).

function peerName(config: XbgpdConfig, address: string): string | undefined {
  return config.peers.find((p) => p.address === address)?.name;
}

/** Session state of `address` as xbgpd last logged it. */
export function xbgpdNeighbor(
  address: string,
  config: XbgpdConfig,
  entries: XbgpdLogEntry[],
): NeighborStatus {
  const name = peerName(config, address);
  let state: SessionState = 'unknown';
  let lastError: string | undefined;
  for (const e of entries) {
    if (e.peer !== name && e.peer !== address) continue;
    if (typeof e.state === 'string') state = e.state.toLowerCase() as SessionState;
    if (e.notification) lastError = JSON.stringify(e.notification).toLowerCase();
  }
  return { address, state, capabilities: [], ...(lastError ? { lastError } : {}) };
}

/** Routes xbgpd logged as received. */
export function xbgpdRoutes(config: XbgpdConfig, entries: XbgpdLogEntry[]): ReceivedRoute[] {
  void config;
  void entries;
  return [];
}
