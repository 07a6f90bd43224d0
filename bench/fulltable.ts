// Full-table benchmark (issue 5): a feeder session replays the RouteViews table (one path per prefix,
// ~497k IPv4 prefixes) into the device under test, which passes it on to a monitor session; then the
// feeder withdraws the whole table. For each DUT (BIRD 2, then xbgpd from dist/) it prints the time from
// the first UPDATE sent to the last prefix counted at the monitor, the DUT's peak RSS (VmHWM) and CPU
// time (utime + stime), and the feeder's own wall and CPU time, then the xbgpd/BIRD ratios. Everything
// runs on loopback (127.0.0.1-3, custom ports). Not a test: it never fails on figures.
// Data: University of Oregon RouteViews (via CAIDA libbgpstream's test data).
// With --runs N (default 3) the DUTs take turns N times (BIRD, xbgpd, BIRD, ...), so that both meet the same
// machine; each round's ratios are printed, then the medians. On a shared VM single runs vary widely.
// With --plugins, xbgpd alone runs in six variants per round: no plugin; a plugin configured but attached
// to no peer of the table's path (idle); a small inbound filter (bench/plugins/read_accept.c: reads ORIGIN,
// accepts) on every route from the feeder, with the JIT and with the interpreter; the same filter outbound
// towards the monitor (JIT and interpreter). Their announce times are printed against no plugin (the plugin overhead).
// With --rr, route reflection: BIRD and xbgpd passing the table from an eBGP feeder to an iBGP monitor
// natively, then reflecting it between two iBGP clients (BIRD natively, xbgpd with
// plugins/route_reflector, JIT and interpreter); the overhead of each reflector against its own base.
// With --rpki (issue 14), origin validation: stayrtr serves VRPs generated from the table (bench/lib/rpki.ts);
// BIRD without and with `protocol rpki` and roa_check tagging every route, xbgpd without and with
// plugins/rpki_origin (JIT and interpreter) doing the same; each against the same DUT without it.
// With --admin: BIRD, xbgpd, and xbgpd with the admin API listening (nobody asking), per round.
// With --ipv6 (issue 15), the table is IPv6: about 200k prefixes built from the IPv6 RIB entries of the
// pyasn and RouteViews dumps (bench/lib/table-ipv6.ts), sent in MP_REACH_NLRI / MP_UNREACH_NLRI over the
// same IPv4 sessions, with IPv6 next hops (2001:db8::/32).
// Run: `npm run build && node dist/bench/fulltable.js [--only bird|xbgpd] [--no-withdraw] [--peer N] [--runs N] [--ipv6] [--primed[=N]] [--other DIR] [--plugins | --rr | --admin | --rpki]`.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Feeder } from './lib/feeder.js';
import { Monitor } from './lib/monitor.js';
import { cpuTimeMs, peakRssMiB } from './lib/proc.js';
import { loadOnePathPerPrefix, type TableRoute } from './lib/table.js';
import { loadIpv6Table } from './lib/table-ipv6.js';
import { encodeAnnouncements, encodeWithdrawals, type EncodedStream } from './lib/updates.js';
import { startBird, startXbgpd, type Dut, type DutOptions } from './lib/dut.js';
import { IPV6_TABLE_SOURCES, ROUTEVIEWS_TABLE, repoRoot } from './lib/repo.js';
import { pluginVariants, rrVariants, type Variant } from './lib/plugin-variants.js';
import { rpkiBench } from './lib/rpki.js';

const ROOT = repoRoot();
const TABLE = ROUTEVIEWS_TABLE;
/** The sources of the IPv6 table (--ipv6), and its size. */
const TABLE6 = IPV6_TABLE_SOURCES;
const TABLE6_SIZE = 200_000;
/** IPv6 next hops (--ipv6): the DUT's towards the monitor, the feeder's. */
const DUT_NEXT_HOP6 = '2001:db8::1';
const FEEDER_NEXT_HOP6 = '2001:db8::2';
const DUT_ASN = 4200000000;
const FEEDER = { address: '127.0.0.2', asn: 4200000001, routerId: '10.0.0.2' };
const MONITOR = { address: '127.0.0.3', asn: 4200000002, routerId: '10.0.0.3' };
/** The DUT has stopped sending when the monitor sees nothing new for this long. */
const IDLE_MS = 10_000;

interface Phase {
  /** First UPDATE sent -> last prefix counted at the monitor (ms), or undefined if nothing arrived. */
  propagationMs: number | undefined;
  /** Prefixes the monitor holds (announce) or still holds (withdraw) at the end of the phase. */
  present: number;
  complete: boolean;
  dutCpuMs: number;
  feederWrittenMs: number;
  feederCpuMs: number;
}

interface Result {
  kind: Dut['kind'];
  /** The DUT's name in the output: its kind, or the plugin variant. */
  label: string;
  announce: Phase;
  withdraw?: Phase;
  peakRssMiB: number;
  /** Prefixes the monitor should get: all but those RFC 1997 well-known communities keep from it. */
  expected: number;
}

interface Args {
  only?: string;
  withdraw: boolean;
  peer?: number;
  runs: number;
  plugins: boolean;
  rr: boolean;
  admin: boolean;
  rpki: boolean;
  ipv6: boolean;
  /** `--primed[=N]`: the priming's prefixes per family (undefined: the daemon's default). */
  primed: boolean;
  primeSize?: number;
  /** Another checkout whose built xbgpd runs too, in the same rounds (`--other DIR`). */
  other?: string;
}

function parseArgs(argv: string[]): Args {
  const out: Args = {
    withdraw: true,
    runs: 3,
    plugins: false,
    rr: false,
    admin: false,
    rpki: false,
    ipv6: false,
    primed: false,
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') out.only = argv[++i];
    else if (argv[i] === '--no-withdraw') out.withdraw = false;
    else if (argv[i] === '--peer') out.peer = Number(argv[++i]);
    else if (argv[i] === '--plugins') out.plugins = true;
    else if (argv[i] === '--rr') out.rr = true;
    else if (argv[i] === '--admin') out.admin = true;
    else if (argv[i] === '--rpki') out.rpki = true;
    else if (argv[i] === '--ipv6') out.ipv6 = true;
    else if (argv[i] === '--primed') out.primed = true;
    else if (argv[i]!.startsWith('--primed=')) {
      out.primed = true;
      out.primeSize = Number(argv[i]!.slice('--primed='.length));
    } else if (argv[i] === '--other') {
      const dir = argv[++i];
      if (dir === undefined || !existsSync(join(dir, 'dist', 'daemon', 'cli', 'xbgpd.js')))
        throw new Error(`--other: '${dir ?? ''}' is not a checkout with dist/ built (npm run build there)`);
      out.other = resolve(dir);
    } else if (argv[i] === '--runs') {
      out.runs = Number(argv[++i]);
      if (!Number.isInteger(out.runs) || out.runs < 1) throw new Error('--runs: a positive integer');
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (out.ipv6 && (out.rpki || out.peer !== undefined))
    throw new Error('--ipv6: not with --rpki or --peer (the IPv6 table is built, not one MRT peer)');
  return out;
}

async function measurePhase(
  dut: Dut,
  feeder: Feeder,
  monitor: Monitor,
  stream: EncodedStream,
  done: (m: Monitor) => boolean,
): Promise<Phase> {
  monitor.resetTimes();
  const cpuBefore = cpuTimeMs(dut.pid);
  const sent = await feeder.send(stream);
  const complete = await monitor.waitUntil(done, IDLE_MS);
  const dutCpuMs = cpuTimeMs(dut.pid) - cpuBefore;
  const propagationMs =
    monitor.lastChangeNs === 0n ? undefined : Number(monitor.lastChangeNs - sent.startNs) / 1e6;
  return {
    propagationMs,
    present: monitor.present.size,
    complete,
    dutCpuMs,
    feederWrittenMs: sent.writtenMs,
    feederCpuMs: sent.cpuMs,
  };
}

async function runDut(
  variant: Variant,
  port: number,
  announce: EncodedStream,
  withdraw: EncodedStream | undefined,
  ipv6: boolean,
): Promise<Result> {
  const kind = variant.kind;
  const feederAsn = variant.ibgp?.feeder ? DUT_ASN : FEEDER.asn;
  const monitorAsn = variant.ibgp?.monitor ? DUT_ASN : MONITOR.asn;
  const options: DutOptions = {
    routerId: '10.0.0.1',
    asn: DUT_ASN,
    address: '127.0.0.1',
    port,
    neighbors: [
      { name: 'feeder', address: FEEDER.address, asn: feederAsn, rrClient: variant.rrClients === true },
      { name: 'monitor', address: MONITOR.address, asn: monitorAsn, rrClient: variant.rrClients === true },
    ],
    ...(ipv6 ? { ipv6NextHop: DUT_NEXT_HOP6 } : {}),
  };
  const dut =
    kind === 'bird'
      ? await startBird(options, variant.birdConfig?.(options))
      : await startXbgpd(options, {
          extraConfig: variant.config ?? [],
          args: variant.args ?? [],
          ...(variant.root !== undefined ? { root: variant.root } : {}),
        });
  const peer = { host: options.address, port, holdTime: 90, ipv6 };
  const monitor = new Monitor({
    ...peer,
    localAddress: MONITOR.address,
    asn: monitorAsn,
    routerId: MONITOR.routerId,
  });
  const feeder = new Feeder({
    ...peer,
    localAddress: FEEDER.address,
    asn: feederAsn,
    routerId: FEEDER.routerId,
  });
  try {
    await monitor.establish();
    await feeder.establish();
    // Let the DUT finish its own session start-up (initial table to the monitor, End-of-RIB).
    await new Promise((r) => setTimeout(r, 1000));
    await variant.ready?.(dut);
    const expected =
      announce.prefixes - announce.noAdvertise - (variant.ibgp?.monitor ? 0 : announce.noExport);
    const a = await measurePhase(dut, feeder, monitor, announce, (m) => m.present.size >= expected);
    const result: Result = {
      kind,
      label: variant.label,
      announce: a,
      peakRssMiB: peakRssMiB(dut.pid),
      expected,
    };
    if (withdraw && a.present > 0) {
      result.withdraw = await measurePhase(dut, feeder, monitor, withdraw, (m) => m.present.size === 0);
      result.peakRssMiB = peakRssMiB(dut.pid);
    }
    return result;
  } finally {
    feeder.close();
    monitor.close();
    await dut.stop();
  }
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);

function printPhase(kind: string, name: string, p: Phase, expected: number): void {
  const counted =
    name === 'withdraw'
      ? `${expected - p.present}/${expected} withdrawn`
      : `${p.present}/${expected} prefixes`;
  console.log(
    `${kind.padEnd(6)} ${name.padEnd(9)} ${fmt(p.propagationMs).padStart(8)} ms  DUT CPU ${fmt(p.dutCpuMs).padStart(7)} ms` +
      `  feeder ${fmt(p.feederWrittenMs).padStart(6)} ms wall / ${fmt(p.feederCpuMs).padStart(6)} ms CPU  ${counted}${p.complete ? '' : ' (INCOMPLETE)'}`,
  );
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(TABLE)) {
    console.log(`table not found: ${TABLE} (needs ../shared/data)`);
    return;
  }
  let t = Date.now();
  const table = args.ipv6 ? await loadIpv6(t) : await loadIpv4(t, args.peer);
  t = Date.now();
  const nextHop = args.ipv6 ? FEEDER_NEXT_HOP6 : FEEDER.address;
  const announce = encodeAnnouncements(table.routes, { asn: FEEDER.asn, nextHop });
  const withdraw = args.withdraw ? encodeWithdrawals(table.routes, undefined, args.ipv6) : undefined;
  if (announce.noExport + announce.noAdvertise > 0)
    console.log(
      `(${announce.noExport} prefixes carry NO_EXPORT and ${announce.noAdvertise} NO_ADVERTISE: an external monitor ` +
        `is sent ${announce.prefixes - announce.noExport - announce.noAdvertise})`,
    );
  console.log(
    `pre-encoded (not timed below): ${announce.messages} announcing UPDATEs (${(announce.octets / 2 ** 20).toFixed(1)} MiB, ` +
      `${(announce.prefixes / announce.messages).toFixed(1)} prefixes each), ${withdraw?.messages ?? 0} withdrawing UPDATEs, ${Date.now() - t} ms`,
  );
  const kinds = (['bird', 'xbgpd'] as const).filter((k) => !args.only || args.only === k);
  if (kinds.includes('xbgpd') && !existsSync(join(ROOT, 'dist', 'daemon', 'cli', 'xbgpd.js'))) {
    console.log('xbgpd: dist/ not built (npm run build)');
    return;
  }
  const rpki = args.rpki ? await rpkiBench(ROOT, table.routes, 17800 + (process.pid % 100)) : undefined;
  const variants: Variant[] = args.rr
    ? rrVariants(ROOT, [FEEDER.address, MONITOR.address])
    : args.plugins
      ? pluginVariants(ROOT)
      : args.admin
        ? adminVariants()
        : (rpki?.variants ?? kinds.map((kind) => ({ kind, label: kind })));
  // --primed: xbgpd once more with its JIT primed at start-up (daemon/rde/prime.ts), in the same rounds.
  if (args.primed && kinds.includes('xbgpd')) {
    const flag = args.primeSize === undefined ? '--jit-prime' : `--jit-prime=${args.primeSize}`;
    variants.push({
      kind: 'xbgpd',
      label: 'xbgpd-primed',
      args: [flag],
      what: `xbgpd ${flag}`,
      base: 'xbgpd',
    });
  }
  // --other DIR: another checkout's xbgpd (a change against its parent, in the same rounds as this one's).
  if (args.other !== undefined && kinds.includes('xbgpd'))
    variants.push({
      kind: 'xbgpd',
      label: 'xbgpd-other',
      root: args.other,
      what: `xbgpd of ${args.other}`,
      base: 'xbgpd',
    });
  let port = 17900 + (process.pid % 50) * 2 * args.runs;
  const rounds: Result[][] = [];
  for (let run = 1; run <= args.runs; run++) {
    const results: Result[] = [];
    // With --other, the two builds take turns at going first (the VM's speed drifts within a round).
    const order = args.other !== undefined && run % 2 === 0 ? swapBuilds(variants) : variants;
    for (const v of order) results.push(await runDut(v, port++, announce, withdraw, args.ipv6));
    rounds.push(results);
    console.log('');
    console.log(
      `run ${run}/${args.runs}  DUT    phase       first UPDATE sent -> last prefix at the monitor`,
    );
    printRound(results);
  }
  if (rounds.length > 1)
    printMedians(
      rounds,
      variants.map((v) => v.label),
    );
  if (args.plugins || args.rr || args.rpki || args.primed || args.other !== undefined)
    printPluginOverhead(rounds, variants);
  if (args.rr) printReflectors(rounds);
  await rpki?.stop();
  if (!args.ipv6)
    console.log(
      '(reference: BIRD 2.0.12 receives this table in about 1.3 s and 71 MB on this class of machine)',
    );
}

/** The RouteViews table (one path per prefix, or MRT peer `peer`'s), with a line describing it. */
async function loadIpv4(start: number, peer: number | undefined): Promise<{ routes: TableRoute[] }> {
  const table = await loadOnePathPerPrefix(TABLE, peer);
  console.log(
    `table: ${table.routes.length} IPv4 prefixes, ${table.peers.length} MRT peers, read in ${Date.now() - start} ms`,
  );
  return table;
}

/** The IPv6 table (--ipv6), with a line describing it. */
async function loadIpv6(start: number): Promise<{ routes: TableRoute[] }> {
  const table = await loadIpv6Table(TABLE6, TABLE6_SIZE);
  console.log(
    `table: ${table.routes.length} IPv6 prefixes (${table.attributeSets} attribute sets) built from ` +
      `${table.basePrefixes} real prefixes with ${table.baseEntries} RIB entries, in ${Date.now() - start} ms` +
      table.warnings.map((w) => `\n  (${w}: the complete records were used)`).join(''),
  );
  return table;
}

function printRound(results: Result[]): void {
  for (const r of results) {
    const expected = r.expected;
    if (r.kind === 'xbgpd' && r.announce.present === 0) {
      console.log(
        `xbgpd: not yet propagating (the monitor received 0 of ${expected} prefixes); receiving the table cost it ` +
          `${fmt(r.announce.dutCpuMs)} ms CPU, peak RSS ${fmt(r.peakRssMiB)} MiB`,
      );
      continue;
    }
    printPhase(r.label, 'announce', r.announce, expected);
    if (r.withdraw) printPhase(r.label, 'withdraw', r.withdraw, expected);
    console.log(`${r.label.padEnd(6)} peak RSS ${fmt(r.peakRssMiB, 1)} MiB`);
  }
  const bird = results.find((r) => r.label === 'bird');
  const xbgpd = results.find((r) => r.label === 'xbgpd');
  if (!bird || !xbgpd || xbgpd.announce.present === 0) return;
  console.log(
    `xbgpd/BIRD: announce time ${ratio(xbgpd.announce.propagationMs, bird.announce.propagationMs)}, ` +
      `CPU ${ratio(xbgpd.announce.dutCpuMs, bird.announce.dutCpuMs)}, peak RSS ${ratio(xbgpd.peakRssMiB, bird.peakRssMiB)} ` +
      `(${fmt(xbgpd.peakRssMiB)} MiB)`,
  );
  if (bird.withdraw && xbgpd.withdraw) {
    console.log(
      `xbgpd/BIRD: withdraw time ${ratio(xbgpd.withdraw.propagationMs, bird.withdraw.propagationMs)}, ` +
        `CPU ${ratio(xbgpd.withdraw.dutCpuMs, bird.withdraw.dutCpuMs)}`,
    );
  }
}

function median(values: (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return v.length % 2 === 1 ? v[v.length >> 1] : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

/** Medians over the rounds per DUT, the ratio of the medians, and the median of the per-round ratios. */
function printMedians(rounds: Result[][], kinds: readonly string[]): void {
  console.log('');
  console.log(`medians of ${rounds.length} runs`);
  const of = (kind: string) =>
    rounds.map((r) => r.find((x) => x.label === kind)).filter((r) => r !== undefined);
  const m: Partial<Record<string, { announce?: number; cpu?: number; withdraw?: number; rss?: number }>> = {};
  for (const kind of kinds) {
    const rs = of(kind);
    m[kind] = {
      announce: median(rs.map((r) => r.announce.propagationMs)),
      cpu: median(rs.map((r) => r.announce.dutCpuMs)),
      withdraw: median(rs.map((r) => r.withdraw?.propagationMs)),
      rss: median(rs.map((r) => r.peakRssMiB)),
    };
    const x = m[kind]!;
    console.log(
      `${kind.padEnd(6)} announce ${fmt(x.announce).padStart(6)} ms  DUT CPU ${fmt(x.cpu).padStart(6)} ms  ` +
        `withdraw ${fmt(x.withdraw).padStart(6)} ms  peak RSS ${fmt(x.rss, 1)} MiB`,
    );
  }
  const b = m['bird'];
  const x = m['xbgpd'];
  if (!b || !x) return;
  /** The median over the rounds of xbgpd's figure over BIRD's in the same round. */
  const perRound = (figure: (r: Result) => number | undefined): number | undefined =>
    median(
      rounds.map((r) => {
        const rb = r.find((y) => y.label === 'bird');
        const rx = r.find((y) => y.label === 'xbgpd');
        const fb = rb && figure(rb);
        const fx = rx && figure(rx);
        return fb === undefined || fx === undefined ? undefined : fx / fb;
      }),
    );
  const time = perRound((r) => r.announce.propagationMs);
  const cpu = perRound((r) => r.announce.dutCpuMs);
  const withdraw = perRound((r) => r.withdraw?.propagationMs);
  console.log(
    `xbgpd/BIRD (medians of the per-round ratios): announce time ${times(time)}, CPU ${times(cpu)}, ` +
      `withdraw ${times(withdraw)}; xbgpd's peak RSS ${fmt(x.rss, 1)} MiB`,
  );
  // Issue 15's targets (bench/README.md).
  const against = (value: number | undefined, target: number): string =>
    value === undefined ? 'not measured' : value <= target ? 'met' : 'not met';
  console.log(
    `targets: time <= ${TARGETS.time}x ${against(time, TARGETS.time)}, CPU <= ${TARGETS.cpu}x ${against(cpu, TARGETS.cpu)}, ` +
      `withdraw <= ${TARGETS.withdraw}x ${against(withdraw, TARGETS.withdraw)}, ` +
      `peak RSS <= ${TARGETS.rssMiB} MiB ${against(x.rss, TARGETS.rssMiB)}`,
  );
}

/** A ratio as printed: two decimals and an x, or '-' when not measured. */
const times = (r: number | undefined): string => (r === undefined ? '-' : `${fmt(r, 2)}x`);

/** Issue 15's targets for xbgpd against BIRD on the full table (IPv4 and IPv6 alike). */
const TARGETS = { time: 1.5, cpu: 2, withdraw: 1.5, rssMiB: 200 } as const;

/** The variants with this checkout's xbgpd and the other's (--other) in each other's place. */
function swapBuilds(variants: readonly Variant[]): Variant[] {
  const out = [...variants];
  const a = out.findIndex((v) => v.label === 'xbgpd');
  const b = out.findIndex((v) => v.label === 'xbgpd-other');
  if (a >= 0 && b >= 0) [out[a], out[b]] = [out[b]!, out[a]!];
  return out;
}

/** Each variant's announce time, CPU and withdrawal time against its base (xbgpd without plugins, or this checkout's): medians of per-round ratios. */
function printPluginOverhead(rounds: Result[][], variants: readonly Variant[]): void {
  console.log('');
  console.log('overhead (median over the rounds of variant / its base, same round)');
  for (const v of variants) {
    // The base: the variant named, else the same DUT without anything (--rpki).
    const baseLabel = v.base ?? (v.label === v.kind ? undefined : v.kind);
    if (baseLabel === undefined) continue;
    const per = (pick: (r: Result) => number | undefined) =>
      median(
        rounds.map((r) => {
          const base = r.find((y) => y.label === baseLabel);
          const mine = r.find((y) => y.label === v.label);
          const a = mine && pick(mine);
          const b = base && pick(base);
          return a === undefined || b === undefined || b === 0 ? undefined : a / b;
        }),
      );
    const time = per((r) => r.announce.propagationMs);
    const cpu = per((r) => r.announce.dutCpuMs);
    const withdraw = per((r) => r.withdraw?.propagationMs);
    const pct = (x: number | undefined): string => (x === undefined ? '-' : `${((x - 1) * 100).toFixed(1)}%`);
    console.log(
      `${v.label.padEnd(16)} announce time ${pct(time).padStart(7)}  DUT CPU ${pct(cpu).padStart(7)}  ` +
        `withdraw ${pct(withdraw).padStart(7)}  against ${baseLabel} (${v.what})`,
    );
  }
}

/** --admin: xbgpd with and without the admin API (listening on loopback, nobody asking), BIRD first. */
function adminVariants(): Variant[] {
  return [
    { kind: 'bird', label: 'bird' },
    { kind: 'xbgpd', label: 'xbgpd', what: 'no admin API' },
    {
      kind: 'xbgpd',
      label: 'xbgpd+api',
      config: ['admin: { address: 127.0.0.1, port: 0, token: bench-token }'],
      what: 'the admin API on 127.0.0.1 (any port), nobody asking',
    },
  ];
}

/** --rr: xbgpd reflecting with the plugin against BIRD reflecting natively (medians of per-round ratios). */
function printReflectors(rounds: Result[][]): void {
  const bird = median(rounds.map((r) => r.find((y) => y.label === 'bird-rr')?.announce.propagationMs));
  for (const label of ['rr-jit', 'rr-interp']) {
    const per = median(
      rounds.map((r) => {
        const a = r.find((y) => y.label === label)?.announce.propagationMs;
        const b = r.find((y) => y.label === 'bird-rr')?.announce.propagationMs;
        return a === undefined || b === undefined || b === 0 ? undefined : a / b;
      }),
    );
    console.log(`${label}/bird-rr announce time ${fmt(per, 2)}x (BIRD as reflector: median ${fmt(bird)} ms)`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
