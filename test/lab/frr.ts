// FRR 8.4 bgpd as a lab router: runs /usr/lib/frr/bgpd alone (no zebra: -Z) with its own config, pid
// file and vty socket dir, and queries it with `vtysh --vty_socket DIR` (JSON show commands).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

export const frrBgpd = '/usr/lib/frr/bgpd';

/** FRR's `neighborCapabilities` keys → the lab's normalized names. */
const frrCapabilities: Record<string, string> = {
  '4byteAs': 'four-octet-as',
  routeRefresh: 'route-refresh',
  enhancedRouteRefresh: 'enhanced-route-refresh',
  extendedMessage: 'extended-message',
  addPath: 'add-path',
  hostName: 'fqdn',
  gracefulRestart: 'graceful-restart',
  gracefulRestartCapability: 'graceful-restart',
  longLivedGracefulRestart: 'long-lived-graceful-restart',
  extendedNexthop: 'extended-next-hop',
};

export class FrrRouter extends DaemonRouter implements LabRouter {
  readonly kind = 'frr';

  constructor(
    place: RouterPlace,
    readonly spec: RouterSpec,
  ) {
    super(place);
  }

  /** Directory holding bgpd.vty, the socket vtysh talks to. */
  get vtyDir(): string {
    return this.file('vty');
  }

  protected writeConfig(): void {
    mkdirSync(this.vtyDir, { recursive: true });
    const lines = [
      'frr defaults traditional',
      `hostname ${this.name}`,
      `log file ${this.file('log')}`,
      `router bgp ${this.spec.asn}`,
      ` bgp router-id ${this.spec.routerId}`,
      ' no bgp ebgp-requires-policy',
      ' no bgp network import-check',
      ' no bgp default ipv4-unicast',
    ];
    for (const n of this.spec.neighbors) lines.push(...neighborLines(n));
    for (const family of ['ipv4', 'ipv6'] as const) {
      const neighbors = this.spec.neighbors.filter((n) => neighborFamilies(n).includes(`${family}-unicast`));
      const routes = (this.spec.routes ?? []).filter((p) => familyOf(p) === family);
      if (neighbors.length === 0 && routes.length === 0) continue;
      lines.push(` address-family ${family} unicast`);
      for (const prefix of routes) lines.push(`  network ${prefix}`);
      for (const n of neighbors) {
        lines.push(`  neighbor ${n.address} activate`);
        if (n.nextHops?.[family])
          lines.push(`  neighbor ${n.address} route-map ${routeMapName(n, family)} out`);
      }
      lines.push(' exit-address-family');
    }
    lines.push('exit');
    // Next hops for a family carried over the other family's transport.
    for (const n of this.spec.neighbors) {
      for (const family of ['ipv4', 'ipv6'] as const) {
        const hop = n.nextHops?.[family];
        if (!hop) continue;
        lines.push(`route-map ${routeMapName(n, family)} permit 10`);
        lines.push(family === 'ipv4' ? ` set ip next-hop ${hop}` : ` set ipv6 next-hop global ${hop}`);
        lines.push('exit');
      }
    }
    writeFileSync(this.file('conf'), lines.join('\n') + '\n');
  }

  protected command() {
    return {
      command: frrBgpd,
      // -Z: no zebra; -n: no kernel routes; -S -u/-g root: no privilege drop (the lab runs as root).
      args: ['-f', this.file('conf'), '-i', this.file('pid'), '--vty_socket', this.vtyDir, '-Z', '-n', '-S'],
    };
  }

  protected async ready(): Promise<boolean> {
    if (!existsSync(join(this.vtyDir, 'bgpd.vty'))) return false;
    await this.vtyshJson('show bgp summary json');
    return true;
  }

  /** Run one vtysh command against this bgpd and return its output. */
  vtysh(command: string): Promise<string> {
    return this.cliCommand('vtysh', ['--vty_socket', this.vtyDir, '-d', 'bgpd', '-c', command]);
  }
  /** Run a vtysh `... json` command and parse its output. */
  async vtyshJson(command: string): Promise<any> {
    return JSON.parse(await this.vtysh(command));
  }

  /** Apply configuration lines under `router bgp ASN` (e.g. "neighbor X shutdown message bye"). */
  async configureBgp(...lines: string[]): Promise<void> {
    const args = ['-c', 'configure terminal', '-c', `router bgp ${this.spec.asn}`];
    for (const line of lines) args.push('-c', line);
    await this.cliCommand('vtysh', ['--vty_socket', this.vtyDir, '-d', 'bgpd', ...args]);
  }

  async neighbor(address: string): Promise<NeighborStatus> {
    const all = await this.vtyshJson(`show bgp neighbors ${address} json`);
    return parseFrrNeighbor(address, all[address] ?? {});
  }

  async receivedRoutes(): Promise<ReceivedRoute[]> {
    const routes: ReceivedRoute[] = [];
    for (const family of ['ipv4', 'ipv6']) {
      const table = await this.vtyshJson(`show bgp ${family} unicast json`);
      routes.push(...parseFrrRoutes(table));
    }
    return routes;
  }
}

function routeMapName(n: NeighborSpec, family: string): string {
  return `NH-${family}-${n.address.replace(/[.:]/g, '_')}`;
}

function neighborLines(n: NeighborSpec): string[] {
  const hold = n.holdTime ?? 9;
  const lines = [
    ` neighbor ${n.address} remote-as ${n.asn}`,
    ` neighbor ${n.address} timers ${Math.max(1, Math.floor(hold / 3))} ${hold}`,
    ` neighbor ${n.address} timers connect 1`,
    ` neighbor ${n.address} advertisement-interval 0`,
  ];
  if (n.localAddress) lines.push(` neighbor ${n.address} update-source ${n.localAddress}`);
  if (n.passive) lines.push(` neighbor ${n.address} passive`);
  if (n.multihop) lines.push(` neighbor ${n.address} ebgp-multihop 255`);
  return lines;
}

// ===== vtysh JSON parsers =====

/** Normalize one entry of `show bgp neighbors ADDR json`. */
export function parseFrrNeighbor(address: string, j: any): NeighborStatus {
  const stateText = String(j.bgpState ?? 'unknown').toLowerCase();
  const state = (
    ['idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'].includes(stateText)
      ? stateText
      : 'unknown'
  ) as SessionState;
  const capabilities: string[] = [];
  const caps = j.neighborCapabilities ?? {};
  const received = (v: unknown) => typeof v === 'string' && /received/i.test(v);
  for (const [key, value] of Object.entries<any>(caps)) {
    if (key === 'multiprotocolExtensions') {
      for (const [af, how] of Object.entries<any>(value ?? {})) {
        const adv = typeof how === 'string' ? how : JSON.stringify(how);
        if (!received(adv)) continue;
        if (af === 'ipv4Unicast') capabilities.push('mp:ipv4-unicast');
        if (af === 'ipv6Unicast') capabilities.push('mp:ipv6-unicast');
      }
      continue;
    }
    const name = frrCapabilities[key];
    const how = typeof value === 'string' ? value : JSON.stringify(value);
    if (name && received(how) && !capabilities.includes(name)) capabilities.push(name);
  }
  const lastError = [j.lastNotificationReason, j.lastShutdownDescription, j.lastResetDueTo]
    .filter((s) => typeof s === 'string' && s !== '')
    .join('; ')
    .toLowerCase();
  const holdMs = j.bgpTimerHoldTimeMsecs;
  return {
    address,
    state,
    capabilities,
    ...(state === 'established' && typeof holdMs === 'number' ? { holdTime: holdMs / 1000 } : {}),
    ...(lastError ? { lastError } : {}),
  };
}

/** Routes learned from neighbours in `show bgp <afi> unicast json` (local ones have peerId "(unspec)"). */
export function parseFrrRoutes(table: any): ReceivedRoute[] {
  const routes: ReceivedRoute[] = [];
  for (const [prefix, paths] of Object.entries<any>(table.routes ?? {})) {
    for (const p of paths as any[]) {
      if (!p.peerId || p.peerId === '(unspec)') continue;
      const asPath = String(p.path ?? '')
        .split(/[\s{},]+/)
        .filter((s) => /^\d+$/.test(s))
        .map(Number);
      const nextHop = p.nexthops?.[0]?.ip as string | undefined;
      routes.push({ prefix, from: p.peerId, asPath, ...(nextHop ? { nextHop } : {}) });
    }
  }
  return routes;
}
