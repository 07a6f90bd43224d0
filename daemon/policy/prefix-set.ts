// A set of prefix-list entries (prefix + [ge, le] length range) of one address family, asked "does this
// route prefix match any entry?" on wire bytes without allocating. Short lists are scanned; longer ones
// (IRR-generated lists run to thousands of entries) go into a binary trie on the address bits, so one
// lookup costs at most one step per bit of the route's prefix, whatever the list length.

export interface PrefixEntry {
  /** Network-order address octets (4 or 16). */
  address: Uint8Array;
  length: number;
  ge: number;
  le: number;
}

export interface PrefixSet {
  /** Whether a prefix of `prefixLength` bits at `bytes[offset..]` (wire form) matches an entry. */
  matches(bytes: Uint8Array, offset: number, prefixLength: number): boolean;
}

/** Above this many entries a trie beats the scan. */
const scanLimit = 8;

export function prefixSet(entries: readonly PrefixEntry[]): PrefixSet {
  return entries.length <= scanLimit ? new ScannedPrefixes(entries) : new PrefixTrie(entries);
}

/** Whether the first `length` bits of `bytes` from `offset` equal those of `address`. */
export function coversBits(address: Uint8Array, length: number, bytes: Uint8Array, offset: number): boolean {
  const whole = length >> 3;
  for (let i = 0; i < whole; i++) if (bytes[offset + i] !== address[i]) return false;
  const rest = length & 7;
  if (rest === 0) return true;
  const mask = (0xff00 >> rest) & 0xff;
  return ((bytes[offset + whole]! ^ address[whole]!) & mask) === 0;
}

class ScannedPrefixes implements PrefixSet {
  private readonly entries: PrefixEntry[];

  constructor(entries: readonly PrefixEntry[]) {
    this.entries = entries.map((e) => ({ address: e.address, length: e.length, ge: e.ge, le: e.le }));
  }

  matches(bytes: Uint8Array, offset: number, prefixLength: number): boolean {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      // Only prefixes at least as long as the entry can lie inside it (ge >= length), so the wire
      // octets read by coversBits exist.
      if (prefixLength < e.ge || prefixLength > e.le) continue;
      if (coversBits(e.address, e.length, bytes, offset)) return true;
    }
    return false;
  }
}

/**
 * Node n has children zero[n] / one[n] (0 = none; node 0 is the root, never a child) and, when entries end
 * there, their [ge, le] ranges as pairs in ranges[n]. A lookup walks the route's bits from the root and
 * checks the ranges of every node on the way: those are exactly the entries whose prefix covers the route.
 */
class PrefixTrie implements PrefixSet {
  private readonly zero: number[] = [0];
  private readonly one: number[] = [0];
  private readonly ranges: (number[] | undefined)[] = [undefined];
  /** The longest entry prefix: no need to walk deeper. */
  private depth = 0;

  constructor(entries: readonly PrefixEntry[]) {
    for (const e of entries) this.insert(e);
  }

  private insert(e: PrefixEntry): void {
    let node = 0;
    for (let bit = 0; bit < e.length; bit++) {
      const side = (e.address[bit >> 3]! >> (7 - (bit & 7))) & 1 ? this.one : this.zero;
      let next = side[node]!;
      if (next === 0) {
        next = this.zero.length;
        this.zero.push(0);
        this.one.push(0);
        this.ranges.push(undefined);
        side[node] = next;
      }
      node = next;
    }
    (this.ranges[node] ??= []).push(e.ge, e.le);
    if (e.length > this.depth) this.depth = e.length;
  }

  matches(bytes: Uint8Array, offset: number, prefixLength: number): boolean {
    const last = prefixLength < this.depth ? prefixLength : this.depth;
    let node = 0;
    for (let bit = 0; ; bit++) {
      const r = this.ranges[node];
      if (r !== undefined) {
        for (let k = 0; k < r.length; k += 2)
          if (prefixLength >= r[k]! && prefixLength <= r[k + 1]!) return true;
      }
      // An entry longer than the route cannot cover it; reading stops within the route's wire octets.
      if (bit >= last) return false;
      const set = (bytes[offset + (bit >> 3)]! >> (7 - (bit & 7))) & 1;
      node = set ? this.one[node]! : this.zero[node]!;
      if (node === 0) return false;
    }
  }
}
