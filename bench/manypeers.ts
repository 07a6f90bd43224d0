// Many-peers benchmark (issue 15): 100 feeder sessions of 10,000 IPv4 prefixes each (5,000 of their own,
// 5,000 from a pool that 10 feeders announce with AS paths of different lengths; bench/lib/overlap.ts)
// and 10 monitor sessions that receive everything, against BIRD 2 and xbgpd taking turns. Per DUT: the
// time for 110 sessions to come up; the time from the first UPDATE sent until every monitor holds the
// expected prefix count with the expected best path for every pool prefix (convergence); the DUT's CPU
// time and peak RSS; then 10 feeders drop (TCP close) and come back and re-announce, each step timed
// until the monitors hold the expected state again. All sessions negotiate a hold time of 9 s (KEEPALIVE
// every 3 s): the largest silence any session saw from the DUT is printed against 3 s + 1 s, with the
// bench process's own event-loop delay, which inflates it when the bench is the slow one. Then the
// xbgpd/BIRD ratios (medians of the per-round ratios). Loopback only (DUT 127.0.0.1, monitors
// 127.0.1.x, feeders 127.0.2.x, custom ports), no root. Not a test: it never fails on figures.
// Data: University of Oregon RouteViews (via CAIDA libbgpstream's test data).
// Run: `npm run build && node dist/bench/manypeers.js [--only bird|xbgpd] [--runs N] [--feeders N] [--monitors N] [--flap N]`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Feeder } from './lib/feeder.js';
import { Monitor } from './lib/monitor.js';
import type { BgpTestPeer } from './lib/peer.js';
import { cpuTimeMs, peakRssMiB } from './lib/proc.js';
import { loadOnePathPerPrefix } from './lib/table.js';
import { encodeAnnouncements, type EncodedStream } from './lib/updates.js';
import { loopLateMs, startBird, startXbgpd, type Dut, type DutOptions } from './lib/dut.js';
import { ROUTEVIEWS_TABLE, repoRoot } from './lib/repo.js';
import { DEFAULT_OVERLAP, buildOverlap, expectedState, type OverlapTable } from './lib/overlap.js';

const ROOT = repoRoot();
const TABLE = ROUTEVIEWS_TABLE;
const DUT = { address: '127.0.0.1', asn: 4200000000, routerId: '10.0.0.1' };
const HOLD_TIME = 9;
const KEEPALIVE_MS = (HOLD_TIME / 3) * 1000;
/** A KEEPALIVE later than the interval plus this is late (the bound printed). */
const SLACK_MS = 1000;
/** A phase gives up when the monitors see nothing new for this long. */
const IDLE_MS = 20_000;

const feederAsn = (f: number): number => 4200001000 + f;
const feederAddress = (f: number): string => `127.0.${2 + (f >> 8)}.${(f & 255) + 1}`;
const monitorAddress = (m: number): string => `127.0.1.${m + 1}`;

interface Args {
  only?: string;
  runs: number;
  feeders: number;
  monitors: number;
  flap: number;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { runs: 3, feeders: DEFAULT_OVERLAP.feeders, monitors: 10, flap: 10 };
  const int = (i: number, name: string, min: number): number => {
    const n = Number(argv[i]);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name}: an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') out.only = argv[++i];
    else if (argv[i] === '--runs') out.runs = int(++i, '--runs', 1);
    else if (argv[i] === '--feeders') out.feeders = int(++i, '--feeders', DEFAULT_OVERLAP.carriers);
    else if (argv[i] === '--monitors') out.monitors = int(++i, '--monitors', 1);
    else if (argv[i] === '--flap') out.flap = int(++i, '--flap', 0);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (out.flap > out.feeders) throw new Error('--flap: at most --feeders');
  return out;
}

/** One measured phase: from its start until every monitor held the expected state. */
interface Phase {
  /** Start -> the last monitor's state became right (ms); undefined if some monitor never got there. */
  ms: number | undefined;
  dutCpuMs: number;
  /** Monitors that reached the expected state, and the worst one's prefix count and wrong pool paths. */
  monitorsDone: number;
  worstPresent: number;
  worstMismatched: number;
  expectedPresent: number;
  /** The feeders' largest wall time until the kernel took their last octet (ms); announce phases only. */
  feedersWrittenMs?: number;
  /** What the monitors received over the phase, per monitor (mean): UPDATEs, prefixes announced or withdrawn. */
  updates?: number;
  prefixes?: number;
  /** CPU time of the bench process (feeders and monitors) over the phase (ms). */
  benchCpuMs?: number;
}

/** Measure what the monitors receive and what the bench spends from now until `end` is called. */
function traffic(monitors: Monitor[]): (p: Phase) => Phase {
  const sum = (f: (m: Monitor) => number): number => monitors.reduce((a, m) => a + f(m), 0);
  const updates = sum((m) => m.updates);
  const prefixes = sum((m) => m.announced + m.withdrawn);
  const cpu = process.cpuUsage();
  return (p) => {
    const used = process.cpuUsage(cpu);
    p.updates = (sum((m) => m.updates) - updates) / monitors.length;
    p.prefixes = (sum((m) => m.announced + m.withdrawn) - prefixes) / monitors.length;
    p.benchCpuMs = (used.user + used.system) / 1000;
    return p;
  };
}

interface Silence {
  /** Largest silence from the DUT on a feeder / a monitor session (ms). */
  feederMs: number;
  monitorMs: number;
  /** The bench process's largest event-loop delay over the same span (ms). */
  benchLoopMs: number;
  /** When the largest silence ended, from the phase's start (ms). */
  atMs: number;
  /** xbgpd: its latest event-loop turn over the phase (bench/lib/loop-watch; 0: none over 100 ms). */
  dutLoopMs?: number;
}

interface Result {
  kind: Dut['kind'];
  setupMs: number;
  announce: Phase;
  down?: Phase;
  reconnectMs?: number;
  up?: Phase;
  peakRssMiB: number;
  /** Per phase, the silences seen. */
  silence: { phase: string; s: Silence }[];
  /** Sessions that ended without us closing them, with the reason. */
  dropped: string[];
}

/** Tracks silences over a phase: resets the peers' gap counters and the bench's loop-delay histogram. */
class SilenceWatch {
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  private startNs = 0n;
  private startEpoch = 0;

  constructor(
    private readonly dut: Dut,
    private readonly feeders: () => BgpTestPeer[],
    private readonly monitors: BgpTestPeer[],
  ) {
    this.loop.enable();
  }

  start(): void {
    for (const p of [...this.feeders(), ...this.monitors]) p.resetGaps();
    this.loop.reset();
    this.startNs = process.hrtime.bigint();
    this.startEpoch = Date.now();
  }

  async end(): Promise<Silence> {
    const worst = (peers: BgpTestPeer[]): number => Math.max(0, ...peers.map((p) => p.silenceUpToNowMs()));
    const all = [...this.feeders(), ...this.monitors];
    const top = all.reduce((a, p) => (p.maxSilenceMs > a.maxSilenceMs ? p : a));
    // The DUT reports on stderr: give its last lines a moment to arrive.
    await new Promise((r) => setTimeout(r, 100));
    const dutLoopMs =
      this.dut.kind === 'xbgpd' ? loopLateMs(this.dut.output(), this.startEpoch, Date.now()) : undefined;
    return {
      ...(dutLoopMs === undefined ? {} : { dutLoopMs }),
      atMs: top.maxSilenceEndNs === 0n ? 0 : Number(top.maxSilenceEndNs - this.startNs) / 1e6,
      feederMs: worst(this.feeders()),
      monitorMs: worst(this.monitors),
      benchLoopMs: this.loop.max / 1e6,
    };
  }

  stop(): void {
    this.loop.disable();
  }
}

/** Wait until every monitor holds `present` prefixes and no wrong pool path; time from `startNs`. */
async function converge(
  monitors: Monitor[],
  present: number,
  startNs: bigint,
): Promise<Omit<Phase, 'dutCpuMs'>> {
  const doneAt: (bigint | undefined)[] = await Promise.all(
    monitors.map(async (m) => {
      const ok = await m.waitUntil((x) => x.present.size === present && x.mismatched === 0, IDLE_MS);
      // Read at once: the change that completed the state is still the last one.
      return ok ? m.lastChangeNs : undefined;
    }),
  );
  const done = doneAt.filter((t): t is bigint => t !== undefined);
  const worst = monitors.reduce((a, m) =>
    Math.abs(m.present.size - present) > Math.abs(a.present.size - present) ? m : a,
  );
  const last = done.reduce((a, b) => (b > a ? b : a), startNs);
  return {
    ms: done.length === monitors.length ? Number(last - startNs) / 1e6 : undefined,
    monitorsDone: done.length,
    worstPresent: worst.present.size,
    worstMismatched: Math.max(...monitors.map((m) => m.mismatched)),
    expectedPresent: present,
  };
}

/** Send every feeder's stream at once; then wait for the monitors. */
async function announce(
  dut: Dut,
  feeders: { feeder: Feeder; stream: EncodedStream }[],
  monitors: Monitor[],
  present: number,
): Promise<Phase> {
  const cpu = cpuTimeMs(dut.pid);
  for (const m of monitors) m.resetTimes();
  const sends = Promise.all(feeders.map((x) => x.feeder.send(x.stream)));
  // The first write of every feeder happens synchronously in send(): take the earliest.
  const sent = await sends;
  const startNs = sent.reduce((a, s) => (s.startNs < a ? s.startNs : a), sent[0]!.startNs);
  const c = await converge(monitors, present, startNs);
  return {
    ...c,
    dutCpuMs: cpuTimeMs(dut.pid) - cpu,
    feedersWrittenMs: Math.max(...sent.map((s) => s.writtenMs + Number(s.startNs - startNs) / 1e6)),
  };
}

function dutOptions(port: number, args: Args): DutOptions {
  const neighbors: DutOptions['neighbors'] = [];
  for (let m = 0; m < args.monitors; m++)
    neighbors.push({ name: `monitor${m}`, address: monitorAddress(m), asn: 4200002000 + m });
  for (let f = 0; f < args.feeders; f++)
    neighbors.push({ name: `feeder${f}`, address: feederAddress(f), asn: feederAsn(f), exportTo: false });
  return { ...DUT, port, neighbors, holdTime: HOLD_TIME, errorWaitTime: 1 };
}

function newFeeder(f: number, port: number): Feeder {
  return new Feeder({
    host: DUT.address,
    port,
    localAddress: feederAddress(f),
    asn: feederAsn(f),
    routerId: `10.0.${2 + (f >> 8)}.${(f & 255) + 1}`,
    holdTime: HOLD_TIME,
    establishTimeoutMs: 60_000,
  });
}

async function runDut(
  kind: Dut['kind'],
  port: number,
  args: Args,
  table: OverlapTable,
  streams: EncodedStream[],
): Promise<Result> {
  const options = dutOptions(port, args);
  const dut = kind === 'bird' ? await startBird(options) : await startXbgpd(options, { loopWatch: true });
  const monitors = Array.from(
    { length: args.monitors },
    (_, m) =>
      new Monitor({
        host: DUT.address,
        port,
        localAddress: monitorAddress(m),
        asn: 4200002000 + m,
        routerId: `10.0.1.${m + 1}`,
        holdTime: HOLD_TIME,
        establishTimeoutMs: 60_000,
      }),
  );
  const feeders = streams.map((_, f) => newFeeder(f, port));
  const flapped = new Set(
    Array.from({ length: args.flap }, (_, i) => Math.floor((i * args.feeders) / args.flap)),
  );
  const watch = new SilenceWatch(
    dut,
    () => feeders.map((f) => f.peer),
    monitors.map((m) => m.peer),
  );
  const silence: Result['silence'] = [];
  const ours = new Set<BgpTestPeer>();
  try {
    let t = process.hrtime.bigint();
    await Promise.all([...monitors, ...feeders].map((p) => p.establish()));
    const setupMs = Number(process.hrtime.bigint() - t) / 1e6;
    const full = expectedState(table, new Set(), feederAsn);
    for (const m of monitors) m.watchPaths(full.via);
    // Let the DUT finish its own session start-up (End-of-RIB to the monitors).
    await new Promise((r) => setTimeout(r, 1000));

    watch.start();
    let end = traffic(monitors);
    const all = feeders.map((feeder, f) => ({ feeder, stream: streams[f]! }));
    const a = end(await announce(dut, all, monitors, full.present));
    silence.push({ phase: 'announce', s: await watch.end() });
    const result: Result = {
      kind,
      setupMs,
      announce: a,
      peakRssMiB: peakRssMiB(dut.pid),
      silence,
      dropped: [],
    };
    if (a.ms !== undefined && flapped.size > 0) {
      // Down: the flapped feeders close their TCP connections.
      const after = expectedState(table, flapped, feederAsn);
      for (const m of monitors) {
        m.watchPaths(after.via);
        m.resetTimes();
      }
      watch.start();
      end = traffic(monitors);
      const cpu = cpuTimeMs(dut.pid);
      t = process.hrtime.bigint();
      for (const f of flapped) {
        ours.add(feeders[f]!.peer);
        feeders[f]!.close();
      }
      result.down = end({
        ...(await converge(monitors, after.present, t)),
        dutCpuMs: cpuTimeMs(dut.pid) - cpu,
      });
      silence.push({ phase: 'down', s: await watch.end() });
      // Up: new sessions from the same addresses, then their routes again.
      await new Promise((r) => setTimeout(r, 1000));
      t = process.hrtime.bigint();
      for (const f of flapped) feeders[f] = newFeeder(f, port);
      await Promise.all([...flapped].map((f) => feeders[f]!.establish()));
      result.reconnectMs = Number(process.hrtime.bigint() - t) / 1e6;
      for (const m of monitors) m.watchPaths(full.via);
      watch.start();
      end = traffic(monitors);
      const back = [...flapped].map((f) => ({ feeder: feeders[f]!, stream: streams[f]! }));
      result.up = end(await announce(dut, back, monitors, full.present));
      silence.push({ phase: 'up', s: await watch.end() });
    }
    result.peakRssMiB = peakRssMiB(dut.pid);
    for (const p of [...monitors.map((m) => m.peer), ...feeders.map((f) => f.peer)])
      if (p.closeReason !== undefined && !ours.has(p))
        result.dropped.push(`${p.options.localAddress}: ${p.closeReason}`);
    return result;
  } finally {
    watch.stop();
    for (const p of [...feeders, ...monitors]) p.close();
    await dut.stop();
  }
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);

function printPhase(kind: string, name: string, p: Phase, monitors: number): void {
  const state =
    p.monitorsDone === monitors
      ? `${p.expectedPresent} prefixes at ${monitors}/${monitors} monitors, every pool path right`
      : `INCOMPLETE: ${p.monitorsDone}/${monitors} monitors right; worst holds ${p.worstPresent}/${p.expectedPresent} prefixes, ${p.worstMismatched} wrong pool paths`;
  const fed = p.feedersWrittenMs === undefined ? '' : `; feeders wrote in ${fmt(p.feedersWrittenMs)} ms`;
  console.log(
    `${kind.padEnd(6)} ${name.padEnd(9)} ${fmt(p.ms).padStart(8)} ms  DUT CPU ${fmt(p.dutCpuMs).padStart(7)} ms  ${state}`,
  );
  console.log(
    `${''.padEnd(16)} each monitor got ${fmt(p.updates)} UPDATEs, ${fmt(p.prefixes)} prefixes; bench CPU ${fmt(p.benchCpuMs)} ms${fed}`,
  );
}

function printResult(r: Result, args: Args): void {
  console.log(`${r.kind.padEnd(6)} ${args.feeders + args.monitors} sessions up in ${fmt(r.setupMs)} ms`);
  printPhase(r.kind, 'announce', r.announce, args.monitors);
  if (r.down) printPhase(r.kind, 'flap down', r.down, args.monitors);
  if (r.reconnectMs !== undefined)
    console.log(`${r.kind.padEnd(6)} ${args.flap} feeders back up in ${fmt(r.reconnectMs)} ms`);
  if (r.up) printPhase(r.kind, 'flap up', r.up, args.monitors);
  console.log(`${r.kind.padEnd(6)} peak RSS ${fmt(r.peakRssMiB, 1)} MiB`);
  const bound = KEEPALIVE_MS + SLACK_MS;
  for (const { phase, s } of r.silence) {
    const worst = Math.max(s.feederMs, s.monitorMs);
    console.log(
      `${r.kind.padEnd(6)} ${phase.padEnd(9)} largest silence from the DUT: feeders ${fmt(s.feederMs)} ms, monitors ` +
        `${fmt(s.monitorMs)} ms (bound ${bound} ms: ${worst <= bound ? 'kept' : 'EXCEEDED'}; ended at +${fmt(s.atMs)} ms); ` +
        `bench event loop delay up to ${fmt(s.benchLoopMs)} ms` +
        (s.dutLoopMs === undefined
          ? ''
          : `, xbgpd's up to ${s.dutLoopMs > 0 ? fmt(s.dutLoopMs) : '<100'} ms`),
    );
  }
  console.log(
    `${r.kind.padEnd(6)} sessions dropped: ${r.dropped.length === 0 ? 'none' : `${r.dropped.length}: ${r.dropped.slice(0, 5).join('; ')}`}`,
  );
}

function median(values: (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return v.length % 2 === 1 ? v[v.length >> 1] : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

const FIGURES: [string, (r: Result) => number | undefined][] = [
  ['session setup', (r) => r.setupMs],
  ['convergence', (r) => r.announce.ms],
  ['announce CPU', (r) => r.announce.dutCpuMs],
  ['flap down', (r) => r.down?.ms],
  ['flap up', (r) => r.up?.ms],
  ['flap CPU', (r) => (r.down && r.up ? r.down.dutCpuMs + r.up.dutCpuMs : undefined)],
  ['peak RSS', (r) => r.peakRssMiB],
  ['largest silence', (r) => Math.max(...r.silence.map((x) => Math.max(x.s.feederMs, x.s.monitorMs)))],
];

/** Per figure: each DUT's median over the rounds, the median of the per-round xbgpd/BIRD ratios, each ratio. */
function printMedians(rounds: Result[][]): void {
  console.log('');
  console.log(
    `medians of ${rounds.length} round(s)         BIRD      xbgpd        xbgpd/BIRD: median of the per-round ratios (each round)`,
  );
  for (const [name, pick] of FIGURES) {
    const of = (kind: string) => rounds.map((r) => r.find((x) => x.kind === kind)).map((r) => r && pick(r));
    const b = of('bird');
    const x = of('xbgpd');
    const ratios = b.map((bv, i) =>
      bv === undefined || x[i] === undefined || bv === 0 ? undefined : x[i]! / bv,
    );
    const ratio = median(ratios);
    const unit = name === 'peak RSS' ? 'MiB' : 'ms';
    console.log(
      `${name.padEnd(26)} ${fmt(median(b)).padStart(8)} ${fmt(median(x)).padStart(10)} ${unit.padEnd(4)} ` +
        `${ratio === undefined ? '-' : `${ratio.toFixed(2)}x`.padStart(6)} (${ratios.map((r) => fmt(r, 2)).join(', ')})`,
    );
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(TABLE)) {
    console.log(`table not found: ${TABLE} (needs ../shared/data)`);
    return;
  }
  let t = Date.now();
  const loaded = await loadOnePathPerPrefix(TABLE);
  const table = buildOverlap(loaded.routes, { ...DEFAULT_OVERLAP, feeders: args.feeders });
  console.log(
    `table: ${loaded.routes.length} IPv4 prefixes read; ${args.feeders} feeders x ${DEFAULT_OVERLAP.own + DEFAULT_OVERLAP.shared} ` +
      `prefixes (${DEFAULT_OVERLAP.own} own, ${DEFAULT_OVERLAP.shared} from a pool of ${table.pool.length} that ` +
      `${DEFAULT_OVERLAP.carriers} feeders each announce with paths of different lengths): ${table.distinct} distinct ` +
      `prefixes (${table.synthetic} made-up /24s of 10/8), ${Date.now() - t} ms`,
  );
  t = Date.now();
  const streams = table.feeders.map((routes, f) =>
    encodeAnnouncements(routes, { asn: feederAsn(f), nextHop: feederAddress(f) }),
  );
  // Only the pool and the counts are needed from here on: let the routes go (less for the bench's GC).
  table.feeders.length = 0;
  loaded.routes.length = 0;
  const messages = streams.reduce((a, s) => a + s.messages, 0);
  const octets = streams.reduce((a, s) => a + s.octets, 0);
  console.log(
    `pre-encoded (not timed below): ${messages} UPDATEs, ${(octets / 2 ** 20).toFixed(1)} MiB, ${Date.now() - t} ms; ` +
      `${args.monitors} monitors; hold time ${HOLD_TIME} s; ${args.flap} feeders flap`,
  );
  const kinds = (['bird', 'xbgpd'] as const).filter((k) => !args.only || args.only === k);
  if (kinds.includes('xbgpd') && !existsSync(join(ROOT, 'dist', 'daemon', 'cli', 'xbgpd.js'))) {
    console.log('xbgpd: dist/ not built (npm run build)');
    return;
  }
  let port = 19000 + (process.pid % 50) * 2 * args.runs;
  const rounds: Result[][] = [];
  for (let run = 1; run <= args.runs; run++) {
    const results: Result[] = [];
    console.log('');
    console.log(`run ${run}/${args.runs}`);
    for (const kind of kinds) {
      const r = await runDut(kind, port++, args, table, streams);
      printResult(r, args);
      results.push(r);
    }
    rounds.push(results);
  }
  printMedians(rounds);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
