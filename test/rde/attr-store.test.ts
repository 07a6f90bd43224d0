// Interned attribute sets (daemon/rde/attr-store.ts): one object per distinct set, refcounts, cached
// decision fields.
import { expect } from 'chai';
import { AttrStore } from '../../daemon/rde/attr-store.js';
import {
  attributeWireLength,
  makeAsPath,
  makeClusterList,
  makeLocalPref,
  makeMed,
  makeNextHop,
  makeOrigin,
  makeOriginatorId,
} from '../../daemon/wire/index.js';

const nh = Uint8Array.of(10, 0, 0, 1);

describe('rde/attr-store', function () {
  it('the same set (in any order) is the same object; refcounts release it', function () {
    const store = new AttrStore();
    const a = store.intern(
      [makeOrigin(0), makeAsPath([{ type: 2, asns: [1, 2] }], true), makeNextHop(0x0a000001)],
      nh,
    );
    const b = store.intern(
      [makeNextHop(0x0a000001), makeAsPath([{ type: 2, asns: [1, 2] }], true), makeOrigin(0)],
      nh,
    );
    expect(b).to.equal(a);
    expect(a.refs).to.equal(2);
    expect(store.size).to.equal(1);
    store.release(a);
    expect(store.size).to.equal(1);
    store.release(b);
    expect(store.size).to.equal(0);
    // Interned again after the release: a new object with one reference.
    const c = store.intern(
      [makeOrigin(0), makeAsPath([{ type: 2, asns: [1, 2] }], true), makeNextHop(0x0a000001)],
      nh,
    );
    expect(c).to.not.equal(a);
    expect(c.refs).to.equal(1);
  });

  it('a different value, or a different next hop, is a different set', function () {
    const store = new AttrStore();
    const base = [makeOrigin(0), makeAsPath([{ type: 2, asns: [1] }], true)];
    const a = store.intern([...base, makeMed(1)], nh);
    const b = store.intern([...base, makeMed(2)], nh);
    const c = store.intern([...base, makeMed(1)], Uint8Array.of(10, 0, 0, 2));
    expect(new Set([a, b, c]).size).to.equal(3);
    expect(store.size).to.equal(3);
  });

  it('acquire re-interns a set that was released', function () {
    const store = new AttrStore();
    const a = store.intern([makeOrigin(1)], undefined);
    store.release(a);
    const again = store.acquire(a);
    expect(again.refs).to.equal(1);
    expect(store.size).to.equal(1);
    expect(store.intern([makeOrigin(1)], undefined)).to.equal(again);
  });

  it('caches the fields the decision needs, and decodes from its own copy', function () {
    const store = new AttrStore();
    const s = store.intern(
      [
        makeOrigin(1),
        makeAsPath(
          [
            { type: 2, asns: [65001, 65002] },
            { type: 1, asns: [7, 8, 9] },
          ],
          true,
        ),
        makeLocalPref(250),
        makeMed(33),
        makeOriginatorId(0x01020304),
        makeClusterList([1, 2, 3]),
      ],
      nh,
    );
    expect(s).to.deep.include({
      localPref: 250,
      med: 33,
      origin: 1,
      asPathLength: 3,
      neighborAs: 65001,
      originatorId: 0x01020304,
      clusterListLength: 3,
    });
    expect(Array.from(s.nextHop!)).to.deep.equal([10, 0, 0, 1]);
    expect(s.attributes.map((a) => a.code)).to.deep.equal([1, 2, 4, 5, 9, 10]);
    // The key is a compact string, not a view of the caller's buffers; the attribute bytes decode back.
    expect(s.key).to.be.a('string');
    expect(s.attributeBytes.length).to.equal(s.attributes.reduce((n, a) => n + attributeWireLength(a), 0));
    expect(s.asPathContains(8)).to.equal(true);
    expect(s.asPathContains(65003)).to.equal(false);
  });
});
