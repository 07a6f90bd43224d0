// The attribute store's set table (daemon/rde/set-table.ts) against a Map of the same keys, through
// growth and removal churn (a removed slot must keep the probe run behind it reachable), looked up by
// key string and by octets; the hash against MurmurHash3's published vectors, and the two hashes agreeing
// on the same octets.
import { expect } from 'chai';
import { SetTable, hashBytes, hashKey } from '../../daemon/rde/set-table.js';
import type { AttrSet } from '../../daemon/rde/attr-store.js';
import { prng } from '../helpers/random.js';

/** A stand-in set: the table reads nothing but `key`. */
function fakeSet(key: string): AttrSet {
  return { key } as AttrSet;
}

function octetsOf(key: string): Uint8Array {
  return Uint8Array.from(key, (c) => c.charCodeAt(0));
}

describe('rde/set-table', function () {
  // MurmurHash3 x86 32-bit with the seed the table uses (0x9747b28c): the published test vectors.
  for (const [text, expected] of [
    ['test', 0x704b81dc],
    ['Hello, world!', 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x2fa826cd],
  ] as const) {
    it(`hashes ${JSON.stringify(text)} as MurmurHash3 does`, function () {
      expect(hashKey(text) >>> 0).to.equal(expected);
      expect(hashBytes(octetsOf(text), text.length) >>> 0).to.equal(expected);
    });
  }

  it('hashes a key string and its octets alike', function () {
    const rnd = prng(7);
    for (let n = 0; n < 200; n++) {
      const key = String.fromCharCode(...Array.from({ length: n }, () => Math.floor(rnd() * 256)));
      const bytes = new Uint8Array(n + 5); // a longer buffer: only [0, n) counts
      bytes.set(octetsOf(key));
      expect(hashBytes(bytes, n)).to.equal(hashKey(key));
    }
  });

  it('finds, adds and removes as a Map does, through growth and churn', function () {
    const rnd = prng(20261202);
    const table = new SetTable();
    const oracle = new Map<string, AttrSet>();
    // Keys from a small alphabet and short lengths, so that prefixes, equal lengths and re-adds are common.
    const randomKey = (): string =>
      String.fromCharCode(...Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => Math.floor(rnd() * 8)));
    for (let step = 0; step < 60000; step++) {
      const key = randomKey();
      const held = oracle.get(key);
      const bytes = octetsOf(key);
      const h = hashKey(key);
      expect(table.findKey(key, h)).to.equal(held);
      expect(table.findOctets(bytes, bytes.length, h)).to.equal(held);
      // Grow to several thousand sets, then churn around that size.
      if (held === undefined && (oracle.size < 3000 || rnd() < 0.5)) {
        const set = fakeSet(key);
        table.add(set, h);
        oracle.set(key, set);
      } else if (held !== undefined && rnd() < 0.6) {
        // Another object with the same key is not the held one: nothing removed.
        expect(table.remove(fakeSet(key))).to.equal(false);
        expect(table.remove(held)).to.equal(true);
        oracle.delete(key);
      }
      expect(table.size).to.equal(oracle.size);
    }
    expect(oracle.size).to.be.greaterThan(1000);
    for (const [key, set] of oracle) expect(table.findKey(key, hashKey(key))).to.equal(set);
  });

  it('starts over at its first size when a whole table leaves, and keeps its marks when one set comes and goes', function () {
    const table = new SetTable();
    const first = table.capacity;
    const keyOf = (i: number): string => `set ${i}`;
    const sets = Array.from({ length: 5000 }, (_, i) => fakeSet(keyOf(i)));
    sets.forEach((set) => table.add(set, hashKey(set.key)));
    expect(table.capacity).to.be.greaterThan(first);
    for (const set of sets) expect(table.remove(set)).to.equal(true);
    expect(table.size).to.equal(0);
    expect(table.capacity).to.equal(first);
    for (const set of sets) expect(table.findKey(set.key, hashKey(set.key))).to.equal(undefined);
    // One set at a time, each interned and released (a family the peer may not send): the table neither
    // grows nor loses one, through the rebuilds that clear the marks.
    for (let i = 0; i < 20000; i++) {
      const set = fakeSet(keyOf(i % 3000));
      const h = hashKey(set.key);
      expect(table.findKey(set.key, h)).to.equal(undefined);
      table.add(set, h);
      expect(table.findOctets(octetsOf(set.key), set.key.length, h)).to.equal(set);
      expect(table.remove(set)).to.equal(true);
      expect(table.size).to.equal(0);
    }
    expect(table.capacity).to.equal(first);
  });
});
