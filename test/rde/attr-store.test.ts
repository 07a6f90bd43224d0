// Interned attribute sets (daemon/rde/attr-store.ts): one object per distinct set, refcounts, cached
// decision fields.
import { expect } from 'chai';
import {
  AttrStore,
  KeyReader,
  asPathContains,
  attributeBytesOf,
  attributesOf,
  clusterListLengthOf,
  hasMpNextHop,
  mpNextHopOf,
  neighborAsOf,
  nextHopOf,
  nextHopUnspecified,
  originOf,
  originatorIdOf,
  wellKnownOf,
} from '../../daemon/rde/attr-store.js';
import {
  attributeWireLength,
  makeAsPath,
  makeClusterList,
  makeAggregator,
  makeAigp,
  makeAtomicAggregate,
  makeCommunities,
  makeExtendedCommunities,
  makeLargeCommunities,
  makeRawAttribute,
  AttrFlag,
  makeLocalPref,
  makeMed,
  makeNextHop,
  makeOrigin,
  makeOriginatorId,
  type PathAttribute,
} from '../../daemon/wire/index.js';
import { prng } from '../helpers/random.js';

describe('rde/attr-store', function () {
  it('the same set (in any order) is the same object; refcounts release it', function () {
    const store = new AttrStore();
    const a = store.intern([
      makeOrigin(0),
      makeAsPath([{ type: 2, asns: [1, 2] }], true),
      makeNextHop(0x0a000001),
    ]);
    const b = store.intern([
      makeNextHop(0x0a000001),
      makeAsPath([{ type: 2, asns: [1, 2] }], true),
      makeOrigin(0),
    ]);
    expect(b).to.equal(a);
    expect(a.refs).to.equal(2);
    expect(store.size).to.equal(1);
    store.release(a);
    expect(store.size).to.equal(1);
    store.release(b);
    expect(store.size).to.equal(0);
    // Interned again after the release: a new object with one reference.
    const c = store.intern([
      makeOrigin(0),
      makeAsPath([{ type: 2, asns: [1, 2] }], true),
      makeNextHop(0x0a000001),
    ]);
    expect(c).to.not.equal(a);
    expect(c.refs).to.equal(1);
  });

  it('a different value, or a different next hop, is a different set', function () {
    const store = new AttrStore();
    const base = [makeOrigin(0), makeAsPath([{ type: 2, asns: [1] }], true)];
    const a = store.intern([...base, makeMed(1), makeNextHop(0x0a000001)]);
    const b = store.intern([...base, makeMed(2), makeNextHop(0x0a000001)]);
    const c = store.intern([...base, makeMed(1), makeNextHop(0x0a000002)]);
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
    const s = store.intern([
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
      makeNextHop(0x0a000001),
    ]);
    expect(s).to.deep.include({ localPref: 250, med: 33, asPathLength: 3 });
    expect(originOf(s)).to.equal(1);
    expect(neighborAsOf(s)).to.equal(65001);
    expect(originatorIdOf(s)).to.equal(0x01020304);
    expect(clusterListLengthOf(s)).to.equal(3);
    expect(Array.from(nextHopOf(s)!)).to.deep.equal([10, 0, 0, 1]);
    expect(attributesOf(s).map((a) => a.code)).to.deep.equal([1, 2, 3, 4, 5, 9, 10]);
    expect(hasMpNextHop(s)).to.equal(false);
    // The key is a compact string, not a view of the caller's buffers; the attribute bytes decode back.
    expect(s.key).to.be.a('string');
    expect(attributeBytesOf(s).length).to.equal(
      attributesOf(s).reduce((n, a) => n + attributeWireLength(a), 0),
    );
    expect(asPathContains(s, 8)).to.equal(true);
    expect(asPathContains(s, 65003)).to.equal(false);
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
      const s = store.intern(attrs);
      const decoded = attributesOf(s);
      const get = <T extends PathAttribute['type']>(t: T) =>
        decoded.find((a) => a.type === t) as Extract<PathAttribute, { type: T }> | undefined;
      const path = get('as-path')?.segments ?? [];
      const lead = path.find((g) => g.type === 1 || g.type === 2);
      const communities = Array.from(get('communities')?.values ?? []);
      expect({
        origin: originOf(s),
        localPref: s.localPref,
        med: s.med,
        originatorId: originatorIdOf(s),
        clusterListLength: clusterListLengthOf(s),
        asPathLength: s.asPathLength,
        neighborAs: neighborAsOf(s),
        wellKnown: wellKnownOf(s),
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
        for (const asn of g.asns) expect(asPathContains(s, asn)).to.equal(g.type === 1 || g.type === 2);
    }
  });
});

describe('rde/attr-store: the next hop is stored once', function () {
  it('IPv4: the NEXT_HOP attribute is the next hop; nothing else holds it', function () {
    const store = new AttrStore();
    const s = store.intern([makeOrigin(0), makeNextHop(0xc0000201), makeMed(5)]);
    expect(Array.from(nextHopOf(s)!)).to.deep.equal([192, 0, 2, 1]);
    expect(hasMpNextHop(s)).to.equal(false);
    expect(mpNextHopOf(s)).to.equal(undefined);
    // The key is the attribute section and the (empty) MP next-hop trailer's length octet.
    expect(s.key.length).to.equal(attributeBytesOf(s).length + 1);
    // A different NEXT_HOP value is a different set.
    expect(store.intern([makeOrigin(0), makeNextHop(0xc0000202), makeMed(5)])).to.not.equal(s);
  });

  it('IPv6: the MP next hop; a NEXT_HOP attribute given with it is left out (RFC 4760 3)', function () {
    const store = new AttrStore();
    const mp = new Uint8Array(32).fill(0xfe);
    const s = store.intern([makeOrigin(0), makeNextHop(0x0a000001), makeMed(5)], mp);
    expect(Array.from(nextHopOf(s)!)).to.deep.equal(Array.from(mp));
    expect(Array.from(mpNextHopOf(s)!)).to.deep.equal(Array.from(mp));
    expect(hasMpNextHop(s)).to.equal(true);
    expect(attributesOf(s).map((a) => a.type)).to.deep.equal(['origin', 'med']);
    expect(s.key.length).to.equal(attributeBytesOf(s).length + 32 + 1);
    expect(store.intern([makeOrigin(0), makeMed(5)], mp)).to.equal(s);
  });

  it('our own routes have no next hop in either family', function () {
    const store = new AttrStore();
    const s = store.intern([makeOrigin(0), makeAsPath([], true)]);
    expect(nextHopOf(s)).to.equal(undefined);
    expect(nextHopUnspecified(s)).to.equal(false);
    expect(
      nextHopUnspecified(store.intern([makeOrigin(0), makeAsPath([], true)], new Uint8Array(16))),
    ).to.equal(true);
  });
});

describe('rde/attr-store: the key walker against the decoded attributes', function () {
  it('random sets of every attribute kind: KeyReader sees exactly the decoded attributes, in order', function () {
    const rand = prng(97);
    const int = (n: number): number => Math.floor(rand() * n);
    const u32 = (): number => (int(0x10000) * 0x10000 + int(0x10000)) >>> 0;
    const octets = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256));
    const makers: (() => PathAttribute)[] = [
      () => makeOrigin(int(3) as 0 | 1 | 2),
      () =>
        makeAsPath(
          Array.from({ length: int(4) }, () => ({
            type: ([1, 2, 3, 4] as const)[int(4)]!,
            asns: Array.from({ length: int(90) }, u32), // up to 360 octets: extended length
          })),
          true,
        ),
      () => makeNextHop(u32()),
      () => makeMed(u32()),
      () => makeLocalPref(u32()),
      () => makeAtomicAggregate(),
      () => makeAggregator(u32(), u32(), true),
      () => makeCommunities(Array.from({ length: 1 + int(80) }, u32)),
      () => makeOriginatorId(u32()),
      () => makeClusterList(Array.from({ length: 1 + int(5) }, u32)),
      () => makeExtendedCommunities(Array.from({ length: 2 * (1 + int(4)) }, u32)),
      () => makeAigp(BigInt(u32())),
      () => makeLargeCommunities(Array.from({ length: 3 * (1 + int(30)) }, u32)),
      // Attributes xbgpd does not know (optional transitive), with and without the Extended Length flag.
      () => makeRawAttribute(40 + int(200), AttrFlag.Optional | AttrFlag.Transitive, octets(int(300))),
      () =>
        makeRawAttribute(
          40 + int(200),
          AttrFlag.Optional | AttrFlag.Transitive | AttrFlag.ExtendedLength,
          octets(int(40)),
        ),
    ];
    const store = new AttrStore();
    const reader = new KeyReader();
    let walked = 0;
    for (let i = 0; i < 600; i++) {
      const byCode = new Map<number, PathAttribute>();
      for (let n = int(12); n >= 0; n--) {
        const a = makers[int(makers.length)]!();
        byCode.set(a.code, a);
      }
      const ipv6 = rand() < 0.3;
      const mp = ipv6 ? octets(rand() < 0.5 ? 16 : 32) : undefined;
      const s = store.intern([...byCode.values()], mp);
      const expected = [...byCode.values()]
        .filter((a) => !(ipv6 && a.code === 3))
        .sort((a, b) => a.code - b.code);
      const decoded = attributesOf(s);
      expect(decoded.map((a) => a.code)).to.deep.equal(expected.map((a) => a.code));
      reader.reset(s.key);
      let k = 0;
      while (reader.next()) {
        const want = expected[k++]!;
        expect(reader.code).to.equal(want.code);
        // Flags as given, the Extended Length flag exactly when the value needs it.
        const ext = want.raw.length > 255 ? AttrFlag.ExtendedLength : 0;
        expect(reader.flags).to.equal((want.flags & ~AttrFlag.ExtendedLength) | ext);
        expect(reader.length).to.equal(want.raw.length);
        const value = Array.from({ length: reader.length }, (_, j) => reader.u8(reader.value + j));
        expect(value).to.deep.equal(Array.from(want.raw));
        walked++;
      }
      expect(k).to.equal(expected.length);
      const nextHop = ipv6 ? mp : (byCode.get(3)?.raw ?? undefined);
      const held = nextHopOf(s);
      expect(held === undefined ? undefined : Array.from(held)).to.deep.equal(
        nextHop === undefined ? undefined : Array.from(nextHop),
      );
      expect(hasMpNextHop(s)).to.equal(ipv6);
      store.release(s);
    }
    expect(walked).to.be.greaterThan(2000);
    expect(store.size).to.equal(0);
  });
});

describe('rde/attr-store: attributeOf, internEdited and internWrittenEdited', function () {
  it('random edits (and MP next hop replacements) give the set that interning the edited attribute list gives', function () {
    const rand = prng(5);
    const int = (n: number): number => Math.floor(rand() * n);
    const u32 = (): number => (int(0x10000) * 0x10000 + int(0x10000)) >>> 0;
    const store = new AttrStore();
    const pool = (): PathAttribute[] => [
      makeOrigin(int(3) as 0 | 1 | 2),
      makeAsPath([{ type: 2, asns: Array.from({ length: int(80) }, u32) }], true),
      makeNextHop(u32()),
      makeMed(u32()),
      makeLocalPref(u32()),
      makeCommunities(Array.from({ length: 1 + int(5) }, u32)),
      makeRawAttribute(
        40 + int(10),
        AttrFlag.Optional | AttrFlag.Transitive,
        Uint8Array.from({ length: int(300) }, () => int(256)),
      ),
    ];
    for (let i = 0; i < 300; i++) {
      const ipv6 = rand() < 0.3;
      const mp = ipv6 ? new Uint8Array(16).fill(1 + int(9)) : undefined;
      const start = pool().filter(() => rand() < 0.6);
      const set = store.intern(start, mp);
      const edits = new Map<number, { flags: number; value: Uint8Array } | null>();
      const byCode = new Map(start.map((a) => [a.code, a]));
      for (const a of pool()) {
        const roll = rand();
        if (roll < 0.3) {
          edits.set(a.code, { flags: a.flags, value: a.raw });
          byCode.set(a.code, a);
        } else if (roll < 0.45) {
          edits.set(a.code, null);
          byCode.delete(a.code);
        }
      }
      // IPv6: every other edit replaces the MP next hop as well.
      const newMp = ipv6 && rand() < 0.5 ? new Uint8Array(32).fill(10 + int(9)) : undefined;
      const edited = store.internEdited(set, edits, newMp);
      const expected = store.intern([...byCode.values()], newMp ?? mp);
      expect(edited, `set ${i}`).to.equal(expected);
      // The same edit on the key left in the writer (as the exporter leaves it), not interned.
      store.writer.begin(set.key.length);
      store.writer.copy(set.key, 0, set.key.length);
      const fromWriter = store.internWrittenEdited(edits, newMp);
      expect(fromWriter, `set ${i} from the writer`).to.equal(expected);
      store.release(fromWriter);
      for (const a of byCode.values()) {
        if (ipv6 && a.code === 3) continue;
        const got = store.attributeOf(edited, a.code)!;
        expect(Array.from(got.value)).to.deep.equal(Array.from(a.raw));
        expect(got.flags).to.equal(a.flags & ~AttrFlag.ExtendedLength);
      }
      expect(store.attributeOf(edited, 99)).to.equal(undefined);
      for (const s of [set, edited, expected]) store.release(s);
    }
    expect(store.size).to.equal(0);
  });
});
