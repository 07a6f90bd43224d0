// AS_PATH (type 2, well-known mandatory, RFC 4271 5.1.2) and AS4_PATH (type 17, optional transitive,
// RFC 6793), plus the RFC 6793 4.2.3 reconstruction of the real path from AS_PATH + AS4_PATH when the
// session uses 2-octet ASNs.
//
// RFC 4271 4.3, one path segment:
//   +------------------------------+
//   | Segment Type (1 octet)       |  1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET
//   +------------------------------+
//   | Segment Length (1 octet)     |  number of ASes, not octets
//   +------------------------------+
//   | Segment Value (2 or 4 octets per AS)
//   +------------------------------+
import { AS_TRANS, AsPathSegmentType, AttrType, UpdateSubcode, type AsPathSegmentTypeCode } from '../iana.js';
import { attrError, OPTIONAL_TRANSITIVE, WELL_KNOWN, type AttributeDescriptor } from './descriptor.js';
import type {
  As4AggregatorAttribute,
  As4PathAttribute,
  AsPathAttribute,
  AsPathSegment,
  AggregatorAttribute,
  PathAttribute,
} from './types.js';

/**
 * Why the segments in raw[start, end) are malformed (RFC 7606 7.2), or undefined when they are well
 * formed; `confed` is set to whether a confederation segment is among them. Walks without decoding:
 * the one owner of the segment checks, for decodeSegments and the allocation-free `valid`.
 */
function segmentsError(
  raw: Uint8Array,
  start: number,
  end: number,
  asn4: boolean,
  confed: { found: boolean },
): string | undefined {
  const width = asn4 ? 4 : 2;
  confed.found = false;
  for (let pos = start; pos < end;) {
    // RFC 7606 7.2: "There is an underrun where after the last successfully parsed segment there is only a
    // single octet remaining (that is, there is not enough unconsumed data to provide even an empty segment header)."
    if (pos + 2 > end) return 'segment header underrun';
    const type = raw[pos]!;
    const count = raw[pos + 1]!;
    // RFC 7606 7.2: "An AS_PATH is considered malformed if an unrecognized segment type is encountered"
    if (type < 1 || type > 4) return `unknown segment type ${type}`;
    // RFC 7606 7.2: "It has a Path Segment Length field of zero."
    if (count === 0) return 'segment length zero';
    if (type === AsPathSegmentType.ConfedSequence || type === AsPathSegmentType.ConfedSet)
      confed.found = true;
    pos += 2 + count * width;
    // RFC 7606 7.2: "There is an overrun where the Path Segment Length field of the last segment encountered
    // would cause the Attribute Length to be exceeded."
    if (pos > end) return 'segment overruns the attribute';
  }
  return undefined;
}

/** segmentsError's confederation flag (read right after each call: decoding is synchronous). */
const CONFED = { found: false };

/** Decode segments, or return a reason string when malformed (RFC 7606 7.2). */
export function decodeSegments(raw: Uint8Array, asn4: boolean): AsPathSegment[] | string {
  const error = segmentsError(raw, 0, raw.length, asn4, CONFED);
  if (error !== undefined) return error;
  const segments: AsPathSegment[] = [];
  for (let pos = 0; pos < raw.length;) {
    const type = raw[pos]!;
    const count = raw[pos + 1]!;
    pos += 2;
    const asns = new Array<number>(count);
    if (asn4) {
      for (let i = 0; i < count; i++, pos += 4) {
        asns[i] = ((raw[pos]! << 24) | (raw[pos + 1]! << 16) | (raw[pos + 2]! << 8) | raw[pos + 3]!) >>> 0;
      }
    } else {
      for (let i = 0; i < count; i++, pos += 2) asns[i] = (raw[pos]! << 8) | raw[pos + 1]!;
    }
    segments.push({ type: type as AsPathSegmentTypeCode, asns });
  }
  return segments;
}

function hasConfed(segments: readonly AsPathSegment[]): boolean {
  for (const s of segments)
    if (s.type === AsPathSegmentType.ConfedSequence || s.type === AsPathSegmentType.ConfedSet) return true;
  return false;
}

export const asPathDescriptor: AttributeDescriptor = {
  code: AttrType.AsPath,
  name: 'AS_PATH',
  flags: WELL_KNOWN,
  decode(raw, flags, ctx) {
    const asn4 = ctx.asn4 || ctx.mrtRib === true;
    const segments = decodeSegments(raw, asn4);
    // RFC 7606 7.2: "An UPDATE message with a malformed AS_PATH attribute SHALL be handled using the
    // approach of "treat-as-withdraw"."
    if (typeof segments === 'string') {
      return attrError(
        AttrType.AsPath,
        'ERR_BGP_AS_PATH_MALFORMED',
        'treat-as-withdraw',
        `AS_PATH: ${segments}`,
        UpdateSubcode.MalformedAsPath,
      );
    }
    // RFC 7606 7.2 (and RFC 5065 5.3): an AS_CONFED_SEQUENCE or AS_CONFED_SET received from an external peer
    // that is not a member of the local confederation is treated as malformed ("treat-as-withdraw").
    if (ctx.peerType === 'ebgp' && ctx.confedPeer !== true && hasConfed(segments)) {
      return attrError(
        AttrType.AsPath,
        'ERR_BGP_AS_PATH_CONFED',
        'treat-as-withdraw',
        'AS_CONFED segment from an external peer',
        UpdateSubcode.MalformedAsPath,
      );
    }
    return { type: 'as-path', code: AttrType.AsPath, flags, raw, segments, asn4 };
  },
  format: (a: PathAttribute) => formatAsPath((a as AsPathAttribute).segments),
  valid(b, start, end, _flags, ctx) {
    if (segmentsError(b, start, end, ctx.asn4 || ctx.mrtRib === true, CONFED) !== undefined) return false;
    return !CONFED.found || ctx.peerType !== 'ebgp' || ctx.confedPeer === true;
  },
};

export const as4PathDescriptor: AttributeDescriptor = {
  code: AttrType.As4Path,
  name: 'AS4_PATH',
  flags: OPTIONAL_TRANSITIVE,
  decode(raw, flags) {
    const segments = decodeSegments(raw, true);
    // RFC 6793 6: a malformed AS4_PATH (checked like AS_PATH, and one carrying AS_CONFED_SEQUENCE or
    // AS_CONFED_SET segments) is handled by "attribute discard".
    if (typeof segments === 'string') {
      return attrError(
        AttrType.As4Path,
        'ERR_BGP_AS4_PATH_MALFORMED',
        'attribute-discard',
        `AS4_PATH: ${segments}`,
        UpdateSubcode.OptionalAttributeError,
      );
    }
    if (hasConfed(segments)) {
      return attrError(
        AttrType.As4Path,
        'ERR_BGP_AS4_PATH_MALFORMED',
        'attribute-discard',
        'AS4_PATH with AS_CONFED segments',
        UpdateSubcode.OptionalAttributeError,
      );
    }
    return { type: 'as4-path', code: AttrType.As4Path, flags, raw, segments };
  },
  format: (a: PathAttribute) => formatAsPath((a as As4PathAttribute).segments),
};

// ===== Path length and reconstruction =====

/** RFC 4271 9.1.2.2 a): an AS_SET counts as 1; RFC 5065 5.3: confederation segments count 0. */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === AsPathSegmentType.Sequence) n += s.asns.length;
    else if (s.type === AsPathSegmentType.Set) n += 1;
  }
  return n;
}

/**
 * RFC 6793 4.2.3: the path a NEW speaker uses for a route from an OLD (2-octet) peer.
 * "If the number of AS numbers in the AS_PATH attribute is less than the number of AS numbers in the
 * AS4_PATH attribute, then the AS4_PATH attribute SHALL be ignored, and the AS_PATH attribute SHALL be
 * taken as the AS path information. If the number of AS numbers in the AS_PATH attribute is larger than or
 * equal to the number of AS numbers in the AS4_PATH attribute, then the AS path information SHALL be
 * constructed by taking as many AS numbers and path segments as necessary from the leading part of the
 * AS_PATH attribute, and then prepending them to the AS4_PATH attribute".
 */
export function reconstructAsPath(
  asPath: readonly AsPathSegment[],
  as4Path: readonly AsPathSegment[],
): AsPathSegment[] {
  const total = asPathLength(asPath);
  const tail = asPathLength(as4Path);
  if (total < tail) return asPath.map((s) => ({ type: s.type, asns: s.asns.slice() }));
  let needed = total - tail;
  const out: AsPathSegment[] = [];
  let leading = true; // still in the leading run of confederation segments
  for (const s of asPath) {
    const confed = s.type === AsPathSegmentType.ConfedSequence || s.type === AsPathSegmentType.ConfedSet;
    // Confederation segments count 0 and cannot appear in AS4_PATH: keep them while taking from AS_PATH.
    if (confed) {
      if (needed > 0 || leading) out.push({ type: s.type, asns: s.asns.slice() });
      continue;
    }
    leading = false;
    if (needed === 0) break;
    if (s.type === AsPathSegmentType.Set) {
      out.push({ type: s.type, asns: s.asns.slice() });
      needed -= 1;
    } else {
      const take = Math.min(needed, s.asns.length);
      out.push({ type: s.type, asns: s.asns.slice(0, take) });
      needed -= take;
    }
  }
  for (const s of as4Path) {
    const last = out[out.length - 1];
    if (last && last.type === AsPathSegmentType.Sequence && s.type === AsPathSegmentType.Sequence)
      last.asns.push(...s.asns);
    else out.push({ type: s.type, asns: s.asns.slice() });
  }
  return out;
}

/**
 * The effective AS path and aggregator of an attribute list (RFC 6793 4.2.3). With `asn4` (or when there is
 * no AS4_PATH/AS4_AGGREGATOR) these are AS_PATH and AGGREGATOR as received.
 * RFC 6793 4.2.3 (paraphrased): when AGGREGATOR carries an AS other than AS_TRANS, AS4_AGGREGATOR and
 * AS4_PATH are ignored; when it carries AS_TRANS, AS4_AGGREGATOR gives the aggregator.
 */
export function effectivePath(
  attrs: readonly PathAttribute[],
  asn4: boolean,
): { segments: AsPathSegment[]; aggregator: { asn: number; address: number } | undefined } {
  let asPath: AsPathAttribute | undefined;
  let as4Path: As4PathAttribute | undefined;
  let aggregator: AggregatorAttribute | undefined;
  let as4Aggregator: As4AggregatorAttribute | undefined;
  for (const a of attrs) {
    if (a.type === 'as-path') asPath = a;
    else if (a.type === 'as4-path') as4Path = a;
    else if (a.type === 'aggregator') aggregator = a;
    else if (a.type === 'as4-aggregator') as4Aggregator = a;
  }
  const segments = asPath?.segments ?? [];
  const agg = aggregator && { asn: aggregator.asn, address: aggregator.address };
  // A NEW speaker ignores AS4_PATH / AS4_AGGREGATOR on a 4-octet session (RFC 6793 4.1).
  if (asn4 || asPath?.asn4 === true) return { segments, aggregator: agg };
  if (aggregator && aggregator.asn !== AS_TRANS) return { segments, aggregator: agg };
  const realAgg =
    as4Aggregator && aggregator ? { asn: as4Aggregator.asn, address: as4Aggregator.address } : agg;
  return {
    segments: as4Path ? reconstructAsPath(segments, as4Path.segments) : segments,
    aggregator: realAgg,
  };
}

// ===== Encoding and formatting =====

/** AS_PATH value bytes; segments longer than 255 ASes are split (RFC 4271 9.2.2.1 style). */
export function encodeAsPathValue(segments: readonly AsPathSegment[], asn4: boolean): Uint8Array {
  const width = asn4 ? 4 : 2;
  let size = 0;
  for (const s of segments) size += Math.ceil(s.asns.length / 255) * 2 + s.asns.length * width;
  const out = new Uint8Array(size);
  let p = 0;
  for (const s of segments) {
    for (let i = 0; i < s.asns.length; i += 255) {
      const chunk = Math.min(255, s.asns.length - i);
      out[p++] = s.type;
      out[p++] = chunk;
      for (let j = i; j < i + chunk; j++) {
        let asn = s.asns[j]! >>> 0;
        if (!asn4) {
          // RFC 6793 4.2.2: an AS that does not fit in 2 octets is replaced by AS_TRANS.
          if (asn > 0xffff) asn = AS_TRANS;
          out[p++] = asn >>> 8;
          out[p++] = asn & 255;
        } else {
          out[p++] = asn >>> 24;
          out[p++] = (asn >>> 16) & 255;
          out[p++] = (asn >>> 8) & 255;
          out[p++] = asn & 255;
        }
      }
    }
  }
  return out;
}

export function makeAsPath(segments: AsPathSegment[], asn4: boolean): AsPathAttribute {
  return {
    type: 'as-path',
    code: AttrType.AsPath,
    flags: WELL_KNOWN,
    raw: encodeAsPathValue(segments, asn4),
    segments,
    asn4,
  };
}

export function makeAs4Path(segments: AsPathSegment[]): As4PathAttribute {
  return {
    type: 'as4-path',
    code: AttrType.As4Path,
    flags: OPTIONAL_TRANSITIVE,
    raw: encodeAsPathValue(segments, true),
    segments,
  };
}

/** bgpdump style: "1 2 {3,4} (5 6) [7,8]". */
export function formatAsPath(segments: readonly AsPathSegment[]): string {
  const parts: string[] = [];
  for (const s of segments) {
    switch (s.type) {
      case AsPathSegmentType.Sequence:
        parts.push(s.asns.join(' '));
        break;
      case AsPathSegmentType.Set:
        parts.push(`{${s.asns.join(',')}}`);
        break;
      case AsPathSegmentType.ConfedSequence:
        parts.push(`(${s.asns.join(' ')})`);
        break;
      case AsPathSegmentType.ConfedSet:
        parts.push(`[${s.asns.join(',')}]`);
        break;
    }
  }
  return parts.join(' ');
}
