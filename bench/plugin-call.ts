// The cost of one pluglet run at a filter point, in-process (not a test): the small filter of
// bench/plugins/read_accept.c (one get_attr_from_code, a verdict) run by the RDE's inbound hook on one
// route, over and over, with the interpreter and the JIT. Prints wall and CPU nanoseconds per call for
// each (best of 5 rounds): what the plugin host adds per route, without the rest of the pipeline
// (bench/rde-ingest.ts --plugin measures it on the full table).
// Run: `npm run build && node dist/bench/plugin-call.js [--n 1000000]`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttrStore } from '../daemon/rde/attr-store.js';
import { prefixKey } from '../daemon/rde/rib.js';
import { makeAsPath, makeMed, makeNextHop, makeOrigin } from '../daemon/wire/index.js';
import { benchPluginHooks } from './lib/plugin-variants.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const nArg = process.argv.indexOf('--n');
const N = nArg >= 0 ? Number(process.argv[nArg + 1]) : 1_000_000;
const ROUNDS = 5;

function measure(jit: boolean): { wall: number; cpu: number } {
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
  const hooks = benchPluginHooks(repoRoot(), 'feeder', 'inbound', jit)!(store);
  const peer = {
    name: 'feeder',
    asn: 65001,
    routerId: 1,
    ibgp: false,
    address: '10.0.0.1',
    localAddress: '10.0.0.2',
  };
  const hook = hooks.inbound(peer)!;
  const key = prefixKey(1, 24, Uint8Array.of(10, 1, 2), 0);
  let best = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      hook.run(set, false, key);
      store.release(hook.take(set));
    }
    const c = process.cpuUsage(c0);
    const wall = ((performance.now() - t0) * 1e6) / N;
    const cpu = ((c.user + c.system) * 1e3) / N;
    if (cpu < best.cpu) best = { wall, cpu };
  }
  return best;
}

const interp = measure(false);
const jit = measure(true);
const line = (name: string, m: { wall: number; cpu: number }): string =>
  `${name.padEnd(11)} ${m.wall.toFixed(0).padStart(6)} ns/call wall ${m.cpu.toFixed(0).padStart(6)} ns/call CPU`;
console.log(`plugin call (read_accept at bgp_pre_inbound_filter), ${N} calls, best of ${ROUNDS}:`);
console.log(line('interpreter', interp));
console.log(line('jit', jit));
console.log(`jit / interpreter (CPU): ${(jit.cpu / interp.cpu).toFixed(2)}x`);
