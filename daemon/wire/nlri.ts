// Prefix (NLRI) codec for IPv4 and IPv6 unicast/multicast, with RFC 7911 ADD-PATH path identifiers.
// Prefixes stay in wire form: a decoded `NlriBlock` is a subarray of the message plus a count, validated
// once at decode time. `forEachPrefix` walks a block without allocating per prefix; the formatting and
// building helpers (strings, objects) are separate and meant for tests, logs and the CLI.
//
// RFC 4271 4.3 / RFC 7911 3, one prefix:
//   +--------------------------------+
//   | Path Identifier (4 octets)     |   only when ADD-PATH is received for the family
//   +--------------------------------+
//   | Length (1 octet, in bits)      |
//   +--------------------------------+
//   | Prefix (ceil(Length/8) octets) |
//   +--------------------------------+
import { getU32 } from './reader.js';
import { Afi } from './iana.js';
import { formatAddress, parseIpv4, parseIpv6 } from '../net/address.js';

export interface NlriBlock {
  afi: number;
  safi: number;
  /** Whether each prefix is preceded by a 4-octet path identifier (RFC 7911). */
  addPath: boolean;
  /** The prefixes as on the wire (a subarray of the message, not a copy). */
  bytes: Uint8Array;
  /** Number of prefixes; -1 when the family's NLRI is kept opaque (not IPv4/IPv6 unicast or multicast). */
  count: number;
}

/** Whether we parse this family's NLRI (IPv4/IPv6 unicast and multicast); other families stay opaque. */
export function isPrefixFamily(afi: number, safi: number): boolean {
  return (afi === Afi.Ipv4 || afi === Afi.Ipv6) && (safi === 1 || safi === 2);
}

export function maxPrefixLength(afi: number): number {
  return afi === Afi.Ipv6 ? 128 : 32;
}

/** Result codes of `countPrefixes` below zero. */
export const NLRI_BAD_LENGTH = -1;
export const NLRI_OVERRUN = -2;

/**
 * Validate and count the prefixes in bytes[start, end).
 * RFC 7606 5.3 (paraphrased): an NLRI field (or Withdrawn Routes, or the NLRI of an MP attribute) is
 * syntactically incorrect when a prefix length exceeds the maximum for the AFI (32 for IPv4, 128 for IPv6)
 * or a prefix overruns the end of the field.
 * Returns the count, or NLRI_BAD_LENGTH / NLRI_OVERRUN.
 */
export function countPrefixes(
  bytes: Uint8Array,
  start: number,
  end: number,
  afi: number,
  addPath: boolean,
): number {
  const maxBits = maxPrefixLength(afi);
  let pos = start;
  let count = 0;
  while (pos < end) {
    if (addPath) {
      pos += 4;
      if (pos >= end) return NLRI_OVERRUN;
    }
    const bits = bytes[pos]!;
    if (bits > maxBits) return NLRI_BAD_LENGTH;
    pos += 1 + ((bits + 7) >> 3);
    if (pos > end) return NLRI_OVERRUN;
    count++;
  }
  return count;
}

/** Visitor over one prefix: `bytes[offset .. offset + ceil(length/8))` holds the address bits. */
export type PrefixVisitor = (length: number, bytes: Uint8Array, offset: number, pathId: number) => void;

/** Call `visit` once per prefix of a validated block (no allocation per prefix). pathId is 0 without ADD-PATH. */
export function forEachPrefix(block: NlriBlock, visit: PrefixVisitor): void {
  if (block.count > 0) forEachPrefixIn(block.bytes, 0, block.bytes.length, block.addPath, visit);
}

/** forEachPrefix over the prefixes in b[start, end), validated already (countPrefixes found no error). */
export function forEachPrefixIn(
  b: Uint8Array,
  start: number,
  end: number,
  addPath: boolean,
  visit: PrefixVisitor,
): void {
  let pos = start;
  let pathId = 0;
  while (pos < end) {
    if (addPath) {
      pathId = getU32(b, pos);
      pos += 4;
    }
    const bits = b[pos]!;
    visit(bits, b, pos + 1, pathId);
    pos += 1 + ((bits + 7) >> 3);
  }
}

/** An IPv4 prefix's address as a u32 (bits beyond `length` kept as received). */
export function ipv4PrefixAddress(bytes: Uint8Array, offset: number, length: number): number {
  const n = (length + 7) >> 3;
  let v = 0;
  for (let i = 0; i < 4; i++) v = (v << 8) | (i < n ? bytes[offset + i]! : 0);
  return v >>> 0;
}

/**
 * A compact key for an IPv4 prefix (host bits cleared): address * 64 + length, an integer below 2^38.
 * Meant for Maps keyed by prefix without a string per prefix.
 */
export function ipv4PrefixKey(bytes: Uint8Array, offset: number, length: number): number {
  const addr = ipv4PrefixAddress(bytes, offset, length);
  const masked = length === 0 ? 0 : (addr & (0xffffffff << (32 - length))) >>> 0;
  return masked * 64 + length;
}

// ===== Formatting (allocates; not for hot paths) =====

/** "10.0.0.0/8" or "2001:db8::/32" for the prefix at bytes[offset..]. */
export function formatPrefix(afi: number, length: number, bytes: Uint8Array, offset: number): string {
  return `${formatAddress(afi, bytes, offset, (length + 7) >> 3)}/${length}`;
}

export interface Prefix {
  /** "10.0.0.0/8" form (host bits as received). */
  prefix: string;
  /** RFC 7911 path identifier; 0 without ADD-PATH. */
  pathId: number;
}

/** All prefixes of a block as objects (allocates: tests, logs, CLI). */
export function prefixList(block: NlriBlock): Prefix[] {
  const out: Prefix[] = [];
  forEachPrefix(block, (length, bytes, offset, pathId) => {
    out.push({ prefix: formatPrefix(block.afi, length, bytes, offset), pathId });
  });
  return out;
}

// ===== Building =====

/** Build an NLRI block from "addr/len" strings (with optional path ids). Throws on bad input (caller bug). */
export function buildNlri(
  afi: number,
  safi: number,
  prefixes: readonly (string | Prefix)[],
  addPath = false,
): NlriBlock {
  const parts: number[] = [];
  for (const p of prefixes) {
    const text = typeof p === 'string' ? p : p.prefix;
    const pathId = typeof p === 'string' ? 0 : p.pathId;
    const slash = text.indexOf('/');
    const addressText = slash < 0 ? text : text.slice(0, slash);
    const addr = afi === Afi.Ipv6 ? parseIpv6(addressText) : parseIpv4(addressText);
    const length = slash < 0 ? maxPrefixLength(afi) : Number(text.slice(slash + 1));
    if (!addr || !(length >= 0 && length <= maxPrefixLength(afi))) {
      throw new RangeError(`not a ${afi === Afi.Ipv6 ? 'IPv6' : 'IPv4'} prefix: ${text}`);
    }
    if (addPath) parts.push(pathId >>> 24, (pathId >>> 16) & 255, (pathId >>> 8) & 255, pathId & 255);
    parts.push(length);
    for (let i = 0; i < (length + 7) >> 3; i++) parts.push(addr[i]!);
  }
  return { afi, safi, addPath, bytes: Uint8Array.from(parts), count: prefixes.length };
}
