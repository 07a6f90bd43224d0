// Interned path attribute sets: ONE shared, refcounted AttrSet object per distinct set of attributes
// (+ next hop), keyed by a hash of the attribute bytes and byte-compared on collision. The fields the
// decision process needs are cached on the set when it is created, so the decision never re-parses.
//
// The key of a set is the attributes in wire form (flags, code, length, value; MP_REACH/MP_UNREACH left
// out, attributes in type-code order, AS_PATH normalised to 4-octet ASNs by the decode stage) followed by
// the next hop bytes and one octet with the next-hop length. A new set decodes its attributes again from its own copy
// of the key, so it never keeps an UPDATE's buffer alive.
import { decodeAttributes, AttrFlag, AsPathSegmentType } from '../wire/index.js';
import type { AsPathSegment, PathAttribute } from '../wire/index.js';

/** RFC 4271 5.1.5: LOCAL_PREF assumed for a route that has none (eBGP-learned, locally originated). */
export const DEFAULT_LOCAL_PREF = 100;

/** RFC 1997 well-known communities found on a set (bits of `AttrSet.wellKnown`). */
export const WellKnown = { NoExport: 1, NoAdvertise: 2, NoExportSubconfed: 4 } as const;

/**
 * One interned attribute set. Only the key bytes and the fields the decision and the propagation rules
 * need are held; the attribute objects are decoded from the key when asked for (`attributes`), which
 * keeps a full table's worth of sets small.
 */
export class AttrSet {
  /** References held by RIB entries; at 0 the set leaves the store. */
  refs = 1;
  constructor(
    /** The interning key (see the file comment). */
    readonly key: Uint8Array,
    readonly hash: number,
    /** The next hop: 4 octets (IPv4), 16 (IPv6 global) or 32 (global + link-local); undefined for our own routes. */
    readonly nextHop: Uint8Array | undefined,
    /** LOCAL_PREF, or undefined when absent. */
    readonly localPref: number | undefined,
    /** RFC 4271 9.1.2.2 a): AS_SET counts 1, confederation segments 0. */
    readonly asPathLength: number,
    /** The neighbouring AS: the first AS of the leading AS_SEQUENCE, 0 when the path is empty. */
    readonly neighborAs: number,
    /** ORIGIN 0 IGP, 1 EGP, 2 INCOMPLETE (2 when absent). */
    readonly origin: number,
    /** MULTI_EXIT_DISC, or undefined when absent. */
    readonly med: number | undefined,
    /** ORIGINATOR_ID (RFC 4456), or undefined. */
    readonly originatorId: number | undefined,
    /** Number of CLUSTER_LIST entries (RFC 4456), 0 when absent. */
    readonly clusterListLength: number,
    /** The AS path segments (4-octet ASNs). */
    readonly asPath: readonly AsPathSegment[],
    /** WellKnown bits of the RFC 1997 communities present. */
    readonly wellKnown: number,
  ) {}

  /**
   * The attributes in type-code order, without MP_REACH_NLRI / MP_UNREACH_NLRI, AS_PATH with 4-octet
   * ASNs. Decoded from the key on every call (a new array each time): read it once per use.
   */
  /** The attributes in wire form (type-code order), as an UPDATE or an MRT RIB entry carries them. */
  get attributeBytes(): Uint8Array {
    const nhLen = this.key[this.key.length - 1]!;
    return this.key.subarray(0, this.key.length - 1 - nhLen);
  }

  get attributes(): PathAttribute[] {
    const nhLen = this.key[this.key.length - 1]!;
    return decodeAttributes(this.key.subarray(0, this.key.length - 1 - nhLen), AS4_CONTEXT).attributes;
  }
}

const INITIAL_SCRATCH = 4096;
const AS4_CONTEXT = { asn4: true } as const;

function sameBytes(a: Uint8Array, b: Uint8Array, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class AttrStore {
  /** hash -> one set, or several on a hash collision. */
  private readonly sets = new Map<number, AttrSet | AttrSet[]>();
  private scratch = new Uint8Array(INITIAL_SCRATCH);
  private count = 0;

  /** Distinct sets currently held. */
  get size(): number {
    return this.count;
  }

  /**
   * The shared set for `attributes` (any order; MP attributes ignored) and `nextHop`, with one more
   * reference. Callers that stop using the set call `release`.
   */
  intern(attributes: readonly PathAttribute[], nextHop: Uint8Array | undefined): AttrSet {
    const n = this.writeKey(attributes, nextHop);
    return this.internKey(this.scratch, n);
  }

  /** One more reference to `set`; a set already released is re-interned (the result may be another object). */
  acquire(set: AttrSet): AttrSet {
    if (set.refs > 0) {
      set.refs++;
      return set;
    }
    return this.internKey(set.key, set.key.length);
  }

  /** Drop one reference; the last one removes the set from the store. */
  release(set: AttrSet): void {
    if (--set.refs > 0) return;
    const slot = this.sets.get(set.hash);
    if (slot === set) this.sets.delete(set.hash);
    else if (Array.isArray(slot)) {
      const i = slot.indexOf(set);
      if (i >= 0) slot.splice(i, 1);
      if (slot.length === 1) this.sets.set(set.hash, slot[0]!);
    } else return;
    this.count--;
  }

  private internKey(key: Uint8Array, n: number): AttrSet {
    // FNV-1a over the key bytes.
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
    h >>>= 0;
    const slot = this.sets.get(h);
    if (slot !== undefined) {
      if (!Array.isArray(slot)) {
        if (sameBytes(slot.key, key, n)) {
          slot.refs++;
          return slot;
        }
      } else {
        for (const s of slot) {
          if (sameBytes(s.key, key, n)) {
            s.refs++;
            return s;
          }
        }
      }
    }
    const set = createSet(key.slice(0, n), h);
    if (slot === undefined) this.sets.set(h, set);
    else if (Array.isArray(slot)) slot.push(set);
    else this.sets.set(h, [slot, set]);
    this.count++;
    return set;
  }

  /** Write the key of (attributes, nextHop) into the scratch buffer; returns its length. */
  private writeKey(attributes: readonly PathAttribute[], nextHop: Uint8Array | undefined): number {
    let size = 1 + (nextHop?.length ?? 0);
    for (const a of attributes) size += 4 + a.raw.length;
    if (size > this.scratch.length) this.scratch = new Uint8Array(size * 2);
    const out = this.scratch;
    // Type-code order without sorting a copy: attributes are few; pick them by ascending code.
    let p = 0;
    let last = -1;
    for (;;) {
      let next: PathAttribute | undefined;
      for (const a of attributes) {
        if (a.type === 'mp-reach' || a.type === 'mp-unreach' || a.type === 'malformed') continue;
        if (a.code > last && (next === undefined || a.code < next.code)) next = a;
      }
      if (next === undefined) break;
      last = next.code;
      const len = next.raw.length;
      const ext = len > 255;
      out[p++] = ext ? next.flags | AttrFlag.ExtendedLength : next.flags & ~AttrFlag.ExtendedLength;
      out[p++] = next.code;
      if (ext) {
        out[p++] = len >> 8;
        out[p++] = len & 255;
      } else out[p++] = len;
      out.set(next.raw, p);
      p += len;
    }
    if (nextHop) {
      out.set(nextHop, p);
      p += nextHop.length;
    }
    // The last octet is the next-hop length, so the attribute section can be found again.
    out[p++] = nextHop?.length ?? 0;
    return p;
  }
}

/** Build a set from its own key copy: decode the attributes once to cache the decision fields. */
function createSet(key: Uint8Array, hash: number): AttrSet {
  const nhLen = key[key.length - 1]!;
  const attrEnd = key.length - 1 - nhLen;
  const nextHop = nhLen > 0 ? key.subarray(attrEnd, attrEnd + nhLen) : undefined;
  const attributes = decodeAttributes(key.subarray(0, attrEnd), AS4_CONTEXT).attributes;
  let localPref: number | undefined;
  let med: number | undefined;
  let origin = 2;
  let originatorId: number | undefined;
  let clusterListLength = 0;
  let asPath: readonly AsPathSegment[] = [];
  let wellKnown = 0;
  for (const a of attributes) {
    switch (a.type) {
      case 'local-pref':
        localPref = a.localPref;
        break;
      case 'med':
        med = a.med;
        break;
      case 'origin':
        origin = a.origin;
        break;
      case 'originator-id':
        originatorId = a.originatorId;
        break;
      case 'cluster-list':
        clusterListLength = a.clusterIds.length;
        break;
      case 'as-path':
        asPath = a.segments;
        break;
      case 'communities':
        for (const c of a.values) {
          if (c === 0xffffff01) wellKnown |= WellKnown.NoExport;
          else if (c === 0xffffff02) wellKnown |= WellKnown.NoAdvertise;
          else if (c === 0xffffff03) wellKnown |= WellKnown.NoExportSubconfed;
        }
        break;
      default:
        break;
    }
  }
  let asPathLength = 0;
  for (const s of asPath) {
    if (s.type === AsPathSegmentType.Sequence) asPathLength += s.asns.length;
    else if (s.type === AsPathSegmentType.Set) asPathLength += 1;
  }
  const first = asPath.find((s) => s.type === AsPathSegmentType.Sequence || s.type === AsPathSegmentType.Set);
  const neighborAs = first && first.type === AsPathSegmentType.Sequence ? (first.asns[0] ?? 0) : 0;
  return new AttrSet(
    key,
    hash,
    nextHop,
    localPref,
    asPathLength,
    neighborAs,
    origin,
    med,
    originatorId,
    clusterListLength,
    asPath,
    wellKnown,
  );
}
