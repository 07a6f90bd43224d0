// The attribute store's table of sets: open addressing with linear probing over a typed array of hashes
// and an array of the sets, looked up by the octets a KeyWriter just wrote (no key string is made for a
// set already held: most UPDATEs of a table carry a set seen before) or by a key string. The hash is
// FNV-1a over the key's octets (one per character). A set keeps its hash (`AttrSet.hash`): removal finds
// its slot from there without hashing and marks it (nothing moves); marks go when the table is rebuilt or
// empties. A rebuild moves hashes and sets between the arrays without touching the sets (keeping each
// set's slot in the set had it write to every set, a cache miss each). A Map of the key strings did the
// same with a new string and its hash per lookup.
import type { AttrSet } from './attr-store.js';

const INITIAL_CAPACITY = 1024;

/** FNV-1a over bytes[0, n). */
export function hashBytes(bytes: Uint8Array, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h;
}

/** FNV-1a over a key's characters (octets): equal to hashBytes of the same octets. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h;
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
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private sets: (AttrSet | undefined)[] = new Array<AttrSet | undefined>(INITIAL_CAPACITY).fill(undefined);
  private mask = INITIAL_CAPACITY - 1;
  private count = 0;
  /** REMOVED slots. */
  private removed = 0;

  get size(): number {
    return this.count;
  }

  /** The set whose key is bytes[0, n) (hash `h`), if held. */
  findOctets(bytes: Uint8Array, n: number, h: number): AttrSet | undefined {
    const { hashes, sets, mask } = this;
    for (let i = slotOf(h, mask); ; i = (i + 1) & mask) {
      const s = sets[i];
      if (s === undefined) return undefined;
      if (hashes[i] === h && s !== REMOVED && sameOctets(s.key, bytes, n)) return s;
    }
  }

  /** The set whose key is `key` (hash `h`), if held. */
  findKey(key: string, h: number): AttrSet | undefined {
    const { hashes, sets, mask } = this;
    for (let i = slotOf(h, mask); ; i = (i + 1) & mask) {
      const s = sets[i];
      if (s === undefined) return undefined;
      if (hashes[i] === h && s !== REMOVED && s.key === key) return s;
    }
  }

  /** Hold `set` (its key not held yet), whose key hashes to `h`. */
  add(set: AttrSet, h: number): void {
    if ((this.count + this.removed + 1) * 2 > this.mask + 1) this.rebuild();
    set.hash = h;
    this.place(set, h);
    this.count++;
  }

  /** Stop holding `set` (this object: another with the same key stays); whether it was held. */
  remove(set: AttrSet): boolean {
    const { sets, mask } = this;
    let i = slotOf(set.hash, mask);
    for (; sets[i] !== set; i = (i + 1) & mask) if (sets[i] === undefined) return false;
    sets[i] = REMOVED;
    this.count--;
    this.removed++;
    // Emptied (a whole table withdrawn): start over without the marks.
    if (this.count === 0) {
      this.sets.fill(undefined);
      this.removed = 0;
    }
    return true;
  }

  private place(set: AttrSet, h: number): void {
    const { sets, mask } = this;
    let i = slotOf(h, mask);
    // The key is not held: the first free or removed slot of its run takes it.
    while (sets[i] !== undefined && sets[i] !== REMOVED) i = (i + 1) & mask;
    if (sets[i] === REMOVED) this.removed--;
    sets[i] = set;
    this.hashes[i] = h;
  }

  /** Re-place every set without the removed marks, in a table twice as large when it is half full. */
  private rebuild(): void {
    const { hashes, sets } = this;
    const capacity = (this.count + 1) * 4 > this.mask + 1 ? (this.mask + 1) * 2 : this.mask + 1;
    this.hashes = new Int32Array(capacity);
    this.sets = new Array<AttrSet | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.removed = 0;
    for (let i = 0; i < sets.length; i++) {
      const s = sets[i];
      if (s !== undefined && s !== REMOVED) this.place(s, hashes[i]!);
    }
  }
}

/** Home slot of a hash (its bits mixed once more: FNV's low bits alone are weak). */
function slotOf(h: number, mask: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) & mask;
}
