// The attribute store's table of sets: open addressing with linear probing over a typed array of hashes
// and an array of the sets, looked up by the octets a KeyWriter just wrote (no key string is made for a
// set already held: most UPDATEs of a table carry a set seen before) or by a key string. The hash is
// MurmurHash3 over the key's octets (one per character), four at a time. A slot's hash is 0 while it is
// empty (no key hashes to 0), so a lookup walks the typed array of hashes and reads a set only where the
// hash matches. A set knows its slot (`AttrSet.slot`): removal marks that slot with two stores and no
// load (finding it again by the set's hash read two random cache lines per set, a tenth of the CPU of
// withdrawing a whole table); marks go when the table is rebuilt or empties. A rebuild moves hashes and
// sets between the arrays and stores each set's new slot. A Map of the key strings did the same with a
// new string and its hash per lookup.
import type { AttrSet } from './attr-store.js';

const INITIAL_CAPACITY = 1024;
/**
 * Removed marks an emptied table must hold before it starts over (`remove`): the new arrays then cost
 * at most INITIAL_CAPACITY / RESET_AFTER_REMOVED slots per removal.
 */
const RESET_AFTER_REMOVED = 64;

/**
 * MurmurHash3 (x86, 32-bit) of bytes[0, n): four octets a step (little-endian words), then the tail and
 * the final mix. Never 0 (0 marks an empty slot of the table).
 */
export function hashBytes(bytes: Uint8Array, n: number): number {
  let h = HASH_SEED;
  let i = 0;
  for (; i + 4 <= n; i += 4)
    h = mixWord(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  let tail = 0;
  for (let shift = 0; i < n; i++, shift += 8) tail |= bytes[i]! << shift;
  return finish(h, tail, n);
}

/** hashBytes of a key's characters (one octet each). */
export function hashKey(key: string): number {
  const n = key.length;
  let h = HASH_SEED;
  let i = 0;
  for (; i + 4 <= n; i += 4)
    h = mixWord(
      h,
      key.charCodeAt(i) |
        (key.charCodeAt(i + 1) << 8) |
        (key.charCodeAt(i + 2) << 16) |
        (key.charCodeAt(i + 3) << 24),
    );
  let tail = 0;
  for (let shift = 0; i < n; i++, shift += 8) tail |= key.charCodeAt(i) << shift;
  return finish(h, tail, n);
}

const HASH_SEED = 0x9747b28c;

function scramble(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function mixWord(h: number, word: number): number {
  h ^= scramble(word);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The tail's octets (fewer than four; 0 when none) and the length mixed in; never 0. */
function finish(h: number, tail: number, n: number): number {
  if ((n & 3) !== 0) h ^= scramble(tail);
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h === 0 ? 1 : h;
}

/** Whether `key` holds exactly the octets bytes[0, n). */
function sameOctets(key: string, bytes: Uint8Array, n: number): boolean {
  if (key.length !== n) return false;
  for (let i = 0; i < n; i++) if (key.charCodeAt(i) !== bytes[i]) return false;
  return true;
}

/** The mark of a slot whose set was removed: lookups go past it, adds may take it. */
const REMOVED = { key: '' } as AttrSet;

export class SetTable {
  // Set by `allocate` (declared without a class field, so the object never holds them undefined).
  declare private hashes: Int32Array;
  declare private sets: (AttrSet | undefined)[];
  declare private mask: number;
  private count = 0;
  /** REMOVED slots. */
  private removed = 0;

  constructor() {
    this.allocate(INITIAL_CAPACITY);
  }

  get size(): number {
    return this.count;
  }

  /** The set whose key is bytes[0, n) (hash `h`), if held. */
  findOctets(bytes: Uint8Array, n: number, h: number): AttrSet | undefined {
    const { hashes, sets, mask } = this;
    // The hashes alone until one matches (an empty slot's is 0): the sets are read only for a candidate.
    for (let i = slotOf(h, mask); ; i = (i + 1) & mask) {
      const slotHash = hashes[i]!;
      if (slotHash === 0) return undefined;
      if (slotHash !== h) continue;
      const s = sets[i]!;
      if (s !== REMOVED && sameOctets(s.key, bytes, n)) return s;
    }
  }

  /** The set whose key is `key` (hash `h`), if held. */
  findKey(key: string, h: number): AttrSet | undefined {
    const { hashes, sets, mask } = this;
    for (let i = slotOf(h, mask); ; i = (i + 1) & mask) {
      const slotHash = hashes[i]!;
      if (slotHash === 0) return undefined;
      if (slotHash !== h) continue;
      const s = sets[i]!;
      if (s !== REMOVED && s.key === key) return s;
    }
  }

  /** Hold `set` (its key not held yet), whose key hashes to `h`. */
  add(set: AttrSet, h: number): void {
    if ((this.count + this.removed + 1) * 2 > this.mask + 1) this.rebuild();
    set.slot = this.place(set, h);
    this.count++;
  }

  /** Stop holding `set` (this object: another with the same key stays); whether it was held. */
  remove(set: AttrSet): boolean {
    const i = set.slot;
    if (!(i >= 0)) return false;
    // The hash stays: a removed slot is not an empty one (lookups go past it).
    this.sets[i] = REMOVED;
    set.slot = -1;
    this.count--;
    this.removed++;
    // Emptied after many removals (a whole table withdrawn): start over, small and without the marks.
    // After few (a set interned and released alone, UPDATE after UPDATE: a family the peer may not
    // send) the marks stay; clearing the whole table each time made every such UPDATE cost its capacity.
    if (this.count === 0 && this.removed >= RESET_AFTER_REMOVED) this.allocate(INITIAL_CAPACITY);
    return true;
  }

  /** Slots (free or not): the table's size in memory. */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Empty slots of `capacity` (a power of two), no marks; the sets held are placed again by the caller. */
  private allocate(capacity: number): void {
    this.hashes = new Int32Array(capacity);
    this.sets = new Array<AttrSet | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.removed = 0;
  }

  /** Put `set` in the first free or removed slot of its run; that slot. */
  private place(set: AttrSet, h: number): number {
    const { hashes, sets, mask } = this;
    let i = slotOf(h, mask);
    // The key is not held: the first free or removed slot of its run takes it.
    while (hashes[i] !== 0 && sets[i] !== REMOVED) i = (i + 1) & mask;
    if (sets[i] === REMOVED) this.removed--;
    sets[i] = set;
    hashes[i] = h;
    return i;
  }

  /**
   * Re-place every set without the removed marks, in a table twice as large when it is half full. A set
   * is written to only when its slot changed (in order, many keep theirs): a store per set, each to a
   * different cache line, doubled the rebuilds' time.
   */
  private rebuild(): void {
    const { hashes, sets } = this;
    this.allocate((this.count + 1) * 4 > this.mask + 1 ? (this.mask + 1) * 2 : this.mask + 1);
    for (let i = 0; i < sets.length; i++) {
      const s = sets[i];
      if (s === undefined || s === REMOVED) continue;
      const at = this.place(s, hashes[i]!);
      if (at !== i) s.slot = at;
    }
  }
}

/** Home slot of a hash (its bits mixed once more: FNV's low bits alone are weak). */
function slotOf(h: number, mask: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) & mask;
}
