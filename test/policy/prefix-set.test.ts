// Prefix-list lookup (daemon/policy/prefix-set.ts): the trie used for long lists and the scan used for short
// ones against a plain reference (address bits as text), on seeded random lists built to overlap (shared
// leading bits, nested lengths, several ranges on one prefix), for IPv4 and IPv6 widths.
import { expect } from 'chai';
import fc from 'fast-check';
import { prefixSet, type PrefixEntry } from '../../daemon/policy/prefix-set.js';

function bits(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return out;
}

function reference(entries: readonly PrefixEntry[], route: Uint8Array, length: number): boolean {
  const routeBits = bits(route, length);
  return entries.some(
    (e) => length >= e.ge && length <= e.le && routeBits.startsWith(bits(e.address, e.length)),
  );
}

/** Addresses drawn from a few leading patterns, so entries and routes nest and overlap. */
function address(width: number): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom(0x0a, 0x0b, 0x80, 0xc0),
      fc.uint8Array({ minLength: width / 8 - 1, maxLength: width / 8 - 1 }),
    )
    .map(([head, tail]) => {
      const a = new Uint8Array(width / 8);
      a[0] = head;
      // Mostly zero tails: many entries share their leading bits.
      tail.forEach((b, i) => (a[i + 1] = b & 0x81));
      return a;
    });
}

function masked(a: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < length; i++) if ((a[i >> 3]! >> (7 - (i & 7))) & 1) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

function entry(width: number): fc.Arbitrary<PrefixEntry> {
  return fc
    .tuple(address(width), fc.integer({ min: 0, max: width }), fc.nat(width), fc.nat(width))
    .map(([a, length, x, y]) => {
      const ge = length + (x % (width - length + 1));
      const le = ge + (y % (width - ge + 1));
      return { address: masked(a, length), length, ge, le };
    });
}

for (const width of [32, 128]) {
  describe(`policy: prefix sets, ${width}-bit addresses`, function () {
    it('trie (long lists) and scan (short lists) agree with the reference', function () {
      let hits = 0;
      let misses = 0;
      fc.assert(
        fc.property(
          fc.array(entry(width), { minLength: 1, maxLength: 40 }),
          fc.array(fc.tuple(address(width), fc.integer({ min: 0, max: width })), {
            minLength: 20,
            maxLength: 20,
          }),
          (entries, routes) => {
            const set = prefixSet(entries);
            const short = prefixSet(entries.slice(0, 8));
            for (const [a, length] of routes) {
              // Wire form: only ceil(length / 8) octets, inside a larger buffer.
              const size = (length + 7) >> 3;
              const wire = new Uint8Array(2 + size + 2).fill(0xff);
              wire.set(a.subarray(0, size), 2);
              const expected = reference(entries, a, length);
              expect(set.matches(wire, 2, length)).to.equal(expected);
              expect(short.matches(wire, 2, length)).to.equal(reference(entries.slice(0, 8), a, length));
              if (expected) hits++;
              else misses++;
            }
          },
        ),
        { seed: 5, numRuns: 300 },
      );
      expect(hits).to.be.above(200);
      expect(misses).to.be.above(200);
    });
  });
}
