// daemon/net/address.ts: a table of valid and invalid address texts for both families (with the octets
// each valid one stands for), RFC 5952 formatting, round trips, and two independent implementations as
// oracles: Node's net.isIP for what is an address, the `ip-address` package for octets and RFC 5952 text.
import { expect } from 'chai';
import fc from 'fast-check';
import { isIP } from 'node:net';
import { Address6 } from 'ip-address';
import {
  addressBytes,
  formatAddress,
  formatIpv4,
  formatIpv4At,
  formatIpv6At,
  hostBitsClear,
  ipv4Number,
  ipVersion,
  parseAddress,
  parseIpv4,
  parseIpv6,
  parsePrefix,
} from '../../daemon/net/address.js';
import {
  addressBits,
  familyAfi,
  familyAfiSafi,
  familyOfAfiSafi,
  allFamilies,
} from '../../daemon/net/family.js';

/** 16 octets from 8 groups. */
function v6(...groups: number[]): number[] {
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

// [text, octets]
const validV4: [string, number[]][] = [
  ['0.0.0.0', [0, 0, 0, 0]],
  ['10.0.0.1', [10, 0, 0, 1]],
  ['192.0.2.255', [192, 0, 2, 255]],
  ['255.255.255.255', [255, 255, 255, 255]],
  ['1.22.203.0', [1, 22, 203, 0]],
];
const validV6: [string, number[]][] = [
  ['::', v6(0, 0, 0, 0, 0, 0, 0, 0)],
  ['::1', v6(0, 0, 0, 0, 0, 0, 0, 1)],
  ['1::', v6(1, 0, 0, 0, 0, 0, 0, 0)],
  ['2001:db8::1', v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)],
  ['2001:DB8:0:0:0:0:0:1', v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)],
  ['2001:0db8:0000:0000:0000:0000:0000:0001', v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)],
  ['1:2:3:4:5:6:7:8', v6(1, 2, 3, 4, 5, 6, 7, 8)],
  ['1::8', v6(1, 0, 0, 0, 0, 0, 0, 8)],
  ['1:2:3:4:5:6:7::', v6(1, 2, 3, 4, 5, 6, 7, 0)],
  ['::2:3:4:5:6:7:8', v6(0, 2, 3, 4, 5, 6, 7, 8)],
  ['1::2:3:4:5:6:7', v6(1, 0, 2, 3, 4, 5, 6, 7)],
  ['fe80::a:b:c:d', v6(0xfe80, 0, 0, 0, 0xa, 0xb, 0xc, 0xd)],
  ['::ffff:192.0.2.1', v6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201)],
  ['::192.0.2.1', v6(0, 0, 0, 0, 0, 0, 0xc000, 0x0201)],
  ['1:2:3:4:5:6:10.0.0.1', v6(1, 2, 3, 4, 5, 6, 0x0a00, 0x0001)],
  ['1::10.0.0.1', v6(1, 0, 0, 0, 0, 0, 0x0a00, 0x0001)],
  ['64:ff9b::192.0.2.33', v6(0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221)],
];
const invalid: string[] = [
  '',
  ' ',
  '1.2.3',
  '1.2.3.4.5',
  '1.2.3.256',
  '256.0.0.0',
  '010.0.0.1',
  '1.2.3.04',
  '1.2.3.',
  '.1.2.3',
  '1..2.3',
  '1.2.3.4 ',
  ' 1.2.3.4',
  '1.2.3.4/24',
  '+1.2.3.4',
  '1.2.3.0x4',
  ':',
  ':::',
  '1:',
  ':1',
  ':1::',
  '1:::2',
  '1::2::3',
  '12345::',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7',
  '1:2:3:4::5:6:7:8',
  '::1:2:3:4:5:6:7:8',
  'g::',
  '1:2:3:4:5:6:7:1.2.3.4',
  '::1.2.3.4:5',
  '::1.2.3',
  '::256.0.0.1',
  '::01.2.3.4',
  '1.2.3.4::',
  '2001:db8::/32',
  '2001:db8::1 ',
  '::ffff:1.2.3.4%',
];

describe('net address parsing', function () {
  for (const [text, octets] of [...validV4, ...validV6]) {
    it(`parses ${text}`, function () {
      expect([...parseAddress(text)!]).to.deep.equal(octets);
      expect([...addressBytes(text)]).to.deep.equal(octets);
      expect(ipVersion(text)).to.equal(octets.length === 4 ? 4 : 6);
      expect(isIP(text), 'Node agrees').to.equal(octets.length === 4 ? 4 : 6);
    });
  }
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, function () {
      expect(parseAddress(text)).to.equal(undefined);
      expect(parseIpv4(text)).to.equal(undefined);
      expect(parseIpv6(text)).to.equal(undefined);
      expect(() => addressBytes(text)).to.throw(RangeError);
    });
  }

  it('parses each family only with its own parser', function () {
    expect(parseIpv6('10.0.0.1')).to.equal(undefined);
    expect(parseIpv4('::1')).to.equal(undefined);
  });

  it('accepts a zone in ipVersion only (socket addresses), and addressBytes ignores it', function () {
    const zoned: [string, 0 | 4 | 6][] = [
      ['fe80::1%eth0', 6],
      ['fe80::1%br-lan.100', 6],
      ['fe80::1%', 0],
      ['fe80::1%et h0', 0],
      ['10.0.0.1%eth0', 0],
    ];
    for (const [text, version] of zoned) {
      expect(ipVersion(text), text).to.equal(version);
      expect(isIP(text), `Node on ${text}`).to.equal(version);
    }
    expect([...addressBytes('fe80::1%eth0')]).to.deep.equal(v6(0xfe80, 0, 0, 0, 0, 0, 0, 1));
  });

  it('agrees with Node net.isIP on random text of address characters', function () {
    const char = fc.constantFrom(...'0123456789abcdefABCDEFg:.%/ '.split(''));
    const likely = fc.oneof(
      fc.array(char, { maxLength: 45 }).map((cs) => cs.join('')),
      // Pieces of real addresses glued together reach the interesting cases more often.
      fc
        .array(
          fc.constantFrom('::', ':', '.', '1', '255', '256', '0', 'ffff', '12345', '01', '1.2.3.4', '%e'),
          {
            maxLength: 12,
          },
        )
        .map((ps) => ps.join('')),
    );
    fc.assert(
      fc.property(likely, (text) => {
        expect(ipVersion(text), JSON.stringify(text)).to.equal(isIP(text));
        const bytes = parseAddress(text);
        const plain = isIP(text) !== 0 && !text.includes('%');
        expect(bytes !== undefined, JSON.stringify(text)).to.equal(plain);
      }),
      { numRuns: 20000 },
    );
  });

  it('gives the octets ip-address gives for every IPv6 text form of random addresses', function () {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(7), (octets, zeros) => {
        // Zero a run of groups so that "::" forms occur.
        octets.fill(0, 2 * zeros, 2 * zeros + 2 * ((zeros % 3) + 1));
        const oracle = Address6.fromByteArray([...octets]);
        for (const text of [oracle.correctForm(), oracle.canonicalForm(), oracle.to4in6()]) {
          expect([...parseIpv6(text)!], text).to.deep.equal([...octets]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a dotted quad as a 32-bit number', function () {
    expect(ipv4Number('192.0.2.1')).to.equal(0xc0000201);
    expect(ipv4Number('255.255.255.255')).to.equal(0xffffffff);
    expect(() => ipv4Number('::1')).to.throw(RangeError);
  });
});

describe('net address formatting', function () {
  const rfc5952: [string, string][] = [
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    // A single zero group stays (RFC 5952 4.2.2).
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // The longest run, then the first of equal runs (4.2.3).
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['ABCD:EF01:2345:6789:ABCD:EF01:2345:6789', 'abcd:ef01:2345:6789:abcd:ef01:2345:6789'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
  ];
  for (const [input, text] of rfc5952) {
    it(`${input} -> ${text}`, function () {
      expect(formatIpv6At(parseIpv6(input)!, 0)).to.equal(text);
      expect(formatAddress(2, parseIpv6(input)!, 0)).to.equal(text);
    });
  }

  it('prints dotted quads from octets and from numbers', function () {
    expect(formatIpv4At(Uint8Array.from([9, 10, 0, 255, 1]), 1)).to.equal('10.0.255.1');
    expect(formatIpv4(0xc0000201)).to.equal('192.0.2.1');
    expect(formatIpv4(0)).to.equal('0.0.0.0');
    expect(formatAddress(1, Uint8Array.from([10, 1, 2, 3]), 0)).to.equal('10.1.2.3');
  });

  it('reads only the available octets of a prefix', function () {
    expect(formatAddress(1, Uint8Array.from([10, 1, 99, 99]), 0, 2)).to.equal('10.1.0.0');
    expect(formatAddress(2, Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0xff]), 0, 4)).to.equal('2001:db8::');
  });

  it('round-trips random addresses of both families, and matches ip-address on RFC 5952 text', function () {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(7), fc.nat(7), (octets, at, n) => {
        octets.fill(0, 2 * at, 2 * Math.min(8, at + n));
        const text = formatIpv6At(octets, 0);
        expect(text).to.equal(Address6.fromByteArray([...octets]).correctForm());
        expect([...parseIpv6(text)!]).to.deep.equal([...octets]);
        const v4 = octets.subarray(0, 4);
        expect([...parseIpv4(formatIpv4At(v4, 0))!]).to.deep.equal([...v4]);
        const n32 = ((v4[0]! << 24) | (v4[1]! << 16) | (v4[2]! << 8) | v4[3]!) >>> 0;
        expect(ipv4Number(formatIpv4(n32))).to.equal(n32);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('net prefixes', function () {
  const cases: [string, ReturnType<typeof parsePrefix>][] = [
    ['10.0.0.0/8', { prefix: '10.0.0.0/8', family: 'ipv4-unicast', address: '10.0.0.0', length: 8 }],
    ['0.0.0.0/0', { prefix: '0.0.0.0/0', family: 'ipv4-unicast', address: '0.0.0.0', length: 0 }],
    ['192.0.2.1/32', { prefix: '192.0.2.1/32', family: 'ipv4-unicast', address: '192.0.2.1', length: 32 }],
    ['10.0.0.0/08', { prefix: '10.0.0.0/8', family: 'ipv4-unicast', address: '10.0.0.0', length: 8 }],
    ['2001:db8::/32', { prefix: '2001:db8::/32', family: 'ipv6-unicast', address: '2001:db8::', length: 32 }],
    ['::/0', { prefix: '::/0', family: 'ipv6-unicast', address: '::', length: 0 }],
    [
      '2001:db8::1/128',
      { prefix: '2001:db8::1/128', family: 'ipv6-unicast', address: '2001:db8::1', length: 128 },
    ],
    ['10.0.0.0', 'must be a prefix ADDRESS/LENGTH'],
    ['10.0.0/8', "'10.0.0' is not an IPv4 or IPv6 address"],
    ['fe80::%eth0/64', "'fe80::%eth0' is not an IPv4 or IPv6 address"],
    ['10.0.0.0/33', 'prefix length must be from 0 to 32'],
    ['10.0.0.0/-1', 'prefix length must be from 0 to 32'],
    ['10.0.0.0/', 'prefix length must be from 0 to 32'],
    ['2001:db8::/129', 'prefix length must be from 0 to 128'],
    ['10.0.0.1/8', 'host bits set (the network address of /8 differs)'],
    ['2001:db8::1/64', 'host bits set (the network address of /64 differs)'],
  ];
  for (const [text, expected] of cases) {
    it(`${text} -> ${JSON.stringify(expected)}`, function () {
      expect(parsePrefix(text)).to.deep.equal(expected);
    });
  }

  it('checks host bits to the bit', function () {
    expect(hostBitsClear(Uint8Array.from([10, 0, 0, 0x80]), 25)).to.equal(true);
    expect(hostBitsClear(Uint8Array.from([10, 0, 0, 0x40]), 25)).to.equal(false);
    expect(hostBitsClear(Uint8Array.from([0xff, 0xff, 0xff, 0xff]), 32)).to.equal(true);
  });
});

describe('net families', function () {
  it('maps every family to its AFI/SAFI and back', function () {
    for (const f of allFamilies) {
      const { afi, safi } = familyAfiSafi[f];
      expect(familyOfAfiSafi(afi, safi)).to.equal(f);
      expect(familyAfi(f)).to.equal(afi);
    }
    expect(familyOfAfiSafi(1, 2)).to.equal(undefined);
    expect(familyOfAfiSafi(25, 65)).to.equal(undefined);
    expect(addressBits('ipv4-unicast')).to.equal(32);
    expect(addressBits('ipv6-unicast')).to.equal(128);
  });
});
