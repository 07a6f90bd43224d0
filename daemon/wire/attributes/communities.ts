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

type CommunityList = CommunitiesAttribute | ExtendedCommunitiesAttribute | LargeCommunitiesAttribute;

/** The attribute value of one of the three lists (`values`: the value as u32 words). */
function communityList<T extends CommunityList>(
  type: T['type'],
  code: number,
  flags: number,
  raw: Uint8Array,
  values: Uint32Array,
): T {
  return { type, code, flags, raw, values } as T;
}

/**
 * The descriptor of a list of `size`-octet entries: a length that is not a non-zero multiple of `size` is
 * malformed and "treat-as-withdraw" (the RFC text is quoted at each use).
 */
function listDescriptor(
  code: number,
  name: string,
  type: CommunityList['type'],
  size: number,
  format: (values: Uint32Array) => string,
): AttributeDescriptor {
  return {
    code,
    name,
    flags: OPTIONAL_TRANSITIVE,
    decode(raw, flags) {
      if (raw.length === 0 || raw.length % size !== 0) {
        return attrError(
          code,
          'ERR_BGP_ATTR_LENGTH',
          'treat-as-withdraw',
          `${name} length ${raw.length}`,
          UpdateSubcode.OptionalAttributeError,
        );
      }
      return communityList(type, code, flags, raw, readWords(raw, raw.length >> 2));
    },
    format: (a: PathAttribute) => format((a as CommunityList).values),
    valid: (_b, start, end) => end > start && (end - start) % size === 0,
  };
}

// RFC 7606 7.8: "The error handling of [RFC1997] is revised as follows: The Community attribute SHALL
// be considered malformed if its length is not a non-zero multiple of 4. An UPDATE message with a
// malformed Community attribute SHALL be handled using the approach of "treat-as-withdraw"."
export const communitiesDescriptor = listDescriptor(
  AttrType.Communities,
  'COMMUNITIES',
  'communities',
  4,
  formatCommunities,
);

// RFC 7606 7.14: "The error handling of [RFC4360] is revised as follows: The Extended Communities
// attribute SHALL be considered malformed if its length is not a non-zero multiple of 8. An UPDATE
// message with a malformed Extended Communities attribute SHALL be handled using the approach of
// "treat-as-withdraw"."
export const extendedCommunitiesDescriptor = listDescriptor(
  AttrType.ExtendedCommunities,
  'EXTENDED_COMMUNITIES',
  'extended-communities',
  8,
  formatExtendedCommunities,
);

// RFC 8092 6: "The error handling of BGP Large Communities is as follows: A BGP Large Communities
// attribute SHALL be considered malformed if the length of the BGP Large Communities Attribute value,
// expressed in octets, is not a non-zero multiple of 12. A BGP Large Communities attribute SHALL NOT be
// considered malformed due solely to presence of duplicate Large Community values. A BGP UPDATE message
// with a malformed Large Communities attribute SHALL be handled using the approach of "treat-as-withdraw""
export const largeCommunitiesDescriptor = listDescriptor(
  AttrType.LargeCommunity,
  'LARGE_COMMUNITY',
  'large-communities',
  12,
  formatLargeCommunities,
);

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
  return communityList('communities', AttrType.Communities, OPTIONAL_TRANSITIVE, wordsToBytes(words), words);
}

/** `values`: 2 u32 words per community. */
export function makeExtendedCommunities(values: readonly number[]): ExtendedCommunitiesAttribute {
  const words = Uint32Array.from(values);
  return communityList(
    'extended-communities',
    AttrType.ExtendedCommunities,
    OPTIONAL_TRANSITIVE,
    wordsToBytes(words),
    words,
  );
}

/** `values`: 3 u32 words per community. */
export function makeLargeCommunities(values: readonly number[]): LargeCommunitiesAttribute {
  const words = Uint32Array.from(values);
  return communityList(
    'large-communities',
    AttrType.LargeCommunity,
    OPTIONAL_TRANSITIVE,
    wordsToBytes(words),
    words,
  );
}
