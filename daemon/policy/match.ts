// Match conditions of native policy rules, compiled once into closures over flat data: prefix checks
// (prefix-set.ts: a scan or a trie) and next-hop checks compare wire bytes in place, community checks scan the attribute's Uint32Array, and the AS_PATH
// text for regular expressions is built only when a rule has one, once per AS_PATH segment list.
// Nothing here allocates per evaluation, except that AS_PATH text on first use of a segment list.
import {
  AsPathSegmentType,
  asPathLength,
  effectivePath,
  formatAsPath,
  type AsPathSegment,
  type PathAttribute,
} from '../wire/index.js';
import type { PolicyMatch, PrefixMatch } from '../config/types.js';
import type { PolicyContext, PolicyInput } from './index.js';
import { coversBits, prefixSet } from './prefix-set.js';

/** One compiled condition: does it hold for this route with these (possibly already changed) attributes? */
export type Condition = (input: PolicyInput, attributes: readonly PathAttribute[]) => boolean;

const always: Condition = () => true;

/** All conditions of a `match` as one closure (AND); an absent or empty match always holds. */
export function compileMatch(match: PolicyMatch | undefined, ctx: PolicyContext): Condition {
  if (match === undefined) return always;
  const conditions: Condition[] = [];
  if (match.prefix !== undefined) conditions.push(prefixCondition(match.prefix));
  if (match.nextHop !== undefined) conditions.push(nextHopCondition(match.nextHop));
  if (match.community !== undefined) conditions.push(communityCondition(match.community));
  if (match.largeCommunity !== undefined) conditions.push(largeCommunityCondition(match.largeCommunity));
  const asPath = match.asPath;
  if (asPath !== undefined) {
    if (asPath.lengthLe !== undefined || asPath.lengthGe !== undefined) {
      conditions.push(pathLengthCondition(asPath.lengthGe ?? 0, asPath.lengthLe ?? Infinity));
    }
    if (asPath.contains !== undefined) conditions.push(containsCondition(asPath.contains));
    if (asPath.origin !== undefined) conditions.push(originCondition(asPath.origin, ctx.localAs));
    // The regular expression last: it is the dearest check.
    if (asPath.regex !== undefined) conditions.push(regexCondition(new RegExp(asPath.regex)));
  }
  if (conditions.length === 0) return always;
  if (conditions.length === 1) return conditions[0]!;
  if (conditions.length === 2) {
    const [a, b] = conditions as [Condition, Condition];
    return (input, attrs) => a(input, attrs) && b(input, attrs);
  }
  return (input, attrs) => {
    for (let i = 0; i < conditions.length; i++) if (!conditions[i]!(input, attrs)) return false;
    return true;
  };
}

// ===== prefixes and next hops =====

function ofFamily(list: readonly PrefixMatch[], family: PrefixMatch['family']): PrefixMatch[] {
  return list.filter((p) => p.family === family);
}

/**
 * Any of the prefixes (OR): the route's prefix lies inside one (its first `length` bits are equal) and
 * its length is in [ge, le]. A route of the other address family never matches an entry.
 */
function prefixCondition(list: readonly PrefixMatch[]): Condition {
  const v4 = prefixSet(ofFamily(list, 'ipv4-unicast'));
  const v6 = prefixSet(ofFamily(list, 'ipv6-unicast'));
  return (input) => (input.afi === 1 ? v4 : v6).matches(input.prefix, input.prefixOffset, input.prefixLength);
}

/**
 * NEXT_HOP (IPv4, 4 octets) or MP_REACH_NLRI next hop (IPv6, 16 octets; of a global + link-local pair
 * only the global address counts) equal to an address or inside a prefix of the list (OR).
 */
function nextHopCondition(list: readonly PrefixMatch[]): Condition {
  const v4 = ofFamily(list, 'ipv4-unicast');
  const v6 = ofFamily(list, 'ipv6-unicast');
  return (input) => {
    const nextHop = input.nextHop;
    if (nextHop === undefined) return false;
    const entries = nextHop.length === 4 ? v4 : nextHop.length >= 16 ? v6 : undefined;
    if (entries === undefined) return false;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (coversBits(e.address, e.length, nextHop, 0)) return true;
    }
    return false;
  };
}

// ===== communities =====

/** RFC 1997 COMMUNITIES holding any of these (OR). */
function communityCondition(list: readonly [number, number][]): Condition {
  const wanted = Uint32Array.from(list, ([asn, value]) => ((asn << 16) | value) >>> 0);
  return (_input, attrs) => {
    const values = communitiesOf(attrs);
    if (values === undefined) return false;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      for (let j = 0; j < wanted.length; j++) if (wanted[j] === v) return true;
    }
    return false;
  };
}

/** RFC 8092 LARGE_COMMUNITY holding any of these (OR). */
function largeCommunityCondition(list: readonly [number, number, number][]): Condition {
  const wanted = Uint32Array.from(list.flat());
  return (_input, attrs) => {
    const values = largeCommunitiesOf(attrs);
    if (values === undefined) return false;
    for (let i = 0; i + 2 < values.length; i += 3) {
      for (let j = 0; j < wanted.length; j += 3) {
        if (wanted[j] === values[i] && wanted[j + 1] === values[i + 1] && wanted[j + 2] === values[i + 2])
          return true;
      }
    }
    return false;
  };
}

export function communitiesOf(attrs: readonly PathAttribute[]): Uint32Array | undefined {
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    if (a.type === 'communities') return a.values;
  }
  return undefined;
}

export function largeCommunitiesOf(attrs: readonly PathAttribute[]): Uint32Array | undefined {
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    if (a.type === 'large-communities') return a.values;
  }
  return undefined;
}

// ===== AS_PATH =====

const emptyPath: readonly AsPathSegment[] = [];

/**
 * The route's AS path as 4-octet ASNs. The RIB holds AS_PATH in 4-octet form already; a 2-octet AS_PATH
 * with an AS4_PATH beside it is reconstructed (RFC 6793 4.2.3) so that policy never sees AS_TRANS.
 */
export function pathSegments(attrs: readonly PathAttribute[]): readonly AsPathSegment[] {
  let segments: readonly AsPathSegment[] | undefined;
  let twoOctetWithAs4 = false;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    if (a.type === 'as-path') segments = a.segments;
    else if (a.type === 'as4-path') twoOctetWithAs4 = true;
  }
  if (segments === undefined) return emptyPath;
  if (twoOctetWithAs4 && attrs.some((a) => a.type === 'as-path' && !a.asn4))
    return effectivePath(attrs, false).segments;
  return segments;
}

/** RFC 4271 9.1.2.2 a) counting: an AS_SET counts 1, confederation segments 0. */
function pathLengthCondition(min: number, max: number): Condition {
  return (_input, attrs) => {
    const length = asPathLength(pathSegments(attrs));
    return length >= min && length <= max;
  };
}

/** Every listed ASN appears somewhere in the path (any segment type). */
function containsCondition(asns: readonly number[]): Condition {
  return (_input, attrs) => {
    const segments = pathSegments(attrs);
    for (const asn of asns) {
      let found = false;
      for (let s = 0; s < segments.length && !found; s++) found = segments[s]!.asns.includes(asn);
      if (!found) return false;
    }
    return true;
  };
}

/**
 * The origin AS is one of `asns`. RFC 6811 2: the origin AS is "the right-most AS in the final segment of
 * the AS_PATH attribute in the route if that segment is of type AS_SEQUENCE, or the BGP speaker's own AS
 * number if that segment is of type AS_CONFED_SEQUENCE or AS_CONFED_SET or if the AS_PATH is empty";
 * a final AS_SET gives no origin AS ("NONE"), which matches nothing.
 */
function originCondition(asns: readonly number[], localAs: number): Condition {
  return (_input, attrs) => {
    const segments = pathSegments(attrs);
    const last = segments[segments.length - 1];
    let origin: number;
    if (
      last === undefined ||
      last.type === AsPathSegmentType.ConfedSequence ||
      last.type === AsPathSegmentType.ConfedSet
    )
      origin = localAs;
    else if (last.type === AsPathSegmentType.Sequence) origin = last.asns[last.asns.length - 1]!;
    else return false;
    return asns.includes(origin);
  };
}

/** AS path text per segment list ("65001 65002 {65003,65004}"), built on first use. */
const pathTexts = new WeakMap<readonly AsPathSegment[], string>();

export function asPathText(segments: readonly AsPathSegment[]): string {
  let text = pathTexts.get(segments);
  if (text === undefined) {
    text = formatAsPath(segments);
    pathTexts.set(segments, text);
  }
  return text;
}

/** The regular expression finds a match in the path text (use ^ and $ to anchor). */
function regexCondition(regex: RegExp): Condition {
  // A /g or /y regex would keep lastIndex between calls; config regexes have no flags, but be safe.
  const re = new RegExp(regex.source, regex.flags.replace(/[gy]/g, ''));
  return (_input, attrs) => re.test(asPathText(pathSegments(attrs)));
}
