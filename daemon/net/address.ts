// IP addresses and prefixes as text and as network-order octets: the one parser and the one formatter
// that the configuration, the policy, the RDE, the session, the wire codec and MRT use. The parsers
// scan characters (no regular expressions, no split): MRT origination parses one address per route.
//
// Text forms accepted (the strict ones of inet_pton(3) and Node's net.isIP):
//   IPv4  RFC 791 dotted quad: four decimal numbers 0..255, no leading zeros ("10.0.0.1", not "010.0.0.1").
//   IPv6  RFC 4291 2.2: up to 8 groups of 1..4 hex digits; one "::" standing for one or more zero groups;
//         the last 32 bits may be a dotted quad ("::ffff:192.0.2.1").
// A zone ("fe80::1%eth0") belongs to a socket address, not to the address: `ipVersion` accepts it (as
// socket APIs do), the byte parsers do not.
// Text produced: dotted quads, and RFC 5952 for IPv6 (lower case, no leading zeros, the longest run of
// two or more zero groups compressed, the first one on a tie, IPv4-mapped addresses in hex).
// MRT's bgpdump-compatible IPv6 form differs on purpose and lives in daemon/mrt/address.ts.
import { Afi } from '../wire/iana.js';
import { familyOfAddress, type Family } from './family.js';

// ===== parsing =====

/** Octets of a dotted quad, or undefined when `text` is not one. */
export function parseIpv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  return scanIpv4(text, 0, text.length, out, 0) ? out : undefined;
}

/** Octets of an IPv6 address in an RFC 4291 2.2 text form, or undefined when `text` is not one. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  return scanIpv6(text, 0, text.length, out) ? out : undefined;
}

/** Octets of an IPv4 (4 octets) or IPv6 (16 octets) address, or undefined when `text` is neither. */
export function parseAddress(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/**
 * 4 or 6 when `text` is an IPv4 or IPv6 address, else 0: the answer of Node's net.isIP. An IPv6
 * address may carry a zone ("fe80::1%eth0": letters, digits, '-', '.', ':'), as socket APIs accept.
 */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (!text.includes(':')) return parseIpv4(text) === undefined ? 0 : 4;
  const zone = text.indexOf('%');
  if (zone >= 0 && !isZone(text, zone + 1)) return 0;
  const end = zone >= 0 ? zone : text.length;
  return scanIpv6(text, 0, end, new Uint8Array(16)) ? 6 : 0;
}

/** 127.0.0.0/8, ::1, or ::ffff:127.x.y.z: an address only this host can reach. */
export function isLoopback(text: string): boolean {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return v4[0] === 127;
  const v6 = parseIpv6(text);
  if (v6 === undefined) return false;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  if (mapped) return v6[12] === 127;
  return v6.subarray(0, 15).every((b) => b === 0) && v6[15] === 1;
}

/**
 * Octets of an address already known to be valid (a validated configuration, a socket's own address);
 * a zone is ignored. Throws a RangeError otherwise: that is a caller's bug, never peer input.
 */
export function addressBytes(text: string): Uint8Array {
  const zone = text.indexOf('%');
  const bytes = parseAddress(zone >= 0 && isZone(text, zone + 1) ? text.slice(0, zone) : text);
  if (bytes === undefined) throw new RangeError(`not an IPv4 or IPv6 address: '${text}'`);
  return bytes;
}

/** A dotted quad as an unsigned 32-bit number (a BGP Identifier, an IPv4 NEXT_HOP); throws like addressBytes. */
export function ipv4Number(text: string): number {
  const b = parseIpv4(text);
  if (b === undefined) throw new RangeError(`not an IPv4 address: '${text}'`);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

function isZone(text: string, start: number): boolean {
  if (start >= text.length) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 0x30 && c <= 0x39) || // 0-9
      (c >= 0x41 && c <= 0x5a) || // A-Z
      (c >= 0x61 && c <= 0x7a) || // a-z
      c === 0x2d || // -
      c === 0x2e || // .
      c === 0x3a; // :
    if (!ok) return false;
  }
  return true;
}

/** Read a dotted quad from text[start, end) into out[at, at + 4); false when it is not exactly one. */
function scanIpv4(text: string, start: number, end: number, out: Uint8Array, at: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && value === 0) return false; // a leading zero
      value = value * 10 + (c - 0x30);
      if (value > 255) return false;
      digits++;
    } else if (c === 0x2e && digits > 0 && part < 3) {
      out[at + part++] = value;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  if (digits === 0 || part !== 3) return false;
  out[at + 3] = value;
  return true;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Read an IPv6 address from text[start, end) into out (16 zero octets); false when it is not exactly one. */
function scanIpv6(text: string, start: number, end: number, out: Uint8Array): boolean {
  let groups = 0; // groups written so far, in order, from out[0]
  let gap = -1; // the group index where "::" stands
  let i = start;
  if (text.charCodeAt(i) === 0x3a) {
    if (text.charCodeAt(i + 1) !== 0x3a) return false; // a lone leading ':'
    gap = 0;
    i += 2;
  }
  while (i < end || (gap < 0 && groups === 0)) {
    const groupStart = i;
    let value = 0;
    let digits = 0;
    while (i < end) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      if (++digits > 4) return false;
      value = value * 16 + h;
      i++;
    }
    if (i < end && text.charCodeAt(i) === 0x2e) {
      // The dotted-quad tail: the last 32 bits, so nothing may follow it.
      if (groups > 6 || !scanIpv4(text, groupStart, end, out, groups * 2)) return false;
      groups += 2;
      break;
    }
    if (digits === 0 || groups === 8) return false;
    out[groups * 2] = value >> 8;
    out[groups * 2 + 1] = value & 0xff;
    groups++;
    if (i === end) break;
    if (text.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < end && text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false; // a second "::"
      gap = groups;
      i++;
    } else if (i === end) {
      return false; // a lone trailing ':'
    }
  }
  if (gap < 0) return groups === 8;
  if (groups === 8) return false; // "::" stands for at least one zero group
  // Move the groups written after "::" to the end; zero the groups it stands for.
  const shift = 8 - groups;
  out.copyWithin((gap + shift) * 2, gap * 2, groups * 2);
  out.fill(0, gap * 2, (gap + shift) * 2);
  return true;
}

// ===== formatting =====

const DECIMAL_OCTET: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

function octetText(v: number): string {
  return DECIMAL_OCTET[v & 0xff]!;
}

/** Dotted quad of an unsigned 32-bit number. */
export function formatIpv4(v: number): string {
  return `${octetText(v >>> 24)}.${octetText(v >>> 16)}.${octetText(v >>> 8)}.${octetText(v)}`;
}

/** Dotted quad of the 4 octets at bytes[offset]. */
export function formatIpv4At(bytes: Uint8Array, offset: number): string {
  // Octets index the table directly: this runs once per route in MRT dumps.
  return (
    DECIMAL_OCTET[bytes[offset]!]! +
    '.' +
    DECIMAL_OCTET[bytes[offset + 1]!]! +
    '.' +
    DECIMAL_OCTET[bytes[offset + 2]!]! +
    '.' +
    DECIMAL_OCTET[bytes[offset + 3]!]!
  );
}

/** RFC 5952 text of the 16 octets at bytes[offset]. */
export function formatIpv6At(bytes: Uint8Array, offset: number): string {
  // RFC 5952 4.2.2/4.2.3: compress the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let g = 0; g < 8;) {
    if (groupAt(bytes, offset, g) !== 0) {
      g++;
      continue;
    }
    let end = g + 1;
    while (end < 8 && groupAt(bytes, offset, end) === 0) end++;
    if (end - g > bestLen) {
      bestStart = g;
      bestLen = end - g;
    }
    g = end;
  }
  let s = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      s += g === 0 ? '::' : ':';
      g += bestLen - 1;
      continue;
    }
    s += groupAt(bytes, offset, g).toString(16);
    if (g !== 7) s += ':';
  }
  return s;
}

function groupAt(bytes: Uint8Array, offset: number, g: number): number {
  return (bytes[offset + 2 * g]! << 8) | bytes[offset + 2 * g + 1]!;
}

/**
 * Text of an address of family `afi` (2 = IPv6, else IPv4) at bytes[offset]; only the first `available`
 * octets are read, the rest count as zero (a prefix's significant octets).
 */
export function formatAddress(
  afi: number,
  bytes: Uint8Array,
  offset: number,
  available = afi === Afi.Ipv6 ? 16 : 4,
): string {
  const width = afi === Afi.Ipv6 ? 16 : 4;
  if (available < width) {
    const full = new Uint8Array(width);
    full.set(bytes.subarray(offset, offset + Math.max(0, available)));
    return width === 16 ? formatIpv6At(full, 0) : formatIpv4At(full, 0);
  }
  return width === 16 ? formatIpv6At(bytes, offset) : formatIpv4At(bytes, offset);
}

// ===== prefixes =====

/** A prefix as configured: "10.0.0.0/24" or "2001:db8::/32", host bits clear. */
export interface IpPrefix {
  /** ADDRESS/LENGTH as written (the address as written, the length without leading zeros). */
  prefix: string;
  family: Family;
  address: string;
  length: number;
}

/** Parse "10.0.0.0/24" or "2001:db8::/32"; a string is the reason it is not a prefix. */
export function parsePrefix(text: string): IpPrefix | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'must be a prefix ADDRESS/LENGTH';
  const address = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  const bytes = parseAddress(address);
  if (bytes === undefined) return `'${address}' is not an IPv4 or IPv6 address`;
  const max = bytes.length * 8;
  if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > max)
    return `prefix length must be from 0 to ${max}`;
  const length = Number(lengthText);
  if (!hostBitsClear(bytes, length)) return `host bits set (the network address of /${length} differs)`;
  return { prefix: `${address}/${length}`, family: familyOfAddress(bytes), address, length };
}

/** Whether every bit of `bytes` after the first `length` is zero. */
export function hostBitsClear(bytes: Uint8Array, length: number): boolean {
  for (let bit = length; bit < bytes.length * 8; bit++) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) return false;
  }
  return true;
}
