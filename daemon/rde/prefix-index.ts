// The IPv4 prefix table: (address, length) -> destination id, an open-addressing hash table with linear
// probing on three typed arrays (9 octets a slot, outside the JS heap, no object per entry). Removal uses
// backward-shift deletion, so there are no tombstones and lookups stay short however much the table churns.
// A full table (about 1M prefixes) costs about 18 MB at the maximum load of one half.

const EMPTY = 0xff;
const INITIAL_CAPACITY = 1024;

export class Ipv4PrefixIndex {
  private addrs = new Uint32Array(INITIAL_CAPACITY);
  /** Prefix length per slot; EMPTY marks a free slot. */
  private lengths = new Uint8Array(INITIAL_CAPACITY).fill(EMPTY);
  private ids = new Int32Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id stored for the prefix, or -1. `addr` has its host bits cleared. */
  get(addr: number, length: number): number {
    const { addrs, lengths, mask } = this;
    for (let i = slotOf(addr, length, mask); ; i = (i + 1) & mask) {
      const l = lengths[i]!;
      if (l === EMPTY) return -1;
      if (l === length && addrs[i] === addr) return this.ids[i]!;
    }
  }

  /** Store `id` for a prefix that is not in the table. */
  insert(addr: number, length: number, id: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    this.place(addr, length, id);
    this.count++;
  }

  /** Remove a prefix; returns whether it was present. */
  delete(addr: number, length: number): boolean {
    const { addrs, lengths, ids, mask } = this;
    let i = slotOf(addr, length, mask);
    for (; ; i = (i + 1) & mask) {
      const l = lengths[i]!;
      if (l === EMPTY) return false;
      if (l === length && addrs[i] === addr) break;
    }
    // Backward-shift deletion: move later entries of the probe run into the hole when their home slot
    // does not lie (cyclically) between the hole and their position.
    let hole = i;
    for (let j = (i + 1) & mask; lengths[j] !== EMPTY; j = (j + 1) & mask) {
      const home = slotOf(addrs[j]!, lengths[j]!, mask);
      const between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (between) continue;
      addrs[hole] = addrs[j]!;
      lengths[hole] = lengths[j]!;
      ids[hole] = ids[j]!;
      hole = j;
    }
    lengths[hole] = EMPTY;
    this.count--;
    return true;
  }

  private place(addr: number, length: number, id: number): void {
    const { lengths, mask } = this;
    let i = slotOf(addr, length, mask);
    while (lengths[i] !== EMPTY) i = (i + 1) & mask;
    this.addrs[i] = addr;
    lengths[i] = length;
    this.ids[i] = id;
  }

  private grow(): void {
    const { addrs, lengths, ids } = this;
    const capacity = (this.mask + 1) * 2;
    this.addrs = new Uint32Array(capacity);
    this.lengths = new Uint8Array(capacity).fill(EMPTY);
    this.ids = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < lengths.length; i++)
      if (lengths[i] !== EMPTY) this.place(addrs[i]!, lengths[i]!, ids[i]!);
  }
}

/** Home slot of a prefix: a multiplicative hash of address and length. */
function slotOf(addr: number, length: number, mask: number): number {
  let h = Math.imul(addr ^ Math.imul(length, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 13)) & mask;
}
