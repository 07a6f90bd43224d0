// The prefix tables: prefix -> destination id, open-addressing hash tables with linear probing on typed
// arrays (outside the JS heap, no object per entry).
// - IPv4: (address, length), 9 octets a slot and 4 per id (its slot); a full table (about 1M prefixes)
//   costs about 22 MB at the maximum load of one half. A removal marks its slot (found through the id:
//   no lookup, nothing moves); marked slots are dropped when the table is rebuilt, or all at once when it
//   empties. (Backward-shift deletion took a seventh of the time of withdrawing a whole table.)
// - IPv6: the RIB's string key (rib.ts: the length, then the address in 16-bit code units), stored as four
//   32-bit words and the length, 21 octets a slot and 4 per id; a Map of the strings cost several times
//   more per lookup in the daemon (hashing each new key string, chasing entries and strings across the
//   heap). Removal by id marks the slot, as for IPv4 (backward-shift deletion cost a seventh of the CPU of
//   withdrawing the whole IPv6 bench table in-process).

const EMPTY = 0xff;
/** A slot whose prefix was removed (IPv4): lookups go past it, inserts may take it. */
const REMOVED = 0xfe;
const INITIAL_CAPACITY = 1024;
/** Removed marks an emptied table must hold before its slots are cleared (one pass per that many removals). */
const RESET_AFTER_REMOVED = 64;

export class Ipv4PrefixIndex {
  private addrs = new Uint32Array(INITIAL_CAPACITY);
  /** Prefix length per slot; EMPTY marks a free slot, REMOVED one whose prefix was removed. */
  private lengths = new Uint8Array(INITIAL_CAPACITY).fill(EMPTY);
  private ids = new Int32Array(INITIAL_CAPACITY);
  /** The slot of each id held (entries never move but when the table is rebuilt). */
  private slots = new Int32Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private count = 0;
  /** REMOVED slots. */
  private removed = 0;

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

  /**
   * `get` for the prefixes (addrs[k], lens[k]), k < n, into out[0, n), in two passes: the first finds each
   * home slot and reads it, the second probes from the slots it kept. The first pass's reads are
   * independent of each other, so the processor waits for all their cache lines at once, where lookups one
   * by one, each behind other work, waited for each line in turn (a withdrawal carries hundreds of
   * prefixes). Returns what the first pass read (the caller keeps it, so that the reads stay).
   */
  getMany(addrs: Uint32Array, lens: Uint8Array, n: number, out: Int32Array): number {
    const homes = batchSlots(n);
    const mask = this.mask;
    let touched = 0;
    for (let k = 0; k < n; k++) {
      const i = slotOf(addrs[k]!, lens[k]!, mask);
      homes[k] = i;
      touched = (touched + this.lengths[i]! + this.ids[i]! + this.addrs[i]!) | 0;
    }
    for (let k = 0; k < n; k++) out[k] = this.probe(homes[k]!, addrs[k]!, lens[k]!);
    return touched;
  }

  /** `get` from slot `i` on (the prefix's home slot). */
  private probe(i: number, addr: number, length: number): number {
    const { addrs, lengths, mask } = this;
    for (; ; i = (i + 1) & mask) {
      const l = lengths[i]!;
      if (l === EMPTY) return -1;
      if (l === length && addrs[i] === addr) return this.ids[i]!;
    }
  }

  /**
   * The id stored for the prefix, or, when there is none, -1 - the slot a new entry for it would take
   * (`insertAt`): one probe for a lookup that may be followed by an insert.
   */
  lookup(addr: number, length: number): number {
    const { addrs, lengths, mask } = this;
    let free = -1;
    for (let i = slotOf(addr, length, mask); ; i = (i + 1) & mask) {
      const l = lengths[i]!;
      if (l === EMPTY) return -1 - (free < 0 ? i : free);
      if (l === REMOVED) {
        if (free < 0) free = i;
      } else if (l === length && addrs[i] === addr) return this.ids[i]!;
    }
  }

  /** Store `id` (a non-negative integer) for a prefix that `lookup` did not find, with what it returned. */
  insertAt(found: number, addr: number, length: number, id: number): void {
    if ((this.count + this.removed + 1) * 2 > this.mask + 1) {
      this.rebuild();
      found = this.lookup(addr, length); // the slot moved
    }
    this.ensureId(id);
    this.fill(-1 - found, addr, length, id);
    this.count++;
  }

  /** Store `id` (a non-negative integer) for a prefix that is not in the table. */
  insert(addr: number, length: number, id: number): void {
    this.insertAt(this.lookup(addr, length), addr, length, id);
  }

  private ensureId(id: number): void {
    if (id < this.slots.length) return;
    const slots = new Int32Array(Math.max(id + 1, this.slots.length * 2));
    slots.set(this.slots);
    this.slots = slots;
  }

  /**
   * Remove the prefix stored with `id` (from `insert`): its slot is marked, not emptied, so no entry moves
   * and no other lookup is needed. Returns whether the id was held.
   */
  deleteId(id: number): boolean {
    if (id >= this.slots.length) return false;
    const i = this.slots[id]!;
    if (this.ids[i] !== id || this.lengths[i]! >= REMOVED) return false;
    this.lengths[i] = REMOVED;
    this.removedOne();
    return true;
  }

  /**
   * deleteId for an id the caller knows the table holds (the RIB's live flags say so): one store, no
   * load. Checking the slot first read two random cache lines per removal, a sixth of the CPU of
   * withdrawing a whole table; a store waits for nothing.
   */
  removeHeld(id: number): void {
    this.lengths[this.slots[id]!] = REMOVED;
    this.removedOne();
  }

  private removedOne(): void {
    this.count--;
    this.removed++;
    // Emptied after many removals (a whole table withdrawn): start over without the marks. After few (a
    // destination made and dropped alone) the marks stay: clearing every slot each time cost the capacity.
    if (this.count === 0 && this.removed >= RESET_AFTER_REMOVED) {
      this.lengths.fill(EMPTY);
      this.removed = 0;
    }
  }

  /** Remove a prefix; returns whether it was present. */
  delete(addr: number, length: number): boolean {
    const id = this.get(addr, length);
    return id >= 0 && this.deleteId(id);
  }

  /** Put the entry in slot `i` (free or removed: what `lookup` names for a prefix not in the table). */
  private fill(i: number, addr: number, length: number, id: number): void {
    if (this.lengths[i] === REMOVED) this.removed--;
    this.addrs[i] = addr;
    this.lengths[i] = length;
    this.ids[i] = id;
    this.slots[id] = i;
  }

  /** Re-place every entry without the removed marks, in a table twice as large when it is half full. */
  private rebuild(): void {
    const { addrs, lengths, ids } = this;
    const capacity = (this.count + 1) * 4 > this.mask + 1 ? (this.mask + 1) * 2 : this.mask + 1;
    this.addrs = new Uint32Array(capacity);
    this.lengths = new Uint8Array(capacity).fill(EMPTY);
    this.ids = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.removed = 0;
    for (let i = 0; i < lengths.length; i++) {
      const l = lengths[i]!;
      if (l < REMOVED) this.fill(-1 - this.lookup(addrs[i]!, l), addrs[i]!, l, ids[i]!);
    }
  }
}

/** The home slots of a getMany batch (one array for both tables: a batch is used up before the next). */
let batchHomes = new Int32Array(1024);

function batchSlots(n: number): Int32Array {
  if (batchHomes.length < n) batchHomes = new Int32Array(n * 2);
  return batchHomes;
}

/** Home slot of a prefix: a multiplicative hash of address and length. */
function slotOf(addr: number, length: number, mask: number): number {
  let h = Math.imul(addr ^ Math.imul(length, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 13)) & mask;
}

/** Free slot of the IPv6 table (lengths are 0..128). */
const EMPTY6 = 0xff;
/** A slot whose prefix was removed (IPv6), as REMOVED for IPv4. */
const REMOVED6 = 0xfe;

/**
 * The IPv6 prefix table, keyed by the RIB's IPv6 key string (`key.charCodeAt(0)` the length, then up to
 * eight 16-bit code units of address, host bits clear). Removal by id marks the slot, as in
 * Ipv4PrefixIndex.
 */
export class Ipv6PrefixIndex {
  /** Four words of address per slot (code units 1-2, 3-4, 5-6, 7-8 of the key; absent units are 0). */
  private words = new Int32Array(INITIAL_CAPACITY * 4);
  /** Prefix length per slot; EMPTY6 marks a free slot, REMOVED6 one whose prefix was removed. */
  private lengths = new Uint8Array(INITIAL_CAPACITY).fill(EMPTY6);
  private ids = new Int32Array(INITIAL_CAPACITY);
  /** The slot of each id held (entries never move but when the table is rebuilt). */
  private slots = new Int32Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private count = 0;
  /** REMOVED6 slots. */
  private removed = 0;
  /** The free slot (the first removed one on the way, else the empty one that ended it) of the last `find` that missed. */
  private probeEnd = 0;
  /** getMany's scratch: per key its four words and its length. */
  private batch = new Int32Array(5 * 1024);
  /** The key being looked up, as words (set by `load`). */
  private w0 = 0;
  private w1 = 0;
  private w2 = 0;
  private w3 = 0;

  get size(): number {
    return this.count;
  }

  /** The id stored for the prefix `key`, or -1. */
  get(key: string): number {
    const i = this.find(key);
    return i < 0 ? -1 : this.ids[i]!;
  }

  /**
   * `get` for keys[0, n) into out[0, n), each key read once, in two passes as Ipv4PrefixIndex.getMany:
   * the first reads each key's words and its home slot (kept), the second probes. Returns what the first read.
   */
  getMany(keys: readonly string[], n: number, out: Int32Array): number {
    this.batchOf(n);
    let touched = 0;
    for (let k = 0; k < n; k++) {
      const key = keys[k]!;
      this.load(key);
      touched = (touched + this.keep(k, key.charCodeAt(0))) | 0;
    }
    this.probeBatch(n, out);
    return touched;
  }

  /**
   * The id stored for the prefix `key`, or, when there is none, -1 - the slot a new entry for it would
   * take (`insertAt`): one probe for a lookup that may be followed by an insert.
   */
  lookup(key: string): number {
    const i = this.find(key);
    return i >= 0 ? this.ids[i]! : -1 - this.probeEnd;
  }

  /** Store `id` (a non-negative integer) for a prefix that `lookup` did not find, with what it returned. */
  insertAt(found: number, key: string, id: number): void {
    if ((this.count + this.removed + 1) * 2 > this.mask + 1) {
      this.rebuild();
      found = this.lookup(key); // the slot moved
    } else this.load(key);
    if (id >= this.slots.length) {
      const slots = new Int32Array(Math.max(id + 1, this.slots.length * 2));
      slots.set(this.slots);
      this.slots = slots;
    }
    this.fill(-1 - found, key.charCodeAt(0), id);
    this.count++;
  }

  /** Store `id` for a prefix that is not in the table. */
  insert(key: string, id: number): void {
    this.insertAt(this.lookup(key), key, id);
  }

  /**
   * Remove the prefix stored with `id` (from `insert`): its slot is marked, not emptied, so no entry moves
   * and no lookup is needed. Returns whether the id was held.
   */
  deleteId(id: number): boolean {
    if (id >= this.slots.length) return false;
    const i = this.slots[id]!;
    if (this.ids[i] !== id || this.lengths[i]! >= REMOVED6) return false;
    this.lengths[i] = REMOVED6;
    this.removedOne();
    return true;
  }

  /** deleteId for an id the caller knows the table holds: one store, no load (Ipv4PrefixIndex.removeHeld). */
  removeHeld(id: number): void {
    this.lengths[this.slots[id]!] = REMOVED6;
    this.removedOne();
  }

  private removedOne(): void {
    this.count--;
    this.removed++;
    // Emptied after many removals (a whole table withdrawn): start over without the marks. After few (a
    // destination made and dropped alone) the marks stay: clearing every slot each time cost the capacity.
    if (this.count === 0 && this.removed >= RESET_AFTER_REMOVED) {
      this.lengths.fill(EMPTY6);
      this.removed = 0;
    }
  }

  /** Remove a prefix; returns whether it was present. */
  delete(key: string): boolean {
    const i = this.find(key);
    return i >= 0 && this.deleteId(this.ids[i]!);
  }

  /** The slot holding `key`, or -1 (and probeEnd the slot an insert would take). */
  private find(key: string): number {
    this.load(key);
    const length = key.charCodeAt(0);
    return this.probe(slotOf6(this.w0, this.w1, this.w2, this.w3, length, this.mask), length);
  }

  /**
   * getMany for prefixes in wire form: the length octet at bytes[at[k]] and the address octets after it,
   * k < n; the words are those the prefix's key would give (host bits cleared, absent octets 0).
   */
  getManyWire(bytes: Uint8Array, at: Int32Array, n: number, out: Int32Array): number {
    this.batchOf(n);
    let touched = 0;
    for (let k = 0; k < n; k++) {
      const p = at[k]!;
      const length = bytes[p]!;
      this.w0 = wireWord(bytes, p + 1, length, 0);
      this.w1 = wireWord(bytes, p + 1, length, 32);
      this.w2 = wireWord(bytes, p + 1, length, 64);
      this.w3 = wireWord(bytes, p + 1, length, 96);
      touched = (touched + this.keep(k, length)) | 0;
    }
    this.probeBatch(n, out);
    return touched;
  }

  /** Room in the batch scratch (and its home slots) for n prefixes. */
  private batchOf(n: number): void {
    if (this.batch.length < 5 * n) this.batch = new Int32Array(10 * n);
    batchSlots(n);
  }

  /**
   * The batch's first pass for its k-th prefix, the loaded words with `length`: they and the prefix's home
   * slot kept for the second pass, and what the slot holds read (returned, for the caller's sum).
   */
  private keep(k: number, length: number): number {
    const i = slotOf6(this.w0, this.w1, this.w2, this.w3, length, this.mask);
    const b = this.batch;
    const o = k * 5;
    b[o] = this.w0;
    b[o + 1] = this.w1;
    b[o + 2] = this.w2;
    b[o + 3] = this.w3;
    b[o + 4] = length;
    batchHomes[k] = i;
    return this.lengths[i]! + this.ids[i]! + this.words[i * 4]!;
  }

  /** getMany's second pass: each of the batch's n prefixes looked up from its home slot. */
  private probeBatch(n: number, out: Int32Array): void {
    const b = this.batch;
    const homes = batchHomes;
    for (let k = 0; k < n; k++) {
      const o = k * 5;
      this.w0 = b[o]!;
      this.w1 = b[o + 1]!;
      this.w2 = b[o + 2]!;
      this.w3 = b[o + 3]!;
      const i = this.probe(homes[k]!, b[o + 4]!);
      out[k] = i < 0 ? -1 : this.ids[i]!;
    }
  }

  /** `find` of the loaded words with `length`, from slot `i` on (their home slot). */
  private probe(i: number, length: number): number {
    const { words, lengths, mask, w0, w1, w2, w3 } = this;
    let free = -1;
    for (; ; i = (i + 1) & mask) {
      const l = lengths[i]!;
      if (l === EMPTY6) {
        this.probeEnd = free < 0 ? i : free;
        return -1;
      }
      if (l === REMOVED6) {
        if (free < 0) free = i;
        continue;
      }
      // All four words compared at once: with a comparison per word, those past the first ran only
      // when two prefixes shared a first word in a probe, and code optimized before that gave way there.
      const w = i * 4;
      const differ = (words[w]! ^ w0) | (words[w + 1]! ^ w1) | (words[w + 2]! ^ w2) | (words[w + 3]! ^ w3);
      if (l === length && differ === 0) return i;
    }
  }

  /**
   * Read the address words of `key` into w0..w3 (code units past the key's end are 0). Written out: a
   * closure per call for the unit reads made lookups three times slower.
   */
  private load(key: string): void {
    const n = key.length;
    this.w0 = ((n > 1 ? key.charCodeAt(1) : 0) << 16) | (n > 2 ? key.charCodeAt(2) : 0);
    this.w1 = ((n > 3 ? key.charCodeAt(3) : 0) << 16) | (n > 4 ? key.charCodeAt(4) : 0);
    this.w2 = ((n > 5 ? key.charCodeAt(5) : 0) << 16) | (n > 6 ? key.charCodeAt(6) : 0);
    this.w3 = ((n > 7 ? key.charCodeAt(7) : 0) << 16) | (n > 8 ? key.charCodeAt(8) : 0);
  }

  /** Put the loaded words with `length` and `id` in slot `i` (free or removed: what `find` names). */
  private fill(i: number, length: number, id: number): void {
    if (this.lengths[i] === REMOVED6) this.removed--;
    const w = i * 4;
    this.words[w] = this.w0;
    this.words[w + 1] = this.w1;
    this.words[w + 2] = this.w2;
    this.words[w + 3] = this.w3;
    this.lengths[i] = length;
    this.ids[i] = id;
    this.slots[id] = i;
  }

  /** Re-place every entry without the removed marks, in a table twice as large when it is half full. */
  private rebuild(): void {
    const { words, lengths, ids } = this;
    const capacity = (this.count + 1) * 4 > this.mask + 1 ? (this.mask + 1) * 2 : this.mask + 1;
    this.words = new Int32Array(capacity * 4);
    this.lengths = new Uint8Array(capacity).fill(EMPTY6);
    this.ids = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.removed = 0;
    for (let i = 0; i < lengths.length; i++) {
      const l = lengths[i]!;
      if (l >= REMOVED6) continue;
      this.w0 = words[i * 4]!;
      this.w1 = words[i * 4 + 1]!;
      this.w2 = words[i * 4 + 2]!;
      this.w3 = words[i * 4 + 3]!;
      let at = slotOf6(this.w0, this.w1, this.w2, this.w3, l, this.mask);
      while (this.lengths[at] !== EMPTY6) at = (at + 1) & this.mask;
      this.fill(at, l, ids[i]!);
    }
  }
}

/**
 * Address bits [bit, bit + 32) of a prefix of `length` bits whose octets start at bytes[p], as a 32-bit
 * word (the key's two code units there): octets past the prefix's are 0, and so are its host bits.
 */
function wireWord(bytes: Uint8Array, p: number, length: number, bit: number): number {
  if (length <= bit) return 0;
  let w = 0;
  for (let i = 0; i < 4; i++) w = (w << 8) | (bit + 8 * i < length ? bytes[p + (bit >> 3) + i]! : 0);
  return length >= bit + 32 ? w : w & (-1 << (32 - (length - bit)));
}

/** Home slot of an IPv6 prefix: the words and the length mixed multiplicatively. */
function slotOf6(w0: number, w1: number, w2: number, w3: number, length: number, mask: number): number {
  let h = Math.imul(w0 ^ Math.imul(length, 0x9e3779b1), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ w1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ w2, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ w3, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & mask;
}
