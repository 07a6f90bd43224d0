// JIT priming (`xbgpd --jit-prime`): a synthetic table (IPv4 and IPv6, eBGP in, eBGP out) through
// throwaway RDEs at start-up, before any session, so that the first real table runs in code V8 has
// already optimized. A cold process spends about a third of its first table's CPU on compiling and on
// running not yet optimized code (bench/README.md, "JIT priming"); the priming pays that once, while no
// peer waits. It goes through the wire codec's decode and encode and the RDE's five stages as a session's
// UPDATEs do, and leaves nothing behind: its RDEs, stores and peers are garbage once their deferred
// decision slices (setImmediate) have run, a turn of the event loop after it returns (xbgpd.ts waits
// for that turn before its full collection).
import {
  Afi,
  Safi,
  buildNlri,
  decodeMessage,
  encodeMessage,
  formatAddress,
  makeAggregator,
  makeAsPath,
  makeAtomicAggregate,
  makeCommunities,
  makeLargeCommunities,
  makeMed,
  makeMpReach,
  makeMpUnreach,
  makeNextHop,
  makeOrigin,
  type AsPathSegment,
  type DecodeContext,
  type NlriBlock,
  type PathAttribute,
} from '../wire/index.js';
import type { Family } from '../config/types.js';
import { Rde } from './rde.js';

/** What a priming run did (and what it cost). */
export interface PrimeReport {
  /** Prefixes announced per family, then withdrawn. */
  prefixes: number;
  /** UPDATEs the RDE sent the monitor peer (announcements, withdrawals, End-of-RIB). */
  updatesOut: number;
  /** Prefixes those UPDATEs announced, and withdrew. */
  announcedOut: number;
  withdrawnOut: number;
  /** Destinations the RDEs held once everything was announced (summed), and at the end (none). */
  locRibPeak: number;
  locRibAfter: number;
  ms: number;
  cpuMs: number;
}

/**
 * Prefixes per family by default: enough for V8 to optimize the per-UPDATE and per-prefix paths (in-process,
 * TurboFan compiles 20 functions during the first real table after it, against 208 unprimed; after 40,000
 * it compiles 11, for twice the start-up time and no difference in the table's CPU beyond the noise).
 */
export const PRIME_PREFIXES = 10_000;
/** The range `--jit-prime=N` accepts. */
export const PRIME_MIN = 100;
export const PRIME_MAX = 200_000;
/**
 * From this size on, a full collection follows the priming (its throwaway RDEs hold megabytes until then).
 * Not below it: a forced full collection flushes the bytecode, and with it the type feedback, of the
 * functions not yet optimized, which is all a small priming leaves (in-process, 100 prefixes then the IPv6
 * bench table: 4 deoptimizations during the table's withdrawal without the collection, 12 with it).
 */
export const PRIME_COLLECT_FROM = 1_000;

// Peer ASes that are small integers to V8 (below 2^30), as real peers' almost always are: a feeder AS above
// 2^31 (a double) made the fields and operations it reaches generic, and the IPv4 table after a priming of
// 100 prefixes took 17% more CPU than without one (5 rounds); with a small one -7% to +12% over two sets of
// rounds, within the noise (bench/README.md session 31). A 4-octet AS all the same, unlikely to be the
// daemon's own.
const FEEDER_AS = 1_000_000_001;
const MONITOR_AS = 64514;
const FAMILIES: readonly Family[] = ['ipv4-unicast', 'ipv6-unicast'];
/**
 * UPDATEs received between two drains of the monitor's UPDATEs, per phase: a table's announcements all
 * queued first (more than one chunk of ids: queues.ts), withdrawals sent on one by one.
 */
const SEND_EVERY = { announce: Infinity, withdraw: 1 };

/** A small deterministic generator (mulberry32): the same table every start. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The attributes of one synthetic set (as a feeder sends them: its AS first, no LOCAL_PREF). */
function attributesOf(next: () => number, ipv6: boolean, nlri: NlriBlock): PathAttribute[] {
  const path = [FEEDER_AS];
  for (let n = next() % 6; n > 0; n--) path.push(next() % 2 === 0 ? 1 + (next() % 400_000) : next());
  const segments: AsPathSegment[] = [{ type: 2, asns: path }];
  // Now and then an aggregate: an AS_SET at the end, AGGREGATOR and ATOMIC_AGGREGATE.
  const aggregate = next() % 20 === 0;
  if (aggregate) segments.push({ type: 1, asns: [next() % 65536, next()] });
  const attrs: PathAttribute[] = [makeOrigin((next() % 3) as 0 | 1 | 2), makeAsPath(segments, true)];
  if (!ipv6) attrs.push(makeNextHop(0x0a000002));
  if (next() % 3 === 0) attrs.push(makeMed(next() % 1000));
  if (aggregate) attrs.push(makeAtomicAggregate(), makeAggregator(path[path.length - 1]!, next(), true));
  if (next() % 2 === 0) {
    // Sometimes more than 63 communities: a value over 255 octets (Extended Length).
    const communities: number[] = [];
    for (let n = next() % 40 === 0 ? 64 + (next() % 32) : 1 + (next() % 8); n > 0; n--)
      communities.push(((FEEDER_AS & 0xffff) << 16) | (next() % 65536));
    if (next() % 25 === 0) communities.push(0xffffff01 + (next() % 3)); // a well-known one
    attrs.push(makeCommunities(communities));
  }
  if (next() % 5 === 0) attrs.push(makeLargeCommunities([FEEDER_AS, next(), next()]));
  if (ipv6) attrs.push(makeMpReach(IPV6_NEXT_HOP, nlri));
  return attrs;
}

const IPV6_NEXT_HOP = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);

/** Prefix lengths as tables hold them (mostly /24 and /48, every other length now and then). */
const IPV4_LENGTHS = [24, 24, 24, 24, 23, 22, 21, 20, 19, 16, 8, 32];
const IPV6_LENGTHS = [48, 48, 48, 48, 32, 36, 40, 44, 29, 56, 64, 128];

/** The prefix texts of one family: distinct, of every length now and then. */
function prefixesOf(next: () => number, ipv6: boolean, count: number): string[] {
  const seen = new Set<string>();
  const address = new Uint8Array(16);
  while (seen.size < count) {
    const lengths = ipv6 ? IPV6_LENGTHS : IPV4_LENGTHS;
    const length = next() % 7 === 0 ? next() % (ipv6 ? 129 : 33) : lengths[next() % lengths.length]!;
    for (let i = 0; i < 16; i++) address[i] = i * 8 < length ? next() & 255 : 0;
    if (length % 8 !== 0) address[length >> 3]! &= (0xff00 >> (length % 8)) & 255;
    // Unicast-looking first octets: 1-223 (IPv4), 2000::/4 (IPv6).
    address[0] = ipv6 ? 0x20 | (address[0]! & 0x0f) : 1 + (address[0]! % 223);
    if (length < 8) address[0]! &= (0xff00 >> length) & 255;
    seen.add(
      `${formatAddress(ipv6 ? Afi.Ipv6 : Afi.Ipv4, ipv6 ? address : address.subarray(0, 4), 0)}/${length}`,
    );
  }
  return [...seen];
}

/** The feeder's messages for one family: announcements (1 to 4 prefixes per set), then withdrawals. */
function messagesOf(ipv6: boolean, count: number): { announce: Uint8Array[]; withdraw: Uint8Array[] } {
  const next = generator(ipv6 ? 6 : 4);
  const prefixes = prefixesOf(next, ipv6, count);
  const afi = ipv6 ? Afi.Ipv6 : Afi.Ipv4;
  const none = buildNlri(Afi.Ipv4, Safi.Unicast, []);
  const announce: Uint8Array[] = [];
  for (let i = 0; i < prefixes.length;) {
    const n = Math.min(1 + (next() % 4), prefixes.length - i);
    const nlri = buildNlri(afi, Safi.Unicast, prefixes.slice(i, i + n));
    i += n;
    const attributes = attributesOf(next, ipv6, nlri);
    announce.push(encodeMessage({ type: 'update', withdrawn: none, attributes, nlri: ipv6 ? none : nlri }));
  }
  const withdraw: Uint8Array[] = [];
  // Small withdrawals, each sent on at once (below): a table's withdrawal is hundreds of UPDATEs in and
  // out, and the code for them must have run often enough to be optimized.
  const perWithdrawal = 25;
  for (let i = 0; i < prefixes.length; i += perWithdrawal) {
    const block = buildNlri(afi, Safi.Unicast, prefixes.slice(i, i + perWithdrawal));
    withdraw.push(
      encodeMessage(
        ipv6
          ? { type: 'update', withdrawn: none, attributes: [makeMpUnreach(block)], nlri: none }
          : { type: 'update', withdrawn: block, attributes: [], nlri: none },
      ),
    );
  }
  return { announce, withdraw };
}

/** Our AS and BGP Identifier, as the daemon's RDE will have them (the same values, the same representations). */
export interface PrimeOptions {
  localAsn: number;
  routerId: number;
  /** Prefixes per family (default PRIME_PREFIXES). */
  prefixes?: number;
}

/**
 * Run synthetic routes of each family through throwaway RDEs: a feeder peer announces them, a monitor
 * peer is sent them, then the feeder withdraws them and the monitor is sent the withdrawals. Two RDEs, one
 * after the other, each with half the routes: what V8 learns from a single instance (a field only ever
 * written once, say) would not hold for the daemon's own RDE, and its code would be thrown away again.
 */
export function primeRde(options: PrimeOptions): PrimeReport {
  const prefixes = options.prefixes ?? PRIME_PREFIXES;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const tables = [messagesOf(false, prefixes), messagesOf(true, prefixes)];
  const halves = tables.map((t) => ({
    first: { announce: t.announce.filter((_, i) => i % 2 === 0), withdraw: t.withdraw },
    second: { announce: t.announce.filter((_, i) => i % 2 === 1), withdraw: t.withdraw },
  }));
  const counts: Counts = { updatesOut: 0, announcedOut: 0, withdrawnOut: 0, locRibPeak: 0, locRibAfter: 0 };
  primeOnce(options, [halves[0]!.first, halves[1]!.first], counts);
  primeOnce(options, [halves[0]!.second, halves[1]!.second], counts);
  const used = process.cpuUsage(cpu);
  return {
    prefixes,
    ...counts,
    ms: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
  };
}

type Counts = Omit<PrimeReport, 'prefixes' | 'ms' | 'cpuMs'>;

/** One throwaway RDE: `tables` announced, sent, withdrawn, sent; what happened added to `counts`. */
function primeOnce(
  options: PrimeOptions,
  tables: { announce: Uint8Array[]; withdraw: Uint8Array[] }[],
  counts: Counts,
): void {
  const rde = new Rde({
    localAsn: options.localAsn,
    routerId: options.routerId,
    decision: { alwaysCompareMed: false, deterministicMed: false },
    ebgpRequiresPolicy: false,
  });
  // The shape a session's negotiated decode context has (daemon/session/negotiate.ts).
  const ctx: DecodeContext = {
    asn4: true,
    addPath: new Set<number>(),
    extendedMessage: false,
    peerType: 'ebgp',
  };
  const info = (routerId: number) => ({
    routerId,
    ibgp: false,
    asn4: true,
    families: FAMILIES,
    addPathSend: new Set<Family>(),
    maxMessageLength: 4096,
    nextHopIpv4: '10.0.0.1',
    nextHopIpv6: '2001:db8::1',
  });
  const spec = (name: string, address: string, asn: number) => ({
    name,
    address,
    asn,
    nextHopSelf: false,
    sendMed: false,
    minRouteAdvertisementInterval: 0,
  });
  const sink = { kick: () => undefined };
  rde.peerUp(spec('feeder', '10.0.0.2', FEEDER_AS), info(2), sink);
  rde.peerUp(spec('monitor', '10.0.0.3', MONITOR_AS), info(3), sink);
  const drain = (): void => {
    rde.flush();
    for (const update of rde.pull('monitor')) {
      encodeMessage(update);
      counts.updatesOut++;
      counts.announcedOut += update.nlri.count;
      counts.withdrawnOut += update.withdrawn.count;
      for (const a of update.attributes)
        if (a.type === 'mp-reach') counts.announcedOut += a.nlri.count;
        else if (a.type === 'mp-unreach') counts.withdrawnOut += a.withdrawn.count;
    }
  };
  const held = (): number => FAMILIES.reduce((n, f) => n + rde.ribs[f].size, 0);
  drain(); // the initial End-of-RIB
  for (const phase of ['announce', 'withdraw'] as const) {
    for (const table of tables) {
      // Drained every SEND_EVERY messages, as a session pulls its UPDATEs while the table comes in.
      table[phase].forEach((m, i) => {
        const r = decodeMessage(m, ctx);
        if (r.ok && r.message.type === 'update')
          rde.receive('feeder', r.message, true, r.action === 'treat-as-withdraw');
        if ((i + 1) % SEND_EVERY[phase] === 0) drain();
      });
      drain();
    }
    if (phase === 'announce') counts.locRibPeak += held();
    else counts.locRibAfter += held();
  }
}
