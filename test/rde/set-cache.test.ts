// The inbound pluglets' per-set cache (daemon/rde/pipeline.ts SetCache): results by set identity, null
// (rejected) kept apart from a miss, and the two generations: an entry survives the start of the next
// generation and is gone after the one after it.
import { expect } from 'chai';
import { AttrStore, type AttrSet } from '../../daemon/rde/attr-store.js';
import { SET_CACHE_GENERATION as GENERATION, SetCache } from '../../daemon/rde/pipeline.js';
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
    expect(cache.get(sameAttrs)).to.equal(undefined);
  });

  it('keeps an entry through the next generation, not the one after', function () {
    const cache = new SetCache();
    const first = set(100_000);
    cache.set(first, first);
    // Fill the first generation: the next entry opens the second, and `first` is still there.
    const filler = store.intern([makeOrigin(1), makeNextHop(2)]);
    const others = Array.from({ length: 2 * GENERATION }, (_, i) => set(i));
    for (let i = 1; i < GENERATION; i++) cache.set(others[i]!, filler);
    cache.set(others[GENERATION]!, filler);
    expect(cache.get(first)).to.equal(first);
    expect(cache.get(others[GENERATION]!)).to.equal(filler);
    // The second generation full: the third begins and the first is dropped.
    for (let i = GENERATION + 1; i < 2 * GENERATION; i++) cache.set(others[i]!, filler);
    cache.set(set(200_000), filler);
    expect(cache.get(first)).to.equal(undefined);
    expect(cache.get(others[GENERATION]!)).to.equal(filler);
  });
});
