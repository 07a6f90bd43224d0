// The text of one decoded attribute set as bgpdump prints it (the fields after the prefix of a `-m` line),
// computed once per RIB entry or per UPDATE and shared by every prefix it carries. The attributes come from
// daemon/wire (through attributes.ts); this file only turns them into bgpdump's words, including its rules for
// 2-octet-AS sources (RFC 6793 §4.2.3 AS4_PATH / AS4_AGGREGATOR merge, done bgpdump's way) and its defaults
// for absent attributes (next hop 255.255.255.255, LOCAL_PREF and MED 0, origin INCOMPLETE).
import type {
  AsPathSegment,
  MpReachAttribute,
  MpUnreachAttribute,
  PathAttribute,
} from '../wire/attributes/types.js';
import { formatIpv4 } from '../net/address.js';

/** Text fields of one attribute set. */
export interface AttrText {
  /** Attribute type codes present, as bits `1 << (code - 1)` for codes 1..32 (bgpdump's flag word). */
  present: number;
  asPath: string;
  origin: string;
  /** The NEXT_HOP attribute, or bgpdump's INADDR_NONE default. */
  nextHop: string;
  localPref: number;
  med: number;
  /** Space-separated communities ("" when none). */
  communities: string;
  atomicAggregate: boolean;
  /** "AS address" of the effective aggregator, or "" when none. */
  aggregator: string;
  /** The first MP_REACH_NLRI, or undefined. */
  mpReach: MpReachAttribute | undefined;
  mpUnreach: MpUnreachAttribute | undefined;
}

export const BIT_MP_REACH = 1 << 13;
export const BIT_MP_UNREACH = 1 << 14;
const BIT_ATOMIC_AGGREGATE = 1 << 5;
const NO_ADDRESS = '255.255.255.255';
const AS_TRANS = 23456;
/** bgpdump builds AS paths in an 8000-octet buffer and stops with "..." past 7900. */
const ASPATH_TEXT_LIMIT = 7900;
/** bgpdump builds the community list in a BUFSIZ (8192) buffer. */
const COMMUNITY_TEXT_LIMIT = 8191;
export const ASPATH_ERROR_TEXT = '! Error !';

const ORIGIN_TEXT = ['IGP', 'EGP', 'INCOMPLETE'];

/** Summarise `attrs`; `asn4` false for 2-octet-AS sources (BGP4MP MESSAGE, TABLE_DUMP v1). */
export function attrText(attrs: readonly PathAttribute[], asn4: boolean): AttrText {
  let present = 0;
  let asPath: AsPathSegment[] | undefined;
  let asPathMalformed = false;
  let as4Path: AsPathSegment[] | undefined;
  let origin = 'INCOMPLETE';
  let nextHop = NO_ADDRESS;
  let localPref = 0;
  let med = 0;
  let communities = '';
  let atomicAggregate = false;
  let aggregatorAs = -1;
  let aggregatorAddress = 0xffffffff;
  let as4AggregatorAs = -1;
  let as4AggregatorAddress = 0xffffffff;
  let mpReach: MpReachAttribute | undefined;
  let mpUnreach: MpUnreachAttribute | undefined;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    if (a.code >= 1 && a.code <= 32) present |= 1 << (a.code - 1);
    switch (a.type) {
      case 'origin':
        origin = ORIGIN_TEXT[a.origin] ?? 'INCOMPLETE';
        break;
      case 'as-path':
        asPath = a.segments;
        break;
      case 'as4-path':
        as4Path = a.segments;
        break;
      case 'next-hop':
        nextHop = formatIpv4(a.nextHop);
        break;
      case 'med':
        med = a.med;
        break;
      case 'local-pref':
        localPref = a.localPref;
        break;
      case 'atomic-aggregate':
        atomicAggregate = true;
        break;
      case 'aggregator':
        aggregatorAs = a.asn;
        aggregatorAddress = a.address;
        break;
      case 'as4-aggregator':
        as4AggregatorAs = a.asn;
        as4AggregatorAddress = a.address;
        break;
      case 'communities':
        communities = communityText(a.values);
        break;
      case 'mp-reach':
        mpReach ??= a;
        break;
      case 'mp-unreach':
        mpUnreach ??= a;
        break;
      case 'malformed':
        if (a.code === 2) asPathMalformed = true;
        break;
      default:
        break;
    }
  }
  // RFC 6793 §4.2.3, as bgpdump applies it to 2-octet-AS sources: AS4_AGGREGATOR replaces an AGGREGATOR
  // of AS_TRANS; an AGGREGATOR with any other AS means the AS4 attributes are ignored altogether.
  let mergeAs4Path = !asn4 && as4Path !== undefined;
  if (!asn4 && aggregatorAs >= 0 && as4AggregatorAs >= 0) {
    if (aggregatorAs !== AS_TRANS) mergeAs4Path = false;
    else {
      aggregatorAs = as4AggregatorAs;
      aggregatorAddress = as4AggregatorAddress;
    }
  }
  let pathText = '';
  if (asPathMalformed) pathText = ASPATH_ERROR_TEXT;
  else if (asPath) {
    pathText = asPathText(mergeAs4Path && as4Path ? mergeAsPaths(asPath, as4Path) : asPath);
  }
  return {
    present,
    asPath: pathText,
    origin,
    nextHop,
    localPref,
    med,
    communities,
    // Presence decides, as in bgpdump: an ATOMIC_AGGREGATE the codec rejected (wrong flags or length) still counts.
    atomicAggregate: atomicAggregate || (present & BIT_ATOMIC_AGGREGATE) !== 0,
    // bgpdump prints the aggregator unless its address is INADDR_NONE (which also marks "absent").
    aggregator:
      aggregatorAddress !== 0xffffffff ? `${aggregatorAs >>> 0} ${formatIpv4(aggregatorAddress)}` : '',
    mpReach,
    mpUnreach,
  };
}

// ===== AS_PATH =====

/** Path length as RFC 4271 §9.1.2.2 counts it: each AS of a sequence, 1 per set (confederations included). */
function pathCount(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) n += s.type === 2 || s.type === 3 ? s.asns.length : 1;
  return n;
}

/**
 * RFC 6793 §4.2.3: "the leftmost ... ASes of the AS_PATH attribute" fill up to the AS_PATH length minus the
 * AS4_PATH length, then AS4_PATH follows. When AS4_PATH is the longer one, AS_PATH is kept as it is.
 */
function mergeAsPaths(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] {
  const total = pathCount(asPath);
  const keep = total - pathCount(as4Path);
  if (keep < 0) return asPath as AsPathSegment[];
  const merged: AsPathSegment[] = [];
  let count = 0;
  for (let i = 0; count < keep && i < asPath.length; i++) {
    const s = asPath[i]!;
    if (s.type === 1 || s.type === 4) {
      merged.push(s);
      count += 1;
    } else {
      const take = Math.min(s.asns.length, keep - count);
      merged.push(take === s.asns.length ? s : { type: s.type, asns: s.asns.slice(0, take) });
      count += s.asns.length;
    }
  }
  for (const s of as4Path) merged.push(s);
  return merged;
}

const SEGMENT_OPEN = ['', '{', '', '(', '['];
const SEGMENT_CLOSE = ['', '}', '', ')', ']'];

/**
 * bgpdump's AS path text: sequences space-separated, AS_SET "{a,b}", AS_CONFED_SEQUENCE "(a b)",
 * AS_CONFED_SET "[a,b]", segments separated by one space.
 */
export function asPathText(segments: readonly AsPathSegment[]): string {
  if (segments.length === 1 && segments[0]!.type === 2) {
    const asns = segments[0]!.asns;
    if (asns.length < 200) return asns.join(' ');
  }
  let s = '';
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (i > 0) s += ' ';
    s += SEGMENT_OPEN[seg.type] ?? '';
    const sep = seg.type === 1 || seg.type === 4 ? ',' : ' ';
    const asns = seg.asns;
    for (let j = 0; j < asns.length; j++) {
      if (j > 0) s += sep;
      s += asns[j];
      if (s.length > ASPATH_TEXT_LIMIT) return s + '...';
    }
    s += SEGMENT_CLOSE[seg.type] ?? '';
  }
  return s;
}

// ===== COMMUNITIES =====

/** RFC 1997 well-known communities by bgpdump's names; others "AS:value". */
function communityText(values: Uint32Array): string {
  let s = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let item: string;
    if (v === 0xffffff01) item = 'no-export';
    else if (v === 0xffffff02) item = 'no-advertise';
    else if (v === 0xffffff03) item = 'local-AS';
    else item = `${v >>> 16}:${v & 0xffff}`;
    if (s.length + item.length + 1 > COMMUNITY_TEXT_LIMIT) break;
    s = i === 0 ? item : s + ' ' + item;
  }
  return s;
}
