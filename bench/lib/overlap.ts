// Routes for many feeders that overlap (bench/manypeers.ts), built deterministically from one table: each
// feeder announces prefixes of its own and as many from a shared pool, every pool prefix by several
// feeders with AS paths of different lengths (carrier k prepends its AS k more times), so the device's
// decision process has a single right answer per prefix: the carrier with the shortest path. Pool prefixes
// come from the table in runs of `block` consecutive prefixes spread over the whole table (consecutive
// prefixes often share attributes, so UPDATEs pack as in the real table); own prefixes are the rest of
// the table, then, when the table runs out, /24s of 10.0.0.0/8 that the table does not hold, borrowing
// the table's attributes. `expectedState` says what a monitor should hold when some feeders are down.
import { nlriKey, ABSENT } from './monitor.js';
import { PrefixTable } from './prefix-table.js';
import type { TableRoute } from './table.js';

export interface OverlapOptions {
  feeders: number;
  /** Prefixes of its own per feeder. */
  own: number;
  /** Pool prefixes per feeder. */
  shared: number;
  /** Feeders announcing each pool prefix (at most `feeders`). */
  carriers: number;
  /** Consecutive table prefixes that share their carriers. */
  block: number;
  /** Seed of the choice of carriers. */
  seed: number;
}

export const DEFAULT_OVERLAP: OverlapOptions = {
  feeders: 100,
  own: 5000,
  shared: 5000,
  carriers: 10,
  block: 10,
  seed: 1,
};

/** A pool prefix: its key (bench/lib/monitor.ts) and its carriers (feeder indexes), best first. */
export interface PoolPrefix {
  key: number;
  carriers: number[];
}

export interface OverlapTable {
  /** Each feeder's routes, in table order (`prepend` set on pool routes). */
  feeders: TableRoute[][];
  pool: PoolPrefix[];
  /** Own prefixes per feeder. */
  ownCount: number[];
  /** Distinct prefixes over all feeders. */
  distinct: number;
  /** Own prefixes made up (10.0.0.0/8 /24s) because the table ran out. */
  synthetic: number;
}

/** A small deterministic generator (xorshift32), enough to shuffle carriers the same way every run. */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** `count` distinct values of [0, n) in a random order. */
function pick(next: () => number, n: number, count: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + (next() % (n - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, count);
}

/** /24s of 10.0.0.0/8 not in `taken` (keys), in address order, as NLRI. */
function* syntheticPrefixes(taken: Set<number>): Generator<Uint8Array> {
  for (let b = 0; b < 256; b++) {
    for (let c = 0; c < 256; c++) {
      const nlri = Uint8Array.of(24, 10, b, c);
      if (!taken.has(nlriKey(nlri))) yield nlri;
    }
  }
}

/**
 * Split `table` among `o.feeders` feeders. Carriers: the pool's blocks go in groups of `feeders` blocks;
 * each group draws `carriers` distinct offsets, and carrier k of block b is feeder (b + offset_k) mod
 * feeders with k extra prepends. Within a group every feeder carries one block per offset, so each feeder
 * gets exactly `shared` pool prefixes while the feeders it shares them with vary from group to group.
 */
export function buildOverlap(
  table: readonly TableRoute[],
  o: OverlapOptions = DEFAULT_OVERLAP,
): OverlapTable {
  const { feeders, block, carriers } = o;
  if (carriers > feeders) throw new Error('more carriers than feeders');
  const poolBlocks = (feeders * o.shared) / (carriers * block);
  if (!Number.isInteger(poolBlocks) || poolBlocks % feeders !== 0)
    throw new Error('the pool (feeders * shared / carriers) must be a whole number of blocks per feeder');
  const tableBlocks = Math.floor(table.length / block);
  if (tableBlocks < poolBlocks) throw new Error('table too small for the pool');
  const isPool = new Uint8Array(table.length);
  const poolStarts: number[] = [];
  for (let k = 0; k < poolBlocks; k++) {
    const start = Math.floor((k * tableBlocks) / poolBlocks) * block;
    poolStarts.push(start);
    isPool.fill(1, start, start + block);
  }
  // Own prefixes: the table outside the pool, then made-up /24s; runs of 50 go to the feeders in turn.
  const perFeeder: { index: number; route: TableRoute }[][] = Array.from({ length: feeders }, () => []);
  const ownCount = new Array<number>(feeders).fill(0);
  const ownTotal = feeders * o.own;
  const ownTable: TableRoute[] = [];
  for (let i = 0; i < table.length && ownTable.length < ownTotal; i++)
    if (!isPool[i]) ownTable.push(table[i]!);
  const run = 50;
  // Each feeder sends its own and its pool routes interleaved (sorted by their place in either list).
  const poolTotal = poolBlocks * block;
  const addOwn = (i: number, route: TableRoute): void => {
    const f = Math.floor(i / run) % feeders;
    perFeeder[f]!.push({ index: i / ownTotal, route });
    ownCount[f]!++;
  };
  ownTable.forEach((route, i) => addOwn(i, route));
  let synthetic = 0;
  if (ownTable.length < ownTotal) {
    const taken = new Set(table.map((r) => nlriKey(r.nlri)));
    for (const nlri of syntheticPrefixes(taken)) {
      const i = ownTable.length + synthetic;
      if (i >= ownTotal) break;
      addOwn(i, { nlri, attributes: ownTable[synthetic % ownTable.length]!.attributes });
      synthetic++;
    }
    if (ownTable.length + synthetic < ownTotal) throw new Error('not enough prefixes for the own routes');
  }
  // The pool.
  const next = generator(o.seed);
  const pool: PoolPrefix[] = [];
  let offsets: number[] = [];
  for (let k = 0; k < poolBlocks; k++) {
    if (k % feeders === 0) offsets = pick(next, feeders, carriers);
    const chosen = offsets.map((off) => (k + off) % feeders);
    for (let i = 0; i < block; i++) {
      const route = table[poolStarts[k]! + i]!;
      pool.push({ key: nlriKey(route.nlri), carriers: chosen });
      chosen.forEach((f, prepend) =>
        perFeeder[f]!.push({ index: (pool.length - 1) / poolTotal, route: { ...route, prepend } }),
      );
    }
  }
  return {
    feeders: perFeeder.map((list) => list.sort((a, b) => a.index - b.index).map((x) => x.route)),
    pool,
    ownCount,
    distinct: ownTotal + pool.length,
    synthetic,
  };
}

/**
 * What every monitor should hold with the feeders of `down` away: how many prefixes, and per pool prefix
 * the feeder AS its best path goes through (ABSENT when no carrier is left).
 */
export function expectedState(
  t: OverlapTable,
  down: ReadonlySet<number>,
  asnOf: (feeder: number) => number,
): { present: number; via: PrefixTable } {
  let present = 0;
  t.ownCount.forEach((n, f) => {
    if (!down.has(f)) present += n;
  });
  const via = new PrefixTable(t.pool.length);
  for (const p of t.pool) {
    const best = p.carriers.find((f) => !down.has(f));
    via.set(p.key, best === undefined ? ABSENT : asnOf(best));
    if (best !== undefined) present++;
  }
  return { present, via };
}
