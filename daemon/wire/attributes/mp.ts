// MP_REACH_NLRI (type 14) and MP_UNREACH_NLRI (type 15), optional non-transitive (RFC 4760). IPv4 and IPv6
// unicast/multicast prefixes are validated and counted; other AFI/SAFI are kept opaque (count -1), never an
// error. In MRT RIB entries (context `mrtRib`) MP_REACH_NLRI may be abbreviated (RFC 6396 4.3.4).
//
// RFC 4760 3, MP_REACH_NLRI:                       RFC 4760 4, MP_UNREACH_NLRI:
//   +---------------------------------------------+  +---------------------------------------------+
//   | Address Family Identifier (2 octets)        |  | Address Family Identifier (2 octets)        |
//   | Subsequent Address Family Identifier (1)    |  | Subsequent Address Family Identifier (1)    |
//   | Length of Next Hop Network Address (1)      |  | Withdrawn Routes (variable)                 |
//   | Network Address of Next Hop (variable)      |  +---------------------------------------------+
//   | Reserved (1 octet)                          |
//   | Network Layer Reachability Information (var)|
//   +---------------------------------------------+
import type { DecodeContext } from '../context.js';
import { hasAddPath } from '../context.js';
import { updateError } from '../errors.js';
import { Afi, AttrType, Safi, UpdateSubcode } from '../iana.js';
import { countPrefixes, isPrefixFamily, prefixList, NLRI_BAD_LENGTH, type NlriBlock } from '../nlri.js';
import { formatAddress } from '../../net/address.js';
import { EMPTY } from '../reader.js';
import {
  OPTIONAL_NON_TRANSITIVE,
  type AttributeDescriptor,
  type AttributeDecodeResult,
} from './descriptor.js';
import type { MpReachAttribute, MpUnreachAttribute, PathAttribute } from './types.js';

/** Next-hop lengths allowed per family (RFC 4760, RFC 2545 global + link-local, RFC 8950 IPv6 next hop for IPv4). */
function nextHopLengthOk(afi: number, safi: number, length: number): boolean {
  if (!isPrefixFamily(afi, safi)) return true;
  if (afi === Afi.Ipv4) return length === 4 || length === 16 || length === 32;
  return length === 16 || length === 32;
}

function mpError(
  code: 'ERR_BGP_MP_MALFORMED' | 'ERR_BGP_MP_NEXT_HOP_LENGTH' | 'ERR_BGP_MP_NLRI_INVALID',
  attrType: number,
  reason: string,
  afi?: number,
  safi?: number,
) {
  // RFC 7606 7.11 / 5.3: errors that let the AFI/SAFI be determined use "AFI/SAFI disable"; otherwise
  // (fewer than 3 octets) "session reset" is the only choice.
  if (afi === undefined || safi === undefined) {
    return updateError(code, 'session-reset', UpdateSubcode.OptionalAttributeError, reason, { attrType });
  }
  return updateError(code, 'afisafi-disable', UpdateSubcode.OptionalAttributeError, reason, {
    attrType,
    afi,
    safi,
  });
}

function nlriBlock(
  raw: Uint8Array,
  start: number,
  afi: number,
  safi: number,
  ctx: DecodeContext,
): NlriBlock | string {
  const addPath = hasAddPath(ctx, afi, safi);
  const bytes = raw.subarray(start);
  if (!isPrefixFamily(afi, safi)) return { afi, safi, addPath, bytes, count: -1 };
  const count = countPrefixes(raw, start, raw.length, afi, addPath);
  if (count < 0)
    return count === NLRI_BAD_LENGTH
      ? 'prefix length exceeds the address size'
      : 'prefix overruns the attribute';
  return { afi, safi, addPath, bytes, count };
}

/** nlriBlock's verdict on b[start, end) without allocating: whether it is a block rather than an error. */
function nlriValid(b: Uint8Array, start: number, end: number, afi: number, safi: number, ctx: DecodeContext) {
  return !isPrefixFamily(afi, safi) || countPrefixes(b, start, end, afi, hasAddPath(ctx, afi, safi)) >= 0;
}

export const mpReachDescriptor: AttributeDescriptor = {
  code: AttrType.MpReachNlri,
  name: 'MP_REACH_NLRI',
  flags: OPTIONAL_NON_TRANSITIVE,
  decode(raw, flags, ctx): AttributeDecodeResult {
    // RFC 6396 4.3.4: "the MP_REACH_NLRI attribute ... contains only the Next Hop Address Length and Next
    // Hop Address fields" in TABLE_DUMP_V2 RIB entries. Writers also use the full form, so the abbreviated
    // form is recognised by its first octet being the rest's length.
    if (ctx.mrtRib === true && raw.length >= 1 && raw[0]! + 1 === raw.length) {
      const nextHop = raw.subarray(1);
      const afi = ctx.mrtFamily?.afi ?? (nextHop.length === 4 ? Afi.Ipv4 : Afi.Ipv6);
      const safi = ctx.mrtFamily?.safi ?? Safi.Unicast;
      const nlri: NlriBlock = { afi, safi, addPath: false, bytes: EMPTY, count: 0 };
      return {
        type: 'mp-reach',
        code: AttrType.MpReachNlri,
        flags,
        raw,
        afi,
        safi,
        nextHop,
        nlri,
        abbreviated: true,
      };
    }
    // RFC 7606 7.11: MP_REACH_NLRI too short to hold AFI and SAFI leaves "session reset" as the only option.
    if (raw.length < 3)
      return mpError('ERR_BGP_MP_MALFORMED', AttrType.MpReachNlri, `MP_REACH_NLRI length ${raw.length}`);
    const afi = (raw[0]! << 8) | raw[1]!;
    const safi = raw[2]!;
    if (raw.length < 5)
      return mpError(
        'ERR_BGP_MP_MALFORMED',
        AttrType.MpReachNlri,
        `MP_REACH_NLRI length ${raw.length}`,
        afi,
        safi,
      );
    const nhLength = raw[3]!;
    // RFC 7606 7.11: "If the Length of Next Hop Network Address field of the MP_REACH attribute is
    // inconsistent with that which was expected, the attribute is considered malformed. Since the next hop
    // precedes the NLRI field in the attribute, in this case it will not be possible to reliably locate the
    // NLRI; thus, the "session reset" or "AFI/SAFI disable" approach MUST be used."
    if (4 + nhLength + 1 > raw.length) {
      return mpError(
        'ERR_BGP_MP_NEXT_HOP_LENGTH',
        AttrType.MpReachNlri,
        `next hop length ${nhLength} overruns the attribute`,
        afi,
        safi,
      );
    }
    if (!nextHopLengthOk(afi, safi, nhLength)) {
      return mpError(
        'ERR_BGP_MP_NEXT_HOP_LENGTH',
        AttrType.MpReachNlri,
        `next hop length ${nhLength} for AFI ${afi} SAFI ${safi}`,
        afi,
        safi,
      );
    }
    const nextHop = raw.subarray(4, 4 + nhLength);
    // RFC 7606 5.3 (paraphrased): a syntactically incorrect NLRI field inside MP_REACH_NLRI or
    // MP_UNREACH_NLRI is handled with "AFI/SAFI disable" or "session reset".
    const nlri = nlriBlock(raw, 4 + nhLength + 1, afi, safi, ctx);
    if (typeof nlri === 'string')
      return mpError('ERR_BGP_MP_NLRI_INVALID', AttrType.MpReachNlri, `MP_REACH_NLRI: ${nlri}`, afi, safi);
    return {
      type: 'mp-reach',
      code: AttrType.MpReachNlri,
      flags,
      raw,
      afi,
      safi,
      nextHop,
      nlri,
      abbreviated: false,
    };
  },
  valid(b, start, end, _flags, ctx) {
    // decode's checks in its order, on b[start, end), allocating nothing.
    const length = end - start;
    if (ctx.mrtRib === true && length >= 1 && b[start]! + 1 === length) return true;
    if (length < 5) return false;
    const afi = (b[start]! << 8) | b[start + 1]!;
    const safi = b[start + 2]!;
    const nhLength = b[start + 3]!;
    if (4 + nhLength + 1 > length || !nextHopLengthOk(afi, safi, nhLength)) return false;
    return nlriValid(b, start + 4 + nhLength + 1, end, afi, safi, ctx);
  },
  format: (a: PathAttribute) => {
    const m = a as MpReachAttribute;
    return `${formatMpNextHop(m)} ${
      m.nlri.count < 0
        ? `(${m.nlri.bytes.length} bytes)`
        : prefixList(m.nlri)
            .map((p) => p.prefix)
            .join(' ')
    }`;
  },
};

export const mpUnreachDescriptor: AttributeDescriptor = {
  code: AttrType.MpUnreachNlri,
  name: 'MP_UNREACH_NLRI',
  flags: OPTIONAL_NON_TRANSITIVE,
  decode(raw, flags, ctx): AttributeDecodeResult {
    // RFC 7606 7.12 (as 7.11): too short for AFI/SAFI -> "session reset".
    if (raw.length < 3)
      return mpError('ERR_BGP_MP_MALFORMED', AttrType.MpUnreachNlri, `MP_UNREACH_NLRI length ${raw.length}`);
    const afi = (raw[0]! << 8) | raw[1]!;
    const safi = raw[2]!;
    // RFC 7606 5.3: a syntactically incorrect Withdrawn Routes field in MP_UNREACH_NLRI -> "AFI/SAFI disable".
    const withdrawn = nlriBlock(raw, 3, afi, safi, ctx);
    if (typeof withdrawn === 'string')
      return mpError(
        'ERR_BGP_MP_NLRI_INVALID',
        AttrType.MpUnreachNlri,
        `MP_UNREACH_NLRI: ${withdrawn}`,
        afi,
        safi,
      );
    return { type: 'mp-unreach', code: AttrType.MpUnreachNlri, flags, raw, afi, safi, withdrawn };
  },
  valid(b, start, end, _flags, ctx) {
    if (end - start < 3) return false;
    return nlriValid(b, start + 3, end, (b[start]! << 8) | b[start + 1]!, b[start + 2]!, ctx);
  },
  format: (a: PathAttribute) => {
    const m = a as MpUnreachAttribute;
    return m.withdrawn.count < 0
      ? `(${m.withdrawn.bytes.length} bytes)`
      : prefixList(m.withdrawn)
          .map((p) => p.prefix)
          .join(' ');
  },
};

/** The next hop(s) as text: "192.0.2.1", "2001:db8::1", or "2001:db8::1 fe80::1" for global + link-local. */
export function formatMpNextHop(attr: MpReachAttribute): string {
  return formatNextHop(attr.nextHop);
}

/**
 * A next hop's octets as text: an IPv4 address (4), an IPv6 address (16), global and link-local (32, RFC
 * 2545 3), any other length in hex.
 */
export function formatNextHop(nh: Uint8Array): string {
  if (nh.length === 4) return formatAddress(Afi.Ipv4, nh, 0);
  if (nh.length === 16) return formatAddress(Afi.Ipv6, nh, 0);
  if (nh.length === 32) return `${formatAddress(Afi.Ipv6, nh, 0)} ${formatAddress(Afi.Ipv6, nh, 16)}`;
  return Array.from(nh, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Build MP_REACH_NLRI from a next hop (4, 16 or 32 bytes) and an NLRI block. */
export function makeMpReach(nextHop: Uint8Array, nlri: NlriBlock): MpReachAttribute {
  const raw = new Uint8Array(5 + nextHop.length + nlri.bytes.length);
  raw[0] = nlri.afi >> 8;
  raw[1] = nlri.afi & 255;
  raw[2] = nlri.safi;
  raw[3] = nextHop.length;
  raw.set(nextHop, 4);
  raw.set(nlri.bytes, 5 + nextHop.length);
  const nh = raw.subarray(4, 4 + nextHop.length);
  const block: NlriBlock = { ...nlri, bytes: raw.subarray(5 + nextHop.length) };
  return {
    type: 'mp-reach',
    code: AttrType.MpReachNlri,
    flags: OPTIONAL_NON_TRANSITIVE,
    raw,
    afi: nlri.afi,
    safi: nlri.safi,
    nextHop: nh,
    nlri: block,
    abbreviated: false,
  };
}

export function makeMpUnreach(withdrawn: NlriBlock): MpUnreachAttribute {
  const raw = new Uint8Array(3 + withdrawn.bytes.length);
  raw[0] = withdrawn.afi >> 8;
  raw[1] = withdrawn.afi & 255;
  raw[2] = withdrawn.safi;
  raw.set(withdrawn.bytes, 3);
  return {
    type: 'mp-unreach',
    code: AttrType.MpUnreachNlri,
    flags: OPTIONAL_NON_TRANSITIVE,
    raw,
    afi: withdrawn.afi,
    safi: withdrawn.safi,
    withdrawn: { ...withdrawn, bytes: raw.subarray(3) },
  };
}
