// Devices under test on loopback for the benchmarks and differential tests: BIRD 2 (`bird -f`) or the
// built xbgpd (`node dist/daemon/cli/xbgpd.js`), each listening on a 127.0.0.x address and custom port,
// with a list of passive eBGP neighbours (the feeders and monitor connect to it). BIRD accepts everything
// and exports everything; xbgpd runs with no policy (accept all). Both are stopped with SIGTERM, then
// SIGKILL; their working files live in a temp dir that stop() removes.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo.js';
import { DAEMON_NODE_FLAGS } from '../../daemon/cli/node-flags.js';

/** Re-exported for the benchmarks that still import it from here. */
export { repoRoot };

export interface DutNeighbor {
  name: string;
  address: string;
  asn: number;
  /** Send this neighbour the DUT's routes (default true; false for feeders that only talk). */
  exportTo?: boolean;
  /** BIRD: a route-reflection client (`rr client`; routes sent with their next hop unchanged). */
  rrClient?: boolean;
}

export interface DutOptions {
  routerId: string;
  asn: number;
  address: string;
  port: number;
  neighbors: DutNeighbor[];
  /** RFC 4271 9.1.2.2 (c) applied per neighbouring AS first (BIRD `deterministic med`, xbgpd
   *  `decision.deterministic-med`), making the choice independent of arrival order. Default false. */
  deterministicMed?: boolean;
  /** Hold time proposed to the neighbours (s). Default 90. */
  holdTime?: number;
  /**
   * Also carry IPv6 unicast on every session (RFC 4760, over the IPv4 sessions), with this address as the
   * DUT's own IPv6 next hop (BIRD `next hop address`, xbgpd `next-hop-ipv6`). Default: IPv4 only.
   */
  ipv6NextHop?: string;
  /** Seconds after a session dropped before the DUT takes the neighbour back (BIRD `error wait time`,
   *  default 60-300 s, during which it refuses the connection; xbgpd `idle-hold-time`, default 5 s, during
   *  which it accepts an incoming one anyway). Default: theirs. */
  errorWaitTime?: number;
}

export interface Dut {
  kind: 'bird' | 'xbgpd';
  pid: number;
  dir: string;
  /** Output of the process so far (stderr + stdout), for error messages. */
  output(): string;
  stop(): Promise<void>;
}

function track(kind: Dut['kind'], child: ChildProcess, dir: string): Dut {
  let output = '';
  // XBGPD_DUT_OUTPUT=FILE: also append the DUT's whole output to FILE (e.g. with --trace-gc in XBGPD_NODE_FLAGS).
  const copy = process.env['XBGPD_DUT_OUTPUT'];
  const keep = (d: Buffer): void => {
    output = (output + d.toString()).slice(-20000);
    if (copy) appendFileSync(copy, d);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${kind} did not start`);
  return {
    kind,
    pid,
    dir,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // Generous: with --cpu-prof (XBGPD_NODE_FLAGS) the profile is written on the way out.
        const killer = setTimeout(() => child.kill('SIGKILL'), 15000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** BIRD's configuration for `o`: one passive BGP protocol per neighbour, import all / export all. */
export function birdConfig(o: DutOptions): string {
  const hold = o.holdTime ?? 90;
  // Loopback neighbours are not "directly connected" for BIRD (it ignores lo, a host-scope interface, and
  // rejects their NEXT_HOP as invalid on direct sessions): the sessions run as multihop, and the recursive
  // next hops stay unresolved (routes shown as `unreachable`), alike for every path. Exports are unaffected.
  const lines = [`router id ${o.routerId};`, 'log stderr { error, fatal, bug };', 'protocol device { }'];
  for (const n of o.neighbors) {
    lines.push(
      `protocol bgp ${n.name} {`,
      `  local ${o.address} port ${o.port} as ${o.asn};`,
      `  neighbor ${n.address} as ${n.asn};`,
      '  passive on;',
      '  multihop;',
      `  hold time ${hold};`,
      ...(o.errorWaitTime === undefined ? [] : [`  error wait time ${o.errorWaitTime}, ${o.errorWaitTime};`]),
      ...(o.deterministicMed ? ['  deterministic med on;'] : []),
      ...(n.rrClient ? ['  rr client;'] : []),
      n.exportTo === false
        ? '  ipv4 { import all; export none; };'
        : `  ipv4 { import all; export where source = RTS_BGP;${n.rrClient ? '' : ' next hop self;'} };`,
      ...(o.ipv6NextHop === undefined ? [] : [birdIpv6Channel(n, o.ipv6NextHop)]),
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * The ipv6 channel of a BIRD protocol over an IPv4 session: the session's own address cannot be an IPv6
 * next hop, so `next hop address` names one.
 */
function birdIpv6Channel(n: DutNeighbor, nextHop: string): string {
  if (n.exportTo === false) return '  ipv6 { import all; export none; };';
  const self = n.rrClient ? '' : ' next hop self;';
  return `  ipv6 { import all; export where source = RTS_BGP;${self} next hop address ${nextHop}; };`;
}

/** BIRD for `o`, with `config` (default birdConfig(o)) as its configuration. */
export async function startBird(o: DutOptions, config = birdConfig(o)): Promise<Dut> {
  const dir = mkdtempSync(join(tmpdir(), 'xbgpd-bench-bird-'));
  writeFileSync(join(dir, 'bird.conf'), config);
  const child = spawn(
    'bird',
    ['-f', '-c', join(dir, 'bird.conf'), '-s', join(dir, 'bird.ctl'), '-P', join(dir, 'bird.pid')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const dut = track('bird', child, dir);
  await waitForFile(join(dir, 'bird.ctl'), dut);
  await waitForListen(o.address, o.port, dut);
  return dut;
}

/** xbgpd's YAML configuration for `o` (plus `extra` top-level lines, e.g. `originate-mrt: FILE`). */
export function xbgpdConfig(o: DutOptions, extra: string[] = []): string {
  const lines = [
    `router-id: ${o.routerId}`,
    `asn: ${o.asn}`,
    'log-level: warn',
    `listen: { address: ${o.address}, port: ${o.port} }`,
    ...(o.deterministicMed ? ['decision: { deterministic-med: true }'] : []),
    ...extra,
    'peers:',
  ];
  for (const n of o.neighbors) {
    lines.push(
      `  - name: ${n.name}`,
      `    address: ${n.address}`,
      `    asn: ${n.asn}`,
      '    passive: true',
      `    local-address: ${o.address}`,
      `    hold-time: ${o.holdTime ?? 90}`,
    );
    if (o.ipv6NextHop !== undefined)
      lines.push('    families: [ipv4-unicast, ipv6-unicast]', `    next-hop-ipv6: ${o.ipv6NextHop}`);
    if (o.errorWaitTime !== undefined) lines.push(`    idle-hold-time: ${o.errorWaitTime}`);
    if (n.exportTo === false) lines.push('    export: [{ action: reject }]');
  }
  return lines.join('\n') + '\n';
}

export interface XbgpdStartOptions {
  /** Extra command-line arguments, e.g. ['--dump-rib', FILE]. */
  args?: string[];
  extraConfig?: string[];
  /** Add `--dump-rib DIR/rib.mrt --dump-adj-rib-in DIR/adj-rib-in.mrt` (DIR = the DUT's temp dir). */
  dumps?: boolean;
  /** Run from source through tsx instead of dist/ (tests). Default false. */
  fromSource?: boolean;
  /** Load bench/lib/loop-watch (from dist/) into the DUT: its late event-loop turns on stderr. */
  loopWatch?: boolean;
  /** The checkout whose daemon runs (its dist/ built; default this one): a change against another build. */
  root?: string;
}

export async function startXbgpd(o: DutOptions, s: XbgpdStartOptions = {}): Promise<Dut> {
  const dir = mkdtempSync(join(tmpdir(), 'xbgpd-bench-xbgpd-'));
  const config = join(dir, 'xbgpd.yaml');
  writeFileSync(config, xbgpdConfig(o, s.extraConfig));
  const root = s.root ?? repoRoot();
  const args = s.fromSource
    ? ['--import', 'tsx', join(root, 'daemon', 'cli', 'xbgpd.ts')]
    : [join(root, 'dist', 'daemon', 'cli', 'xbgpd.js')];
  const dumps = s.dumps
    ? ['--dump-rib', join(dir, 'rib.mrt'), '--dump-adj-rib-in', join(dir, 'adj-rib-in.mrt')]
    : [];
  // XBGPD_NODE_FLAGS: extra node flags for the DUT (whitespace-separated), e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`.
  // The daemon's own flags first (as it runs anywhere), then any given for the bench.
  const nodeFlags = [
    ...DAEMON_NODE_FLAGS,
    ...(process.env['XBGPD_NODE_FLAGS'] ?? '').split(/\s+/).filter((f) => f !== ''),
  ];
  if (s.loopWatch) nodeFlags.push('--import', join(root, 'dist', 'bench', 'lib', 'loop-watch.js'));
  const child = spawn(
    process.execPath,
    [...nodeFlags, ...args, '--config', config, '--log-json', ...dumps, ...(s.args ?? [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: root,
    },
  );
  const dut = track('xbgpd', child, dir);
  await waitForListen(o.address, o.port, dut);
  return dut;
}

/** The largest lateness bench/lib/loop-watch reported in a DUT's `output` between the epoch times `from`
 *  and `to` (ms; 0: none over 100 ms). */
export function loopLateMs(output: string, from: number, to: number): number {
  let worst = 0;
  for (const m of output.matchAll(/loop-watch late=(\d+) at=(\d+)/g)) {
    const at = Number(m[2]);
    if (at >= from && at <= to) worst = Math.max(worst, Number(m[1]));
  }
  return worst;
}

async function waitForFile(path: string, dut: Dut): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(path)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${dut.kind} did not start: ${dut.output()}`);
}

/** Wait until something listens on address:port (or *:port) (/proc/net/tcp, state 0A = LISTEN). */
async function waitForListen(address: string, port: number, dut: Dut): Promise<void> {
  const hex = (n: number, w: number): string => n.toString(16).toUpperCase().padStart(w, '0');
  const octets = address.split('.').map(Number);
  const local = `${hex(((octets[3]! << 24) | (octets[2]! << 16) | (octets[1]! << 8) | octets[0]!) >>> 0, 8)}:${hex(port, 4)}`;
  for (let i = 0; i < 200; i++) {
    const table = readFileSync('/proc/net/tcp', 'utf8');
    const any = `00000000:${hex(port, 4)}`; // BIRD binds the wildcard address unless `strict bind`
    if (table.split('\n').some((l) => (l.includes(` ${local} `) || l.includes(` ${any} `)) && / 0A /.test(l)))
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${dut.kind} does not listen on ${address}:${port}: ${dut.output()}`);
}
