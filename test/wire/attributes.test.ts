// Per-attribute fixtures checked both ways: the wire bytes decode to the expected fields, re-encode to the
// same bytes, and the builder (for locally originated attributes) produces the same bytes.
import { expect } from 'chai';
import {
  attributeValueError,
  decodeAttributes,
  effectivePath,
  familyKey,
  forwardedFlags,
  formatAttribute,
  makeAggregator,
  makeAigp,
  makeAs4Aggregator,
  makeAs4Path,
  makeAsPath,
  makeAtomicAggregate,
  makeClusterList,
  makeCommunities,
  makeExtendedCommunities,
  makeLargeCommunities,
  makeLocalPref,
  makeMed,
  makeMpReach,
  makeMpUnreach,
  makeNextHop,
  makeOrigin,
  makeOriginatorId,
  buildNlri,
  prefixList,
  formatMpNextHop,
  writeAttribute,
  attributesForForwarding,
  withAttribute,
  withoutAttribute,
  getAttributeByCode,
  WireWriter,
  type DecodeContext,
  type PathAttribute,
  extendedOctets,
  valueLengthOf,
  writeAttributeHeader,
} from '../../daemon/wire/index.js';
import { attr, hex, toHex } from './helpers/bytes.js';

interface AttributeFixture {
  name: string;
  ctx: DecodeContext;
  bytes: Uint8Array;
  /** Fields expected on the decoded attribute (deep-equal on these keys only). */
  fields: Record<string, unknown>;
  text?: string;
  build?: () => PathAttribute;
}

const AS4: DecodeContext = { asn4: true };
const AS2: DecodeContext = { asn4: false };

const FIXTURES: AttributeFixture[] = [
  {
    name: 'ORIGIN IGP',
    ctx: AS4,
    bytes: attr(0x40, 1, '00'),
    fields: { type: 'origin', origin: 0 },
    text: 'IGP',
    build: () => makeOrigin(0),
  },
  {
    name: 'ORIGIN INCOMPLETE',
    ctx: AS4,
    bytes: attr(0x40, 1, '02'),
    fields: { type: 'origin', origin: 2 },
    build: () => makeOrigin(2),
  },
  {
    name: 'AS_PATH 4-octet, every segment type',
    ctx: AS4,
    bytes: attr(
      0x40,
      2,
      '02 02 0000fde9 fa56ea00  01 02 00000001 00000002  03 01 0000fc00  04 02 0000fc01 0000fc02',
    ),
    fields: {
      type: 'as-path',
      asn4: true,
      segments: [
        { type: 2, asns: [65001, 4200000000] },
        { type: 1, asns: [1, 2] },
        { type: 3, asns: [64512] },
        { type: 4, asns: [64513, 64514] },
      ],
    },
    text: '65001 4200000000 {1,2} (64512) [64513,64514]',
    build: () =>
      makeAsPath(
        [
          { type: 2, asns: [65001, 4200000000] },
          { type: 1, asns: [1, 2] },
          { type: 3, asns: [64512] },
          { type: 4, asns: [64513, 64514] },
        ],
        true,
      ),
  },
  {
    name: 'AS_PATH 2-octet with AS_TRANS',
    ctx: AS2,
    bytes: attr(0x40, 2, '02 03 fde9 5ba0 0001'),
    fields: { type: 'as-path', asn4: false, segments: [{ type: 2, asns: [65001, 23456, 1] }] },
    build: () => makeAsPath([{ type: 2, asns: [65001, 4200000000, 1] }], false),
  },
  {
    name: 'AS_PATH empty (iBGP origination)',
    ctx: AS4,
    bytes: attr(0x40, 2, ''),
    fields: { type: 'as-path', segments: [] },
    build: () => makeAsPath([], true),
  },
  {
    name: 'NEXT_HOP',
    ctx: AS4,
    bytes: attr(0x40, 3, 'c0000201'),
    fields: { type: 'next-hop', nextHop: 0xc0000201 },
    text: '192.0.2.1',
    build: () => makeNextHop(0xc0000201),
  },
  {
    name: 'MULTI_EXIT_DISC',
    ctx: AS4,
    bytes: attr(0x80, 4, '000000c8'),
    fields: { type: 'med', med: 200 },
    build: () => makeMed(200),
  },
  {
    name: 'LOCAL_PREF',
    ctx: { asn4: true, peerType: 'ibgp' },
    bytes: attr(0x40, 5, '00000064'),
    fields: { type: 'local-pref', localPref: 100 },
    build: () => makeLocalPref(100),
  },
  {
    name: 'ATOMIC_AGGREGATE',
    ctx: AS4,
    bytes: attr(0x40, 6, ''),
    fields: { type: 'atomic-aggregate' },
    build: () => makeAtomicAggregate(),
  },
  {
    name: 'AGGREGATOR 4-octet',
    ctx: AS4,
    bytes: attr(0xc0, 7, 'fa56ea00 0a0a0a0a'),
    fields: { type: 'aggregator', asn: 4200000000, address: 0x0a0a0a0a, asn4: true },
    text: 'AS4200000000 10.10.10.10',
    build: () => makeAggregator(4200000000, 0x0a0a0a0a, true),
  },
  {
    name: 'AGGREGATOR 2-octet',
    ctx: AS2,
    bytes: attr(0xc0, 7, 'fde9 0a0a0a0a'),
    fields: { type: 'aggregator', asn: 65001, address: 0x0a0a0a0a, asn4: false },
    build: () => makeAggregator(65001, 0x0a0a0a0a, false),
  },
  {
    name: 'COMMUNITIES with well-known values',
    ctx: AS4,
    bytes: attr(0xc0, 8, 'fde90064 ffffff01 ffffff02'),
    fields: { type: 'communities', values: Uint32Array.of(0xfde90064, 0xffffff01, 0xffffff02) },
    text: '65001:100 no-export no-advertise',
    build: () => makeCommunities([0xfde90064, 0xffffff01, 0xffffff02]),
  },
  {
    name: 'ORIGINATOR_ID',
    ctx: { asn4: true, peerType: 'ibgp' },
    bytes: attr(0x80, 9, '01020304'),
    fields: { type: 'originator-id', originatorId: 0x01020304 },
    text: '1.2.3.4',
    build: () => makeOriginatorId(0x01020304),
  },
  {
    name: 'CLUSTER_LIST',
    ctx: { asn4: true, peerType: 'ibgp' },
    bytes: attr(0x80, 10, '01010101 02020202'),
    fields: { type: 'cluster-list', clusterIds: Uint32Array.of(0x01010101, 0x02020202) },
    text: '1.1.1.1 2.2.2.2',
    build: () => makeClusterList([0x01010101, 0x02020202]),
  },
  {
    name: 'EXTENDED_COMMUNITIES (route target 65001:100)',
    ctx: AS4,
    bytes: attr(0xc0, 16, '0002fde9 00000064'),
    fields: { type: 'extended-communities', values: Uint32Array.of(0x0002fde9, 0x64) },
    text: '0002fde900000064',
    build: () => makeExtendedCommunities([0x0002fde9, 0x64]),
  },
  {
    name: 'AS4_PATH',
    ctx: AS2,
    bytes: attr(0xc0, 17, '02 02 fa56ea00 00000001'),
    fields: { type: 'as4-path', segments: [{ type: 2, asns: [4200000000, 1] }] },
    build: () => makeAs4Path([{ type: 2, asns: [4200000000, 1] }]),
  },
  {
    name: 'AS4_AGGREGATOR',
    ctx: AS2,
    bytes: attr(0xc0, 18, 'fa56ea00 0a000001'),
    fields: { type: 'as4-aggregator', asn: 4200000000, address: 0x0a000001 },
    build: () => makeAs4Aggregator(4200000000, 0x0a000001),
  },
  {
    name: 'AIGP',
    ctx: AS4,
    bytes: attr(0x80, 26, '01 000b 0000000000000400'),
    fields: { type: 'aigp', metric: 1024n },
    text: '1024',
    build: () => makeAigp(1024n),
  },
  {
    name: 'LARGE_COMMUNITY',
    ctx: AS4,
    bytes: attr(0xc0, 32, 'fa56ea00 00000001 00000002  0000fde9 00000000 ffffffff'),
    fields: { type: 'large-communities', values: Uint32Array.of(4200000000, 1, 2, 65001, 0, 0xffffffff) },
    text: '4200000000:1:2 65001:0:4294967295',
    build: () => makeLargeCommunities([4200000000, 1, 2, 65001, 0, 0xffffffff]),
  },
  {
    name: 'MP_REACH_NLRI IPv6 unicast, global + link-local next hop',
    ctx: AS4,
    bytes: attr(
      0x80,
      14,
      '0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 30 20010db80001 40 20010db800020000',
    ),
    fields: { type: 'mp-reach', afi: 2, safi: 1, abbreviated: false },
    text: '2001:db8::1 fe80::1 2001:db8:1::/48 2001:db8:2::/64',
    build: () =>
      makeMpReach(
        hex('20010db8000000000000000000000001 fe800000000000000000000000000001'),
        buildNlri(2, 1, ['2001:db8:1::/48', '2001:db8:2::/64']),
      ),
  },
  {
    name: 'MP_REACH_NLRI IPv4 unicast with ADD-PATH',
    ctx: { asn4: true, addPath: new Set([familyKey(1, 1)]) },
    bytes: attr(0x80, 14, '0001 01 04 c0000201 00 00000001 18 c63364 00000002 18 c63364'),
    fields: { type: 'mp-reach', afi: 1, safi: 1 },
    build: () =>
      makeMpReach(
        hex('c0000201'),
        buildNlri(
          1,
          1,
          [
            { prefix: '198.51.100.0/24', pathId: 1 },
            { prefix: '198.51.100.0/24', pathId: 2 },
          ],
          true,
        ),
      ),
  },
  {
    name: 'MP_UNREACH_NLRI IPv6 unicast',
    ctx: AS4,
    bytes: attr(0x80, 15, '0002 01 30 20010db80001'),
    fields: { type: 'mp-unreach', afi: 2, safi: 1 },
    text: '2001:db8:1::/48',
    build: () => makeMpUnreach(buildNlri(2, 1, ['2001:db8:1::/48'])),
  },
  {
    name: 'MP_REACH_NLRI of another family (flowspec) kept opaque',
    ctx: AS4,
    bytes: attr(0x80, 14, '0001 85 00 00 0601180a0000'),
    fields: { type: 'mp-reach', afi: 1, safi: 133 },
  },
  {
    name: 'unknown optional transitive attribute',
    ctx: AS4,
    bytes: attr(0xc0, 99, 'deadbeef'),
    fields: { type: 'unknown', code: 99, flags: 0xc0 },
    text: 'deadbeef',
  },
  {
    name: 'ORIGIN with the Extended Length bit (kept as received)',
    ctx: AS4,
    bytes: hex('50 01 0001 00'),
    fields: { type: 'origin', origin: 0, flags: 0x50 },
  },
];

function pick(a: PathAttribute, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = (a as unknown as Record<string, unknown>)[k];
  return out;
}

describe('wire: path attribute fixtures (both ways)', function () {
  for (const fx of FIXTURES) {
    it(fx.name, function () {
      const r = decodeAttributes(fx.bytes, fx.ctx);
      expect(r.errors.map((e) => e.reason)).to.deep.equal([]);
      expect(r.attributes).to.have.length(1);
      const a = r.attributes[0]!;
      expect(pick(a, Object.keys(fx.fields))).to.deep.equal(fx.fields);
      // The raw value is a view of the input, not a copy.
      expect(a.raw.buffer).to.equal(fx.bytes.buffer);
      if (fx.text !== undefined) expect(formatAttribute(a)).to.equal(fx.text);
      const w = new WireWriter();
      writeAttribute(w, a);
      expect(toHex(w.finish())).to.equal(toHex(fx.bytes));
      if (fx.build) {
        const w2 = new WireWriter();
        writeAttribute(w2, fx.build());
        expect(toHex(w2.finish()), 'builder').to.equal(toHex(fx.bytes));
      }
    });
  }

  it('lists ADD-PATH prefixes with their path identifiers', function () {
    const r = decodeAttributes(
      attr(0x80, 14, '0001 01 04 c0000201 00 00000001 18 c63364 00000002 18 c63364'),
      {
        asn4: true,
        addPath: new Set([familyKey(1, 1)]),
      },
    );
    const mp = r.attributes[0]!;
    if (mp.type !== 'mp-reach') throw new Error('not MP_REACH');
    expect(prefixList(mp.nlri)).to.deep.equal([
      { prefix: '198.51.100.0/24', pathId: 1 },
      { prefix: '198.51.100.0/24', pathId: 2 },
    ]);
    expect(formatMpNextHop(mp)).to.equal('192.0.2.1');
  });

  it('sets the Partial bit when passing an unknown optional transitive attribute on (RFC 4271 5)', function () {
    const [unknown] = decodeAttributes(attr(0xc0, 99, 'deadbeef'), AS4).attributes;
    expect(forwardedFlags(unknown!)).to.equal(0xe0);
    const [nonTransitive] = decodeAttributes(attr(0x80, 98, '01'), AS4).attributes;
    expect(forwardedFlags(nonTransitive!)).to.equal(0x80);
  });

  it('replaces and removes attributes by type code without touching the input list', function () {
    const attrs = decodeAttributes(hex('400101 00 400304 c0000201 800404 00000001'), AS4).attributes;
    const replaced = withAttribute(attrs, makeMed(7));
    expect(replaced.map((a) => [a.type, formatAttribute(a)])).to.deep.equal([
      ['origin', 'IGP'],
      ['next-hop', '192.0.2.1'],
      ['med', '7'],
    ]);
    expect(withAttribute(attrs, makeLocalPref(50)).map((a) => a.type)).to.deep.equal([
      'origin',
      'next-hop',
      'med',
      'local-pref',
    ]);
    expect(withoutAttribute(attrs, 3).map((a) => a.type)).to.deep.equal(['origin', 'med']);
    expect(attrs.map((a) => a.type)).to.deep.equal(['origin', 'next-hop', 'med']);
    expect(getAttributeByCode(attrs, 4)?.raw).to.deep.equal(hex('00000001'));
  });

  it('prepares attributes for forwarding: Partial on unknown transitive, unknown non-transitive and malformed dropped', function () {
    const section = new Uint8Array([
      ...attr(0x40, 1, '00'),
      ...attr(0xc0, 99, 'aa'),
      ...attr(0x80, 98, 'bb'),
      ...attr(0xc0, 8, 'fde900'),
    ]);
    const decoded = decodeAttributes(section, AS4);
    expect(decoded.attributes.map((a) => a.type)).to.deep.equal([
      'origin',
      'unknown',
      'unknown',
      'malformed',
    ]);
    const fwd = attributesForForwarding(decoded.attributes);
    expect(fwd.map((a) => [a.code, a.flags])).to.deep.equal([
      [1, 0x40],
      [99, 0xe0],
    ]);
    expect(decoded.attributes[1]!.flags, 'input untouched').to.equal(0xc0);
  });

  it('writes values above 255 octets with the Extended Length bit', function () {
    const comms = makeCommunities(Array.from({ length: 100 }, (_, i) => i));
    const w = new WireWriter();
    writeAttribute(w, comms);
    const bytes = w.finish();
    expect(toHex(bytes.subarray(0, 4))).to.equal('d0080190');
    const back = decodeAttributes(bytes, AS4).attributes[0]!;
    expect(back.type === 'communities' && back.values.length).to.equal(100);
  });

  it('writes and reads attribute headers of every length form as RFC 4271 4.3 lays them out', function () {
    // [flags given, value length, header octets expected]
    const cases: [number, number, string][] = [
      [0x40, 0, '400100'],
      [0x40, 255, '4001ff'],
      [0x40, 256, '50010100'],
      [0x50, 3, '50010003'],
      [0xc0, 65535, 'd001ffff'],
      [0xd0, 0, 'd0010000'],
    ];
    for (const [flags, length, hex] of cases) {
      const out = new Uint8Array(6).fill(0xee);
      const end = writeAttributeHeader(out, 1, flags, 1, length);
      expect(toHex(out.subarray(1, end)), `${flags}/${length}`).to.equal(hex);
      expect(out[end], 'nothing written past the header').to.equal(0xee);
      const extended = extendedOctets(out[1]!);
      expect(end - 1, 'header size').to.equal(3 + extended);
      expect(valueLengthOf(out[3]!, out[3 + extended]!, extended), 'length read back').to.equal(length);
    }
  });

  it('decodes the abbreviated MP_REACH_NLRI of TABLE_DUMP_V2 RIB entries (RFC 6396 4.3.4)', function () {
    const bytes = attr(0x80, 14, '10 20010db8000000000000000000000001');
    const r = decodeAttributes(bytes, { asn4: true, mrtRib: true });
    expect(r.action).to.equal('none');
    const mp = r.attributes[0]!;
    if (mp.type !== 'mp-reach') throw new Error('not MP_REACH');
    expect({
      abbreviated: mp.abbreviated,
      afi: mp.afi,
      nh: formatMpNextHop(mp),
      count: mp.nlri.count,
    }).to.deep.equal({
      abbreviated: true,
      afi: 2,
      nh: '2001:db8::1',
      count: 0,
    });
    // The full form is still accepted in that mode.
    const full = decodeAttributes(attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00'), {
      asn4: true,
      mrtRib: true,
    });
    expect(
      full.attributes[0]!.type === 'mp-reach' && (full.attributes[0] as { abbreviated: boolean }).abbreviated,
    ).to.equal(false);
    // An IPv4 RIB entry with an IPv6 next hop (RFC 8950): the record's family comes from the context.
    const v4 = decodeAttributes(bytes, { asn4: true, mrtRib: true, mrtFamily: { afi: 1, safi: 1 } })
      .attributes[0]!;
    expect(v4.type === 'mp-reach' && [v4.afi, v4.safi, formatMpNextHop(v4)]).to.deep.equal([
      1,
      1,
      '2001:db8::1',
    ]);
    // RIB entries always carry 4-octet AS_PATHs, whatever asn4 says.
    const path = decodeAttributes(attr(0x40, 2, '02 01 fa56ea00'), { asn4: false, mrtRib: true })
      .attributes[0]!;
    expect(path.type === 'as-path' && path.segments[0]!.asns).to.deep.equal([4200000000]);
  });
});

describe('wire: AS4_PATH reconstruction (RFC 6793 4.2.3)', function () {
  const decode = (hexAttrs: Uint8Array) => decodeAttributes(hexAttrs, AS2).attributes;

  it('replaces the AS_TRANS tail of AS_PATH with AS4_PATH', function () {
    const attrs = decode(
      new Uint8Array([
        ...attr(0x40, 2, '02 04 fde9 5ba0 5ba0 0001'),
        ...attr(0xc0, 17, '02 03 fa56ea00 fa56ea01 00000001'),
      ]),
    );
    expect(effectivePath(attrs, false).segments).to.deep.equal([
      { type: 2, asns: [65001, 4200000000, 4200000001, 1] },
    ]);
    // On a 4-octet session AS4_PATH is ignored.
    expect(effectivePath(attrs, true).segments).to.deep.equal([{ type: 2, asns: [65001, 23456, 23456, 1] }]);
  });

  it('ignores an AS4_PATH longer than AS_PATH', function () {
    const attrs = decode(
      new Uint8Array([...attr(0x40, 2, '02 01 5ba0'), ...attr(0xc0, 17, '02 02 fa56ea00 00000001')]),
    );
    expect(effectivePath(attrs, false).segments).to.deep.equal([{ type: 2, asns: [23456] }]);
  });

  it('uses AS4_AGGREGATOR when AGGREGATOR carries AS_TRANS, and ignores both AS4 attributes otherwise', function () {
    const trans = decode(
      new Uint8Array([
        ...attr(0x40, 2, '02 02 fde9 5ba0'),
        ...attr(0xc0, 7, '5ba0 0a000001'),
        ...attr(0xc0, 17, '02 01 fa56ea00'),
        ...attr(0xc0, 18, 'fa56ea00 0a000001'),
      ]),
    );
    expect(effectivePath(trans, false)).to.deep.equal({
      segments: [{ type: 2, asns: [65001, 4200000000] }],
      aggregator: { asn: 4200000000, address: 0x0a000001 },
    });
    const real = decode(
      new Uint8Array([
        ...attr(0x40, 2, '02 02 fde9 5ba0'),
        ...attr(0xc0, 7, 'fde9 0a000001'),
        ...attr(0xc0, 17, '02 01 fa56ea00'),
        ...attr(0xc0, 18, 'fa56ea00 0a000001'),
      ]),
    );
    expect(effectivePath(real, false)).to.deep.equal({
      segments: [{ type: 2, asns: [65001, 23456] }],
      aggregator: { asn: 65001, address: 0x0a000001 },
    });
  });

  it('keeps leading AS_SET and confederation segments of AS_PATH', function () {
    const attrs = decode(
      new Uint8Array([
        ...attr(0x40, 2, '03 01 fc00 02 02 fde9 5ba0 01 02 0001 0002'),
        ...attr(0xc0, 17, '02 01 fa56ea00 01 02 00000001 00000002'),
      ]),
    );
    expect(effectivePath(attrs, false).segments).to.deep.equal([
      { type: 3, asns: [64512] },
      { type: 2, asns: [65001, 4200000000] },
      { type: 1, asns: [1, 2] },
    ]);
  });
});

describe('wire: attributeValueError (one value, as plugins write them)', function () {
  /** The judgement of decodeAttributes on a section holding just this attribute: valid or not. */
  function validInSection(code: number, flags: number, value: Uint8Array, ctx: DecodeContext): boolean {
    const w = new WireWriter();
    writeAttribute(w, { type: 'unknown', code, flags, raw: value });
    const r = decodeAttributes(w.finish(), ctx);
    return r.action === 'none' && r.attributes.length === 1 && r.attributes[0]!.code === code;
  }

  it('agrees with decodeAttributes on the fixtures and on random values of every type code', function () {
    let seed = 0x2545f491;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const cases: [number, number, Uint8Array, DecodeContext][] = [];
    for (const fx of FIXTURES) {
      const a = decodeAttributes(fx.bytes, fx.ctx).attributes[0]!;
      cases.push([a.code, a.flags & 0xef, a.raw, fx.ctx]);
    }
    for (let code = 0; code < 256; code++) {
      if (code === 14 || code === 15) continue; // MP_REACH / MP_UNREACH: never written by plugins
      for (const flags of [0x00, 0x40, 0x80, 0xc0, 0xe0]) {
        for (let k = 0; k < 12; k++) {
          // Lengths around what the codec checks (0, 1, 2, 4, multiples of 4, 8, 12, 20) and random octets.
          const len = k < 8 ? [0, 1, 2, 4, 6, 8, 12, 20][k]! : random(64);
          const value = new Uint8Array(len);
          for (let i = 0; i < len; i++) value[i] = k % 3 === 0 ? random(4) : random(256);
          cases.push([code, flags, value, k % 2 === 0 ? AS4 : AS2]);
        }
      }
    }
    let valid = 0;
    for (const [code, flags, value, ctx] of cases) {
      const expected = validInSection(code, flags, value, ctx);
      const error = attributeValueError(code, flags, value, ctx);
      expect(error === undefined, `code ${code} flags ${flags} value ${toHex(value)}: ${error}`).to.equal(
        expected,
      );
      if (expected) valid++;
    }
    // Both outcomes are exercised, many times.
    expect(valid).to.be.above(500);
    expect(cases.length - valid).to.be.above(2000);
  });
});
