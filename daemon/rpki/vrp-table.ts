// The table of Validated ROA Payloads the RTR client keeps (session.ts changes it, plugins read it through
// the rpki_validate_origin helper) and route origin validation over it (RFC 6811 2). Per family: a map
// from a prefix key to the (max length, AS) pairs of the VRPs with that prefix, and a count of prefixes
// per prefix length, so that finding the VRPs covering a route looks only at the lengths present
// (typically 8..24 for IPv4). No object per VRP beyond its small entry.
import type { Vrp } from './pdu.js';

/** RFC 6811 2: the validation state of a route. */
export type Validity = 'valid' | 'invalid' | 'not-found';

interface Entry {
  readonly maxLength: number;
  readonly asn: number;
}

/** IPv4 key: the address with host bits cleared (a u32) * 64 + length: exact in a double. */
function key4(address: number, length: number): number {
  return (length === 0 ? 0 : (address & (0xffffffff << (32 - length))) >>> 0) * 64 + length;
}

/** IPv6 key: the length and the prefix's significant octets (host bits cleared), as a short string. */
function key6(prefix: Uint8Array, length: number): string {
  let key = String.fromCharCode(length);
  const octets = (length + 7) >> 3;
  for (let i = 0; i < octets; i++) {
    const bits = length - i * 8;
    key += String.fromCharCode(bits >= 8 ? prefix[i]! : prefix[i]! & ((0xff << (8 - bits)) & 0xff));
  }
  return key;
}

function u32(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

class FamilyTable<K> {
  readonly byPrefix = new Map<K, Entry[]>();
  /** Prefixes (keys) per prefix length. */
  readonly perLength: Int32Array;
  /** VRPs in this family. */
  size = 0;

  constructor(bits: number) {
    this.perLength = new Int32Array(bits + 1);
  }

  add(key: K, length: number, e: Entry): boolean {
    const list = this.byPrefix.get(key);
    if (list === undefined) {
      this.byPrefix.set(key, [e]);
      this.perLength[length]!++;
    } else if (list.some((x) => x.maxLength === e.maxLength && x.asn === e.asn)) return false;
    else list.push(e);
    this.size++;
    return true;
  }

  remove(key: K, length: number, e: Entry): boolean {
    const list = this.byPrefix.get(key);
    const at = list?.findIndex((x) => x.maxLength === e.maxLength && x.asn === e.asn) ?? -1;
    if (list === undefined || at < 0) return false;
    list.splice(at, 1);
    if (list.length === 0) {
      this.byPrefix.delete(key);
      this.perLength[length]!--;
    }
    this.size--;
    return true;
  }

  has(key: K, e: Entry): boolean {
    return this.byPrefix.get(key)?.some((x) => x.maxLength === e.maxLength && x.asn === e.asn) ?? false;
  }
}

/** RFC 6811 2, over the entries of one covering prefix: 1 matched, 0 covered only. */
function matches(list: readonly Entry[], length: number, origin: number): boolean {
  // "Matched: ... the Route Origin ASN is not NONE, ... equal to the VRP ASN, and the Route prefix
  // length is less than or equal to the VRP maximum length." NONE is 0 here (AS 0 never originates,
  // RFC 7607), so a VRP for AS 0 (RFC 6483 4) matches nothing.
  if (origin === 0) return false;
  for (const e of list) if (e.asn === origin && length <= e.maxLength) return true;
  return false;
}

export class VrpTable {
  private readonly v4 = new FamilyTable<number>(32);
  private readonly v6 = new FamilyTable<string>(128);

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /** Add a VRP; false when the table holds it already. */
  add(v: Vrp): boolean {
    const e = { maxLength: v.maxLength, asn: v.asn };
    return v.ipv6
      ? this.v6.add(key6(v.prefix, v.length), v.length, e)
      : this.v4.add(key4(u32(v.prefix), v.length), v.length, e);
  }

  /** Remove a VRP; false when the table does not hold it. */
  remove(v: Vrp): boolean {
    const e = { maxLength: v.maxLength, asn: v.asn };
    return v.ipv6
      ? this.v6.remove(key6(v.prefix, v.length), v.length, e)
      : this.v4.remove(key4(u32(v.prefix), v.length), v.length, e);
  }

  has(v: Vrp): boolean {
    const e = { maxLength: v.maxLength, asn: v.asn };
    return v.ipv6 ? this.v6.has(key6(v.prefix, v.length), e) : this.v4.has(key4(u32(v.prefix), v.length), e);
  }

  /** Every VRP (for diffs and dumps), in no particular order. */
  *entries(): Generator<Vrp> {
    for (const [key, list] of this.v4.byPrefix) {
      const length = key % 64;
      const a = (key - length) / 64;
      const prefix = new Uint8Array([a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255]);
      for (const e of list) yield { ipv6: false, prefix, length, maxLength: e.maxLength, asn: e.asn };
    }
    for (const [key, list] of this.v6.byPrefix) {
      const length = key.charCodeAt(0);
      const prefix = new Uint8Array(16);
      for (let i = 1; i < key.length; i++) prefix[i - 1] = key.charCodeAt(i);
      for (const e of list) yield { ipv6: true, prefix, length, maxLength: e.maxLength, asn: e.asn };
    }
  }

  /**
   * RFC 6811 2: the validation state of a route for `prefix`/`length` with origin AS `origin` (0 for
   * NONE: an AS_PATH ending with an AS_SET). "Valid": some covering VRP matches; "Invalid": at least
   * one VRP covers the prefix, none matches; "NotFound": no VRP covers it.
   */
  validate(ipv6: boolean, prefix: Uint8Array, length: number, origin: number): Validity {
    let covered = false;
    if (!ipv6) {
      const t = this.v4;
      const address = u32(prefix);
      for (let l = Math.min(length, 32); l >= 0; l--) {
        if (t.perLength[l] === 0) continue;
        const list = t.byPrefix.get(key4(address, l));
        if (list === undefined) continue;
        if (matches(list, length, origin)) return 'valid';
        covered = true;
      }
    } else {
      const t = this.v6;
      for (let l = Math.min(length, 128); l >= 0; l--) {
        if (t.perLength[l] === 0) continue;
        const list = t.byPrefix.get(key6(prefix, l));
        if (list === undefined) continue;
        if (matches(list, length, origin)) return 'valid';
        covered = true;
      }
    }
    return covered ? 'invalid' : 'not-found';
  }

  /** Whether some VRP prefix in the table covers `prefix`/`length` (its routes' validity depends on it). */
  covers(ipv6: boolean, prefix: Uint8Array, length: number): boolean {
    const t = ipv6 ? this.v6 : this.v4;
    const address = ipv6 ? 0 : u32(prefix);
    for (let l = Math.min(length, ipv6 ? 128 : 32); l >= 0; l--) {
      if (t.perLength[l] === 0) continue;
      if (ipv6 ? this.v6.byPrefix.has(key6(prefix, l)) : this.v4.byPrefix.has(key4(address, l))) return true;
    }
    return false;
  }

  clear(): void {
    for (const t of [this.v4, this.v6] as FamilyTable<unknown>[]) {
      t.byPrefix.clear();
      t.perLength.fill(0);
      t.size = 0;
    }
  }
}
