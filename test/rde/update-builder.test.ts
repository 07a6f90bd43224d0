// The update builder (daemon/rde/update-builder.ts): packing prefixes that share a set, batching
// withdrawals, End-of-RIB, and the 2-octet AS re-encoding.
import { expect } from 'chai';
import { AttrStore } from '../../daemon/rde/attr-store.js';
import { prefixKey, type PrefixKey } from '../../daemon/rde/rib.js';
import { buildUpdates, attributesFor, announcementUpdates } from '../../daemon/rde/update-builder.js';
import {
  encodeMessage,
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
        const { attributeSection: _held, ...rest } = u;
        const reencoded = encodeMessage({ ...rest, attributes: u.attributes });
        expect(Buffer.from(encodeMessage(u)).equals(Buffer.from(reencoded))).to.equal(true);
        expect(encodeMessage(u).length).to.be.at.most(4096);
      }
    }
    // Not for IPv6 (MP_REACH_NLRI goes inside the section) nor for 2-octet AS peers (AS_TRANS rewriting).
    expect([...announcementUpdates(s, keys(1), { ...v4, asn4: false })][0]!.attributeSection).to.equal(
      undefined,
    );
  });
});
