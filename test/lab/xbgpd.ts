// xbgpd, the device under test, as a lab router: writes its YAML config (camelCase here, kebab-case
// in the file, as config/schema.json spells it), runs `node --import tsx daemon/cli/xbgpd.ts --config
// FILE` (or the built dist/daemon/cli/xbgpd.js with XBGPD_LAB_BUILT=1) in a namespace, and reads what
// it logs (one pino JSON object per line on stdout), its received-prefix dump and its Loc-RIB MRT dump.
// On the container backend it runs the xbgpd image's build (/opt/xbgpd/dist) as root, with the
// repository mounted read-only at its own path for the plugin manifests and objects configs name.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../helpers/env.js';
import { decodeAttributeList } from '../../daemon/mrt/attributes.js';
import { readMrtFile } from '../../daemon/mrt/reader.js';
import { effectivePath } from '../../daemon/wire/index.js';
import { labBackend } from './containers.js';
import type { Mount } from './containers.js';
import { runIn } from './exec.js';
import { DaemonRouter } from './router.js';
import type { RouterPlace } from './router.js';
import type { Family, LabRouter, NeighborStatus, ReceivedRoute, SessionState } from './types.js';
import { waitFor } from './wait.js';
import type { WaitOptions } from './wait.js';
import { DAEMON_NODE_FLAGS } from '../../daemon/cli/node-flags.js';

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
  protected override readonly image = 'xbgpd';

  constructor(
    place: RouterPlace,
    readonly config: XbgpdConfig,
  ) {
    super(place);
  }

  get configFile(): string {
    return this.file('yaml');
  }
  /** The received-prefix dump xbgpd keeps up to date (`--dump-received`, daemon/session/README.md). */
  get dumpFile(): string {
    return this.file('received.json');
  }

  /** The Loc-RIB dump (`--dump-rib`, MRT TABLE_DUMP_V2) written on SIGUSR2 and at shutdown. */
  get ribDumpFile(): string {
    return this.file('rib.mrt');
  }

  /**
   * Ask for a fresh Loc-RIB dump (SIGUSR2) and read it: the best path per prefix, with the address of
   * the peer it came from ('0.0.0.0' for our own routes) and its AS path.
   */
  async locRib(): Promise<Map<string, { from: string; asPath: number[] }>> {
    const file = this.ribDumpFile;
    // Done when the daemon logs the dump written after this signal. (A file's mtime comes from the
    // kernel's coarse clock, up to a tick behind Date.now(): a small dump written within that tick of the
    // signal looked older than the request, and the wait never ended.)
    const since = this.logEntries().length;
    process.kill(this.pid, 'SIGUSR2');
    await this.waitForLog('Loc-RIB dump', (e) => e.msg === 'rib dumped' && e.mode === 'loc-rib', { since });
    let peers: string[] = [];
    const best = new Map<string, { from: string; asPath: number[] }>();
    await readMrtFile(file, (rec) => {
      if (rec.kind === 'peer-index-table') peers = rec.peers.map((p) => p.address);
      if (rec.kind !== 'rib') return;
      const entry = rec.entries[0];
      if (!entry) return;
      const { segments } = effectivePath(decodeAttributeList(entry.attributes, true, true), true);
      best.set(`${rec.prefix}/${rec.prefixLength}`, {
        from: peers[entry.peerIndex] ?? '?',
        asPath: segments.flatMap((seg) => seg.asns),
      });
    });
    return best;
  }

  protected writeConfig(): void {
    const config = {
      logLevel: 'debug',
      ...this.config,
      peers: this.config.peers.map((p) => ({ ...labPeerDefaults, ...p })),
    };
    writeFileSync(this.configFile, stringify(kebabKeys(config)));
  }

  protected override mounts(): Mount[] {
    return [{ source: repoRoot, readOnly: true }];
  }

  protected command() {
    const container = labBackend() === 'container';
    const built = process.env.XBGPD_LAB_BUILT === '1';
    const entry = container
      ? ['/opt/xbgpd/dist/daemon/cli/xbgpd.js']
      : built
        ? [join(repoRoot, 'dist/daemon/cli/xbgpd.js')]
        : ['--import', 'tsx', join(repoRoot, 'daemon/cli/xbgpd.ts')];
    const args = [
      ...DAEMON_NODE_FLAGS,
      ...entry,
      '--config',
      this.configFile,
      '--dump-received',
      this.dumpFile,
      '--dump-rib',
      this.ribDumpFile,
      '--log-json',
    ];
    return { command: container ? 'node' : process.execPath, args, cwd: repoRoot };
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

  /** The last received-prefix dump (peer states and routes), or undefined before the first one. */
  received(): XbgpdDump | undefined {
    try {
      return JSON.parse(readFileSync(this.dumpFile, 'utf8')) as XbgpdDump;
    } catch {
      return undefined;
    }
  }

  /** Configured name of the peer at `address`. */
  peerName(address: string): string {
    const peer = this.config.peers.find((p) => p.address === address);
    if (!peer) throw new Error(`xbgpd has no peer ${address}`);
    return peer.name;
  }

  /** NOTIFICATIONs xbgpd logged for the peer at `address` ('notification sent' / 'notification received'). */
  notifications(address: string): XbgpdNotification[] {
    const name = this.peerName(address);
    return this.logEntries()
      .filter((e) => e.peer === name && (e.msg === 'notification sent' || e.msg === 'notification received'))
      .map((e) => e as unknown as XbgpdNotification);
  }

  async neighbor(address: string): Promise<NeighborStatus> {
    const name = this.peerName(address);
    return xbgpdNeighbor(
      address,
      this.received()?.peers[name],
      this.logEntries().filter((e) => e.peer === name),
    );
  }

  async receivedRoutes(): Promise<ReceivedRoute[]> {
    return xbgpdRoutes(this.received());
  }
}

// ===== dump and log interpretation (daemon/session/README.md) =====

/** A NOTIFICATION as xbgpd logs it. */
export interface XbgpdNotification {
  msg: 'notification sent' | 'notification received';
  direction: 'sent' | 'received';
  code: number;
  subcode: number;
  name: string;
  shutdownCommunication?: string;
}

/** One peer in the dump: its SessionStatus plus the received routes per family. */
export interface XbgpdDumpPeer {
  name: string;
  address: string;
  asn: number;
  state: string;
  holdTime?: number;
  families?: string[];
  lastError?: string;
  lastNotification?: Omit<XbgpdNotification, 'msg'>;
  receivedPrefixes: number;
  received: Record<string, { prefix: string; nextHop?: string; asPath: string }[]>;
}

/** The `--dump-received` file. */
export interface XbgpdDump {
  time: string;
  routerId: string;
  asn: number;
  peers: Record<string, XbgpdDumpPeer>;
}

/** Session state (from the dump) and the capabilities of the last 'session established' log line. */
export function xbgpdNeighbor(
  address: string,
  peer: XbgpdDumpPeer | undefined,
  peerEntries: XbgpdLogEntry[],
): NeighborStatus {
  const state = (peer?.state.toLowerCase() ?? 'unknown') as SessionState;
  const up = [...peerEntries].reverse().find((e) => e.msg === 'session established');
  const capabilities: string[] = [];
  if (up) {
    for (const family of up.families ?? []) capabilities.push(`mp:${family}`);
    if (up.asn4) capabilities.push('four-octet-as');
    if (up.routeRefresh) capabilities.push('route-refresh');
    if (up.enhancedRouteRefresh) capabilities.push('enhanced-route-refresh');
    if (up.extendedMessage) capabilities.push('extended-message');
    if (up.gracefulRestart) capabilities.push('graceful-restart');
    if ((up.addPathReceive?.length ?? 0) + (up.addPathSend?.length ?? 0) > 0) capabilities.push('add-path');
  }
  const n = peer?.lastNotification;
  const notification = n ? `notification ${n.direction} ${n.code}/${n.subcode} ${n.name}` : undefined;
  const lastError = [peer?.lastError, notification].filter(Boolean).join('; ').toLowerCase();
  return {
    address,
    state,
    capabilities,
    ...(state === 'established' && peer?.holdTime !== undefined ? { holdTime: peer.holdTime } : {}),
    ...(lastError ? { lastError } : {}),
  };
}

/** Every route in the dump, attributed to its peer's address. */
export function xbgpdRoutes(dump: XbgpdDump | undefined): ReceivedRoute[] {
  const routes: ReceivedRoute[] = [];
  for (const peer of Object.values(dump?.peers ?? {})) {
    for (const list of Object.values(peer.received ?? {})) {
      for (const r of list) {
        const asPath = r.asPath
          .split(/[\s{}(),\[\]]+/)
          .filter((t) => /^\d+$/.test(t))
          .map(Number);
        routes.push({
          prefix: r.prefix,
          from: peer.address,
          asPath,
          ...(r.nextHop ? { nextHop: r.nextHop } : {}),
        });
      }
    }
  }
  return routes;
}
