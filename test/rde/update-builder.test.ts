// The update builder (daemon/rde/update-builder.ts): packing prefixes that share a set, batching
// withdrawals, End-of-RIB, and the 2-octet AS re-encoding. The attribute sections written from set keys
// (IPv4 as held; IPv6 with MP_REACH_NLRI put in, MP_UNREACH_NLRI for withdrawals) must be the octets the
// attribute objects encode to: checked on synthetic sets and on the IPv6 RIB entries of a real dump.
import { expect } from 'chai';
import { AttrStore } from '../../daemon/rde/attr-store.js';
import { prefixKey, type PrefixKey } from '../../daemon/rde/rib.js';
import {
  buildUpdates,
  attributesFor,
  announcementUpdates,
  objectUpdates,
  withdrawalUpdates,
  type EncodeOptions,
} from '../../daemon/rde/update-builder.js';
import { readMrtFile } from '../../daemon/mrt/reader.js';
import {
  decodeAttributes,
  decodeMessage,
  encodeMessage,
  familyKey,
  getAttribute as attributeOf,
  makeExtendedCommunities,
  makeLargeCommunities,
  type PathAttribute,
  type NlriBlock,
  type UpdateMessage,
  endOfRibFamily,
  makeEndOfRib,
  getAttribute,
  makeAsPath,
  makeCommunities,
  makeMed,
  makeNextHop,
  makeOrigin,
  prefixList,
  buildNlri,
} from '../../daemon/wire/index.js';
import { formatKey } from '../../daemon/rde/rib.js';
import { sharedPath } from '../helpers/env.js';

const store = new AttrStore();
const v4 = { ipv6: false, asn4: true, addPath: false, maxMessageLength: 4096 };

function keys(n: number): PrefixKey[] {
  const out: PrefixKey[] = [];
  for (let i = 0; i < n; i++) out.push(prefixKey(1, 24, Uint8Array.of(10, i >> 8, i & 255), 0));
  return out;
}

function set(asn: number) {
  return store.intern([makeOrigin(0), makeAsPath([{ type: 2, asns: [asn] }], true), makeNextHop(0x0a000001)]);
}

describe('rde/update-builder', function () {
  it('packs prefixes sharing a set into as few UPDATEs as fit in 4096 octets', function () {
    const updates = [...buildUpdates([], new Map([[set(1), keys(2000)]]), v4)];
    // A /24 is 4 octets; about 1000 fit next to the attributes.
    expect(updates).to.have.length(2);
    for (const u of updates) expect(encodeMessage(u).length).to.be.at.most(4096);
    expect(updates.reduce((n, u) => n + u.nlri.count, 0)).to.equal(2000);
    expect(prefixList(updates[0]!.nlri)[0]!.prefix).to.equal('10.0.0.0/24');
  });

  it('uses 65535 octets with extended messages', function () {
    const updates = [
      ...buildUpdates([], new Map([[set(1), keys(2000)]]), { ...v4, maxMessageLength: 65535 }),
    ];
    expect(updates).to.have.length(1);
    expect(encodeMessage(updates[0]!, { extendedMessage: true }).length).to.be.above(4096);
  });

  it('one group of UPDATEs per attribute set, withdrawals first and batched', function () {
    const k = keys(10);
    const updates = [
      ...buildUpdates(
        k.slice(0, 4),
        new Map([
          [set(1), k.slice(4, 7)],
          [set(2), k.slice(7)],
        ]),
        v4,
      ),
    ];
    expect(updates.map((u) => [u.withdrawn.count, u.nlri.count])).to.deep.equal([
      [4, 0],
      [0, 3],
      [0, 3],
    ]);
    expect(getAttribute(updates[2]!.attributes, 'as-path')!.segments[0]!.asns).to.deep.equal([2]);
  });

  it('IPv6: MP_REACH_NLRI with the next hop, MP_UNREACH_NLRI for withdrawals', function () {
    const nh = Uint8Array.of(0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 1);
    const s6 = store.intern([makeOrigin(0), makeAsPath([], true)], nh);
    const k = prefixKey(2, 48, Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 1), 0);
    const [w, a] = [...buildUpdates([k], new Map([[s6, [k]]]), { ...v4, ipv6: true })];
    const unreach = getAttribute(w!.attributes, 'mp-unreach')!;
    expect(prefixList(unreach.withdrawn)).to.deep.equal([{ prefix: '2001:db8:1::/48', pathId: 0 }]);
    const reach = getAttribute(a!.attributes, 'mp-reach')!;
    expect(prefixList(reach.nlri)).to.deep.equal([{ prefix: '2001:db8:1::/48', pathId: 0 }]);
    expect(Array.from(reach.nextHop)).to.deep.equal(Array.from(nh));
  });

  it('ADD-PATH send: path identifier 1 before each prefix', function () {
    const [u] = [...buildUpdates([], new Map([[set(1), keys(1)]]), { ...v4, addPath: true })];
    expect(u!.nlri.addPath).to.equal(true);
    expect(prefixList(u!.nlri)).to.deep.equal([{ prefix: '10.0.0.0/24', pathId: 1 }]);
  });

  it('End-of-RIB markers (RFC 4724)', function () {
    expect(endOfRibFamily(makeEndOfRib(1))).to.deep.equal({ afi: 1, safi: 1 });
    expect(endOfRibFamily(makeEndOfRib(2))).to.deep.equal({ afi: 2, safi: 1 });
  });

  it('to a 2-octet AS peer: AS_TRANS in AS_PATH and the real path in AS4_PATH', function () {
    const s = set(4200000001);
    const attrs = attributesFor(s, false);
    expect(getAttribute(attrs, 'as-path')).to.deep.include({ asn4: false });
    expect(getAttribute(attrs, 'as-path')!.segments[0]!.asns).to.deep.equal([23456]);
    expect(getAttribute(attrs, 'as4-path')!.segments[0]!.asns).to.deep.equal([4200000001]);
    expect(attributesFor(s, false)).to.equal(attrs); // cached per set
    const [u] = [...announcementUpdates(s, keys(1), { ...v4, asn4: false })];
    expect(u!.nlri).to.deep.equal(buildNlri(1, 1, ['10.0.0.0/24']));
  });
});

describe('rde/update-builder: attribute section sent as held', function () {
  it('IPv4 to 4-octet AS peers: the section is the set key, and encodes exactly as the attribute objects would', function () {
    const s = store.intern([
      makeOrigin(1),
      makeAsPath([{ type: 2, asns: Array.from({ length: 80 }, (_, i) => 4200000000 + i) }], true),
      makeNextHop(0x0a000001),
      makeMed(7),
      makeCommunities([0xfde80001, 0xffffff01]),
    ]);
    for (const addPath of [false, true]) {
      const out = [...announcementUpdates(s, keys(1500), { ...v4, addPath })];
      expect(out.length).to.be.greaterThan(1);
      for (const u of out) {
        expect(u.attributeSection, 'the held section is used').to.not.equal(undefined);
        expect(u.wire, 'the message is written whole').to.not.equal(undefined);
        // The same message from its fields: the attribute objects and the NLRI, encoded afresh.
        const reencoded = encodeMessage({
          type: 'update',
          withdrawn: u.withdrawn,
          attributes: u.attributes,
          nlri: u.nlri,
        });
        expect(Buffer.from(encodeMessage(u)).equals(Buffer.from(reencoded))).to.equal(true);
        expect(u.nlri.count).to.be.greaterThan(0);
        expect(encodeMessage(u).length).to.be.at.most(4096);
      }
    }
    // Not for IPv6 (MP_REACH_NLRI goes inside the section) nor for 2-octet AS peers (AS_TRANS rewriting).
    expect([...announcementUpdates(s, keys(1), { ...v4, asn4: false })][0]!.attributeSection).to.equal(
      undefined,
    );
  });
});

/** IPv6 prefix keys of many lengths (0 to 128, host bits of the octets given cleared by the key). */
function keys6(n: number): PrefixKey[] {
  const lengths = [0, 1, 7, 8, 9, 16, 29, 32, 33, 48, 56, 64, 100, 127, 128];
  const out: PrefixKey[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = Uint8Array.of(0x20, 1, 0x0d, 0xb8, i >> 8, i & 255, 0xab, 0xcd, ...new Array(8).fill(0x5a));
    out.push(prefixKey(2, lengths[i % lengths.length]!, bytes, 0));
  }
  return out;
}

/** The encoded messages of `updates` (one Buffer each). */
function encoded(updates: Iterable<UpdateMessage>, o: EncodeOptions): Buffer[] {
  return [...updates].map((u) =>
    Buffer.from(encodeMessage(u, { extendedMessage: o.maxMessageLength > 4096 })),
  );
}

/** An UPDATE's fields with its attributes as objects (what the encoder writes when no section is held). */
function asObjects(u: UpdateMessage): UpdateMessage {
  return { type: 'update', withdrawn: u.withdrawn, attributes: u.attributes, nlri: u.nlri };
}

const v6Options: EncodeOptions[] = [];
for (const addPath of [false, true])
  for (const maxMessageLength of [4096, 65535])
    v6Options.push({ ipv6: true, asn4: true, addPath, maxMessageLength });

/**
 * For each option set (v6Options, of the family `afi`): withdrawalUpdates(k) in as many messages as the size
 * allows, each within it, decoding to what `check` (given the held message and the decoded one) finds
 * withdrawn, path identifiers as sent, every key in order; and each held message's fields encoding to its
 * own octets.
 */
function expectWithdrawals(
  k: PrefixKey[],
  afi: number,
  check: (held: UpdateMessage, decoded: UpdateMessage) => NlriBlock,
): void {
  for (const o of v6Options.map((x) => ({ ...x, ipv6: afi === 2 }))) {
    const updates = [...withdrawalUpdates(k, o)];
    if (o.maxMessageLength === 4096) expect(updates.length).to.be.above(3);
    else expect(updates.length).to.equal(1);
    const withdrawn: string[] = [];
    for (const u of updates) {
      const bytes = encodeMessage(u, { extendedMessage: o.maxMessageLength > 4096 });
      expect(bytes.length).to.be.at.most(o.maxMessageLength);
      const r = decodeMessage(bytes, {
        asn4: true,
        extendedMessage: true,
        ...(o.addPath ? { addPath: new Set([familyKey(afi, 1)]) } : {}),
      });
      if (!r.ok || r.message.type !== 'update') throw new Error('not an UPDATE');
      for (const p of prefixList(check(u, r.message))) {
        expect(p.pathId).to.equal(o.addPath ? 1 : 0);
        withdrawn.push(p.prefix);
      }
      // The message as fields (what the held one's getters give) encodes to the same octets.
      expect(
        Buffer.from(encodeMessage(asObjects(u), { extendedMessage: true })).equals(Buffer.from(bytes)),
      ).to.equal(true);
    }
    expect(withdrawn).to.deep.equal(k.map(formatKey));
  }
}

/** For each option set: the held IPv6 UPDATEs encode as `objectUpdates` and as their own attribute objects. */
function expectHeldEqualsObjects(s: ReturnType<AttrStore['intern']>, k: PrefixKey[]): void {
  for (const o of v6Options) {
    const held = [...announcementUpdates(s, k, o)];
    for (const u of held)
      expect(u.attributeSection, 'the section is written from the key').to.not.equal(undefined);
    const fast = encoded(held, o);
    const slow = encoded(objectUpdates(s, k, o, attributesFor(s, true)), o);
    expect(fast.length).to.equal(slow.length);
    for (let i = 0; i < fast.length; i++) expect(fast[i]!.equals(slow[i]!), `message ${i}`).to.equal(true);
    expect(encoded(held.map(asObjects), o)).to.deep.equal(fast);
  }
}

describe('rde/update-builder: IPv6 sections written from the key', function () {
  const nh = Uint8Array.of(0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 1);
  const linkLocal = Uint8Array.of(0xfe, 0x80, ...new Array(13).fill(0), 9);
  const longPath = Array.from({ length: 70 }, (_, i) => 4200000000 + i);
  const sets: [string, ReturnType<AttrStore['intern']>][] = [
    ['ORIGIN and an empty AS_PATH', store.intern([makeOrigin(0), makeAsPath([], true)], nh)],
    [
      'attributes on both sides of MP_REACH_NLRI',
      store.intern(
        [
          makeOrigin(2),
          makeAsPath([{ type: 2, asns: [65001, 4200000001] }], true),
          makeMed(5),
          makeCommunities([0xfde80001]),
          makeExtendedCommunities([0x00020000, 0x00000001]),
          makeLargeCommunities([4200000001, 1, 2]),
        ],
        nh,
      ),
    ],
    [
      'an AS_PATH over 255 octets (extended length), global + link-local next hop',
      store.intern(
        [makeOrigin(1), makeAsPath([{ type: 2, asns: longPath }], true)],
        new Uint8Array([...nh, ...linkLocal]),
      ),
    ],
    ['our own route (no next hop: zeros)', store.intern([makeOrigin(0), makeAsPath([], true)])],
  ];

  for (const [name, s] of sets) {
    it(`${name}: the octets of the attribute objects, split alike`, function () {
      expectHeldEqualsObjects(s, keys6(1500));
      expectHeldEqualsObjects(s, keys6(1));
    });
  }

  it('the RIB entries of a real IPv6 dump: every set encodes as its attribute objects', async function () {
    const rib6 = sharedPath(this, 'data', 'pyasn', 'rib6.20151101.0600_firstMB.bz2');
    const seen = new Set<string>();
    const real: ReturnType<AttrStore['intern']>[] = [];
    await readMrtFile(rib6, (rec) => {
      if (rec.kind !== 'rib' || rec.afi !== 2) return;
      for (const e of rec.entries) {
        const attrs: PathAttribute[] = decodeAttributes(e.attributes, {
          asn4: true,
          mrtRib: true,
        }).attributes;
        const s = store.intern(attrs, attributeOf(attrs, 'mp-reach')?.nextHop);
        if (seen.has(s.key)) store.release(s);
        else {
          seen.add(s.key);
          real.push(s);
        }
      }
      return real.length < 400;
    });
    expect(real.length).to.be.at.least(400);
    const k = keys6(700);
    for (const s of real) expectHeldEqualsObjects(s, k);
  });

  it('IPv4 withdrawals: every key in the body, in order, within the message size', function () {
    const lengths = [0, 1, 7, 8, 9, 16, 23, 24, 25, 31, 32];
    const k: PrefixKey[] = [];
    for (let i = 0; i < 5000; i++)
      k.push(
        prefixKey(
          1,
          lengths[i % lengths.length]!,
          Uint8Array.of(10 + (i >> 16), (i >> 8) & 255, i & 255, 0x5b),
          0,
        ),
      );
    expectWithdrawals(k, 1, (u, decoded) => {
      expect(decoded.attributes).to.deep.equal([]);
      expect(decoded.nlri.count).to.equal(0);
      expect(u.withdrawn.count).to.equal(decoded.withdrawn.count);
      expect(Buffer.from(u.withdrawn.bytes).equals(Buffer.from(decoded.withdrawn.bytes))).to.equal(true);
      return decoded.withdrawn;
    });
  });

  it('withdrawals: MP_UNREACH_NLRI of every key, in order, within the message size', function () {
    expectWithdrawals(keys6(2000), 2, (_u, decoded) => {
      expect(decoded.attributes.map((a) => a.code)).to.deep.equal([15]);
      return attributeOf(decoded.attributes, 'mp-unreach')!.withdrawn;
    });
  });
});
