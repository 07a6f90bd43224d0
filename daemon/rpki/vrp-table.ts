// The table of Validated ROA Payloads the RTR client keeps (session.ts changes it, plugins read it through
// the rpki_validate_origin helper) and route origin validation over it (RFC 6811 2). Per family and prefix
// length: a map from the prefix (host bits cleared) to the (max length, AS) pairs of the VRPs with that
// prefix, so that finding the VRPs covering a route looks only at the lengths present (typically 8..24
// for IPv4), and a lookup allocates nothing (an IPv4 prefix is an int32 key). No object per VRP beyond
// its small entry.
import type { Vrp } from './pdu.js';

/** RFC 6811 2: the validation state of a route. */
export type Validity = 'valid' | 'invalid' | 'not-found';

interface Entry {
  readonly maxLength: number;
  readonly asn: number;
}

/** IPv4 key within a length: the address with host bits cleared, as an int32 (a small integer in V8). */
function key4(address: number, length: number): number {
  return length === 0 ? 0 : address & (0xffffffff << (32 - length));
}

/** IPv6 key within a length: the prefix's significant octets (host bits cleared), as a short string. */
function key6(prefix: Uint8Array, length: number): string {
  let key = '';
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
  /** Per prefix length: prefix key -> the VRPs with that prefix (undefined: no VRP of that length). */
  readonly byLength: (Map<K, Entry[]> | undefined)[];
  /** VRPs in this family. */
  size = 0;

  constructor(bits: number) {
    this.byLength = new Array<Map<K, Entry[]> | undefined>(bits + 1).fill(undefined);
  }

  add(key: K, length: number, e: Entry): boolean {
    const map = (this.byLength[length] ??= new Map<K, Entry[]>());
    const list = map.get(key);
    if (list === undefined) map.set(key, [e]);
    else if (list.some((x) => x.maxLength === e.maxLength && x.asn === e.asn)) return false;
    else list.push(e);
    this.size++;
    return true;
  }

  remove(key: K, length: number, e: Entry): boolean {
    const map = this.byLength[length];
    const list = map?.get(key);
    const at = list?.findIndex((x) => x.maxLength === e.maxLength && x.asn === e.asn) ?? -1;
    if (map === undefined || list === undefined || at < 0) return false;
    list.splice(at, 1);
    if (list.length === 0) {
      map.delete(key);
      if (map.size === 0) this.byLength[length] = undefined;
    }
    this.size--;
    return true;
  }

  has(key: K, length: number, e: Entry): boolean {
    return (
      this.byLength[length]?.get(key)?.some((x) => x.maxLength === e.maxLength && x.asn === e.asn) ?? false
    );
  }

  clear(): void {
    this.byLength.fill(undefined);
    this.size = 0;
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
    return v.ipv6
      ? this.v6.has(key6(v.prefix, v.length), v.length, e)
      : this.v4.has(key4(u32(v.prefix), v.length), v.length, e);
  }

  /** Every VRP (for diffs and dumps), in no particular order. */
  *entries(): Generator<Vrp> {
    for (let length = 0; length <= 32; length++)
      for (const [key, list] of this.v4.byLength[length] ?? []) {
        const a = key >>> 0;
        const prefix = new Uint8Array([a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255]);
        for (const e of list) yield { ipv6: false, prefix, length, maxLength: e.maxLength, asn: e.asn };
      }
    for (let length = 0; length <= 128; length++)
      for (const [key, list] of this.v6.byLength[length] ?? []) {
        const prefix = new Uint8Array(16);
        for (let i = 0; i < key.length; i++) prefix[i] = key.charCodeAt(i);
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
      const byLength = this.v4.byLength;
      const address = u32(prefix);
      for (let l = Math.min(length, 32); l >= 0; l--) {
        const list = byLength[l]?.get(key4(address, l));
        if (list === undefined) continue;
        if (matches(list, length, origin)) return 'valid';
        covered = true;
      }
    } else {
      const byLength = this.v6.byLength;
      for (let l = Math.min(length, 128); l >= 0; l--) {
        const map = byLength[l];
        const list = map === undefined ? undefined : map.get(key6(prefix, l));
        if (list === undefined) continue;
        if (matches(list, length, origin)) return 'valid';
        covered = true;
      }
    }
    return covered ? 'invalid' : 'not-found';
  }

  /** Whether some VRP prefix in the table covers `prefix`/`length` (its routes' validity depends on it). */
  covers(ipv6: boolean, prefix: Uint8Array, length: number): boolean {
    if (!ipv6) {
      const address = u32(prefix);
      for (let l = Math.min(length, 32); l >= 0; l--)
        if (this.v4.byLength[l]?.has(key4(address, l))) return true;
      return false;
    }
    for (let l = Math.min(length, 128); l >= 0; l--) {
      const map = this.v6.byLength[l];
      if (map !== undefined && map.has(key6(prefix, l))) return true;
    }
    return false;
  }

  clear(): void {
    this.v4.clear();
    this.v6.clear();
  }
}
