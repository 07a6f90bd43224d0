// The decoded path attribute union. Every attribute keeps its wire value (`raw`, a subarray of the message,
// not a copy) and its flags as received, so plugins can read attributes as bytes by type code and encoding
// is byte-exact. Attributes built locally get `raw` from their builder. Treat attributes as immutable:
// to change one, build a new one.
import type { AsPathSegmentTypeCode, OriginValue } from '../iana.js';
import type { NlriBlock } from '../nlri.js';

interface AttributeBase {
  /** Type code (RFC 4271 4.3 "Attribute Type Code"). */
  code: number;
  /** Flags octet as received (Optional, Transitive, Partial, Extended Length). */
  flags: number;
  /** The attribute value as on the wire (no flags/type/length header). */
  raw: Uint8Array;
}

export interface OriginAttribute extends AttributeBase {
  type: 'origin';
  /** 0 IGP, 1 EGP, 2 INCOMPLETE. */
  origin: OriginValue;
}

export interface AsPathSegment {
  /** 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET. */
  type: AsPathSegmentTypeCode;
  asns: number[];
}

export interface AsPathAttribute extends AttributeBase {
  type: 'as-path';
  /** Segments as on the wire (2-octet ASNs when `asn4` is false, AS_TRANS included). */
  segments: AsPathSegment[];
  /** Whether the wire form uses 4-octet ASNs. */
  asn4: boolean;
}

export interface As4PathAttribute extends AttributeBase {
  type: 'as4-path';
  segments: AsPathSegment[];
}

export interface NextHopAttribute extends AttributeBase {
  type: 'next-hop';
  /** IPv4 address as a u32 (see `formatIpv4`). */
  nextHop: number;
}

export interface MedAttribute extends AttributeBase {
  type: 'med';
  med: number;
}

export interface LocalPrefAttribute extends AttributeBase {
  type: 'local-pref';
  localPref: number;
}

export interface AtomicAggregateAttribute extends AttributeBase {
  type: 'atomic-aggregate';
}

export interface AggregatorAttribute extends AttributeBase {
  type: 'aggregator';
  asn: number;
  /** IPv4 address as a u32. */
  address: number;
  /** Whether the wire form has a 4-octet AS (length 8) or a 2-octet one (length 6). */
  asn4: boolean;
}

export interface As4AggregatorAttribute extends AttributeBase {
  type: 'as4-aggregator';
  asn: number;
  address: number;
}

export interface CommunitiesAttribute extends AttributeBase {
  type: 'communities';
  /** RFC 1997 communities, each a u32 (high 16 bits AS, low 16 bits value). */
  values: Uint32Array;
}

export interface OriginatorIdAttribute extends AttributeBase {
  type: 'originator-id';
  originatorId: number;
}

export interface ClusterListAttribute extends AttributeBase {
  type: 'cluster-list';
  clusterIds: Uint32Array;
}

export interface MpReachAttribute extends AttributeBase {
  type: 'mp-reach';
  afi: number;
  safi: number;
  /** Next hop bytes (4, 16, or 32 = global + link-local, ...). A subarray. */
  nextHop: Uint8Array;
  /** Announced prefixes (opaque with count -1 for families other than IPv4/IPv6 unicast/multicast). */
  nlri: NlriBlock;
  /** RFC 6396 4.3.4 abbreviated form (MRT RIB entries): only next-hop length and next hop on the wire. */
  abbreviated: boolean;
}

export interface MpUnreachAttribute extends AttributeBase {
  type: 'mp-unreach';
  afi: number;
  safi: number;
  withdrawn: NlriBlock;
}

export interface ExtendedCommunitiesAttribute extends AttributeBase {
  type: 'extended-communities';
  /** RFC 4360 communities as pairs of u32 words: values[2i] is the high half (type, subtype, ...), values[2i+1] the low half. */
  values: Uint32Array;
}

export interface LargeCommunitiesAttribute extends AttributeBase {
  type: 'large-communities';
  /** RFC 8092 communities flattened: values[3i] global admin, values[3i+1] local 1, values[3i+2] local 2. */
  values: Uint32Array;
}

export interface AigpAttribute extends AttributeBase {
  type: 'aigp';
  /** RFC 7311 AIGP TLV (type 1) metric, when present. */
  metric: bigint | undefined;
}

/** An attribute we do not decode, kept as flags + raw bytes. */
export interface UnknownAttribute extends AttributeBase {
  type: 'unknown';
}

/**
 * A recognised attribute whose value failed its checks with a treat-as-withdraw outcome: kept as raw bytes
 * so the message still re-encodes as received; the UPDATE's prefixes must be treated as withdrawn.
 */
export interface MalformedAttribute extends AttributeBase {
  type: 'malformed';
}

export type PathAttribute =
  | OriginAttribute
  | AsPathAttribute
  | NextHopAttribute
  | MedAttribute
  | LocalPrefAttribute
  | AtomicAggregateAttribute
  | AggregatorAttribute
  | CommunitiesAttribute
  | OriginatorIdAttribute
  | ClusterListAttribute
  | MpReachAttribute
  | MpUnreachAttribute
  | ExtendedCommunitiesAttribute
  | As4PathAttribute
  | As4AggregatorAttribute
  | AigpAttribute
  | LargeCommunitiesAttribute
  | UnknownAttribute
  | MalformedAttribute;

export type PathAttributeType = PathAttribute['type'];
export type AttributeOf<T extends PathAttributeType> = Extract<PathAttribute, { type: T }>;
