// The per-set caches of the filters (daemon/rde/pipeline.ts SetCache): results by set identity, null
// (rejected) kept apart from a miss, a set taking the slot of its place in the store from the one there before, and the
// table growing (entries kept) up to SET_CACHE_SLOTS.
import { expect } from 'chai';
import { AttrStore, type AttrSet } from '../../daemon/rde/attr-store.js';
import { SET_CACHE_SLOTS as SLOTS, SetCache } from '../../daemon/rde/pipeline.js';
import { makeAsPath, makeMed, makeNextHop, makeOrigin } from '../../daemon/wire/index.js';

describe('rde/pipeline: SetCache', function () {
  const store = new AttrStore();
  const set = (med: number): AttrSet =>
    store.intern([makeOrigin(0), makeAsPath([{ type: 2, asns: [1] }], true), makeNextHop(1), makeMed(med)]);

  it('gives back results by set identity, null apart from a miss', function () {
    const cache = new SetCache();
    const a = set(1);
    const b = set(2);
    expect(cache.get(a)).to.equal(undefined);
    cache.set(a, b);
    cache.set(b, null);
    expect(cache.get(a)).to.equal(b);
    expect(cache.get(b)).to.equal(null);
    // Another object with the same attributes (a set interned again after its release) is a miss.
    const sameAttrs = new AttrStore().intern([
      makeOrigin(0),
      makeAsPath([{ type: 2, asns: [1] }], true),
      makeNextHop(1),
      makeMed(1),
    ]);
    expect(sameAttrs.key).to.equal(a.key);
    expect(sameAttrs.slot).to.equal(a.slot);
    expect(cache.get(sameAttrs)).to.equal(undefined);
  });

  it('grows up to SET_CACHE_SLOTS, keeping entries; a set replaces the one of the same slot', function () {
    const cache = new SetCache();
    const sets = Array.from({ length: 4 * SLOTS }, (_, i) => set(i));
    const result = set(-1);
    // The first size is 256 slots: 256 sets of distinct slots fill it, and one more makes it grow (to 512):
    // every one is still there.
    const FIRST = 256;
    const bySmallSlot = new Map<number, AttrSet>();
    for (const s of sets)
      if (!bySmallSlot.has(s.slot & (FIRST - 1))) bySmallSlot.set(s.slot & (FIRST - 1), s);
    const small = [...bySmallSlot.values()];
    expect(small).to.have.length(FIRST);
    const taken = new Set(small.map((s) => s.slot & (2 * FIRST - 1)));
    const extra = sets.find((s) => !taken.has(s.slot & (2 * FIRST - 1)))!;
    for (const s of [...small, extra]) cache.set(s, result);
    for (const s of [...small, extra]) expect(cache.get(s), 'kept through the growth').to.equal(result);
    // Every set taken (the table grows to its full size on the way), then all again at that size.
    for (const s of sets) cache.set(s, null);
    for (const s of sets) cache.set(s, result);
    const slotOf = (s: AttrSet): number => s.slot & (SLOTS - 1);
    // At full size each slot holds the last set of that slot.
    const last = new Map<number, AttrSet>();
    for (const s of sets) last.set(slotOf(s), s);
    expect(last.size, 'most slots taken').to.be.above(SLOTS / 2);
    for (const s of last.values()) expect(cache.get(s), `slot ${slotOf(s)}`).to.equal(result);
    const replaced = sets.filter((s) => last.get(slotOf(s)) !== s);
    expect(replaced.length, 'sets that shared a slot').to.be.above(0);
    for (const s of replaced.slice(0, 100)) expect(cache.get(s)).to.equal(undefined);
    // Another set of a taken slot replaces its entry, and only that one.
    const other = replaced[0]!;
    const a = last.get(slotOf(other))!;
    const b = [...last.values()].find((s) => slotOf(s) !== slotOf(other))!;
    cache.set(other, null);
    expect(cache.get(other)).to.equal(null);
    expect(cache.get(a)).to.equal(undefined);
    expect(cache.get(b)).to.equal(result);
  });
});
