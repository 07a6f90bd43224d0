// GoBGP 3.10 as a lab router: writes a TOML config from a RouterSpec, runs `gobgpd` in the namespace
// with its gRPC API on the namespace's loopback, injects the originated routes with `gobgp global rib
// add` and reads state with `gobgp -j neighbor` / `gobgp -j global rib`.
import { readFileSync, writeFileSync } from 'node:fs';
import { DaemonRouter } from './router.js';
import type { RouterPlace } from './router.js';
import { familyOf, neighborFamilies } from './types.js';
import type { LabRouter, NeighborStatus, ReceivedRoute, RouterSpec, SessionState } from './types.js';

const apiHost = '127.0.0.1';
const apiPort = '50051';

/** gobgp's session_state enum (api/gobgp.proto PeerState.SessionState). */
const gobgpStates: SessionState[] = [
  'unknown',
  'idle',
  'connect',
  'active',
  'opensent',
  'openconfirm',
  'established',
];

/** Protobuf capability type names in `remote_cap` → the lab's normalized names. */
const gobgpCapabilities: Record<string, string> = {
  RouteRefreshCapability: 'route-refresh',
  EnhancedRouteRefreshCapability: 'enhanced-route-refresh',
  FourOctetASNCapability: 'four-octet-as',
  GracefulRestartCapability: 'graceful-restart',
  LongLivedGracefulRestartCapability: 'long-lived-graceful-restart',
  ExtendedMessageCapability: 'extended-message',
  AddPathCapability: 'add-path',
  FqdnCapability: 'fqdn',
  ExtendedNexthopCapability: 'extended-next-hop',
};

export class GobgpRouter extends DaemonRouter implements LabRouter {
  readonly kind = 'gobgp';

  constructor(
    place: RouterPlace,
    readonly spec: RouterSpec,
  ) {
    super(place);
  }

  protected writeConfig(): void {
    const q = JSON.stringify;
    const lines = [
      '[global.config]',
      `  as = ${this.spec.asn}`,
      `  router-id = ${q(this.spec.routerId)}`,
      '  port = 179',
    ];
    for (const n of this.spec.neighbors) {
      const hold = n.holdTime ?? 9;
      lines.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = ${q(n.address)}`);
      lines.push(`    peer-as = ${n.asn}`, '  [neighbors.timers.config]', `    hold-time = ${hold}`);
      lines.push(`    keepalive-interval = ${Math.max(1, Math.floor(hold / 3))}`, '    connect-retry = 1');
      lines.push('    idle-hold-time-after-reset = 1');
      if (n.localAddress || n.passive) {
        lines.push('  [neighbors.transport.config]');
        if (n.localAddress) lines.push(`    local-address = ${q(n.localAddress)}`);
        if (n.passive) lines.push('    passive-mode = true');
      }
      if (n.multihop)
        lines.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', '    multihop-ttl = 255');
      for (const family of neighborFamilies(n)) {
        lines.push(
          '  [[neighbors.afi-safis]]',
          '    [neighbors.afi-safis.config]',
          `      afi-safi-name = ${q(family)}`,
        );
      }
    }
    writeFileSync(this.file('toml'), lines.join('\n') + '\n');
  }

  protected command() {
    return {
      command: 'gobgpd',
      args: [
        '-f',
        this.file('toml'),
        '-t',
        'toml',
        '--api-hosts',
        `${apiHost}:${apiPort}`,
        '--pprof-disable',
        // NOTIFICATIONs received before Established are only logged at debug level.
        '--log-level',
        'debug',
      ],
    };
  }

  protected async ready(): Promise<boolean> {
    await this.cli(['global']);
    return true;
  }

  protected override async afterReady(): Promise<void> {
    for (const prefix of this.spec.routes ?? []) {
      const afi = familyOf(prefix);
      const hop = this.spec.neighbors.find((n) => n.nextHops?.[afi])?.nextHops?.[afi];
      await this.cli(['global', 'rib', 'add', '-a', afi, prefix, ...(hop ? ['nexthop', hop] : [])]);
    }
  }

  /** Run `gobgp ARGS` against this gobgpd (inside its namespace) and return its output. */
  cli(args: readonly string[]): Promise<string> {
    return this.cliCommand('gobgp', ['-u', apiHost, '-p', apiPort, ...args]);
  }
  /** Run `gobgp -j ARGS` and parse its JSON output. */
  async cliJson(args: readonly string[]): Promise<any> {
    return JSON.parse(await this.cli(['-j', ...args]));
  }

  async neighbor(address: string): Promise<NeighborStatus> {
    const j = await this.cliJson(['neighbor', address]);
    const status = parseGobgpNeighbor(address, Array.isArray(j) ? j[0] : j);
    const lastError = this.lastNotification(address);
    return lastError ? { ...status, lastError } : status;
  }

  /**
   * Why gobgpd last dropped the session with `address`, from its debug log (JSON lines): the FSM
   * reason of the last transition to Idle, with the NOTIFICATION code/subcode when it carried one,
   * plus any "sent notification" / "Peer Down" lines logged just before it.
   */
  lastNotification(address: string): string | undefined {
    let text: string;
    try {
      text = readFileSync(this.file('out'), 'utf8');
    } catch {
      return undefined;
    }
    return gobgpLastError(address, text);
  }

  async receivedRoutes(): Promise<ReceivedRoute[]> {
    const routes: ReceivedRoute[] = [];
    for (const afi of ['ipv4', 'ipv6'])
      routes.push(...parseGobgpRib(await this.cliJson(['global', 'rib', '-a', afi])));
    return routes;
  }
}

// ===== gobgp JSON parsers =====

/** gobgp's fsmStateReasonType values (pkg/server/fsm.go), in order. */
const gobgpReasons = [
  'dying',
  'admin down',
  'read failed',
  'write failed',
  'notification sent',
  'notification received',
  'hold timer expired',
  'idle hold timer expired',
  'restart timer expired',
  'graceful restart',
  'invalid message',
  'new connection',
  'open message received',
  'open message negotiated',
  'hard reset',
  'deinit',
];

/** The last down reason for `address` in gobgpd's JSON-lines log `text`; see lastNotification. */
export function gobgpLastError(address: string, text: string): string | undefined {
  let last: string | undefined;
  let pending: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{') || !line.includes(address)) continue;
    let e: any;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (e.Key !== address) continue;
    if (e.msg === 'sent notification' && e.Code !== undefined)
      pending.push(`sent notification ${e.Code}/${e.Subcode}`);
    else if (e.msg === 'Peer Down') pending.push(`peer down: ${e.Reason}`);
    else if (e.msg === 'state changed' && e.new === 'BGP_FSM_IDLE') {
      const reason = e.reason ?? {};
      const body = reason.BGPNotification?.Body;
      const parts = [gobgpReasons[reason.Type] ?? `reason ${reason.Type}`];
      if (body) parts[0] += ` ${body.ErrorCode}/${body.ErrorSubcode}`;
      last = [...parts, ...pending].join('; ').toLowerCase();
      pending = [];
    }
  }
  if (pending.length > 0) last = [last, ...pending].filter(Boolean).join('; ').toLowerCase();
  return last;
}

/** AFI/SAFI of a MultiProtocolCapability value (protobuf: field 1 = Family{afi=1, safi=2}). */
function decodeMpFamily(base64: string): string | undefined {
  const bytes = Buffer.from(base64, 'base64');
  let afi = 0;
  let safi = 0;
  // Walk the tiny message: 0a LEN { 08 AFI 10 SAFI } (small varints only).
  for (let i = 2; i + 1 < bytes.length; i += 2) {
    if (bytes[i] === 0x08) afi = bytes[i + 1] ?? 0;
    else if (bytes[i] === 0x10) safi = bytes[i + 1] ?? 0;
  }
  if (safi !== 1) return undefined;
  return afi === 1 ? 'mp:ipv4-unicast' : afi === 2 ? 'mp:ipv6-unicast' : undefined;
}

/** Capabilities GoBGP 3.10 does not know (shown as UnknownCapability), by IANA code. */
const unknownCapabilities: Record<number, string> = { 6: 'extended-message', 73: 'fqdn' };

/** The capability code of an UnknownCapability value (protobuf: field 1 = code, a small varint). */
function decodeUnknownCode(base64: string): number {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes[0] !== 0x08) return -1;
  const low = bytes[1] ?? 0;
  // Codes >= 128 take two varint bytes.
  return low < 0x80 ? low : (low & 0x7f) | ((bytes[2] ?? 0) << 7);
}

/** Normalize one element of `gobgp -j neighbor ADDR`. */
export function parseGobgpNeighbor(address: string, j: any): NeighborStatus {
  const state = gobgpStates[Number(j?.state?.session_state ?? 0)] ?? 'unknown';
  const capabilities: string[] = [];
  for (const cap of j?.state?.remote_cap ?? []) {
    const type = String(cap.type_url ?? '').replace(/^.*\./, '');
    if (type === 'MultiProtocolCapability') {
      const family = decodeMpFamily(cap.value ?? '');
      if (family) capabilities.push(family);
      continue;
    }
    const name =
      type === 'UnknownCapability'
        ? unknownCapabilities[decodeUnknownCode(cap.value ?? '')]
        : gobgpCapabilities[type];
    if (name && !capabilities.includes(name)) capabilities.push(name);
  }
  const hold = j?.timers?.state?.negotiated_hold_time;
  return {
    address,
    state,
    capabilities,
    ...(state === 'established' && hold !== undefined ? { holdTime: Number(hold) } : {}),
  };
}

/** Routes learned from neighbours in `gobgp -j global rib` (local ones have no neighbor-ip). */
export function parseGobgpRib(rib: any): ReceivedRoute[] {
  const routes: ReceivedRoute[] = [];
  for (const [prefix, paths] of Object.entries<any>(rib ?? {})) {
    for (const p of paths as any[]) {
      const from = p['neighbor-ip'];
      if (!from || from === '<nil>') continue;
      const asPath: number[] = [];
      let nextHop: string | undefined;
      for (const attr of p.attrs ?? []) {
        if (attr.type === 2)
          for (const seg of attr.as_paths ?? []) asPath.push(...(seg.asns ?? []).map(Number));
        if ((attr.type === 3 || attr.type === 14) && typeof attr.nexthop === 'string') nextHop = attr.nexthop;
      }
      routes.push({ prefix, from, asPath, ...(nextHop ? { nextHop } : {}) });
    }
  }
  return routes;
}
