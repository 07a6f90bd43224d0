// Interned path attribute sets: ONE shared, refcounted AttrSet object per distinct set of attributes
// (+ next hop). The interning key is a one-byte (latin1) string: a set costs one compact heap string
// instead of a typed array, an ArrayBuffer and its native backing store, and the store finds sets by
// their octets in a hash table (set-table.ts). The fields the decision process needs are read from the
// key once, when the set is created; everything else (the attribute objects, the AS path segments) is
// decoded from the key when asked for.
//
// This file is the one owner of the key layout (as BIRD's attrs.c owns its attribute table): everything
// else reads a key through `KeyReader` and the AttrSet functions (`originOf`, `attributesOf`, ...), and
// builds one through `KeyWriter`.
//
//   key = attributes · mp-next-hop · one octet: the length of mp-next-hop
//
// - attributes: wire form (flags, code, length, value), type-code order, no MP_REACH_NLRI /
//   MP_UNREACH_NLRI, the Extended Length flag set exactly when the value needs it, AS_PATH with 4-octet
//   ASNs (the decode stage normalises it). This is an UPDATE's attribute section for IPv4.
// - The next hop is stored once: for IPv4 it is the NEXT_HOP attribute (absent for our own routes) and
//   mp-next-hop is empty; for a family whose next hop travels in MP_REACH_NLRI (IPv6: 16 octets, or 32
//   for global + link-local) it is mp-next-hop, and no NEXT_HOP attribute is kept (RFC 4760 3: a
//   receiver ignores NEXT_HOP for such routes).
// A key never keeps an UPDATE's buffer alive.
import {
  decodeAttributes,
  writeAttributeHeader,
  attributeHeaderLength,
  AttrFlag,
  AttrType,
  AsPathSegmentType,
  extendedOctets,
  valueLengthOf,
} from '../wire/index.js';
import type { AsPathSegment, PathAttribute } from '../wire/index.js';
import { hashBytes, hashKey, SetTable } from './set-table.js';

/** RFC 4271 5.1.5: LOCAL_PREF assumed for a route that has none (eBGP-learned, locally originated). */
export const DEFAULT_LOCAL_PREF = 100;

/** RFC 1997 well-known communities found on a set (bits of `wellKnownOf`). */
export const WellKnown = { NoExport: 1, NoAdvertise: 2, NoExportSubconfed: 4 } as const;

// ===== reading a key =====

/** Offset of the end of the attributes in `key` (where mp-next-hop starts). */
function attributesEnd(key: string): number {
  return key.length - 1 - key.charCodeAt(key.length - 1);
}

/**
 * A cursor over the attributes of a key, reused without allocation: `reset(key)`, then `next()` moves to
 * each attribute in turn (false past the last) and sets `flags`, `code` and the offsets of the attribute
 * (`start`), its value (`value`) and its end (`end`) in the key.
 */
export class KeyReader {
  flags = 0;
  code = 0;
  start = 0;
  value = 0;
  end = 0;
  key = '';
  private limit = 0;

  reset(key: string): this {
    this.key = key;
    this.limit = attributesEnd(key);
    this.end = 0;
    return this;
  }

  next(): boolean {
    const p = this.end;
    if (p >= this.limit) return false;
    const k = this.key;
    const flags = k.charCodeAt(p);
    const extended = extendedOctets(flags);
    const len = valueLengthOf(k.charCodeAt(p + 2), k.charCodeAt(p + 2 + extended), extended);
    this.flags = flags;
    this.code = k.charCodeAt(p + 1);
    this.start = p;
    this.value = p + 3 + extended;
    this.end = this.value + len;
    return true;
  }

  /** Length of the current attribute's value. */
  get length(): number {
    return this.end - this.value;
  }

  u8(at: number): number {
    return this.key.charCodeAt(at);
  }

  u32(at: number): number {
    const k = this.key;
    return (
      ((k.charCodeAt(at) << 24) |
        (k.charCodeAt(at + 1) << 16) |
        (k.charCodeAt(at + 2) << 8) |
        k.charCodeAt(at + 3)) >>>
      0
    );
  }
}

// ===== writing a key =====

const INITIAL_SCRATCH = 4096;

/**
 * Builds a key in a scratch buffer it owns: `begin(room)`, attributes in type-code order (`attribute`, or
 * `header` and the value's octets), then `finish(mpNextHop)`, which appends the next-hop trailer and
 * returns the key. Reused; one build at a time.
 */
export class KeyWriter {
  private buf = Buffer.allocUnsafeSlow(INITIAL_SCRATCH);
  private n = 0;

  /** Start a key of at most `room` octets. */
  begin(room: number): void {
    if (room + 64 > this.buf.length) this.buf = Buffer.allocUnsafeSlow((room + 64) * 2);
    this.n = 0;
  }

  /** An attribute header; the Extended Length flag is set exactly when `len` needs it. */
  header(flags: number, code: number, len: number): void {
    this.n = writeAttributeHeader(this.buf, this.n, flags & ~AttrFlag.ExtendedLength, code, len);
  }

  attribute(flags: number, code: number, value: Uint8Array): void {
    this.header(flags, code, value.length);
    this.buf.set(value, this.n);
    this.n += value.length;
  }

  byte(v: number): void {
    this.buf[this.n++] = v;
  }

  u32(v: number): void {
    const b = this.buf;
    b[this.n++] = v >>> 24;
    b[this.n++] = (v >>> 16) & 255;
    b[this.n++] = (v >>> 8) & 255;
    b[this.n++] = v & 255;
  }

  bytes(v: Uint8Array): void {
    this.buf.set(v, this.n);
    this.n += v.length;
  }

  /** Copy src[from, to) as it is. */
  bytesOf(src: Uint8Array, from: number, to: number): void {
    const b = this.buf;
    let n = this.n;
    for (let i = from; i < to; i++) b[n++] = src[i]!;
    this.n = n;
  }

  /** Copy key[from, to) (a reader's offsets) as it is. */
  copy(key: string, from: number, to: number): void {
    const b = this.buf;
    let n = this.n;
    for (let i = from; i < to; i++) b[n++] = key.charCodeAt(i);
    this.n = n;
  }

  /** End the attributes: the MP next hop (none for IPv4 and our own routes) and its length. Returns the key. */
  finish(mpNextHop: Uint8Array | string | undefined): string {
    this.end(mpNextHop);
    return this.key();
  }

  /** finish without making the key string (`AttrStore.internWritten` makes it only for a new set). */
  end(mpNextHop: Uint8Array | string | undefined): void {
    if (typeof mpNextHop === 'string')
      for (let i = 0; i < mpNextHop.length; i++) this.buf[this.n++] = mpNextHop.charCodeAt(i);
    else if (mpNextHop !== undefined) this.bytes(mpNextHop);
    this.buf[this.n++] = mpNextHop?.length ?? 0;
  }

  /** end with the MP next hop src[from, to) (to - from octets, 1 to 255). */
  endFrom(src: Uint8Array, from: number, to: number): void {
    this.bytesOf(src, from, to);
    this.buf[this.n++] = to - from;
  }

  /** The key written (after `end`). */
  key(): string {
    return this.buf.toString('latin1', 0, this.n);
  }

  /** The key's octets so far: octets[0, length). */
  get octets(): Uint8Array {
    return this.buf;
  }

  get length(): number {
    return this.n;
  }
}

/** The end of the attribute at section[pos] (its header read as the wire has it). */
function sectionValueEnd(section: Uint8Array, pos: number): number {
  const extended = extendedOctets(section[pos]!);
  return pos + 3 + extended + valueLengthOf(section[pos + 2]!, section[pos + 2 + extended]!, extended);
}

/** Write the attribute at section[pos] to `w` (header re-written as keys have it); returns its end. */
function copySectionAttribute(w: KeyWriter, section: Uint8Array, pos: number): number {
  const end = sectionValueEnd(section, pos);
  const value = pos + 3 + extendedOctets(section[pos]!);
  w.header(section[pos]!, section[pos + 1]!, end - value);
  w.bytesOf(section, value, end);
  return end;
}

/** Whether internSection leaves attribute `code` out: MP attributes, and NEXT_HOP when the next hop is the MP one. */
function sectionSkips(code: number, mpNextHop: boolean): boolean {
  return (
    code === AttrType.MpReachNlri ||
    code === AttrType.MpUnreachNlri ||
    (mpNextHop && code === AttrType.NextHop)
  );
}

/** Octets the key of `attributes` (+ an MP next hop) may take, at most. */
function keyRoom(attributes: readonly PathAttribute[], mpNextHop: Uint8Array | undefined): number {
  let room = 1 + (mpNextHop?.length ?? 0);
  for (const a of attributes) room += attributeHeaderLength(0, a.raw.length) + a.raw.length;
  return room;
}

/** One attribute as a set holds it: flags (Extended Length as the value needs) and value octets. */
export interface StoredAttribute {
  flags: number;
  value: Uint8Array;
}

// ===== the sets =====

// `AttrSet.bits`: the small decision fields packed in one small integer (one field per set, not five).
const ORIGIN_MASK = 0xff;
const WELL_KNOWN_SHIFT = 8;
const WELL_KNOWN_MASK = 0x7;
/** ORIGINATOR_ID present (its value is read from the key: route reflection only). */
const HAS_ORIGINATOR_ID = 1 << 11;
/** The CLUSTER_LIST length, at most 16383 (a value is at most 65535 octets). */
const CLUSTER_LIST_SHIFT = 12;

/**
 * One interned attribute set: a plain object (made by `makeAttrSet`) holding only the key and the fields
 * the decision and the propagation rules need, the small ones packed in `bits` (a full table holds about
 * 160,000 sets). What else a set says is read by the functions below (`originOf`, `attributesOf`, ...):
 * the attribute objects and the AS path are decoded from the key when asked for, and ORIGINATOR_ID and
 * the AS_PATH bounds are found in the key. No prototype: an object literal with one costs a runtime call
 * per set.
 */
export interface AttrSet {
  /** References held by RIB entries; at 0 the set leaves the store. */
  refs: number;
  /**
   * Its slot in the store's table (set-table.ts), -1 when not held: the table removes it from there, and a
   * SetCache (pipeline.ts) puts it in the slot of that number.
   */
  slot: number;
  /** The interning key (see the file comment), one char per octet. */
  readonly key: string;
  /**
   * The next hop's octets as a latin1 string, wherever the key holds it (NEXT_HOP value or MP next hop);
   * '' for our own routes. What reachability looks up. Shared between sets with the same next hop.
   */
  readonly nextHopKey: string;
  /** LOCAL_PREF, or undefined when absent. */
  readonly localPref: number | undefined;
  /** RFC 4271 9.1.2.2 a): AS_SET counts 1, confederation segments 0. */
  readonly asPathLength: number;
  /** The neighbouring AS as a signed 32-bit integer (a small integer in the object, where a 4-octet AS above 2^31 would be a boxed number): read `neighborAsOf`. */
  readonly neighborAs32: number;
  /** MULTI_EXIT_DISC, or undefined when absent. */
  readonly med: number | undefined;
  /** ORIGIN, the well-known communities, whether ORIGINATOR_ID is present, the CLUSTER_LIST length: read through the functions below. */
  readonly bits: number;
}

/** The neighbouring AS: the first AS of the leading AS_SEQUENCE, 0 when the path is empty. */
export function neighborAsOf(set: AttrSet): number {
  return set.neighborAs32 >>> 0;
}

/** ORIGIN 0 IGP, 1 EGP, 2 INCOMPLETE (2 when absent). */
export function originOf(set: AttrSet): number {
  return set.bits & ORIGIN_MASK;
}

/** WellKnown bits of the RFC 1997 communities present. */
export function wellKnownOf(set: AttrSet): number {
  return (set.bits >> WELL_KNOWN_SHIFT) & WELL_KNOWN_MASK;
}

/** Number of CLUSTER_LIST entries (RFC 4456), 0 when absent. */
export function clusterListLengthOf(set: AttrSet): number {
  return set.bits >>> CLUSTER_LIST_SHIFT;
}

/** ORIGINATOR_ID (RFC 4456), or undefined: read from the key when the set has one. */
export function originatorIdOf(set: AttrSet): number | undefined {
  if ((set.bits & HAS_ORIGINATOR_ID) === 0) return undefined;
  const p = attributeAt(set.key, AttrType.OriginatorId);
  return p < 0 ? undefined : u32At(set.key, valueAt(set.key, p));
}

/** The next hop: 4 octets (IPv4), 16 (IPv6 global) or 32 (global + link-local); undefined for our own routes. */
export function nextHopOf(set: AttrSet): Uint8Array | undefined {
  return set.nextHopKey === '' ? undefined : latin1Bytes(set.nextHopKey);
}

/** `bits` of a set exported from `set`: ORIGIN and the well-known communities kept, RFC 4456's attributes kept or dropped. */
export function exportedBitsOf(set: AttrSet, reflection: boolean): number {
  return reflection ? set.bits : set.bits & ~(HAS_ORIGINATOR_ID | (-1 << CLUSTER_LIST_SHIFT));
}

/** The next hop is the MP next hop (IPv6), not a NEXT_HOP attribute (read from the key: no field per set). */
export function hasMpNextHop(set: AttrSet): boolean {
  return set.key.charCodeAt(set.key.length - 1) !== 0;
}

/** The MP_REACH_NLRI next hop (IPv6 routes); undefined for IPv4 routes (their next hop is NEXT_HOP) and our own. */
export function mpNextHopOf(set: AttrSet): Uint8Array | undefined {
  return hasMpNextHop(set) ? latin1Bytes(set.nextHopKey) : undefined;
}

/** Whether the next hop is all zeros (unspecified: never reachable). */
export function nextHopUnspecified(set: AttrSet): boolean {
  const nh = set.nextHopKey;
  for (let i = 0; i < nh.length && i < 16; i++) if (nh.charCodeAt(i) !== 0) return false;
  return nh.length > 0;
}

/** The length of `attributeBytesOf` (the key's first characters, one octet each). */
export function attributeLengthOf(set: AttrSet): number {
  return attributesEnd(set.key);
}

/** The attributes in wire form (type-code order), as an UPDATE or an MRT RIB entry carries them. */
export function attributeBytesOf(set: AttrSet): Uint8Array {
  return latin1Bytes(set.key.slice(0, attributesEnd(set.key)));
}

/**
 * The attributes in type-code order, without MP_REACH_NLRI / MP_UNREACH_NLRI, AS_PATH with 4-octet ASNs.
 * Decoded from the key on every call (a new array each time): read it once per use.
 */
export function attributesOf(set: AttrSet): PathAttribute[] {
  return decodeAttributes(attributeBytesOf(set), AS4_CONTEXT).attributes;
}

/** The AS path segments (4-octet ASNs), decoded on every call. */
export function asPathOf(set: AttrSet): readonly AsPathSegment[] {
  return asPathIn(attributesOf(set));
}

/** The AS path segments among a set's decoded attributes (`attributesOf`): for callers that need both. */
export function asPathIn(attributes: readonly PathAttribute[]): readonly AsPathSegment[] {
  for (const a of attributes) if (a.type === 'as-path') return a.segments;
  return [];
}

/** Whether `asn` appears in an AS_SEQUENCE or AS_SET of the path (RFC 4271 9.1.2 loop check), without decoding. */
export function asPathContains(set: AttrSet, asn: number): boolean {
  const k = set.key;
  const header = attributeAt(k, AttrType.AsPath);
  if (header < 0) return false;
  const end = valueAt(k, header) + valueLength(k, header);
  for (let p = valueAt(k, header); p + 2 <= end;) {
    const type = k.charCodeAt(p);
    const count = k.charCodeAt(p + 1);
    p += 2;
    if (type !== AsPathSegmentType.Sequence && type !== AsPathSegmentType.Set) {
      p += 4 * count;
      continue;
    }
    for (let i = 0; i < count; i++, p += 4) if (u32At(k, p) === asn) return true;
  }
  return false;
}

/**
 * Offset in `key` of the header of attribute `code`, or -1 when absent: a walk over the attribute headers
 * (few, in code order: AS_PATH is the second), without a reader object.
 */
function attributeAt(key: string, code: number): number {
  const limit = attributesEnd(key);
  for (let p = 0; p < limit; p = valueAt(key, p) + valueLength(key, p)) {
    const c = key.charCodeAt(p + 1);
    if (c === code) return p;
    if (c > code) return -1;
  }
  return -1;
}

/** Offset of the value of the attribute whose header is at `p`. */
function valueAt(key: string, p: number): number {
  return p + 3 + extendedOctets(key.charCodeAt(p));
}

/** Length of the value of the attribute whose header is at `p`. */
function valueLength(key: string, p: number): number {
  const extended = extendedOctets(key.charCodeAt(p));
  return valueLengthOf(key.charCodeAt(p + 2), key.charCodeAt(p + 2 + extended), extended);
}

function u32At(key: string, at: number): number {
  return (
    ((key.charCodeAt(at) << 24) |
      (key.charCodeAt(at + 1) << 16) |
      (key.charCodeAt(at + 2) << 8) |
      key.charCodeAt(at + 3)) >>>
    0
  );
}

/**
 * The octets of a latin1 string (one per char), as a plain Uint8Array view: the decoder takes many
 * subarrays, and a plain view's subarrays are built-in typed arrays rather than Buffer objects.
 */
function latin1Bytes(s: string): Uint8Array {
  const b = Buffer.from(s, 'latin1');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Whether key[at, at + s.length) is `s` (compared in place: no slice), from the last character: next hops
 * of one network differ at their end (an IPv6 next hop and ours share the first 15 of 16 octets).
 */
function sameChars(key: string, at: number, s: string): boolean {
  for (let i = s.length - 1; i >= 0; i--) if (key.charCodeAt(at + i) !== s.charCodeAt(i)) return false;
  return true;
}

/** An address's octets in the form of `AttrSet.nextHopKey` (for sets of addresses to compare with it). */
export function nextHopKeyOf(address: Uint8Array): string {
  return Buffer.from(address.buffer, address.byteOffset, address.length).toString('latin1');
}

const AS4_CONTEXT = { asn4: true } as const;

/** Distinct next hops `AttrStore` shares strings for before it starts over. */
const MAX_SHARED_NEXT_HOPS = 1024;
/** How many of the last shared next hops a new set's next hop is compared with in place. */
const RECENT_NEXT_HOPS = 4;

export class AttrStore {
  private readonly sets = new SetTable();
  /** The one key builder (intern and the outbound filter's byte-level export, export-key.ts). */
  readonly writer = new KeyWriter();
  /** writeEdited's scratch list of edited codes, and its copy of the key being edited. */
  private readonly editCodes: number[] = [];
  private editScratch = new Uint8Array(256);
  /** A reader for the walks done here (createSet). */
  private readonly reader = new KeyReader();
  /**
   * Next-hop strings handed to sets, so that sets with the same next hop share one string (a full table
   * from a few peers has a handful of next hops). Bounded: cleared when full, which costs only sharing.
   */
  private nextHops = new Map<string, string>();
  /** The last few shared next hops, most recent first: compared in place in a new key before any slice. */
  private readonly recentNextHops: string[] = [];

  /** Distinct shared sets currently held (the exporter's unshared sets are not counted). */
  get size(): number {
    return this.sets.size;
  }

  /**
   * The shared set for `attributes` (any order; MP attributes ignored), with one more reference. The next
   * hop of an IPv4 route is its NEXT_HOP attribute; `mpNextHop` is given for a route whose next hop
   * travels in MP_REACH_NLRI (IPv6), and then any NEXT_HOP attribute is left out. Callers that stop using
   * the set call `release`.
   */
  intern(attributes: readonly PathAttribute[], mpNextHop?: Uint8Array): AttrSet {
    const w = this.writer;
    w.begin(keyRoom(attributes, mpNextHop));
    // Type-code order without sorting a copy: attributes are few; pick them by ascending code.
    let last = -1;
    for (;;) {
      let next: PathAttribute | undefined;
      for (const a of attributes) {
        if (a.type === 'mp-reach' || a.type === 'mp-unreach' || a.type === 'malformed') continue;
        if (mpNextHop !== undefined && a.code === AttrType.NextHop) continue;
        if (a.code > last && (next === undefined || a.code < next.code)) next = a;
      }
      if (next === undefined) break;
      last = next.code;
      w.attribute(next.flags, next.code, next.raw);
    }
    w.end(mpNextHop);
    return this.internWritten();
  }

  /**
   * The shared set of a received attribute section that wire's `cleanSection` passed (known attributes
   * only, each valid), with one more reference, written from the octets without decoding: what
   * intern(normaliseAttributes(...)) would store for the routes of a 4-octet AS session - IPv4 routes
   * (no MP attribute in the section), or, given the MP_REACH_NLRI next hop bytes[nextHop, nextHopEnd),
   * IPv6 routes (MP attributes and NEXT_HOP left out, that next hop kept). The section is bytes[start,
   * end), read in place (the received message: no view of it is made).
   */
  internSection(bytes: Uint8Array, start: number, end: number, nextHop = -1, nextHopEnd = -1): AttrSet {
    const w = this.writer;
    w.begin(end - start + 1);
    const skipNextHop = nextHop >= 0;
    // Attributes usually arrive in type-code order; otherwise they are taken code by code.
    let last = -1;
    let sorted = true;
    for (let pos = start; pos < end; pos = sectionValueEnd(bytes, pos)) {
      const code = bytes[pos + 1]!;
      if (sectionSkips(code, skipNextHop)) continue;
      if (code <= last) sorted = false;
      last = code;
    }
    if (sorted)
      for (let pos = start; pos < end;)
        pos = sectionSkips(bytes[pos + 1]!, skipNextHop)
          ? sectionValueEnd(bytes, pos)
          : copySectionAttribute(w, bytes, pos);
    else
      for (let done = -1; ;) {
        // The attribute with the lowest code above the last one written (codes are unique here).
        let at = -1;
        for (let pos = start; pos < end; pos = sectionValueEnd(bytes, pos)) {
          const code = bytes[pos + 1]!;
          if (code > done && !sectionSkips(code, skipNextHop) && (at < 0 || code < bytes[at + 1]!)) at = pos;
        }
        if (at < 0) break;
        done = bytes[at + 1]!;
        copySectionAttribute(w, bytes, at);
      }
    if (skipNextHop) w.endFrom(bytes, nextHop, nextHopEnd);
    else w.end(undefined);
    return this.internWritten();
  }

  /**
   * A set for the key `writer` holds, written by the exporter from `source` (export-key.ts), with one
   * reference, outside the table: not shared with an equal set and never found by a lookup (its release
   * drops it; `acquire` of it released interns its key). The exporter's sets are made so: each is held by
   * one group's Adj-RIB-Out and found again through that group's SetCache, never by its attributes, and
   * entering them in the table (hash, probe, growth) cost a tenth of the IPv6 table's announce. The
   * decision fields are the ones the exporter derives from the source's and its rewriting
   * (test/rde/export-key.test.ts checks them against a pass over the key): no pass over the new key.
   * `reflection`: ORIGINATOR_ID and CLUSTER_LIST were kept (else both were dropped).
   */
  unsharedExported(
    source: AttrSet,
    nextHopKey: string,
    localPref: number | undefined,
    asPathLength: number,
    neighborAs: number,
    med: number | undefined,
    reflection: boolean,
  ): AttrSet {
    return makeAttrSet(
      this.writer.key(),
      nextHopKey,
      localPref,
      asPathLength,
      neighborAs | 0,
      med,
      exportedBitsOf(source, reflection),
    );
  }

  /** The shared set whose key was just built with `writer` (`writer.finish`'s result), with one more reference. */
  internKey(key: string): AttrSet {
    const h = hashKey(key);
    const found = this.sets.findKey(key, h);
    if (found !== undefined) {
      found.refs++;
      return found;
    }
    const set = this.createSet(key);
    this.sets.add(set, h);
    return set;
  }

  /**
   * The shared set whose key `writer` holds (after `end` / `endFrom`), with one more reference: found by
   * its octets, so a key string is made only for a new set.
   */
  internWritten(): AttrSet {
    const w = this.writer;
    const bytes = w.octets;
    const n = w.length;
    const h = hashBytes(bytes, n);
    const found = this.sets.findOctets(bytes, n, h);
    if (found !== undefined) {
      found.refs++;
      return found;
    }
    const set = this.createSet(w.key());
    this.sets.add(set, h);
    return set;
  }

  /** One more reference to `set`; a set already released is re-interned (the result may be another object). */
  acquire(set: AttrSet): AttrSet {
    if (set.refs > 0) {
      set.refs++;
      return set;
    }
    return this.internKey(set.key);
  }

  /**
   * Where attribute `code` of `set` is, without allocating (the plugin helpers' per-route reads): its
   * flags * 65536 + value length, or -1 when the set has none; `copyAttributeValue` then copies its octets.
   */
  attributeHeaderOf(set: AttrSet, code: number): number {
    const r = this.reader.reset(set.key);
    while (r.next()) {
      if (r.code < code) continue;
      if (r.code > code) return -1;
      return (r.flags & ~AttrFlag.ExtendedLength) * 65536 + r.length;
    }
    return -1;
  }

  /** Copy the value octets of attribute `code` of `set` (present: attributeHeaderOf said so) to out[at]. */
  copyAttributeValue(set: AttrSet, code: number, out: Uint8Array, at: number): void {
    const r = this.reader.reset(set.key);
    while (r.next()) {
      if (r.code !== code) continue;
      for (let i = 0; i < r.length; i++) out[at + i] = r.u8(r.value + i);
      return;
    }
  }

  /**
   * The attribute of `set` with type code `code` as the key holds it (flags, value octets: a copy), or
   * undefined. Reads the key without decoding.
   */
  attributeOf(set: AttrSet, code: number): StoredAttribute | undefined {
    const r = this.reader.reset(set.key);
    while (r.next()) {
      if (r.code < code) continue;
      if (r.code > code) return undefined;
      const value = new Uint8Array(r.length);
      for (let i = 0; i < value.length; i++) value[i] = r.u8(r.value + i);
      return { flags: r.flags & ~AttrFlag.ExtendedLength, value };
    }
    return undefined;
  }

  /** The type codes of the attributes `set` holds, in key (ascending) order. */
  codesOf(set: AttrSet): number[] {
    const codes: number[] = [];
    const r = this.reader.reset(set.key);
    while (r.next()) codes.push(r.code);
    return codes;
  }

  /**
   * `set` with `edits` applied (type code -> the new attribute, or null to remove it), interned with one
   * reference. The MP next hop stays unless `mpNextHop` replaces it. Values must be valid wire encodings
   * of their codes (the caller checks what plugins write); MP_REACH/MP_UNREACH are never stored.
   */
  internEdited(
    set: AttrSet,
    edits: ReadonlyMap<number, StoredAttribute | null>,
    mpNextHop?: Uint8Array,
  ): AttrSet {
    const key = set.key;
    const src = this.editSource(key.length);
    for (let i = 0; i < key.length; i++) src[i] = key.charCodeAt(i);
    this.writeEdited(src, key.length, edits, mpNextHop);
    return this.internWritten();
  }

  /**
   * internEdited on the key `writer` holds (ended, not interned: e.g. what the exporter just wrote): the
   * edited set, interned from the octets (a key string is made only for a new set).
   */
  internWrittenEdited(edits: ReadonlyMap<number, StoredAttribute | null>, mpNextHop?: Uint8Array): AttrSet {
    const w = this.writer;
    const n = w.length;
    const src = this.editSource(n);
    src.set(w.octets.subarray(0, n));
    this.writeEdited(src, n, edits, mpNextHop);
    return this.internWritten();
  }

  /** editScratch with room for `n` octets. */
  private editSource(n: number): Uint8Array {
    if (this.editScratch.length < n) this.editScratch = new Uint8Array(n * 2);
    return this.editScratch;
  }

  /** Write the key src[0, n) with `edits` applied into `writer`, ended (internWritten next). */
  private writeEdited(
    src: Uint8Array,
    n: number,
    edits: ReadonlyMap<number, StoredAttribute | null>,
    mpNextHop: Uint8Array | undefined,
  ): void {
    const mpLength = src[n - 1]!;
    const attrsEnd = n - 1 - mpLength;
    const mp = mpNextHop !== undefined || mpLength > 0;
    let room = n + 1 + (mpNextHop?.length ?? 0);
    for (const e of edits.values()) if (e !== null) room += 4 + e.value.length;
    const w = this.writer;
    w.begin(room);
    // Never stored: MP_REACH/MP_UNREACH; NEXT_HOP on a route whose next hop is the MP one (see the layout).
    // The edited codes in ascending order (an insertion sort into a reused array: edits are few).
    const codes = this.editCodes;
    codes.length = 0;
    for (const c of edits.keys()) {
      if (c === AttrType.MpReachNlri || c === AttrType.MpUnreachNlri || (mp && c === AttrType.NextHop))
        continue;
      let at = codes.length;
      for (; at > 0 && codes[at - 1]! > c; at--) codes[at] = codes[at - 1]!;
      codes[at] = c;
    }
    let e = 0;
    for (let pos = 0; pos < attrsEnd;) {
      const code = src[pos + 1]!;
      const end = sectionValueEnd(src, pos);
      for (; e < codes.length && codes[e]! < code; e++) {
        const edit = edits.get(codes[e]!);
        if (edit) w.attribute(edit.flags, codes[e]!, edit.value);
      }
      if (e < codes.length && codes[e] === code) {
        const edit = edits.get(codes[e++]!);
        if (edit) w.attribute(edit.flags, code, edit.value);
      } else w.bytesOf(src, pos, end);
      pos = end;
    }
    for (; e < codes.length; e++) {
      const edit = edits.get(codes[e]!);
      if (edit) w.attribute(edit.flags, codes[e]!, edit.value);
    }
    if (mpNextHop !== undefined) w.end(mpNextHop);
    else if (mpLength > 0) w.endFrom(src, attrsEnd, n - 1);
    else w.end(undefined);
  }

  /**
   * The shared copy of the next hop key[at, end) (the empty string when there is none): first looked for
   * among the last few by comparing characters in place, so that the usual case slices and hashes nothing.
   */
  private sharedNextHop(key: string, at: number, end: number): string {
    if (end <= at) return '';
    const recent = this.recentNextHops;
    for (let i = 0; i < recent.length; i++) {
      const nh = recent[i]!;
      if (nh.length === end - at && sameChars(key, at, nh)) return nh;
    }
    const slice = key.slice(at, end);
    let shared = this.nextHops.get(slice);
    if (shared === undefined) {
      if (this.nextHops.size >= MAX_SHARED_NEXT_HOPS) this.nextHops = new Map();
      this.nextHops.set(slice, slice);
      shared = slice;
    }
    for (let i = Math.min(recent.length, RECENT_NEXT_HOPS - 1); i > 0; i--) recent[i] = recent[i - 1]!;
    recent[0] = shared;
    return shared;
  }

  /** Drop one reference; the last one removes the set from the store. */
  release(set: AttrSet): void {
    if (--set.refs > 0) return;
    this.sets.remove(set);
  }

  /**
   * Build a set for `key`: one pass over the attributes in wire form (they were validated when received or
   * built) reads the fields the decision needs, without decoding objects.
   */
  private createSet(key: string): AttrSet {
    const r = this.reader.reset(key);
    const mpLength = key.charCodeAt(key.length - 1);
    // Where the next hop is in the key: the MP one at the end, else NEXT_HOP's value (below).
    let nextHopAt = key.length - 1 - mpLength;
    let nextHopEnd = key.length - 1;
    let localPref: number | undefined;
    let med: number | undefined;
    let origin = 2;
    let hasOriginatorId = false;
    let clusterListLength = 0;
    let asPathAt = -1;
    let asPathEnd = -1;
    let wellKnown = 0;
    while (r.next()) {
      const at = r.value;
      switch (r.code) {
        case AttrType.Origin:
          origin = r.u8(at);
          break;
        case AttrType.AsPath:
          asPathAt = at;
          asPathEnd = r.end;
          break;
        case AttrType.NextHop:
          if (mpLength === 0) {
            nextHopAt = at;
            nextHopEnd = r.end;
          }
          break;
        case AttrType.Med:
          med = r.u32(at);
          break;
        case AttrType.LocalPref:
          localPref = r.u32(at);
          break;
        case AttrType.OriginatorId:
          hasOriginatorId = true;
          break;
        case AttrType.ClusterList:
          clusterListLength = r.length >> 2;
          break;
        case AttrType.Communities:
          for (let i = at; i + 4 <= r.end; i += 4) {
            const c = r.u32(i);
            if (c === 0xffffff01) wellKnown |= WellKnown.NoExport;
            else if (c === 0xffffff02) wellKnown |= WellKnown.NoAdvertise;
            else if (c === 0xffffff03) wellKnown |= WellKnown.NoExportSubconfed;
          }
          break;
        default:
          break;
      }
    }
    // RFC 4271 9.1.2.2 a): an AS_SET counts 1; confederation segments (RFC 5065) count 0. The neighbouring
    // AS is the first AS of the path when it starts with an AS_SEQUENCE.
    let asPathLength = 0;
    let neighborAs = 0;
    let leading = true;
    for (let p = asPathAt; p >= 0 && p + 2 <= asPathEnd;) {
      const type = r.u8(p);
      const count = r.u8(p + 1);
      if (type === AsPathSegmentType.Sequence) {
        asPathLength += count;
        if (leading && count > 0) neighborAs = r.u32(p + 2);
        leading = false;
      } else if (type === AsPathSegmentType.Set) {
        asPathLength += 1;
        leading = false;
      }
      p += 2 + 4 * count;
    }
    const bits =
      origin |
      (wellKnown << WELL_KNOWN_SHIFT) |
      (hasOriginatorId ? HAS_ORIGINATOR_ID : 0) |
      (clusterListLength << CLUSTER_LIST_SHIFT);
    return makeAttrSet(
      key,
      this.sharedNextHop(key, nextHopAt, nextHopEnd),
      localPref,
      asPathLength,
      neighborAs | 0,
      med,
      bits,
    );
  }
}

/**
 * A new set with one reference, not in a table. One object literal: V8 pretenures the objects of a
 * literal's allocation site once it sees them survive (not those of a class constructor), so a full
 * table's sets (some 160,000) are allocated in the old generation instead of being copied out of the young
 * one (in-process IPv4 announce: 15 MB less promoted by the scavenger, its pauses 120 -> 85 ms). No
 * `__proto__` in it: that is a runtime call per set.
 */
function makeAttrSet(
  key: string,
  nextHopKey: string,
  localPref: number | undefined,
  asPathLength: number,
  neighborAs32: number,
  med: number | undefined,
  bits: number,
): AttrSet {
  return { refs: 1, slot: -1, key, nextHopKey, localPref, asPathLength, neighborAs32, med, bits };
}
