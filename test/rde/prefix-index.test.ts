// The IPv4 and IPv6 prefix hash tables (daemon/rde/prefix-index.ts) against a Map reference under random
// inserts, deletes and lookups (one by one, and in batches as a withdrawal's): their removal marks (by
// prefix and by id, ids reused as the RIB reuses them, rebuilds, the table emptied and filled again), the
// same scenario run on both families.
import { expect } from 'chai';
import { Ipv4PrefixIndex, Ipv6PrefixIndex } from '../../daemon/rde/prefix-index.js';
import { prefixKey, writePrefix } from '../../daemon/rde/rib.js';
import { prng } from '../helpers/random.js';

describe('rde/prefix-index', function () {
  it('agrees with a Map under random inserts, lookups and deletes', function () {
    const rand = prng(7);
    const index = new Ipv4PrefixIndex();
    const reference = new Map<string, number>();
    // A small address space so that keys collide, repeat and cluster.
    const pick = (): [number, number] => {
      const length = 8 + Math.floor(rand() * 25);
      const addr = (Math.floor(rand() * 4096) << 20) >>> 0;
      return [length === 32 ? addr : (addr & (0xffffffff << (32 - length))) >>> 0, length];
    };
    let nextId = 0;
    for (let step = 0; step < 60_000; step++) {
      const [addr, length] = pick();
      const k = `${addr}/${length}`;
      const op = rand();
      if (op < 0.5) {
        if (!reference.has(k)) {
          index.insert(addr, length, nextId);
          reference.set(k, nextId++);
        }
      } else if (op < 0.8) {
        expect(index.delete(addr, length)).to.equal(reference.delete(k));
      } else {
        expect(index.get(addr, length)).to.equal(reference.get(k) ?? -1);
      }
      expect(index.size).to.equal(reference.size);
      // Now and then a batch lookup (a withdrawal's), held and absent prefixes mixed, against the reference.
      if (step % 997 === 0) {
        const n = 1 + Math.floor(rand() * 600);
        const addrs = new Uint32Array(n);
        const lens = new Uint8Array(n);
        const out = new Int32Array(n).fill(-7);
        for (let i = 0; i < n; i++) [addrs[i], lens[i]] = pick();
        index.getMany(addrs, lens, n, out);
        for (let i = 0; i < n; i++) expect(out[i]).to.equal(reference.get(`${addrs[i]}/${lens[i]}`) ?? -1);
      }
    }
    for (const [k, id] of reference) {
      const [a, l] = k.split('/').map(Number) as [number, number];
      expect(index.get(a, l)).to.equal(id);
    }
  });

  it('tells prefixes of the same address apart by length, including 0.0.0.0/0', function () {
    const index = new Ipv4PrefixIndex();
    index.insert(0, 0, 1);
    index.insert(0x0a000000, 8, 2);
    index.insert(0x0a000000, 16, 3);
    expect([
      index.get(0, 0),
      index.get(0x0a000000, 8),
      index.get(0x0a000000, 16),
      index.get(0x0a000000, 24),
    ]).to.deep.equal([1, 2, 3, -1]);
    expect(index.delete(0x0a000000, 8)).to.equal(true);
    expect(index.get(0x0a000000, 16)).to.equal(3);
    expect(index.delete(0x0a000000, 8)).to.equal(false);
  });
});

describe('rde/prefix-index: IPv6', function () {
  it('keys: one per prefix whatever its host bits, and writePrefix gives the prefix back, at every length', function () {
    const ones = new Uint8Array(16).fill(0xff);
    for (let length = 0; length <= 128; length++) {
      const clear = new Uint8Array(16);
      for (let bit = 0; bit < length; bit++) clear[bit >> 3]! |= 0x80 >> (bit & 7);
      const key = prefixKey(2, length, ones, 0) as string;
      expect(key).to.equal(prefixKey(2, length, clear, 0));
      expect(key.charCodeAt(0)).to.equal(length);
      expect(key.length).to.equal(1 + ((((length + 7) >> 3) + 1) >> 1));
      const out = new Uint8Array(17);
      const end = writePrefix(key, out, 0);
      expect(Array.from(out.subarray(0, end))).to.deep.equal([
        length,
        ...clear.subarray(0, (length + 7) >> 3),
      ]);
    }
  });

  it('agrees with a Map of the key strings under random inserts, lookups and deletes', function () {
    const rand = prng(11);
    const index = new Ipv6PrefixIndex();
    const reference = new Map<string, number>();
    // Few distinct addresses, each differing in one word, and every length: keys collide and cluster.
    const pick = (): string => {
      const bytes = new Uint8Array(16);
      const word = Math.floor(rand() * 8);
      const value = Math.floor(rand() * 64);
      bytes[0] = 0x20;
      bytes[2 * word] = bytes[2 * word]! | (value >> 2);
      bytes[2 * word + 1] = value & 3;
      return prefixKey(2, Math.floor(rand() * 129), bytes, 0) as string;
    };
    let nextId = 0;
    for (let step = 0; step < 60_000; step++) {
      const k = pick();
      const op = rand();
      if (op < 0.5) {
        const found = index.lookup(k);
        if (!reference.has(k)) {
          expect(found).to.be.below(0);
          // Half through lookup's slot, half by insert.
          if (rand() < 0.5) index.insertAt(found, k, nextId);
          else index.insert(k, nextId);
          reference.set(k, nextId++);
        } else expect(found).to.equal(reference.get(k));
      } else if (op < 0.8) {
        expect(index.delete(k)).to.equal(reference.delete(k));
      } else {
        expect(index.get(k)).to.equal(reference.get(k) ?? -1);
      }
      expect(index.size).to.equal(reference.size);
      // Now and then a batch lookup (a withdrawal's), held and absent prefixes mixed, against the reference.
      if (step % 997 === 0) {
        const keys = Array.from({ length: 1 + Math.floor(rand() * 600) }, pick);
        const out = new Int32Array(keys.length).fill(-7);
        index.getMany(keys, keys.length, out);
        expect([...out]).to.deep.equal(keys.map((k) => reference.get(k) ?? -1));
        // The same from the prefixes in wire form, their host bits set at random (a peer's may be).
        const wire: number[] = [];
        const at = new Int32Array(keys.length);
        for (const [i, k] of keys.entries()) {
          const prefix = new Uint8Array(17);
          writePrefix(k, prefix, 0);
          const octets = (k.charCodeAt(0) + 7) >> 3;
          const spare = octets * 8 - k.charCodeAt(0);
          if (spare > 0) prefix[octets] = prefix[octets]! | Math.floor(rand() * (1 << spare));
          at[i] = wire.length;
          wire.push(...prefix.subarray(0, 1 + octets), ...(rand() < 0.5 ? [0xff, 0xff] : []));
        }
        const fromWire = new Int32Array(keys.length).fill(-7);
        index.getManyWire(Uint8Array.from(wire), at, keys.length, fromWire);
        expect([...fromWire]).to.deep.equal([...out]);
      }
    }
    expect(reference.size).to.be.above(1000);
    for (const [k, id] of reference) expect(index.get(k)).to.equal(id);
  });

  it('tells prefixes of the same address apart by length, including ::/0 and /128', function () {
    const index = new Ipv6PrefixIndex();
    const address = Uint8Array.of(0x20, 1, 0x0d, 0xb8, ...new Array(12).fill(0));
    const key = (length: number): string => prefixKey(2, length, address, 0) as string;
    index.insert(key(0), 1);
    index.insert(key(32), 2);
    index.insert(key(48), 3);
    index.insert(key(128), 4);
    expect([0, 32, 48, 128, 64].map((l) => index.get(key(l)))).to.deep.equal([1, 2, 3, 4, -1]);
    expect(index.delete(key(32))).to.equal(true);
    expect(index.get(key(48))).to.equal(3);
    expect(index.delete(key(32))).to.equal(false);
  });
});

/** A prefix table seen through prefix keys of type K (IPv4: [address, length]; IPv6: the RIB's key string). */
interface ById<K> {
  lookup(k: K): number;
  insertAt(found: number, k: K, id: number): void;
  insert(k: K, id: number): void;
  deleteId(id: number): boolean;
  removeHeld(id: number): void;
  get(k: K): number;
  readonly size: number;
}

interface Family<K> {
  name: string;
  seed: number;
  make(): ById<K>;
  /** A random prefix from a small space (keys repeat and cluster). */
  pick(rand: () => number): K;
  text(k: K): string;
}

const ipv4Family: Family<[number, number]> = {
  name: 'IPv4',
  seed: 2026,
  make() {
    const i = new Ipv4PrefixIndex();
    return {
      lookup: ([a, l]) => i.lookup(a, l),
      insertAt: (found, [a, l], id) => i.insertAt(found, a, l, id),
      insert: ([a, l], id) => i.insert(a, l, id),
      deleteId: (id) => i.deleteId(id),
      removeHeld: (id) => i.removeHeld(id),
      get: ([a, l]) => i.get(a, l),
      get size() {
        return i.size;
      },
    };
  },
  pick(rand) {
    const length = 16 + Math.floor(rand() * 17);
    const addr = (Math.floor(rand() * 2048) << 21) >>> 0;
    return [length === 32 ? addr : (addr & (0xffffffff << (32 - length))) >>> 0, length];
  },
  text: ([a, l]) => `${a}/${l}`,
};

const ipv6Family: Family<string> = {
  name: 'IPv6',
  seed: 2027,
  make() {
    const i = new Ipv6PrefixIndex();
    return {
      lookup: (k) => i.lookup(k),
      insertAt: (found, k, id) => i.insertAt(found, k, id),
      insert: (k, id) => i.insert(k, id),
      deleteId: (id) => i.deleteId(id),
      removeHeld: (id) => i.removeHeld(id),
      get: (k) => i.get(k),
      get size() {
        return i.size;
      },
    };
  },
  pick(rand) {
    const bytes = new Uint8Array(16);
    bytes[0] = 0x20;
    bytes[1] = Math.floor(rand() * 256);
    bytes[2] = Math.floor(rand() * 16);
    return prefixKey(2, 16 + Math.floor(rand() * 17), bytes, 0) as string;
  },
  text: (k) => k,
};

/** Removal by id as the RIB does it: ids reused, inserts at lookup's slot, rebuilds, emptied and refilled. */
function removesById<K>(family: Family<K>): void {
  const rand = prng(family.seed);
  const index = family.make();
  const reference = new Map<string, [K, number]>();
  const freeIds: number[] = [];
  let nextId = 0;
  for (let round = 0; round < 4; round++) {
    for (let step = 0; step < 20_000; step++) {
      const k = family.pick(rand);
      const held = reference.get(family.text(k));
      if (rand() < 0.6) {
        const found = index.lookup(k);
        expect(found).to.equal(held?.[1] ?? found);
        if (held) continue;
        expect(found).to.be.below(0);
        const id = freeIds.pop() ?? nextId++;
        // Half through lookup's slot (reused removed slots, rebuilds in between), half by insert.
        if (rand() < 0.5) index.insertAt(found, k, id);
        else index.insert(k, id);
        reference.set(family.text(k), [k, id]);
      } else if (reference.size > 0) {
        // Remove a held prefix by its id, checked or (as the RIB does) not; a stale id (freed, not reused
        // yet) removes nothing.
        const [text, [, id]] = [...reference][Math.floor(rand() * reference.size)]!;
        if (rand() < 0.5) expect(index.deleteId(id)).to.equal(true);
        else index.removeHeld(id);
        expect(index.deleteId(id)).to.equal(false);
        reference.delete(text);
        freeIds.push(id);
      }
      expect(index.size).to.equal(reference.size);
    }
    for (const [k, id] of reference.values()) expect(index.get(k)).to.equal(id);
    // Withdraw everything (the last removal resets the marks), then the next round fills it again.
    // Half checked, half as the RIB does it.
    for (const [n, [text, [, id]]] of [...reference].entries()) {
      if (n % 2 === 0) expect(index.deleteId(id)).to.equal(true);
      else index.removeHeld(id);
      reference.delete(text);
      freeIds.push(id);
    }
    expect(index.size).to.equal(0);
    expect(index.get(family.pick(rand))).to.equal(-1);
  }
}

describe('rde/prefix-index: removal by id, both families', function () {
  for (const family of [ipv4Family, ipv6Family] as Family<unknown>[]) {
    it(`${family.name}: removes by id and inserts at the slot a lookup found, as the RIB does (ids reused), through rebuilds and a table emptied and filled again`, function () {
      removesById(family);
    });
  }

  it('one prefix inserted and removed again and again, the table otherwise empty: found while held, never after', function () {
    const v4 = new Ipv4PrefixIndex();
    const v6 = new Ipv6PrefixIndex();
    const address6 = new Uint8Array(16);
    address6[0] = 0x20;
    for (let i = 0; i < 20000; i++) {
      const addr = ((i % 5000) << 8) >>> 0;
      expect(v4.get(addr, 24)).to.equal(-1);
      v4.insert(addr, 24, i % 7);
      expect(v4.get(addr, 24)).to.equal(i % 7);
      expect(v4.delete(addr, 24)).to.equal(true);
      expect(v4.size).to.equal(0);
      address6[2] = (i % 5000) >> 8;
      address6[3] = i % 256;
      const key = prefixKey(2, 48, address6, 0) as string;
      expect(v6.get(key)).to.equal(-1);
      v6.insert(key, i % 7);
      expect(v6.get(key)).to.equal(i % 7);
      expect(v6.delete(key)).to.equal(true);
      expect(v6.size).to.equal(0);
    }
  });
});
