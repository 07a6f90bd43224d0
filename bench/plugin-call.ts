// The cost of one pluglet run at a filter point, in-process (not a test): the small filter of
// bench/plugins/read_accept.c (one get_attr_from_code, a verdict) run by the RDE's inbound hook on one
// route, over and over, with the interpreter and the JIT. Prints wall and CPU nanoseconds per call for
// each (best of 5 rounds): what the plugin host adds per route, without the rest of the pipeline
// (bench/rde-ingest.ts --plugin measures it on the full table). With `--rr`, plugins/route_reflector
// instead: rr_inbound on a route from an iBGP client, and rr_outbound reflecting it to another client
// (ORIGINATOR_ID and CLUSTER_LIST added, the changed set interned and released), each per call.
// Run: `npm run build && node dist/bench/plugin-call.js [--n 1000000] [--rr]`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttrStore } from '../daemon/rde/attr-store.js';
import { prefixKey } from '../daemon/rde/rib.js';
import { makeAsPath, makeMed, makeNextHop, makeOrigin } from '../daemon/wire/index.js';
import type { RdePeer } from '../daemon/rde/rib.js';
import { benchPluginHooks, benchRrHooks } from './lib/plugin-variants.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const nArg = process.argv.indexOf('--n');
const N = nArg >= 0 ? Number(process.argv[nArg + 1]) : 1_000_000;
const ROUNDS = 5;
const RR = process.argv.includes('--rr');

type Mode = 'read_accept' | 'rr_inbound' | 'rr_outbound';

function measure(jit: boolean, mode: Mode = 'read_accept'): { wall: number; cpu: number } {
  const store = new AttrStore();
  const set = store.intern(
    [
      makeOrigin(0),
      makeAsPath([{ type: 2, asns: [65001, 3356, 174, 64512] }], true),
      makeNextHop(0x0a000001),
      makeMed(5),
    ],
    undefined,
  );
  const rr = mode !== 'read_accept';
  const hooks = rr
    ? benchRrHooks(repoRoot(), ['10.0.0.1', '10.0.0.3'], jit)!(store)
    : benchPluginHooks(repoRoot(), 'feeder', 'inbound', jit)!(store);
  const peer = {
    name: 'feeder',
    asn: rr ? 4200000000 : 65001,
    routerId: 1,
    ibgp: rr,
    address: '10.0.0.1',
    localAddress: '10.0.0.2',
  };
  const monitor = { ...peer, name: 'monitor', routerId: 3, address: '10.0.0.3' };
  const hook = mode === 'rr_outbound' ? hooks.outbound('monitor', new Set([monitor]))! : hooks.inbound(peer)!;
  const source: RdePeer | undefined =
    mode === 'rr_outbound'
      ? ({ ...peer, id: 1, local: false, ibgp: true, routerId: 1 } as unknown as RdePeer)
      : undefined;
  const key = prefixKey(1, 24, Uint8Array.of(10, 1, 2), 0);
  let best = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      hook.run(set, false, key, source);
      store.release(hook.take(set));
    }
    const c = process.cpuUsage(c0);
    const wall = ((performance.now() - t0) * 1e6) / N;
    const cpu = ((c.user + c.system) * 1e3) / N;
    if (cpu < best.cpu) best = { wall, cpu };
  }
  return best;
}

const line = (name: string, m: { wall: number; cpu: number }): string =>
  `${name.padEnd(11)} ${m.wall.toFixed(0).padStart(6)} ns/call wall ${m.cpu.toFixed(0).padStart(6)} ns/call CPU`;
const modes: [Mode, string][] = RR
  ? [
      ['rr_inbound', 'rr_inbound at bgp_pre_inbound_filter'],
      ['rr_outbound', 'rr_outbound at bgp_pre_outbound_filter, reflecting'],
    ]
  : [['read_accept', 'read_accept at bgp_pre_inbound_filter']];
for (const [mode, title] of modes) {
  const interp = measure(false, mode);
  const jit = measure(true, mode);
  console.log(`plugin call (${title}), ${N} calls, best of ${ROUNDS}:`);
  console.log(line('interpreter', interp));
  console.log(line('jit', jit));
  console.log(`jit / interpreter (CPU): ${(jit.cpu / interp.cpu).toFixed(2)}x`);
}
