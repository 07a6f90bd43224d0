// BIRD 2 as a lab router: writes bird.conf from a RouterSpec, runs `bird -f` in the namespace and reads
// its state back through `birdc` (`show protocols all`, `show route all`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DaemonRouter } from './router.js';
import type { RouterPlace } from './router.js';
import { familyOf, neighborFamilies } from './types.js';
import type {
  LabRouter,
  NeighborSpec,
  NeighborStatus,
  ReceivedRoute,
  RouterSpec,
  SessionState,
} from './types.js';

/** BIRD's capability wording in `show protocols all` → the lab's normalized names. */
const birdCapabilities: Record<string, string> = {
  'route refresh': 'route-refresh',
  'enhanced refresh': 'enhanced-route-refresh',
  '4-octet as numbers': 'four-octet-as',
  'graceful restart': 'graceful-restart',
  'long-lived graceful restart': 'long-lived-graceful-restart',
  'extended message': 'extended-message',
  'add-path': 'add-path',
  'extended next hop': 'extended-next-hop',
};

export class BirdRouter extends DaemonRouter implements LabRouter {
  readonly kind = 'bird';

  constructor(
    place: RouterPlace,
    readonly spec: RouterSpec,
  ) {
    super(place);
  }

  get socket(): string {
    return this.file('ctl');
  }

  /** The BIRD protocol name of neighbour `address`. */
  protocolOf(address: string): string {
    const i = this.spec.neighbors.findIndex((n) => n.address === address);
    if (i < 0) throw new Error(`${this.name}: no neighbour ${address}`);
    return `peer${i + 1}`;
  }

  protected writeConfig(): void {
    const lines = [
      `router id ${this.spec.routerId};`,
      `log "${this.file('log')}" all;`,
      'protocol device { }',
    ];
    for (const family of ['ipv4', 'ipv6'] as const) {
      const routes = (this.spec.routes ?? []).filter((p) => familyOf(p) === family);
      if (routes.length === 0) continue;
      lines.push(`protocol static static_${family} {`, `  ${family};`);
      for (const prefix of routes) lines.push(`  route ${prefix} unreachable;`);
      lines.push('}');
    }
    this.spec.neighbors.forEach((n) => lines.push(...this.protocolLines(n)));
    writeFileSync(this.file('conf'), lines.join('\n') + '\n');
  }

  private protocolLines(n: NeighborSpec): string[] {
    const internal = n.asn === this.spec.asn;
    const hold = n.holdTime ?? 9;
    const lines = [
      `protocol bgp ${this.protocolOf(n.address)} {`,
      n.localAddress ? `  local ${n.localAddress} as ${this.spec.asn};` : `  local as ${this.spec.asn};`,
      `  neighbor ${n.address} as ${n.asn};`,
      `  hold time ${hold};`,
      `  startup hold time ${hold};`,
      `  keepalive time ${Math.max(1, Math.floor(hold / 3))};`,
      '  connect delay time 1;',
      '  connect retry time 1;',
      '  error wait time 1, 2;',
    ];
    if (n.passive) lines.push('  passive on;');
    if (n.multihop) lines.push('  multihop;');
    // BIRD treats iBGP as multihop (recursive next hops, unresolvable without an IGP table): a lab
    // link is one hop, so say so.
    else if (internal) lines.push('  direct;');
    for (const family of neighborFamilies(n)) {
      const afi = family === 'ipv4-unicast' ? 'ipv4' : 'ipv6';
      const nextHop = n.nextHops?.[afi];
      lines.push(`  ${afi} {`, '    import all;', `    export ${this.exportFilter()};`);
      lines.push(nextHop ? `    next hop address ${nextHop};` : '    next hop self;');
      lines.push('  };');
    }
    lines.push('}');
    return lines;
  }

  /** `all`, or a filter setting RouterSpec.routeAttributes on our own (static) routes. */
  private exportFilter(): string {
    const a = this.spec.routeAttributes;
    if (!a) return 'all';
    const set: string[] = [];
    for (const c of a.communities ?? []) set.push(`bgp_community.add((${c.replace(':', ',')}));`);
    if (a.med !== undefined) set.push(`bgp_med = ${a.med};`);
    for (let i = 0; i < (a.prepend ?? 0); i++) set.push(`bgp_path.prepend(${this.spec.asn});`);
    return `filter { if source = RTS_STATIC then { ${set.join(' ')} } accept; }`;
  }

  protected command() {
    return {
      command: 'bird',
      args: ['-c', this.file('conf'), '-s', this.socket, '-P', this.file('pid'), '-f'],
    };
  }

  protected async ready(): Promise<boolean> {
    if (!existsSync(this.socket)) return false;
    return (await this.cli('show status')).includes('Daemon is up and running');
  }

  /** Run one birdc command and return its output. */
  cli(command: string): Promise<string> {
    return this.cliCommand('birdc', ['-s', this.socket, command]);
  }

  /** BIRD's log file so far (it records every NOTIFICATION received, e.g. "Received: Administrative shutdown"). */
  logText(): string {
    try {
      return readFileSync(this.file('log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Administratively shut the session with `address` down, with an RFC 8203 shutdown message. */
  async disable(address: string, message?: string): Promise<void> {
    await this.cli(`disable ${this.protocolOf(address)}${message ? ` "${message}"` : ''}`);
  }
  /** Bring the session with `address` back up after disable(). */
  async enable(address: string): Promise<void> {
    await this.cli(`enable ${this.protocolOf(address)}`);
  }

  async neighbor(address: string): Promise<NeighborStatus> {
    const out = await this.cli(`show protocols all ${this.protocolOf(address)}`);
    return parseBirdProtocol(address, out);
  }

  async receivedRoutes(): Promise<ReceivedRoute[]> {
    const routes: ReceivedRoute[] = [];
    for (const n of this.spec.neighbors) {
      const protocol = this.protocolOf(n.address);
      for (const table of ['master4', 'master6']) {
        const out = await this.cli(`show route all table ${table} protocol ${protocol}`);
        routes.push(...parseBirdRoutes(n.address, out));
      }
    }
    return routes;
  }
}

// ===== birdc output parsers =====

/** Parse `show protocols all NAME` for one BGP protocol. */
export function parseBirdProtocol(address: string, out: string): NeighborStatus {
  const lines = out.split('\n');
  const stateText = /^\s*BGP state:\s+(\S+)/m.exec(out)?.[1]?.toLowerCase() ?? 'unknown';
  const state = (
    ['idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'].includes(stateText)
      ? stateText
      : 'unknown'
  ) as SessionState;
  const capabilities: string[] = [];
  const start = lines.findIndex((l) => /^\s*Neighbor capabilities\s*$/.test(l));
  if (start >= 0) {
    const indent = (lines[start] ?? '').search(/\S/);
    for (let i = start + 1; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const depth = line.search(/\S/);
      if (depth <= indent) break;
      const text = line.trim().toLowerCase();
      const afs = /^af announced:\s*(.*)$/.exec(text);
      if (afs) {
        for (const af of (afs[1] ?? '').split(/\s+/)) if (af) capabilities.push(`mp:${af}-unicast`);
        continue;
      }
      if (text === 'multiprotocol') continue;
      const name = birdCapabilities[text];
      if (name) capabilities.push(name);
      else if (text.startsWith('hostname:')) capabilities.push('fqdn');
    }
  }
  const hold = /^\s*Hold timer:\s+[\d.]+\/(\d+)/m.exec(out)?.[1];
  const lastError = /^\s*Last error:\s+(.+)$/m.exec(out)?.[1]?.trim().toLowerCase();
  return {
    address,
    state,
    capabilities,
    ...(hold && state === 'established' ? { holdTime: Number(hold) } : {}),
    ...(lastError ? { lastError } : {}),
  };
}

/** Parse `show route all ...` output of routes learned from the BGP neighbour `from`. */
export function parseBirdRoutes(from: string, out: string): ReceivedRoute[] {
  const routes: ReceivedRoute[] = [];
  let prefix = '';
  let current: ReceivedRoute | undefined;
  for (const line of out.split('\n')) {
    const head = /^(\S+\/\d+)\s+\S+\s+\[/.exec(line);
    const alternative = /^\s+\S+\s+\[\S+ /.exec(line);
    if (head?.[1]) prefix = head[1];
    if (head || alternative) {
      current = { prefix, from, asPath: [] };
      routes.push(current);
      continue;
    }
    if (!current) continue;
    const path = /^\s+BGP\.as_path:\s*(.*)$/.exec(line);
    if (path)
      current.asPath = (path[1] ?? '')
        .split(/[\s{}]+/)
        .filter(Boolean)
        .map(Number);
    const hop = /^\s+BGP\.next_hop:\s*(\S+)/.exec(line);
    if (hop?.[1]) current.nextHop = hop[1];
  }
  return routes;
}
