// Route origin validation over the VRP table (daemon/rpki/vrp-table.ts): the cases of RFC 6811 2 (valid,
// invalid by origin, invalid by length, not found, AS_SET origins, AS 0 VRPs), both families, and the
// table against a brute-force oracle on seeded random VRPs and routes.
import { expect } from 'chai';
import type { Vrp } from '../../daemon/rpki/pdu.js';
import { VrpTable, type Validity } from '../../daemon/rpki/vrp-table.js';
import { prng } from '../helpers/random.js';

const v4 = (a: string): Uint8Array => Uint8Array.from(a.split('.').map(Number));
const vrp = (a: string, length: number, maxLength: number, asn: number): Vrp => ({
  ipv6: false,
  prefix: v4(a),
  length,
  maxLength,
  asn,
});

describe('rpki/vrp-table: RFC 6811 origin validation', () => {
  const t = new VrpTable();
  t.add(vrp('10.0.0.0', 8, 16, 65001));
  t.add(vrp('10.1.0.0', 16, 24, 65002));
  t.add(vrp('192.0.2.0', 24, 24, 0));
  t.add({
    ipv6: true,
    prefix: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(12).fill(0)]),
    length: 32,
    maxLength: 48,
    asn: 65003,
  });

  const cases: [string, boolean, string | Uint8Array, number, number, Validity][] = [
    ['the covering VRP matches', false, '10.2.0.0', 16, 65001, 'valid'],
    ['a more specific VRP matches though a shorter one does not', false, '10.1.2.0', 24, 65002, 'valid'],
    ['invalid by origin', false, '10.2.0.0', 16, 65009, 'invalid'],
    ['invalid by length (longer than max length)', false, '10.2.3.0', 24, 65001, 'invalid'],
    ['not found: no VRP covers it', false, '11.0.0.0', 8, 65001, 'not-found'],
    [
      'not found: a VRP more specific than the route does not cover it',
      false,
      '10.0.0.0',
      7,
      65001,
      'not-found',
    ],
    ['origin NONE (AS_SET) is invalid when covered', false, '10.2.0.0', 16, 0, 'invalid'],
    ['an AS 0 VRP makes every covered route invalid', false, '192.0.2.0', 24, 0, 'invalid'],
    [
      'IPv6 valid',
      true,
      Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 1, ...new Array<number>(10).fill(0)]),
      48,
      65003,
      'valid',
    ],
    [
      'IPv6 invalid by length',
      true,
      Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 1, 2, ...new Array<number>(9).fill(0)]),
      56,
      65003,
      'invalid',
    ],
  ];
  for (const [what, ipv6, prefix, length, origin, want] of cases)
    it(`${what}: ${want}`, () => {
      const bytes = typeof prefix === 'string' ? v4(prefix) : prefix;
      expect(t.validate(ipv6, bytes, length, origin)).to.equal(want);
    });

  it('add, remove and has are exact on (prefix, max length, AS)', () => {
    const u = new VrpTable();
    const x = vrp('10.0.0.0', 8, 16, 65001);
    expect([u.add(x), u.add(x), u.size]).to.deep.equal([true, false, 1]);
    expect(u.has({ ...x, maxLength: 17 })).to.equal(false);
    expect([u.remove({ ...x, asn: 1 }), u.remove(x), u.size]).to.deep.equal([false, true, 0]);
    expect(u.validate(false, v4('10.0.0.0'), 8, 65001)).to.equal('not-found');
  });

  it('entries give back every VRP', () => {
    const got = [...t.entries()].map(
      (v) => `${v.ipv6}|${Array.from(v.prefix).join('.')}|${v.length}-${v.maxLength}|${v.asn}`,
    );
    expect(got).to.include('false|10.1.0.0|16-24|65002');
    expect(got).to.have.length(4);
  });

  it('agrees with a brute-force RFC 6811 oracle on random VRPs and routes (seeded)', () => {
    const rand = prng(6811);
    const r8 = (): number => Math.floor(rand() * 4); // few distinct octets: many overlaps
    const table = new VrpTable();
    const all: Vrp[] = [];
    for (let i = 0; i < 400; i++) {
      const length = 4 + Math.floor(rand() * 21);
      const a = ((r8() << 30) | (r8() << 22) | (r8() << 14) | (r8() << 6)) >>> 0;
      const masked = (a & (0xffffffff << (32 - length))) >>> 0;
      const v = vrp(
        [masked >>> 24, (masked >>> 16) & 255, (masked >>> 8) & 255, masked & 255].join('.'),
        length,
        length + Math.floor(rand() * 6),
        1 + Math.floor(rand() * 4),
      );
      if (table.add(v)) all.push(v);
    }
    const toU32 = (b: Uint8Array): number => ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    for (let i = 0; i < 3000; i++) {
      const length = Math.floor(rand() * 33);
      const a = ((r8() << 30) | (r8() << 22) | (r8() << 14) | (r8() << 6) | Math.floor(rand() * 64)) >>> 0;
      const addr = length === 0 ? 0 : (a & (0xffffffff << (32 - length))) >>> 0;
      const origin = Math.floor(rand() * 5);
      const covering = all.filter(
        (v) => v.length <= length && (v.length === 0 || (toU32(v.prefix) ^ addr) >>> (32 - v.length) === 0),
      );
      const want: Validity =
        covering.length === 0
          ? 'not-found'
          : covering.some((v) => origin !== 0 && v.asn === origin && length <= v.maxLength)
            ? 'valid'
            : 'invalid';
      const bytes = Uint8Array.from([addr >>> 24, (addr >>> 16) & 255, (addr >>> 8) & 255, addr & 255]);
      expect(
        table.validate(false, bytes, length, origin),
        `${bytes.join('.')}/${length} AS${origin}`,
      ).to.equal(want);
    }
  });
});
