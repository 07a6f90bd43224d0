// The benchmarks' own data structures (bench/lib): PrefixTable against a Map under random churn, and the
// overlap split of bench/manypeers against what it promises (counts per feeder, one best path per prefix).
import { expect } from 'chai';
import { PrefixTable } from '../../bench/lib/prefix-table.js';
import { buildOverlap, expectedState, type OverlapOptions } from '../../bench/lib/overlap.js';
import { ABSENT, nlriKey } from '../../bench/lib/monitor.js';
import { ipv4Nlri, type TableRoute } from '../../bench/lib/table.js';
import { prng } from '../helpers/random.js';

describe('bench/lib: PrefixTable', function () {
  it('agrees with a Map under 200,000 random sets and deletes (growth, tombstones, rebuilds)', function () {
    const random = prng(15);
    const table = new PrefixTable(16);
    const model = new Map<number, number>();
    // Keys as the monitors make them (address * 64 + length), from a small space so that keys repeat.
    const key = (): number => Math.floor(random() * 5000) * 0x1000000 * 64 + 24;
    for (let i = 0; i < 200_000; i++) {
      const k = key();
      if (random() < 0.55) {
        const v = Math.floor(random() * 100);
        table.set(k, v);
        model.set(k, v);
      } else {
        expect(table.delete(k)).to.equal(model.delete(k));
      }
      if (i % 10_000 === 0) expect(table.size).to.equal(model.size);
    }
    expect(table.size).to.equal(model.size);
    for (const [k, v] of model) expect(table.get(k), String(k)).to.equal(v);
    const seen = new Map<number, number>();
    table.forEach((v, k) => seen.set(k, v));
    expect(seen).to.deep.equal(model);
    expect(table.has(0)).to.equal(model.has(0));
  });
});

describe('bench/lib: overlap (bench/manypeers)', function () {
  // A made-up table of 3,000 /24s with one attribute object per run of 7 (the split only moves them).
  const attrs = Array.from({ length: 500 }, (_, i) => Uint8Array.of(i & 255));
  const table: TableRoute[] = Array.from({ length: 3000 }, (_, i) => ({
    nlri: ipv4Nlri(`20.${i >> 8}.${i & 255}.0`, 24),
    attributes: attrs[Math.floor(i / 7)]!,
  }));
  const o: OverlapOptions = { feeders: 20, own: 100, shared: 100, carriers: 5, block: 4, seed: 3 };

  it('gives every feeder its own prefixes and its share of the pool, each pool prefix to distinct carriers', function () {
    const t = buildOverlap(table, o);
    expect(t.feeders).to.have.length(20);
    const owners = new Map<number, number[]>();
    t.feeders.forEach((routes, f) => {
      expect(routes, `feeder ${f}`).to.have.length(200);
      for (const r of routes) {
        const k = nlriKey(r.nlri);
        owners.set(k, [...(owners.get(k) ?? []), f]);
      }
    });
    expect(t.pool).to.have.length((20 * 100) / 5);
    for (const p of t.pool) {
      expect(new Set(p.carriers).size).to.equal(5);
      expect([...owners.get(p.key)!].sort((a, b) => a - b)).to.deep.equal(
        [...p.carriers].sort((a, b) => a - b),
      );
    }
    const pool = new Set(t.pool.map((p) => p.key));
    const own = [...owners].filter(([k]) => !pool.has(k));
    expect(own).to.have.length(20 * 100);
    for (const [, fs] of own) expect(fs).to.have.length(1);
    expect(t.distinct).to.equal(owners.size);
    // Carrier k sends the pool prefix with k extra prepends: the first carrier has the shortest path.
    for (const p of t.pool.slice(0, 50))
      p.carriers.forEach((f, k) =>
        expect(t.feeders[f]!.find((r) => nlriKey(r.nlri) === p.key)!.prepend).to.equal(k),
      );
  });

  it('says what a monitor holds with feeders down: their own prefixes gone, the pool on the next carrier', function () {
    const t = buildOverlap(table, o);
    const asn = (f: number): number => 64500 + f;
    const all = expectedState(t, new Set(), asn);
    expect(all.present).to.equal(t.distinct);
    const down = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const some = expectedState(t, down, asn);
    let absent = 0;
    for (const p of t.pool) {
      const left = p.carriers.filter((f) => !down.has(f));
      expect(some.via.get(p.key)).to.equal(left.length === 0 ? ABSENT : asn(left[0]!));
      if (left.length === 0) absent++;
    }
    expect(some.present).to.equal(4 * 100 + t.pool.length - absent);
  });
});
