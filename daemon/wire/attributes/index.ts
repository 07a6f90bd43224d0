// The path attribute registry (type code -> descriptor) and the attribute-section codec shared by the UPDATE
// decoder and the MRT reader: `decodeAttributes` walks the section once, applying the per-attribute checks
// of RFC 7606 section 7 and the section-level ones of sections 3 and 4; `writeAttribute` writes an attribute
// back byte for byte (flags as received, raw values).
//
// RFC 4271 4.3, one path attribute:
//   +-----------------------------+------------------------------+
//   | Attr. Flags (1) | Type (1)  | Length (1, or 2 if Extended) | Value (Length octets)
//   +-----------------------------+------------------------------+
//
// Checks not done here (they need session state): NEXT_HOP semantics (own address, martians), first AS of
// AS_PATH equal to the eBGP peer's AS, LOCAL_PREF presence on iBGP. The missing-mandatory check needs to
// know whether the UPDATE carries NLRI; it lives in `update.ts` (`checkMandatory`).
import type { DecodeContext } from '../context.js';
import { strongerAction, updateError, type ErrorAction, type UpdateError } from '../errors.js';
import { attrName, AttrFlag, AttrType, UpdateSubcode } from '../iana.js';
import type { WireWriter } from '../writer.js';
import { aggregatorDescriptor, as4AggregatorDescriptor } from './aggregator.js';
import { aigpDescriptor } from './aigp.js';
import { as4PathDescriptor, asPathDescriptor } from './as-path.js';
import { clusterListDescriptor } from './cluster-list.js';
import {
  communitiesDescriptor,
  extendedCommunitiesDescriptor,
  largeCommunitiesDescriptor,
} from './communities.js';
import { isAttributeError, type AttributeDescriptor } from './descriptor.js';
import { mpReachDescriptor, mpUnreachDescriptor } from './mp.js';
import { originDescriptor } from './origin.js';
import {
  atomicAggregateDescriptor,
  localPrefDescriptor,
  medDescriptor,
  nextHopDescriptor,
  originatorIdDescriptor,
} from './simple.js';
import type { AttributeOf, PathAttribute, PathAttributeType, UnknownAttribute } from './types.js';

export type * from './types.js';
export type { AttributeDescriptor } from './descriptor.js';

// ===== Registry =====

const REGISTRY: (AttributeDescriptor | undefined)[] = new Array(256).fill(undefined);
for (const d of [
  originDescriptor,
  asPathDescriptor,
  nextHopDescriptor,
  medDescriptor,
  localPrefDescriptor,
  atomicAggregateDescriptor,
  aggregatorDescriptor,
  communitiesDescriptor,
  originatorIdDescriptor,
  clusterListDescriptor,
  mpReachDescriptor,
  mpUnreachDescriptor,
  extendedCommunitiesDescriptor,
  as4PathDescriptor,
  as4AggregatorDescriptor,
  aigpDescriptor,
  largeCommunitiesDescriptor,
]) {
  REGISTRY[d.code] = d;
}

/** The descriptor of a type code, or undefined for attributes kept opaque. */
export function attributeDescriptor(code: number): AttributeDescriptor | undefined {
  return REGISTRY[code];
}

/**
 * Why `raw` with `flags` is not a valid value of attribute `code`, as decodeAttributes would judge it alone
 * in a section (flags, then the descriptor's checks), or undefined when it is valid. For values written
 * by plugins; MP_REACH_NLRI / MP_UNREACH_NLRI are the caller's to refuse. An unknown attribute is valid
 * when optional (RFC 4271 5: a well-known one we do not know cannot exist). Allocates only on error.
 */
export function attributeValueError(
  code: number,
  flags: number,
  raw: Uint8Array,
  ctx: DecodeContext,
): string | undefined {
  if (raw.length > 0xffff) return `${attrName(code)} value of ${raw.length} octets`;
  const desc = REGISTRY[code];
  if (desc === undefined)
    return (flags & AttrFlag.Optional) !== 0 ? undefined : `unrecognized well-known attribute ${code}`;
  if ((flags & (AttrFlag.Optional | AttrFlag.Transitive)) !== desc.flags)
    return `${desc.name} flags 0x${flags.toString(16)}`;
  // The allocation-free check first; the decode only to say why not.
  if (desc.valid?.(raw, 0, raw.length, flags, ctx) === true) return undefined;
  const r = desc.decode(raw, flags, ctx);
  return isAttributeError(r) ? r.reason : undefined;
}

// ===== Decoding =====

export interface DecodedAttributes {
  /** Attributes in received order. Discarded ones are left out; treat-as-withdraw ones stay as 'malformed'. */
  attributes: PathAttribute[];
  /** Every error found, in order (the NOTIFICATION data of each is the whole offending attribute). */
  errors: UpdateError[];
  /** The strongest action among `errors`, or 'none'. */
  action: ErrorAction | 'none';
}

/** Seen-type bitmap for the duplicate check (decoding is synchronous, so one is enough). */
const seen = new Uint32Array(8);

/**
 * Decode a path attribute section (`section` is exactly the attributes, e.g. a subarray of an UPDATE or of a
 * TABLE_DUMP_V2 RIB entry). Never throws. Stops at the first session-reset error.
 */
export function decodeAttributes(section: Uint8Array, ctx: DecodeContext): DecodedAttributes {
  const attributes: PathAttribute[] = [];
  const errors: UpdateError[] = [];
  seen.fill(0);
  const end = section.length;
  let pos = 0;
  while (pos < end) {
    // RFC 7606 4: "fewer than three octets remain (or fewer than four octets, if the Attribute Flags field
    // has the Extended Length bit set) when beginning to parse the attribute" or "the length of the last
    // encountered path attribute would cause the Total Attribute Length to be exceeded when parsing the
    // enclosed path attributes. In either of these cases, an error condition exists and the
    // "treat-as-withdraw" approach MUST be used (unless some other, more severe error is encountered
    // dictating a stronger approach), and the Total Attribute Length MUST be relied upon to enable the
    // beginning of the NLRI field to be located."
    const flags = section[pos]!;
    const extended = extendedOctets(flags);
    const headerLength = 3 + extended;
    if (end - pos < headerLength) {
      errors.push(
        updateError(
          'ERR_BGP_ATTR_OVERRUN',
          'treat-as-withdraw',
          UpdateSubcode.MalformedAttributeList,
          `${end - pos} octets left, too few for an attribute header`,
        ),
      );
      break;
    }
    const code = section[pos + 1]!;
    const length = valueLengthOf(section[pos + 2]!, section[pos + 2 + extended]!, extended);
    const valueStart = pos + headerLength;
    if (valueStart + length > end) {
      errors.push(
        updateError(
          'ERR_BGP_ATTR_OVERRUN',
          'treat-as-withdraw',
          UpdateSubcode.AttributeLengthError,
          `${attrName(code)} length ${length} overruns the attribute section`,
          {
            attrType: code,
            data: section.subarray(pos, end),
          },
        ),
      );
      break;
    }
    const raw = section.subarray(valueStart, valueStart + length);
    const attrStart = pos;
    pos = valueStart + length;
    // The whole attribute, section[attrStart, pos), is the NOTIFICATION data; it is cut out only on error.

    // RFC 7606 3 g: "If the MP_REACH_NLRI attribute or the MP_UNREACH_NLRI [RFC4760] attribute appears more
    // than once in the UPDATE message, then a NOTIFICATION message MUST be sent with the Error Subcode
    // "Malformed Attribute List". If any other attribute (whether recognized or unrecognized) appears more
    // than once in an UPDATE message, then all the occurrences of the attribute other than the first one
    // SHALL be discarded and the UPDATE message will continue to be processed."
    const word = code >> 5;
    const bit = 1 << (code & 31);
    if ((seen[word]! & bit) !== 0) {
      if (code === AttrType.MpReachNlri || code === AttrType.MpUnreachNlri) {
        errors.push(
          updateError(
            'ERR_BGP_ATTR_MP_DUPLICATE',
            'session-reset',
            UpdateSubcode.MalformedAttributeList,
            `${attrName(code)} appears twice`,
            { attrType: code },
          ),
        );
        break;
      }
      errors.push(
        updateError(
          'ERR_BGP_ATTR_DUPLICATE',
          'attribute-discard',
          UpdateSubcode.MalformedAttributeList,
          `${attrName(code)} appears twice`,
          { attrType: code, data: section.subarray(attrStart, pos) },
        ),
      );
      continue;
    }
    seen[word]! |= bit;

    const desc = REGISTRY[code];
    if (desc === undefined) {
      // RFC 4271 6.3: "If any of the well-known mandatory attributes are not recognized, then the Error
      // Subcode MUST be set to Unrecognized Well-known Attribute. The Data field MUST contain the
      // unrecognized attribute (type, length, and value)." (An attribute with the Optional bit clear is
      // well-known; we know every well-known attribute.)
      if ((flags & AttrFlag.Optional) === 0) {
        errors.push(
          updateError(
            'ERR_BGP_ATTR_UNRECOGNIZED_WELL_KNOWN',
            'session-reset',
            UpdateSubcode.UnrecognizedWellKnownAttribute,
            `unrecognized well-known attribute ${code}`,
            { attrType: code, data: section.subarray(attrStart, pos) },
          ),
        );
        break;
      }
      // RFC 4271 5: "Unrecognized ... optional attributes" are kept: transitive ones are passed on with the
      // Partial bit set (`forwardedFlags`), non-transitive ones are ignored by the route engine.
      attributes.push({ type: 'unknown', code, flags, raw });
      continue;
    }

    // RFC 7606 3 c: "If the value of either the Optional or Transitive bits in the Attribute Flags is in
    // conflict with their specified values, then the attribute MUST be treated as malformed and the
    // "treat-as-withdraw" approach used, unless the specification for the attribute mandates different
    // handling for incorrect Attribute Flags."
    const flagsWrong = (flags & (AttrFlag.Optional | AttrFlag.Transitive)) !== desc.flags;
    if (flagsWrong) {
      errors.push(
        updateError(
          'ERR_BGP_ATTR_FLAGS',
          'treat-as-withdraw',
          UpdateSubcode.AttributeFlagsError,
          `${desc.name} flags 0x${flags.toString(16)}`,
          { attrType: code, data: section.subarray(attrStart, pos) },
        ),
      );
    }

    const r = desc.decode(raw, flags, ctx);
    if (!isAttributeError(r)) {
      // MP attributes with wrong flags stay decoded: their prefixes are what "treat-as-withdraw" withdraws.
      if (!flagsWrong || code === AttrType.MpReachNlri || code === AttrType.MpUnreachNlri) attributes.push(r);
      else attributes.push({ type: 'malformed', code, flags, raw });
      continue;
    }
    r.data = section.subarray(attrStart, pos);
    errors.push(r);
    if (r.action === 'session-reset') break;
    if (r.action !== 'attribute-discard') attributes.push({ type: 'malformed', code, flags, raw });
  }
  if (errors.length === 0) return { attributes, errors, action: 'none' };
  let action: ErrorAction = errors[0]!.action;
  for (let i = 1; i < errors.length; i++) action = strongerAction(action, errors[i]!.action);
  return { attributes, errors, action };
}

/** Where `cleanSection` found the MP attributes: offsets of their values in its bytes, -1 when absent. */
export interface MpPlaces {
  reach: number;
  reachEnd: number;
  unreach: number;
  unreachEnd: number;
}

/**
 * The decoder's fast path: for a section whose every attribute decodeAttributes would take as it is - no
 * error of any kind, no duplicate, known and checked by its descriptor's `valid` (so not AS4_PATH,
 * AS4_AGGREGATOR or unknown ones) - a bitmask of the type codes below 32 it holds; -1 when the section
 * needs the full decode. The section is bytes[start, end), read in place. The values of MP_REACH_NLRI
 * and MP_UNREACH_NLRI (of any family) are put in `mp`. Allocates nothing.
 */
export function cleanSection(
  bytes: Uint8Array,
  start: number,
  end: number,
  ctx: DecodeContext,
  mp: MpPlaces,
): number {
  mp.reach = mp.reachEnd = mp.unreach = mp.unreachEnd = -1;
  let present = 0;
  seen.fill(0);
  let pos = start;
  while (pos < end) {
    const left = end - pos;
    if (left < 3) return -1;
    const flags = bytes[pos]!;
    const code = bytes[pos + 1]!;
    const extended = extendedOctets(flags);
    if (left < 3 + extended) return -1;
    const length = valueLengthOf(bytes[pos + 2]!, bytes[pos + 2 + extended]!, extended);
    const valueStart = pos + 3 + extended;
    pos = valueStart + length;
    if (pos > end) return -1;
    const word = code >> 5;
    const bit = 1 << (code & 31);
    const desc = REGISTRY[code];
    if ((seen[word]! & bit) !== 0 || desc?.valid === undefined) return -1;
    if ((flags & (AttrFlag.Optional | AttrFlag.Transitive)) !== desc.flags) return -1;
    if (!desc.valid(bytes, valueStart, pos, flags, ctx)) return -1;
    seen[word]! |= bit;
    if (word === 0) present |= bit;
    if (code === AttrType.MpReachNlri) {
      mp.reach = valueStart;
      mp.reachEnd = pos;
    } else if (code === AttrType.MpUnreachNlri) {
      mp.unreach = valueStart;
      mp.unreachEnd = pos;
    }
  }
  return present;
}

// ===== Access =====

/** The first attribute of a kind, e.g. `getAttribute(attrs, 'as-path')?.segments`. */
export function getAttribute<T extends PathAttributeType>(
  attrs: readonly PathAttribute[],
  type: T,
): AttributeOf<T> | undefined {
  for (const a of attrs) if (a.type === type) return a as AttributeOf<T>;
  return undefined;
}

/** The attribute with a type code (any kind, including unknown), e.g. for plugins reading raw bytes. */
export function getAttributeByCode(attrs: readonly PathAttribute[], code: number): PathAttribute | undefined {
  for (const a of attrs) if (a.code === code) return a;
  return undefined;
}

/**
 * A new list with `attr` in place of the attribute of the same type code (kept at its position), or appended.
 * For plugins and policy writing attributes; the input list is not modified.
 */
export function withAttribute(attrs: readonly PathAttribute[], attr: PathAttribute): PathAttribute[] {
  const out = attrs.slice();
  const i = out.findIndex((a) => a.code === attr.code);
  if (i >= 0) out[i] = attr;
  else out.push(attr);
  return out;
}

/** A new list without the attribute(s) of type code `code`. */
export function withoutAttribute(attrs: readonly PathAttribute[], code: number): PathAttribute[] {
  return attrs.filter((a) => a.code !== code);
}

/** Text of an attribute value for logs. */
export function formatAttribute(attr: PathAttribute): string {
  const desc = REGISTRY[attr.code];
  if (desc === undefined || attr.type === 'unknown' || attr.type === 'malformed') {
    return Array.from(attr.raw, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return desc.format(attr);
}

// ===== Encoding =====

/**
 * The flags to use when passing an attribute on: RFC 4271 5: "If a path with an unrecognized transitive
 * optional attribute is accepted and passed to other BGP peers, then the unrecognized transitive optional
 * attribute of that path MUST be passed, along with the path, to other BGP peers with the Partial bit in the
 * Attribute Flags octet set to 1."
 */
export function forwardedFlags(attr: PathAttribute): number {
  if (
    attr.type === 'unknown' &&
    (attr.flags & AttrFlag.Optional) !== 0 &&
    (attr.flags & AttrFlag.Transitive) !== 0
  ) {
    return attr.flags | AttrFlag.Partial;
  }
  return attr.flags;
}

/**
 * The attributes of a received path as they are passed on to other peers (RFC 4271 5: "If an optional
 * non-transitive attribute is unrecognized, it is quietly ignored"; unrecognized optional transitive ones are
 * passed on with the Partial bit set). Malformed attributes (kept for byte-exact re-encoding only) are dropped.
 * Recognised attributes are returned as they are: the route engine decides what to strip or rewrite.
 */
export function attributesForForwarding(attrs: readonly PathAttribute[]): PathAttribute[] {
  const out: PathAttribute[] = [];
  for (const a of attrs) {
    if (a.type === 'malformed') continue;
    if (a.type === 'unknown') {
      if ((a.flags & AttrFlag.Transitive) === 0) continue;
      const flags = forwardedFlags(a);
      out.push(flags === a.flags ? a : { ...a, flags });
      continue;
    }
    out.push(a);
  }
  return out;
}

/** An opaque attribute from raw bytes (plugins writing attributes by type code). */
export function makeRawAttribute(code: number, flags: number, raw: Uint8Array): UnknownAttribute {
  return { type: 'unknown', code, flags: raw.length > 255 ? flags | AttrFlag.ExtendedLength : flags, raw };
}

/**
 * The one writer of an attribute header (RFC 4271 4.3) into out[p..]: flags, type code, then the length in
 * one octet, or two when the Extended Length bit is set in `flags` or the value needs it (> 255 octets; the
 * bit is then added). Callers that want the bit only when needed clear it first. Returns the value's offset.
 */
export function writeAttributeHeader(
  out: Uint8Array,
  p: number,
  flags: number,
  code: number,
  len: number,
): number {
  // Both forms by the same stores (see extendedOctets): a one-octet length is written twice.
  const extended = attributeHeaderLength(flags, len) - 3;
  out[p] = (flags & ~AttrFlag.ExtendedLength) | (extended * AttrFlag.ExtendedLength);
  out[p + 1] = code;
  out[p + 2] = len >> (extended << 3);
  out[p + 2 + extended] = len;
  return p + 3 + extended;
}

// Attribute headers are read and written without a branch taken only for extended-length attributes
// (RFC 4271 4.3: a two-octet length field when the Extended Length bit is set): the two forms are the
// same arithmetic, one octet more or less. Code V8 optimized before a table's first such attribute gave
// way where it came (a deoptimization and a recompilation in the middle of the table, in each of the
// decoder's check, the store's key reader and the writers).

/** The length field's second octet: 1 when `flags` carry Extended Length, else 0. */
export function extendedOctets(flags: number): number {
  return (flags & AttrFlag.ExtendedLength) !== 0 ? 1 : 0;
}

/**
 * An attribute's value length from its length field: `first` the octet after the type code, `second` the
 * one after it (read whatever `extended` is: the first again, or anything, when it is 0).
 */
export function valueLengthOf(first: number, second: number, extended: number): number {
  return (first << (extended << 3)) | (second & -extended);
}

/** Octets `writeAttributeHeader(out, p, flags, code, len)` writes. */
export function attributeHeaderLength(flags: number, len: number): number {
  return len > 255 || (flags & AttrFlag.ExtendedLength) !== 0 ? 4 : 3;
}

/**
 * Write one attribute: flags as stored (the Extended Length bit is kept when set, and added when the value
 * needs it), type code, length, value.
 */
export function writeAttribute(w: WireWriter, attr: PathAttribute, flags: number = attr.flags): void {
  const len = attr.raw.length;
  const at = w.reserve(attributeHeaderLength(flags, len));
  writeAttributeHeader(w.buffer, at, flags, attr.code, len);
  w.bytes(attr.raw);
}

/** Size on the wire of `writeAttribute(attr)`. */
export function attributeWireLength(attr: PathAttribute): number {
  return attributeHeaderLength(attr.flags, attr.raw.length) + attr.raw.length;
}
