// The fixed-size attributes: NEXT_HOP (3), MULTI_EXIT_DISC (4), LOCAL_PREF (5), ATOMIC_AGGREGATE (6)
// (RFC 4271 5.1.3-5.1.6) and ORIGINATOR_ID (9, RFC 4456).
import { AttrType } from '../iana.js';
import { formatIpv4 } from '../../net/address.js';
import { EMPTY, getU32 } from '../reader.js';
import {
  attrError,
  OPTIONAL_NON_TRANSITIVE,
  u32Bytes,
  WELL_KNOWN,
  type AttributeDescriptor,
} from './descriptor.js';
import type {
  AtomicAggregateAttribute,
  LocalPrefAttribute,
  MedAttribute,
  NextHopAttribute,
  OriginatorIdAttribute,
  PathAttribute,
} from './types.js';

export const nextHopDescriptor: AttributeDescriptor = {
  code: AttrType.NextHop,
  name: 'NEXT_HOP',
  flags: WELL_KNOWN,
  decode(raw, flags) {
    // RFC 7606 7.3: "The attribute is considered malformed if its length is not 4 [RFC4271]. An UPDATE
    // message with a malformed NEXT_HOP attribute SHALL be handled using the approach of "treat-as-withdraw"."
    // (Semantic checks - own address, martians - need the session's addresses: done by the session layer.)
    if (raw.length !== 4)
      return attrError(
        AttrType.NextHop,
        'ERR_BGP_ATTR_LENGTH',
        'treat-as-withdraw',
        `NEXT_HOP length ${raw.length}`,
      );
    return { type: 'next-hop', code: AttrType.NextHop, flags, raw, nextHop: getU32(raw, 0) };
  },
  format: (a: PathAttribute) => formatIpv4((a as NextHopAttribute).nextHop),
  valid: (_b, start, end) => end - start === 4,
};

export const medDescriptor: AttributeDescriptor = {
  code: AttrType.Med,
  name: 'MULTI_EXIT_DISC',
  flags: OPTIONAL_NON_TRANSITIVE,
  decode(raw, flags) {
    // RFC 7606 7.4: "The attribute is considered malformed if its length is not 4 [RFC4271]. An UPDATE
    // message with a malformed MULTI_EXIT_DISC attribute SHALL be handled using the approach of "treat-as-withdraw"."
    if (raw.length !== 4)
      return attrError(AttrType.Med, 'ERR_BGP_ATTR_LENGTH', 'treat-as-withdraw', `MED length ${raw.length}`);
    return { type: 'med', code: AttrType.Med, flags, raw, med: getU32(raw, 0) };
  },
  format: (a: PathAttribute) => String((a as MedAttribute).med),
  valid: (_b, start, end) => end - start === 4,
};

export const localPrefDescriptor: AttributeDescriptor = {
  code: AttrType.LocalPref,
  name: 'LOCAL_PREF',
  flags: WELL_KNOWN,
  decode(raw, flags, ctx) {
    // RFC 7606 7.5: "if the LOCAL_PREF attribute is received from an external neighbor, it SHALL be
    // discarded using the approach of "attribute discard"; or if received from an internal neighbor, it
    // SHALL be considered malformed if its length is not equal to 4. If malformed, the UPDATE message
    // SHALL be handled using the approach of "treat-as-withdraw"."
    if (ctx.peerType === 'ebgp') {
      return attrError(
        AttrType.LocalPref,
        'ERR_BGP_ATTR_EBGP_ONLY_IBGP',
        'attribute-discard',
        'LOCAL_PREF from an external peer',
        0,
      );
    }
    if (raw.length !== 4)
      return attrError(
        AttrType.LocalPref,
        'ERR_BGP_ATTR_LENGTH',
        'treat-as-withdraw',
        `LOCAL_PREF length ${raw.length}`,
      );
    return { type: 'local-pref', code: AttrType.LocalPref, flags, raw, localPref: getU32(raw, 0) };
  },
  format: (a: PathAttribute) => String((a as LocalPrefAttribute).localPref),
  valid: (_b, start, end, _flags, ctx) => ctx.peerType !== 'ebgp' && end - start === 4,
};

export const atomicAggregateDescriptor: AttributeDescriptor = {
  code: AttrType.AtomicAggregate,
  name: 'ATOMIC_AGGREGATE',
  flags: WELL_KNOWN,
  decode(raw, flags) {
    // RFC 7606 7.6: "The attribute SHALL be considered malformed if its length is not 0 [RFC4271]. An
    // UPDATE message with a malformed ATOMIC_AGGREGATE attribute SHALL be handled using the approach of
    // "attribute discard"."
    if (raw.length !== 0) {
      return attrError(
        AttrType.AtomicAggregate,
        'ERR_BGP_ATTR_LENGTH',
        'attribute-discard',
        `ATOMIC_AGGREGATE length ${raw.length}`,
      );
    }
    return { type: 'atomic-aggregate', code: AttrType.AtomicAggregate, flags, raw };
  },
  format: () => '',
  valid: (_b, start, end) => end === start,
};

export const originatorIdDescriptor: AttributeDescriptor = {
  code: AttrType.OriginatorId,
  name: 'ORIGINATOR_ID',
  flags: OPTIONAL_NON_TRANSITIVE,
  decode(raw, flags, ctx) {
    // RFC 7606 7.9: "if the ORIGINATOR_ID attribute is received from an external neighbor, it SHALL be
    // discarded using the approach of "attribute discard"; or if received from an internal neighbor, it
    // SHALL be considered malformed if its length is not equal to 4. If malformed, the UPDATE message
    // SHALL be handled using the approach of "treat-as-withdraw"."
    if (ctx.peerType === 'ebgp') {
      return attrError(
        AttrType.OriginatorId,
        'ERR_BGP_ATTR_EBGP_ONLY_IBGP',
        'attribute-discard',
        'ORIGINATOR_ID from an external peer',
        0,
      );
    }
    if (raw.length !== 4) {
      return attrError(
        AttrType.OriginatorId,
        'ERR_BGP_ATTR_LENGTH',
        'treat-as-withdraw',
        `ORIGINATOR_ID length ${raw.length}`,
      );
    }
    return { type: 'originator-id', code: AttrType.OriginatorId, flags, raw, originatorId: getU32(raw, 0) };
  },
  format: (a: PathAttribute) => formatIpv4((a as OriginatorIdAttribute).originatorId),
  valid: (_b, start, end, _flags, ctx) => ctx.peerType !== 'ebgp' && end - start === 4,
};

// ===== Builders =====

export function makeNextHop(nextHop: number): NextHopAttribute {
  return {
    type: 'next-hop',
    code: AttrType.NextHop,
    flags: WELL_KNOWN,
    raw: u32Bytes(nextHop),
    nextHop: nextHop >>> 0,
  };
}

export function makeMed(med: number): MedAttribute {
  return {
    type: 'med',
    code: AttrType.Med,
    flags: OPTIONAL_NON_TRANSITIVE,
    raw: u32Bytes(med),
    med: med >>> 0,
  };
}

export function makeLocalPref(localPref: number): LocalPrefAttribute {
  return {
    type: 'local-pref',
    code: AttrType.LocalPref,
    flags: WELL_KNOWN,
    raw: u32Bytes(localPref),
    localPref: localPref >>> 0,
  };
}

export function makeAtomicAggregate(): AtomicAggregateAttribute {
  return { type: 'atomic-aggregate', code: AttrType.AtomicAggregate, flags: WELL_KNOWN, raw: EMPTY };
}

export function makeOriginatorId(id: number): OriginatorIdAttribute {
  return {
    type: 'originator-id',
    code: AttrType.OriginatorId,
    flags: OPTIONAL_NON_TRANSITIVE,
    raw: u32Bytes(id),
    originatorId: id >>> 0,
  };
}
