// Interned path attribute sets: ONE shared, refcounted AttrSet object per distinct set of attributes
// (+ next hop). The interning key is a one-byte (latin1) string of the attribute bytes, so the store is
// a plain Map<string, AttrSet> (V8 hashes and compares the strings natively) and a set costs one compact
// heap string instead of a typed array, an ArrayBuffer and its native backing store. The fields the
// decision process needs are cached on the set when it is created, so the decision never re-parses;
// everything else (the attribute objects, the AS path segments, the next hop bytes) is decoded from the
// key when asked for.
//
// The key of a set is the attributes in wire form (flags, code, length, value; MP_REACH/MP_UNREACH left
// out, attributes in type-code order, AS_PATH normalised to 4-octet ASNs by the decode stage) followed by
// the next hop bytes and one octet with the next-hop length. It never keeps an UPDATE's buffer alive.
import { decodeAttributes, AttrFlag, AttrType, AsPathSegmentType } from '../wire/index.js';
import type { AsPathSegment, PathAttribute } from '../wire/index.js';

/** RFC 4271 5.1.5: LOCAL_PREF assumed for a route that has none (eBGP-learned, locally originated). */
export const DEFAULT_LOCAL_PREF = 100;

/** RFC 1997 well-known communities found on a set (bits of `AttrSet.wellKnown`). */
export const WellKnown = { NoExport: 1, NoAdvertise: 2, NoExportSubconfed: 4 } as const;

/**
 * One interned attribute set. Only the key and the fields the decision and the propagation rules need are
 * held; the attribute objects, AS path and next hop are decoded from the key when asked for, which keeps
 * a full table's worth of sets small.
 */
export class AttrSet {
  /** References held by RIB entries; at 0 the set leaves the store. */
  refs = 1;
  constructor(
    /** The interning key (see the file comment), one char per octet. */
    readonly key: string,
    /** The next hop octets as a latin1 string ('' for our own routes): what reachability looks up. */
    readonly nextHopKey: string,
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
    /** WellKnown bits of the RFC 1997 communities present. */
    readonly wellKnown: number,
    /** Offset of the AS_PATH value in the key (-1 when absent): for `asPathContains` without decoding. */
    private readonly asPathAt: number,
    private readonly asPathEnd: number,
  ) {}

  /** The next hop: 4 octets (IPv4), 16 (IPv6 global) or 32 (global + link-local); undefined for our own routes. */
  get nextHop(): Uint8Array | undefined {
    return this.nextHopKey === '' ? undefined : latin1Bytes(this.nextHopKey);
  }

  /** The attributes in wire form (type-code order), as an UPDATE or an MRT RIB entry carries them. */
  get attributeBytes(): Uint8Array {
    return latin1Bytes(this.key.slice(0, this.key.length - 1 - this.nextHopKey.length));
  }

  /**
   * The attributes in type-code order, without MP_REACH_NLRI / MP_UNREACH_NLRI, AS_PATH with 4-octet
   * ASNs. Decoded from the key on every call (a new array each time): read it once per use.
   */
  get attributes(): PathAttribute[] {
    return decodeAttributes(this.attributeBytes, AS4_CONTEXT).attributes;
  }

  /** The AS path segments (4-octet ASNs), decoded on every call. */
  get asPath(): readonly AsPathSegment[] {
    for (const a of this.attributes) if (a.type === 'as-path') return a.segments;
    return [];
  }

  /** Whether `asn` appears in an AS_SEQUENCE or AS_SET of the path (RFC 4271 9.1.2 loop check), without decoding. */
  asPathContains(asn: number): boolean {
    const k = this.key;
    for (let p = this.asPathAt; p + 2 <= this.asPathEnd;) {
      const type = k.charCodeAt(p);
      const count = k.charCodeAt(p + 1);
      p += 2;
      const counts = type === AsPathSegmentType.Sequence || type === AsPathSegmentType.Set;
      for (let i = 0; i < count; i++, p += 4) {
        if (!counts) continue;
        const v =
          ((k.charCodeAt(p) << 24) |
            (k.charCodeAt(p + 1) << 16) |
            (k.charCodeAt(p + 2) << 8) |
            k.charCodeAt(p + 3)) >>>
          0;
        if (v === asn) return true;
      }
    }
    return false;
  }
}

const INITIAL_SCRATCH = 4096;

/**
 * The octets of a latin1 string (one per char), as a plain Uint8Array view: the decoder takes many
 * subarrays, and a plain view's subarrays are built-in typed arrays rather than Buffer objects.
 */
function latin1Bytes(s: string): Uint8Array {
  const b = Buffer.from(s, 'latin1');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}
const AS4_CONTEXT = { asn4: true } as const;

export class AttrStore {
  private readonly sets = new Map<string, AttrSet>();
  private scratch = Buffer.allocUnsafeSlow(INITIAL_SCRATCH);

  /** Distinct sets currently held. */
  get size(): number {
    return this.sets.size;
  }

  /**
   * The shared set for `attributes` (any order; MP attributes ignored) and `nextHop`, with one more
   * reference. Callers that stop using the set call `release`.
   */
  intern(attributes: readonly PathAttribute[], nextHop: Uint8Array | undefined): AttrSet {
    const n = this.writeKey(attributes, nextHop);
    return this.internKey(this.scratch.toString('latin1', 0, n));
  }

  /** The shared set whose key is `bytes` (a key written elsewhere, e.g. export-key.ts), with one more reference. */
  internBytes(bytes: Uint8Array): AttrSet {
    return this.internKey(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'));
  }

  /** One more reference to `set`; a set already released is re-interned (the result may be another object). */
  acquire(set: AttrSet): AttrSet {
    if (set.refs > 0) {
      set.refs++;
      return set;
    }
    return this.internKey(set.key);
  }

  /** The set for `key` with one more reference, created when new. */
  private internKey(key: string): AttrSet {
    const found = this.sets.get(key);
    if (found !== undefined) {
      found.refs++;
      return found;
    }
    const set = createSet(key, latin1Bytes(key));
    this.sets.set(key, set);
    return set;
  }

  /** Drop one reference; the last one removes the set from the store. */
  release(set: AttrSet): void {
    if (--set.refs > 0) return;
    if (this.sets.get(set.key) === set) this.sets.delete(set.key);
  }

  /** Write the key of (attributes, nextHop) into the scratch buffer; returns its length. */
  private writeKey(attributes: readonly PathAttribute[], nextHop: Uint8Array | undefined): number {
    let size = 1 + (nextHop?.length ?? 0);
    for (const a of attributes) size += 4 + a.raw.length;
    if (size > this.scratch.length) this.scratch = Buffer.allocUnsafeSlow(size * 2);
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

/**
 * Build a set for `key` (`bytes` holds the same octets): one pass over the attributes in wire form (they
 * were validated when received or built) reads the fields the decision needs, without decoding objects.
 */
function createSet(key: string, bytes: Uint8Array): AttrSet {
  const nhLen = bytes[bytes.length - 1]!;
  const attrEnd = bytes.length - 1 - nhLen;
  const nextHopKey = key.slice(attrEnd, attrEnd + nhLen);
  let localPref: number | undefined;
  let med: number | undefined;
  let origin = 2;
  let originatorId: number | undefined;
  let clusterListLength = 0;
  let asPathAt = -1;
  let asPathEnd = -1;
  let wellKnown = 0;
  for (let p = 0; p < attrEnd;) {
    const flags = bytes[p]!;
    const code = bytes[p + 1]!;
    const ext = (flags & AttrFlag.ExtendedLength) !== 0;
    const len = ext ? (bytes[p + 2]! << 8) | bytes[p + 3]! : bytes[p + 2]!;
    const at = p + (ext ? 4 : 3);
    p = at + len;
    switch (code) {
      case AttrType.Origin:
        origin = bytes[at]!;
        break;
      case AttrType.AsPath:
        asPathAt = at;
        asPathEnd = at + len;
        break;
      case AttrType.Med:
        med = u32(bytes, at);
        break;
      case AttrType.LocalPref:
        localPref = u32(bytes, at);
        break;
      case AttrType.OriginatorId:
        originatorId = u32(bytes, at);
        break;
      case AttrType.ClusterList:
        clusterListLength = len >> 2;
        break;
      case AttrType.Communities:
        for (let i = at; i + 4 <= at + len; i += 4) {
          const c = u32(bytes, i);
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
    const type = bytes[p]!;
    const count = bytes[p + 1]!;
    if (type === AsPathSegmentType.Sequence) {
      asPathLength += count;
      if (leading && count > 0) neighborAs = u32(bytes, p + 2);
      leading = false;
    } else if (type === AsPathSegmentType.Set) {
      asPathLength += 1;
      leading = false;
    }
    p += 2 + 4 * count;
  }
  return new AttrSet(
    key,
    nextHopKey,
    localPref,
    asPathLength,
    neighborAs,
    origin,
    med,
    originatorId,
    clusterListLength,
    wellKnown,
    asPathAt,
    asPathEnd,
  );
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
