// A map from IPv4 prefix keys (address * 64 + length, bench/lib/monitor.ts) to numbers, as an
// open-addressing hash on two Float64Arrays. The monitors of a benchmark hold millions of prefixes between
// them; in a Set or Map every key above 2^31 is a heap number, and the collector's passes over millions
// of them stalled the bench process for seconds, which then read as silences of the device under test.
// Here nothing is allocated per prefix.

const EMPTY = 0;
const DELETED = -1;

export class PrefixTable {
  /** key + 1 per slot (EMPTY: free, DELETED: a removed entry the probe goes past). */
  private keys: Float64Array;
  private values: Float64Array;
  private mask: number;
  /** Slots not EMPTY (entries and tombstones). */
  private used = 0;
  /** Entries. */
  size = 0;

  constructor(capacity = 1024) {
    let slots = 1024;
    while (slots < capacity * 2) slots *= 2;
    this.keys = new Float64Array(slots);
    this.values = new Float64Array(slots);
    this.mask = slots - 1;
  }

  private static hash(key: number): number {
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296);
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 13)) >>> 0;
  }

  /** The slot holding `key`, or -1. */
  private find(key: number): number {
    const want = key + 1;
    for (let i = PrefixTable.hash(key) & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i]!;
      if (k === want) return i;
      if (k === EMPTY) return -1;
    }
  }

  has(key: number): boolean {
    return this.find(key) >= 0;
  }

  get(key: number): number | undefined {
    const i = this.find(key);
    return i < 0 ? undefined : this.values[i];
  }

  /** Add `key` (or change its value). */
  set(key: number, value = 0): void {
    const want = key + 1;
    let free = -1;
    let i = PrefixTable.hash(key) & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      const k = this.keys[i]!;
      if (k === want) {
        this.values[i] = value;
        return;
      }
      if (k === DELETED && free < 0) free = i;
      if (k === EMPTY) break;
    }
    if (free < 0) {
      free = i;
      this.used++;
    }
    this.keys[free] = want;
    this.values[free] = value;
    this.size++;
    if (this.used * 2 > this.keys.length) this.resize();
  }

  /** Remove `key`; whether it was there. */
  delete(key: number): boolean {
    const i = this.find(key);
    if (i < 0) return false;
    this.keys[i] = DELETED;
    this.size--;
    return true;
  }

  /** Every entry, in no particular order. */
  forEach(fn: (value: number, key: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i]!;
      if (k !== EMPTY && k !== DELETED) fn(this.values[i]!, k - 1);
    }
  }

  private resize(): void {
    const keys = this.keys;
    const values = this.values;
    // Grow when mostly entries; rebuild at the same size when mostly tombstones.
    const slots = this.size * 4 > keys.length ? keys.length * 2 : keys.length;
    this.keys = new Float64Array(slots);
    this.values = new Float64Array(slots);
    this.mask = slots - 1;
    this.used = 0;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k !== EMPTY && k !== DELETED) this.set(k - 1, values[i]);
    }
  }
}
