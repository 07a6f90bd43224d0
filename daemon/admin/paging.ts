// Prefixes in the admin API: a prefix parameter parsed into the RIB's key (a 400 naming the field when it
// is not a prefix of the family), and pages of prefix-ordered entries with a cursor (the last prefix of a
// page; the next page starts after it). The rows of one prefix (ADD-PATH) never straddle two pages.
import { addressBytes, parsePrefix } from '../net/address.js';
import { familyAfi } from '../net/family.js';
import type { Family } from '../config/types.js';
import { comparePrefixKeys, formatKey, prefixKey, writePrefix, type PrefixKey } from '../rde/rib.js';
import { InvalidField } from './schemas.js';

/** The RIB key of `text` ("10.0.0.0/24"), or InvalidField(`field`). */
export function prefixParam(text: string, family: Family, field: string): PrefixKey {
  const parsed = parsePrefix(text);
  if (typeof parsed === 'string') throw new InvalidField(field, parsed);
  if (parsed.family !== family) throw new InvalidField(field, `'${text}' is not an ${family} prefix`);
  return prefixKey(familyAfi(family), parsed.length, addressBytes(parsed.address), 0);
}

export interface Page<T> {
  entries: T[];
  /** The cursor of the next page; undefined on the last. */
  next?: string;
}

/** Sort `rows` by prefix, skip those up to `cursor`, take `limit` prefixes' rows. */
export function pageOf<T>(
  rows: { key: PrefixKey; row: T }[],
  family: Family,
  cursor: string | undefined,
  limit: number,
): Page<T> {
  const after = cursor === undefined ? undefined : prefixParam(cursor, family, 'query.cursor');
  const sorted = rows
    .filter((r) => after === undefined || comparePrefixKeys(r.key, after) > 0)
    .sort((a, b) => comparePrefixKeys(a.key, b.key));
  const entries: T[] = [];
  let prefixes = 0;
  let last: PrefixKey | undefined;
  for (const r of sorted) {
    if (r.key !== last) {
      if (prefixes === limit) return { entries, next: formatKey(last!) };
      prefixes++;
      last = r.key;
    }
    entries.push(r.row);
  }
  return { entries };
}

/** Whether `inner` lies within `outer` (same family): outer's length is not longer and its bits match. */
export function covers(outer: PrefixKey, inner: PrefixKey): boolean {
  const a = new Uint8Array(17);
  const b = new Uint8Array(17);
  writePrefix(outer, a, 0);
  writePrefix(inner, b, 0);
  const length = a[0]!;
  if (b[0]! < length) return false;
  for (let bit = 0; bit < length; bit += 8) {
    const i = 1 + (bit >> 3);
    const bits = Math.min(8, length - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}
