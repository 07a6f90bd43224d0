// Interned attribute sets (daemon/rde/attr-store.ts): one object per distinct set, refcounts, cached
// decision fields.
import { expect } from 'chai';
import { AttrStore } from '../../daemon/rde/attr-store.js';
import {
  attributeWireLength,
  makeAsPath,
  makeClusterList,
  makeCommunities,
  makeLocalPref,
  makeMed,
  makeNextHop,
  makeOrigin,
  makeOriginatorId,
  type PathAttribute,
} from '../../daemon/wire/index.js';
import { prng } from '../helpers/random.js';

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

describe('rde/attr-store: cached fields against the decoded attributes', function () {
  it('random sets: every cached field equals what the decoded attributes say', function () {
    const rand = prng(11);
    const int = (n: number): number => Math.floor(rand() * n);
    const u32 = (): number => (int(0x10000) * 0x10000 + int(0x10000)) >>> 0;
    const store = new AttrStore();
    for (let i = 0; i < 500; i++) {
      const attrs: PathAttribute[] = [];
      if (rand() < 0.9) attrs.push(makeOrigin(int(3) as 0 | 1 | 2));
      if (rand() < 0.9) {
        const segments = Array.from({ length: int(4) }, () => ({
          type: ([1, 2, 2, 3, 4] as const)[int(5)]!,
          asns: Array.from({ length: int(5) }, u32),
        }));
        attrs.push(makeAsPath(segments, true));
      }
      if (rand() < 0.5) attrs.push(makeMed(u32()));
      if (rand() < 0.5) attrs.push(makeLocalPref(u32()));
      if (rand() < 0.3) attrs.push(makeOriginatorId(u32()));
      if (rand() < 0.3) attrs.push(makeClusterList(Array.from({ length: int(4) }, u32)));
      if (rand() < 0.5) {
        const wk = [0xffffff01, 0xffffff02, 0xffffff03];
        attrs.push(
          makeCommunities(Array.from({ length: int(5) }, () => (rand() < 0.3 ? wk[int(3)]! : u32()))),
        );
      }
      const s = store.intern(attrs, nh);
      const decoded = s.attributes;
      const get = <T extends PathAttribute['type']>(t: T) =>
        decoded.find((a) => a.type === t) as Extract<PathAttribute, { type: T }> | undefined;
      const path = get('as-path')?.segments ?? [];
      const lead = path.find((g) => g.type === 1 || g.type === 2);
      const communities = Array.from(get('communities')?.values ?? []);
      expect({
        origin: s.origin,
        localPref: s.localPref,
        med: s.med,
        originatorId: s.originatorId,
        clusterListLength: s.clusterListLength,
        asPathLength: s.asPathLength,
        neighborAs: s.neighborAs,
        wellKnown: s.wellKnown,
      }).to.deep.equal({
        origin: get('origin')?.origin ?? 2,
        localPref: get('local-pref')?.localPref,
        med: get('med')?.med,
        originatorId: get('originator-id')?.originatorId,
        clusterListLength: get('cluster-list')?.clusterIds.length ?? 0,
        asPathLength: path.reduce((n, g) => n + (g.type === 2 ? g.asns.length : g.type === 1 ? 1 : 0), 0),
        neighborAs: lead?.type === 2 ? (lead.asns[0] ?? 0) : 0,
        wellKnown:
          (communities.includes(0xffffff01) ? 1 : 0) |
          (communities.includes(0xffffff02) ? 2 : 0) |
          (communities.includes(0xffffff03) ? 4 : 0),
      });
      for (const g of path)
        for (const asn of g.asns) expect(s.asPathContains(asn)).to.equal(g.type === 1 || g.type === 2);
    }
  });
});
