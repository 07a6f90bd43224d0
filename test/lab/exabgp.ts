// ExaBGP 4.2 as a lab router: writes exabgp.conf from a RouterSpec (static routes, one neighbour block
// each) and runs `exabgp CONF` in the namespace with its settings passed as exabgp.<section>.<key>
// environment variables. What it receives is observed through an API `process` (encoder json,
// receive { open; update; notification; }) that appends every JSON event to a file the driver reads.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DaemonRouter } from './router.js';
import type { RouterPlace } from './router.js';
import { familyOf, neighborFamilies } from './types.js';
import type { LabRouter, NeighborStatus, ReceivedRoute, RouterSpec, SessionState } from './types.js';

/** ExaBGP's capability names in a received OPEN → the lab's normalized names. */
const exabgpCapabilities: Record<string, string> = {
  'route-refresh': 'route-refresh',
  'enhanced-route-refresh': 'enhanced-route-refresh',
  asn4: 'four-octet-as',
  'graceful restart': 'graceful-restart',
  'extended-message': 'extended-message',
  addpath: 'add-path',
  hostname: 'fqdn',
  nexthop: 'extended-next-hop',
};

/** One JSON event the receive process logged. */
export interface ExabgpEvent {
  type: string;
  neighbor?: any;
  [key: string]: any;
}

export class ExabgpRouter extends DaemonRouter implements LabRouter {
  readonly kind = 'exabgp';

  constructor(
    place: RouterPlace,
    readonly spec: RouterSpec,
  ) {
    super(place);
  }

  get eventsFile(): string {
    return this.file('events');
  }

  protected writeConfig(): void {
    // A pid file left by a previous run would make ready() answer before the new process has loaded.
    rmSync(this.file('pid'), { force: true });
    const receiver = this.file('receive.sh');
    // The helper must keep exabgp's pipe (its stdout) open, hence no `exec`: cat's output goes to the file.
    writeFileSync(receiver, `#!/bin/sh\ncat >> '${this.eventsFile}'\n`);
    chmodSync(receiver, 0o755);
    const lines = ['process observer {', `  run ${receiver};`, '  encoder json;', '}'];
    for (const n of this.spec.neighbors) {
      const families = neighborFamilies(n);
      lines.push(`neighbor ${n.address} {`, `  router-id ${this.spec.routerId};`);
      if (n.localAddress) lines.push(`  local-address ${n.localAddress};`);
      lines.push(`  local-as ${this.spec.asn};`, `  peer-as ${n.asn};`, `  hold-time ${n.holdTime ?? 9};`);
      if (n.passive) lines.push('  passive true;');
      if (n.multihop) lines.push('  outgoing-ttl 255;');
      lines.push(`  family { ${families.map((f) => f.replace('-', ' ') + ';').join(' ')} }`);
      lines.push('  capability { route-refresh; }');
      lines.push(
        '  api { processes [ observer ]; neighbor-changes; receive { parsed; open; update; notification; } }',
      );
      const routes = (this.spec.routes ?? []).filter((p) => families.includes(`${familyOf(p)}-unicast`));
      if (routes.length > 0) {
        lines.push('  static {');
        for (const prefix of routes)
          lines.push(
            `    route ${prefix} next-hop ${n.nextHops?.[familyOf(prefix)] ?? 'self'}${this.routeSuffix()};`,
          );
        lines.push('  }');
      }
      lines.push('}');
    }
    writeFileSync(this.file('conf'), lines.join('\n') + '\n');
  }

  /** RouterSpec.routeAttributes in ExaBGP's static route syntax. */
  private routeSuffix(): string {
    const a = this.spec.routeAttributes;
    let out = '';
    if (a?.communities?.length) out += ` community [ ${a.communities.join(' ')} ]`;
    if (a?.med !== undefined) out += ` med ${a.med}`;
    return out;
  }

  protected command() {
    const passive = this.spec.neighbors.filter((n) => n.passive && n.localAddress);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      'exabgp.daemon.daemonize': 'false',
      'exabgp.daemon.user': 'root',
      'exabgp.daemon.drop': 'false',
      'exabgp.daemon.pid': this.file('pid'),
      'exabgp.log.destination': this.file('log'),
      'exabgp.api.cli': 'false',
      'exabgp.tcp.bind': passive.map((n) => n.localAddress).join(' '),
    };
    return { command: 'exabgp', args: [this.file('conf')], env };
  }

  protected async ready(): Promise<boolean> {
    // ExaBGP writes its pid file once the configuration has loaded and the reactor runs.
    return existsSync(this.file('pid'));
  }

  /** Every event the receive process has logged so far, oldest first. */
  events(): ExabgpEvent[] {
    let text: string;
    try {
      text = readFileSync(this.eventsFile, 'utf8');
    } catch {
      return [];
    }
    const events: ExabgpEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        events.push(JSON.parse(line));
      } catch {
        // a line still being written
      }
    }
    return events;
  }

  async neighbor(address: string): Promise<NeighborStatus> {
    return exabgpNeighbor(address, this.events());
  }

  async receivedRoutes(): Promise<ReceivedRoute[]> {
    return exabgpRoutes(this.events());
  }
}

// ===== event interpretation =====

function peerOf(e: ExabgpEvent): string | undefined {
  return e.neighbor?.address?.peer;
}

/** Session state, capabilities and last error of `address` from the event log. */
export function exabgpNeighbor(address: string, events: ExabgpEvent[]): NeighborStatus {
  let state: SessionState = 'idle';
  let capabilities: string[] = [];
  let holdTime: number | undefined;
  let lastError: string | undefined;
  for (const e of events) {
    if (peerOf(e) !== address) continue;
    if (e.type === 'state') {
      const s = e.neighbor.state;
      state = s === 'up' ? 'established' : s === 'connected' ? 'opensent' : 'idle';
      // The down reason repeats a received NOTIFICATION's code; keep the notification's own wording.
      if (s === 'down' && e.neighbor.reason && !/notification received/.test(e.neighbor.reason)) {
        lastError = String(e.neighbor.reason).toLowerCase();
      }
    } else if (e.type === 'open' && e.neighbor?.direction === 'receive') {
      const open = e.neighbor.open ?? {};
      holdTime = open.hold_time;
      capabilities = [];
      for (const cap of Object.values<any>(open.capabilities ?? {})) {
        const name = String(cap.name ?? '');
        if (name === 'multiprotocol') {
          for (const fam of cap.families ?? []) {
            if (fam === 'ipv4/unicast') capabilities.push('mp:ipv4-unicast');
            if (fam === 'ipv6/unicast') capabilities.push('mp:ipv6-unicast');
          }
        } else {
          const normalized = exabgpCapabilities[name];
          if (normalized && !capabilities.includes(normalized)) capabilities.push(normalized);
        }
      }
    } else if (e.type === 'notification') {
      const n = e.neighbor.notification ?? {};
      const direction = e.neighbor.direction === 'send' ? 'sent' : 'received';
      lastError = `notification ${direction} ${n.code}/${n.subcode} ${n.data ?? ''}`.trim().toLowerCase();
    }
  }
  return {
    address,
    state,
    capabilities,
    ...(state === 'established' && holdTime !== undefined ? { holdTime } : {}),
    ...(lastError ? { lastError } : {}),
  };
}

/** The routes currently held from each neighbour: announcements minus later withdrawals and resets. */
export function exabgpRoutes(events: ExabgpEvent[]): ReceivedRoute[] {
  const held = new Map<string, ReceivedRoute>();
  for (const e of events) {
    const from = peerOf(e);
    if (!from) continue;
    if (e.type === 'state' && e.neighbor.state === 'down') {
      for (const key of [...held.keys()]) if (key.startsWith(`${from} `)) held.delete(key);
      continue;
    }
    if (e.type !== 'update') continue;
    const update = e.neighbor.message?.update ?? {};
    const asPath: number[] = (update.attribute?.['as-path'] ?? []).flat().map(Number);
    for (const [, byNextHop] of Object.entries<any>(update.announce ?? {})) {
      for (const [nextHop, nlris] of Object.entries<any>(byNextHop ?? {})) {
        for (const entry of nlris as any[]) {
          const prefix = typeof entry === 'string' ? entry : entry.nlri;
          held.set(`${from} ${prefix}`, { prefix, from, nextHop, asPath });
        }
      }
    }
    for (const [, nlris] of Object.entries<any>(update.withdraw ?? {})) {
      for (const entry of nlris as any[]) {
        const prefix = typeof entry === 'string' ? entry : entry.nlri;
        held.delete(`${from} ${prefix}`);
      }
    }
  }
  return [...held.values()];
}
