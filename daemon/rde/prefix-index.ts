// The IPv4 prefix table: (address, length) -> destination id, an open-addressing hash table with linear
// probing on one Int32Array (two words a slot: the address, and id * 64 + length + 1 with 0 for a free
// slot), so a probe touches one cache line and nothing lives on the JS heap per entry. Removal uses
// backward-shift deletion, so there are no tombstones and lookups stay short however much the table churns.
// A full table (about 1M prefixes) costs about 16 MB at the maximum load of one half.

const INITIAL_SLOTS = 1024;
/** Ids are stored in the upper 26 bits of a word. */
export const MAX_PREFIX_ID = 2 ** 25 - 1;

export class Ipv4PrefixIndex {
  /** slot i: words[2i] = address (as int32), words[2i + 1] = id * 64 + length + 1, or 0 when free. */
  private words = new Int32Array(INITIAL_SLOTS * 2);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id stored for the prefix, or -1. `addr` has its host bits cleared. */
  get(addr: number, length: number): number {
    const { words, mask } = this;
    const a = addr | 0;
    for (let i = slotOf(a, length, mask); ; i = (i + 1) & mask) {
      const meta = words[2 * i + 1]!;
      if (meta === 0) return -1;
      if ((meta & 63) === length + 1 && words[2 * i] === a) return meta >>> 6;
    }
  }

  /** Store `id` (at most MAX_PREFIX_ID) for a prefix that is not in the table. */
  insert(addr: number, length: number, id: number): void {
    if (id > MAX_PREFIX_ID) throw new RangeError(`prefix table: id ${id} above ${MAX_PREFIX_ID}`);
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    this.place(addr | 0, id * 64 + length + 1);
    this.count++;
  }

  /** Remove a prefix; returns whether it was present. */
  delete(addr: number, length: number): boolean {
    const { words, mask } = this;
    const a = addr | 0;
    let i = slotOf(a, length, mask);
    for (; ; i = (i + 1) & mask) {
      const meta = words[2 * i + 1]!;
      if (meta === 0) return false;
      if ((meta & 63) === length + 1 && words[2 * i] === a) break;
    }
    // Backward-shift deletion: move later entries of the probe run into the hole when their home slot
    // does not lie (cyclically) between the hole and their position.
    let hole = i;
    for (let j = (i + 1) & mask; words[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = slotOf(words[2 * j]!, (words[2 * j + 1]! & 63) - 1, mask);
      const between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (between) continue;
      words[2 * hole] = words[2 * j]!;
      words[2 * hole + 1] = words[2 * j + 1]!;
      hole = j;
    }
    words[2 * hole + 1] = 0;
    this.count--;
    return true;
  }

  private place(a: number, meta: number): void {
    const { words, mask } = this;
    let i = slotOf(a, (meta & 63) - 1, mask);
    while (words[2 * i + 1] !== 0) i = (i + 1) & mask;
    words[2 * i] = a;
    words[2 * i + 1] = meta;
  }

  private grow(): void {
    const old = this.words;
    const slots = (this.mask + 1) * 2;
    this.words = new Int32Array(slots * 2);
    this.mask = slots - 1;
    for (let i = 1; i < old.length; i += 2) if (old[i] !== 0) this.place(old[i - 1]!, old[i]!);
  }
}

/** Home slot of a prefix: a multiplicative hash of address and length. */
function slotOf(addr: number, length: number, mask: number): number {
  let h = Math.imul(addr ^ Math.imul(length, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 13)) & mask;
}
