// COMMUNITIES (type 8, RFC 1997), EXTENDED_COMMUNITIES (type 16, RFC 4360) and LARGE_COMMUNITY
// (type 32, RFC 8092), all optional transitive lists of fixed-size entries (4, 8, 12 octets).
import { AttrType, UpdateSubcode } from '../iana.js';
import {
  attrError,
  OPTIONAL_TRANSITIVE,
  readWords,
  wordsToBytes,
  type AttributeDescriptor,
} from './descriptor.js';
import type {
  CommunitiesAttribute,
  ExtendedCommunitiesAttribute,
  LargeCommunitiesAttribute,
  PathAttribute,
} from './types.js';

export const communitiesDescriptor: AttributeDescriptor = {
  code: AttrType.Communities,
  name: 'COMMUNITIES',
  flags: OPTIONAL_TRANSITIVE,
  decode(raw, flags) {
    // RFC 7606 7.8: "The error handling of [RFC1997] is revised as follows: The Community attribute SHALL
    // be considered malformed if its length is not a non-zero multiple of 4. An UPDATE message with a
    // malformed Community attribute SHALL be handled using the approach of "treat-as-withdraw"."
    if (raw.length === 0 || raw.length % 4 !== 0) {
      return attrError(
        AttrType.Communities,
        'ERR_BGP_ATTR_LENGTH',
        'treat-as-withdraw',
        `COMMUNITIES length ${raw.length}`,
        UpdateSubcode.OptionalAttributeError,
      );
    }
    return {
      type: 'communities',
      code: AttrType.Communities,
      flags,
      raw,
      values: readWords(raw, raw.length >> 2),
    };
  },
  format: (a: PathAttribute) => formatCommunities((a as CommunitiesAttribute).values),
};

export const extendedCommunitiesDescriptor: AttributeDescriptor = {
  code: AttrType.ExtendedCommunities,
  name: 'EXTENDED_COMMUNITIES',
  flags: OPTIONAL_TRANSITIVE,
  decode(raw, flags) {
    // RFC 7606 7.14: "The error handling of [RFC4360] is revised as follows: The Extended Communities
    // attribute SHALL be considered malformed if its length is not a non-zero multiple of 8. An UPDATE
    // message with a malformed Extended Communities attribute SHALL be handled using the approach of
    // "treat-as-withdraw"."
    if (raw.length === 0 || raw.length % 8 !== 0) {
      return attrError(
        AttrType.ExtendedCommunities,
        'ERR_BGP_ATTR_LENGTH',
        'treat-as-withdraw',
        `EXTENDED_COMMUNITIES length ${raw.length}`,
        UpdateSubcode.OptionalAttributeError,
      );
    }
    return {
      type: 'extended-communities',
      code: AttrType.ExtendedCommunities,
      flags,
      raw,
      values: readWords(raw, raw.length >> 2),
    };
  },
  format: (a: PathAttribute) => formatExtendedCommunities((a as ExtendedCommunitiesAttribute).values),
};

export const largeCommunitiesDescriptor: AttributeDescriptor = {
  code: AttrType.LargeCommunity,
  name: 'LARGE_COMMUNITY',
  flags: OPTIONAL_TRANSITIVE,
  decode(raw, flags) {
    // RFC 8092 6: "The error handling of BGP Large Communities is as follows: A BGP Large Communities
    // attribute SHALL be considered malformed if the length of the BGP Large Communities Attribute value,
    // expressed in octets, is not a non-zero multiple of 12. A BGP Large Communities attribute SHALL NOT be
    // considered malformed due solely to presence of duplicate Large Community values. A BGP UPDATE message
    // with a malformed Large Communities attribute SHALL be handled using the approach of "treat-as-withdraw""
    if (raw.length === 0 || raw.length % 12 !== 0) {
      return attrError(
        AttrType.LargeCommunity,
        'ERR_BGP_ATTR_LENGTH',
        'treat-as-withdraw',
        `LARGE_COMMUNITY length ${raw.length}`,
        UpdateSubcode.OptionalAttributeError,
      );
    }
    return {
      type: 'large-communities',
      code: AttrType.LargeCommunity,
      flags,
      raw,
      values: readWords(raw, raw.length >> 2),
    };
  },
  format: (a: PathAttribute) => formatLargeCommunities((a as LargeCommunitiesAttribute).values),
};

// ===== Formatting =====

const WELL_KNOWN_COMMUNITIES: Readonly<Record<number, string>> = {
  0xffffff01: 'no-export',
  0xffffff02: 'no-advertise',
  0xffffff03: 'no-export-subconfed',
  0xffffff04: 'nopeer',
};

/** "65000:100 no-export" (bgpdump style: well-known names, else AS:value). */
export function formatCommunities(values: Uint32Array): string {
  const parts: string[] = [];
  for (const v of values) parts.push(WELL_KNOWN_COMMUNITIES[v] ?? `${v >>> 16}:${v & 0xffff}`);
  return parts.join(' ');
}

/** Each extended community as 16 hex digits (type and value undecoded). */
export function formatExtendedCommunities(values: Uint32Array): string {
  const parts: string[] = [];
  for (let i = 0; i + 1 < values.length; i += 2) {
    parts.push(values[i]!.toString(16).padStart(8, '0') + values[i + 1]!.toString(16).padStart(8, '0'));
  }
  return parts.join(' ');
}

/** "global:local1:local2 ..." (RFC 8092 canonical text). */
export function formatLargeCommunities(values: Uint32Array): string {
  const parts: string[] = [];
  for (let i = 0; i + 2 < values.length; i += 3) parts.push(`${values[i]}:${values[i + 1]}:${values[i + 2]}`);
  return parts.join(' ');
}

// ===== Builders =====

export function makeCommunities(values: readonly number[]): CommunitiesAttribute {
  const words = Uint32Array.from(values);
  return {
    type: 'communities',
    code: AttrType.Communities,
    flags: OPTIONAL_TRANSITIVE,
    raw: wordsToBytes(words),
    values: words,
  };
}

/** `values`: 2 u32 words per community. */
export function makeExtendedCommunities(values: readonly number[]): ExtendedCommunitiesAttribute {
  const words = Uint32Array.from(values);
  return {
    type: 'extended-communities',
    code: AttrType.ExtendedCommunities,
    flags: OPTIONAL_TRANSITIVE,
    raw: wordsToBytes(words),
    values: words,
  };
}

/** `values`: 3 u32 words per community. */
export function makeLargeCommunities(values: readonly number[]): LargeCommunitiesAttribute {
  const words = Uint32Array.from(values);
  return {
    type: 'large-communities',
    code: AttrType.LargeCommunity,
    flags: OPTIONAL_TRANSITIVE,
    raw: wordsToBytes(words),
    values: words,
  };
}
