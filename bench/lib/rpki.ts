// Origin validation on the full table, shared by test/scenario/rpki.test.ts and bench/fulltable.ts
// --rpki: a VRP set generated deterministically from the table (valid, invalid by origin, invalid by
// length, not found), written as the JSON stayrtr serves; stayrtr started on loopback; BIRD 2 with
// `protocol rpki` tagging each route with the community of its roa_check state; the xbgpd lines that do
// the same with plugins/rpki_origin; and a collector session reading the state community of every prefix
// a DUT announces.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { BgpTestPeer, type PeerOptions } from './peer.js';
import type { TableRoute } from './table.js';
import type { Dut, DutOptions } from './dut.js';
import type { Variant } from './plugin-variants.js';
import { compilePlugin } from '../../daemon/cli/plugin.js';

/** The community of each RFC 6811 state (65000:1 valid, :2 not found, :3 invalid). */
export const STATE_COMMUNITY = {
  valid: 65000 * 65536 + 1,
  'not-found': 65000 * 65536 + 2,
  invalid: 65000 * 65536 + 3,
};
export type State = keyof typeof STATE_COMMUNITY;

export interface VrpJson {
  prefix: string;
  maxLength: number;
  asn: number;
}

/**
 * RFC 6811 2, "Route Origin ASN", of a route held with MRT attribute bytes (4-octet AS_PATH): the last
 * AS of a final AS_SEQUENCE, 0 (NONE) for a final AS_SET or no AS_PATH.
 */
export function originOf(attributes: Uint8Array): number {
  for (let p = 0; p + 3 <= attributes.length;) {
    const flags = attributes[p]!;
    const code = attributes[p + 1]!;
    const ext = (flags & 0x10) !== 0;
    const len = ext ? (attributes[p + 2]! << 8) | attributes[p + 3]! : attributes[p + 2]!;
    const at = p + (ext ? 4 : 3);
    if (code === 2) {
      let origin = 0;
      for (let q = at; q + 2 <= at + len;) {
        const type = attributes[q]!;
        const count = attributes[q + 1]!;
        const end = q + 2 + 4 * count;
        if (end > at + len) return 0;
        if (type === 2 && count > 0)
          origin =
            ((attributes[end - 4]! << 24) |
              (attributes[end - 3]! << 16) |
              (attributes[end - 2]! << 8) |
              attributes[end - 1]!) >>>
            0;
        else if (type === 1) origin = 0;
        q = end;
      }
      return origin;
    }
    p = at + len;
  }
  return 0;
}

/** A small integer hash (deterministic categories, spread over the table). */
function mix(i: number): number {
  let h = Math.imul(i ^ 0x5bd1e995, 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) >>> 0;
}

function prefixText(nlri: Uint8Array, length = nlri[0]!): string {
  const o = [0, 0, 0, 0];
  for (let i = 1; i < nlri.length; i++) o[i - 1] = nlri[i]!;
  const a = ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
  const m = length === 0 ? 0 : (a & (0xffffffff << (32 - length))) >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}/${length}`;
}

/**
 * VRPs for the table, by a hash of each route's index: 35% a VRP for its exact prefix and origin
 * (valid), 10% one for another AS (invalid by origin), 10% one for its prefix one bit shorter with that
 * max length (invalid by length), the rest none of their own (not found, unless another route's VRP
 * covers them). `round` > 0 gives the changed set of a refresh: every 50th route's category moves on.
 */
export function makeVrps(routes: readonly TableRoute[], round = 0): VrpJson[] {
  const out = new Map<string, VrpJson>();
  routes.forEach((r, i) => {
    const length = r.nlri[0]!;
    const origin = originOf(r.attributes);
    if (origin === 0 || length < 9) return;
    let c = mix(i) % 20;
    if (round > 0 && i % 50 === 0) c = (c + 7 * round) % 20;
    let v: VrpJson | undefined;
    if (c < 7) v = { prefix: prefixText(r.nlri), maxLength: length, asn: origin };
    else if (c < 9)
      v = { prefix: prefixText(r.nlri), maxLength: length, asn: origin === 64496 ? 64497 : 64496 };
    else if (c < 11) v = { prefix: prefixText(r.nlri, length - 1), maxLength: length - 1, asn: origin };
    if (v) out.set(`${v.prefix} ${v.maxLength} ${v.asn}`, v);
  });
  return [...out.values()];
}

/** The JSON file stayrtr serves (`-cache FILE`). */
export function writeVrpFile(path: string, vrps: readonly VrpJson[]): void {
  const body = { metadata: { buildtime: new Date().toISOString(), vrps: vrps.length }, roas: vrps };
  writeFileSync(path, JSON.stringify(body));
}

export interface Cache {
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * stayrtr on 127.0.0.1:`port` serving `file`, re-read every second, speaking RTR `protocol` at most
 * (default: its own, 2, which answers a version 1 query in version 1); resolves once it accepts.
 */
export async function startStayrtr(file: string, port: number, protocol?: 0 | 1): Promise<Cache> {
  const child: ChildProcess = spawn(
    'stayrtr',
    [
      '-bind',
      `127.0.0.1:${port}`,
      '-cache',
      file,
      '-checktime=false',
      '-refresh',
      '1',
      '-metrics.addr',
      '127.0.0.1:0',
      '-loglevel',
      'info',
      ...(protocol === undefined ? [] : ['-protocol', String(protocol)]),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (d: Buffer): void => void (output = (output + d.toString()).slice(-20000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const cache: Cache = {
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
  for (let i = 0; i < 100; i++) {
    if (await accepts(port)) return cache;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await cache.stop();
  throw new Error(`stayrtr does not listen on 127.0.0.1:${port}: ${output}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * BIRD's configuration: `protocol rpki` on the cache, and the feeder neighbours' import filter tagging
 * each route with the community of roa_check's answer (origin: bgp_path.last, 0 for an AS_SET); the
 * feeders keep an import table, so a change of the VRPs re-runs the filter (BIRD's rpki reload).
 */
export function birdRpkiConfig(o: DutOptions, cachePort: number): string {
  const c = (n: number): string => `(65000, ${n & 0xffff})`;
  const lines = [
    `router id ${o.routerId};`,
    'log stderr { error, fatal, bug };',
    'protocol device { }',
    'roa4 table r4;',
    'roa6 table r6;',
    'protocol rpki cache {',
    '  roa4 { table r4; };',
    '  roa6 { table r6; };',
    `  remote 127.0.0.1 port ${cachePort};`,
    '  refresh keep 5; retry keep 2; expire keep 600;',
    '}',
    'filter rpki_tag {',
    '  case roa_check(r4, net, bgp_path.last) {',
    `    ROA_VALID: bgp_community.add(${c(STATE_COMMUNITY.valid)});`,
    `    ROA_INVALID: bgp_community.add(${c(STATE_COMMUNITY.invalid)});`,
    `    else: bgp_community.add(${c(STATE_COMMUNITY['not-found'])});`,
    '  }',
    '  accept;',
    '}',
  ];
  for (const n of o.neighbors)
    lines.push(
      `protocol bgp ${n.name} {`,
      `  local ${o.address} port ${o.port} as ${o.asn};`,
      `  neighbor ${n.address} as ${n.asn};`,
      '  passive on;',
      '  multihop;',
      n.exportTo === false
        ? '  ipv4 { import table on; import filter rpki_tag; export none; };'
        : '  ipv4 { import table on; import filter rpki_tag; export where source = RTS_BGP; next hop self; };',
      '}',
    );
  return lines.join('\n') + '\n';
}

/** xbgpd's extra configuration lines: the `rpki` section and plugins/rpki_origin on `peer`. */
export function xbgpdRpkiLines(
  manifest: string,
  peer: string,
  cachePort: number,
  rpki = '',
  jit = true,
): string[] {
  const tag = (s: State): string => `"65000:${STATE_COMMUNITY[s] & 0xffff}"`;
  return [
    `rpki: { address: 127.0.0.1, port: ${cachePort}, reconnect: 1${rpki} }`,
    'plugins:',
    `  - manifest: ${manifest}`,
    `    peers: [${peer}]`,
    `    jit: ${jit}`,
    '    conf:',
    `      valid_community: { type_arg: str, arg: ${tag('valid')} }`,
    `      not_found_community: { type_arg: str, arg: ${tag('not-found')} }`,
    `      invalid_community: { type_arg: str, arg: ${tag('invalid')} }`,
  ];
}

/**
 * A monitor session that keeps, per IPv4 prefix the DUT announces, the state its community says (or
 * 'untagged'), and counts UPDATEs and withdrawals; `settled` waits until nothing changed for a while.
 */
export class StateCollector {
  readonly peer: BgpTestPeer;
  readonly states = new Map<string, State | 'untagged'>();
  withdrawn = 0;
  updates = 0;
  private lastChange = Date.now();

  constructor(options: PeerOptions) {
    this.peer = new BgpTestPeer(options);
    this.peer.handleUpdates((m) => this.update(m));
  }

  establish(): Promise<void> {
    return this.peer.establish();
  }

  /** Resolve once `count` prefixes are held (or `timeoutMs` passed) and nothing changed for `idleMs`. */
  async settled(count: number, idleMs = 3000, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.states.size >= count && Date.now() - this.lastChange >= idleMs) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Counts per state. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.states.values()) out[s] = (out[s] ?? 0) + 1;
    return out;
  }

  close(): void {
    this.peer.close();
  }

  private update(m: Uint8Array): void {
    this.updates++;
    this.lastChange = Date.now();
    const end = m.length;
    const wl = (m[19]! << 8) | m[20]!;
    let p = 21;
    for (const stop = p + wl; p < stop; p += 1 + ((m[p]! + 7) >> 3)) {
      this.states.delete(prefixText(m.subarray(p, p + 1 + ((m[p]! + 7) >> 3))));
      this.withdrawn++;
    }
    const al = (m[p]! << 8) | m[p + 1]!;
    p += 2;
    let state: State | 'untagged' = 'untagged';
    for (let q = p; q + 3 <= p + al;) {
      const ext = (m[q]! & 0x10) !== 0;
      const len = ext ? (m[q + 2]! << 8) | m[q + 3]! : m[q + 2]!;
      const at = q + (ext ? 4 : 3);
      if (m[q + 1] === 8)
        for (let k = at; k + 4 <= at + len; k += 4) {
          const c = ((m[k]! << 24) | (m[k + 1]! << 16) | (m[k + 2]! << 8) | m[k + 3]!) >>> 0;
          for (const s of ['valid', 'not-found', 'invalid'] as const) if (c === STATE_COMMUNITY[s]) state = s;
        }
      q = at + len;
    }
    for (p += al; p < end; p += 1 + ((m[p]! + 7) >> 3))
      this.states.set(prefixText(m.subarray(p, p + 1 + ((m[p]! + 7) >> 3))), state);
  }
}

/** Resolve once BIRD's ROA table holds `count` VRPs (or after 60 s). */
async function birdRoaLoaded(dut: Dut, count: number): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const out = execFileSync('birdc', ['-s', join(dut.dir, 'bird.ctl'), 'show route table r4 count'], {
      encoding: 'utf8',
    });
    if (Number(/(\d+) of \d+ routes/.exec(out)?.[1] ?? 0) >= count) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * fulltable.ts --rpki: stayrtr serving the table's VRPs on 127.0.0.1:`port`, plugins/rpki_origin built
 * into a temp folder, and the variants of a round: BIRD, BIRD with ROA checks, xbgpd, xbgpd with the
 * plugin (JIT, interpreter). Each waits for its RPKI data before the table is sent.
 */
export async function rpkiBench(
  root: string,
  routes: readonly TableRoute[],
  port: number,
): Promise<{ variants: Variant[]; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'xbgpd-bench-rpki-'));
  const vrps = makeVrps(routes);
  writeVrpFile(join(dir, 'vrps.json'), vrps);
  const built = compilePlugin(join(root, 'plugins', 'rpki_origin', 'rpki_origin.c'), dir);
  if (!built.ok) throw new Error(`rpki_origin does not build: ${built.output}`);
  const manifest = join(dir, 'rpki_origin.plugin');
  // The shipped manifest beside the object built here.
  writeFileSync(manifest, readFileSync(join(root, 'plugins', 'rpki_origin', 'rpki_origin.plugin')));
  const cache = await startStayrtr(join(dir, 'vrps.json'), port);
  console.log(`rpki: ${vrps.length} VRPs from the table, stayrtr on 127.0.0.1:${port}`);
  const xbgpdReady = (): Promise<void> => new Promise((r) => setTimeout(r, 3000));
  const lines = (jit: boolean): string[] => xbgpdRpkiLines(manifest, 'feeder', port, '', jit);
  return {
    variants: [
      { kind: 'bird', label: 'bird', what: 'no ROA check' },
      {
        kind: 'bird',
        label: 'bird-roa',
        birdConfig: (o) => birdRpkiConfig(o, port),
        ready: (dut) => birdRoaLoaded(dut, vrps.length),
        what: 'protocol rpki; roa_check on every route, a community per state',
      },
      { kind: 'xbgpd', label: 'xbgpd', what: 'no plugin' },
      {
        kind: 'xbgpd',
        label: 'rpki-jit',
        config: lines(true),
        ready: xbgpdReady,
        what: 'rpki_origin on every route (rpki_validate_origin, a community per state), JIT',
      },
      {
        kind: 'xbgpd',
        label: 'rpki-interp',
        config: lines(false),
        ready: xbgpdReady,
        what: 'the same with the interpreter',
      },
    ],
    async stop() {
      await cache.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
