// AGGREGATOR (type 7, optional transitive, RFC 4271 5.1.7) and AS4_AGGREGATOR (type 18, RFC 6793).
//   AGGREGATOR:     AS (2 octets, or 4 on a 4-octet session) + IPv4 address (4 octets)
//   AS4_AGGREGATOR: AS (4 octets) + IPv4 address (4 octets)
import { getU16, getU32 } from '../reader.js';
import { AttrType, UpdateSubcode } from '../iana.js';
import { formatIpv4 } from '../../net/address.js';
import { attrError, OPTIONAL_TRANSITIVE, wordsToBytes, type AttributeDescriptor } from './descriptor.js';
import type { AggregatorAttribute, As4AggregatorAttribute, PathAttribute } from './types.js';

export const aggregatorDescriptor: AttributeDescriptor = {
  code: AttrType.Aggregator,
  name: 'AGGREGATOR',
  flags: OPTIONAL_TRANSITIVE,
  decode(raw, flags, ctx) {
    const asn4 = ctx.asn4 || ctx.mrtRib === true;
    // RFC 7606 7.7: "The error conditions specified in [RFC4271] for the attribute are revised as follows:
    // The AGGREGATOR attribute SHALL be considered malformed if any of the following applies: Its length is
    // not 6 (when the 4-octet AS number capability is not advertised to, or not received from, the
    // peer [RFC6793]). Its length is not 8 (when the 4-octet AS number capability is both advertised to,
    // and received from, the peer). An UPDATE message with a malformed AGGREGATOR attribute SHALL be
    // handled using the approach of "attribute discard"."
    const want = asn4 ? 8 : 6;
    if (raw.length !== want) {
      return attrError(
        AttrType.Aggregator,
        'ERR_BGP_ATTR_LENGTH',
        'attribute-discard',
        `AGGREGATOR length ${raw.length}, want ${want}`,
      );
    }
    const asn = asn4 ? getU32(raw, 0) : getU16(raw, 0);
    return {
      type: 'aggregator',
      code: AttrType.Aggregator,
      flags,
      raw,
      asn,
      address: getU32(raw, want - 4),
      asn4,
    };
  },
  valid: (_b, start, end, _flags, ctx) => end - start === (ctx.asn4 || ctx.mrtRib === true ? 8 : 6),
  format: (a: PathAttribute) => {
    const g = a as AggregatorAttribute;
    return `AS${g.asn} ${formatIpv4(g.address)}`;
  },
};

export const as4AggregatorDescriptor: AttributeDescriptor = {
  code: AttrType.As4Aggregator,
  name: 'AS4_AGGREGATOR',
  flags: OPTIONAL_TRANSITIVE,
  decode(raw, flags) {
    // RFC 6793 6 (paraphrased): an AS4_AGGREGATOR whose length is not 8 is malformed and handled by
    // "attribute discard".
    if (raw.length !== 8) {
      return attrError(
        AttrType.As4Aggregator,
        'ERR_BGP_ATTR_LENGTH',
        'attribute-discard',
        `AS4_AGGREGATOR length ${raw.length}`,
        UpdateSubcode.OptionalAttributeError,
      );
    }
    return {
      type: 'as4-aggregator',
      code: AttrType.As4Aggregator,
      flags,
      raw,
      asn: getU32(raw, 0),
      address: getU32(raw, 4),
    };
  },
  format: (a: PathAttribute) => {
    const g = a as As4AggregatorAttribute;
    return `AS${g.asn} ${formatIpv4(g.address)}`;
  },
};

export function makeAggregator(asn: number, address: number, asn4: boolean): AggregatorAttribute {
  const raw = asn4
    ? wordsToBytes([asn, address])
    : Uint8Array.of(
        asn > 0xffff ? 0x5b : asn >>> 8,
        asn > 0xffff ? 0xa0 : asn & 255,
        ...wordsToBytes([address]),
      );
  return {
    type: 'aggregator',
    code: AttrType.Aggregator,
    flags: OPTIONAL_TRANSITIVE,
    raw,
    asn: asn4 || asn <= 0xffff ? asn : 23456,
    address,
    asn4,
  };
}

export function makeAs4Aggregator(asn: number, address: number): As4AggregatorAttribute {
  return {
    type: 'as4-aggregator',
    code: AttrType.As4Aggregator,
    flags: OPTIONAL_TRANSITIVE,
    raw: wordsToBytes([asn, address]),
    asn,
    address,
  };
}
