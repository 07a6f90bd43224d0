// `set` actions of native policy rules, compiled once into attribute-list transforms. Each transform returns
// the SAME list object when it changes nothing (the RIB interns attribute sets by identity), and otherwise a
// new list built with the daemon/wire builders, attributes kept in ascending type-code order.
// Attribute objects that do not depend on the route (LOCAL_PREF, MED) are built once at compile time.
import {
  AsPathSegmentType,
  AttrType,
  makeAsPath,
  makeCommunities,
  makeLargeCommunities,
  makeLocalPref,
  makeMed,
  makeNextHop,
  type AsPathSegment,
  type PathAttribute,
} from '../wire/index.js';
import { addressBytes } from '../net/address.js';
import type { PolicySet } from '../config/types.js';
import type { PolicyContext, PolicyInput } from './index.js';
import { communitiesOf, largeCommunitiesOf, pathSegments } from './match.js';

export type Transform = (attrs: readonly PathAttribute[]) => readonly PathAttribute[];

/** The `set` of a rule as one transform, or undefined when it sets nothing. */
export function compileSet(set: PolicySet | undefined, ctx: PolicyContext): Transform | undefined {
  if (set === undefined) return undefined;
  const steps: Transform[] = [];
  if (set.localPref !== undefined) steps.push(setLocalPref(set.localPref));
  if (set.med !== undefined) steps.push(setMed(set.med));
  if (set.prepend !== undefined) steps.push(prepend(set.prepend.asn ?? ctx.localAs, set.prepend.count));
  const c = set.community;
  if (c !== undefined && (c.add?.length || c.remove?.length)) {
    const words = (list: [number, number][] | undefined): number[] =>
      (list ?? []).map(([asn, value]) => ((asn << 16) | value) >>> 0);
    steps.push(editCommunities(words(c.add), words(c.remove)));
  }
  const l = set.largeCommunity;
  if (l !== undefined && (l.add?.length || l.remove?.length)) {
    steps.push(editLargeCommunities(l.add ?? [], l.remove ?? []));
  }
  if (steps.length === 0) return undefined;
  if (steps.length === 1) return steps[0];
  return (attrs) => {
    let out = attrs;
    for (let i = 0; i < steps.length; i++) out = steps[i]!(out);
    return out;
  };
}

/** A new list with `attr` replacing the attribute of its type code, or inserted in type-code order.
 *  RFC 4271 5: "The sender of an UPDATE message SHOULD order path attributes within the UPDATE message
 *  in ascending order of attribute type." */
export function withAttributeInOrder(attrs: readonly PathAttribute[], attr: PathAttribute): PathAttribute[] {
  const out = attrs.slice();
  let i = 0;
  while (i < out.length && out[i]!.code < attr.code) i++;
  if (i < out.length && out[i]!.code === attr.code) out[i] = attr;
  else out.splice(i, 0, attr);
  return out;
}

function withoutCode(attrs: readonly PathAttribute[], code: number): PathAttribute[] {
  return attrs.filter((a) => a.code !== code);
}

// ===== NEXT_HOP =====

/**
 * The next hop a rule's `next-hop` gives a route, or undefined when it leaves it as it is (an address of
 * the other family; `unchanged` on import or for our own routes; the value it already has). IPv6 results
 * are a global address alone (16 octets): a link-local next hop means nothing past the link it came from.
 */
export type NextHopStep = (route: PolicyInput) => Uint8Array | undefined;

export function compileNextHop(spec: PolicySet['nextHop']): NextHopStep | undefined {
  if (spec === undefined) return undefined;
  const pick = (nh: Uint8Array | undefined, ipv6: boolean): Uint8Array | undefined =>
    nh === undefined || nh.length !== (ipv6 ? 16 : 4)
      ? ipv6 && nh?.length === 32
        ? nh.subarray(0, 16)
        : undefined
      : nh;
  let choose: NextHopStep;
  if (spec === 'self') choose = (r) => pick(r.selfNextHop, r.afi === 2);
  else if (spec === 'unchanged') choose = (r) => pick(r.originalNextHop, r.afi === 2);
  else {
    const v4 = spec.ipv4 === undefined ? undefined : addressBytes(spec.ipv4);
    const v6 = spec.ipv6 === undefined ? undefined : addressBytes(spec.ipv6);
    choose = (r) => (r.afi === 2 ? v6 : v4);
  }
  return (route) => {
    const next = choose(route);
    return next === undefined || sameOctets(next, route.nextHop) ? undefined : next;
  };
}

/** An IPv4 route's attributes with NEXT_HOP set to `nextHop` (4 octets). */
export function withNextHop(attrs: readonly PathAttribute[], nextHop: Uint8Array): PathAttribute[] {
  const value = ((nextHop[0]! << 24) | (nextHop[1]! << 16) | (nextHop[2]! << 8) | nextHop[3]!) >>> 0;
  return withAttributeInOrder(attrs, makeNextHop(value));
}

function sameOctets(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ===== LOCAL_PREF, MED =====

function setLocalPref(value: number): Transform {
  const attr = makeLocalPref(value);
  return (attrs) => {
    for (const a of attrs)
      if (a.type === 'local-pref')
        return a.localPref === attr.localPref ? attrs : withAttributeInOrder(attrs, attr);
    return withAttributeInOrder(attrs, attr);
  };
}

function setMed(value: number): Transform {
  const attr = makeMed(value);
  return (attrs) => {
    for (const a of attrs)
      if (a.type === 'med') return a.med === attr.med ? attrs : withAttributeInOrder(attrs, attr);
    return withAttributeInOrder(attrs, attr);
  };
}

// ===== AS_PATH prepend =====

/** RFC 4271 4.3: a segment holds at most 255 ASes (its length is one octet). */
const maxSegmentLength = 255;

/**
 * Prepend `asn` `count` times. RFC 4271 5.1.2 b) (the same operation a speaker does on eBGP export):
 * "if the first path segment of the AS_PATH is of type AS_SEQUENCE, the local system prepends its own AS
 * number as the last element of the sequence (put it in the leftmost position with respect to the
 * position of octets in the protocol message). If the act of prepending will cause an overflow in the
 * AS_PATH segment (i.e., more than 255 ASes), it SHOULD prepend a new segment of type AS_SEQUENCE and
 * prepend its own AS number to this new segment." A path that starts with another segment type (or is
 * empty) gets a new AS_SEQUENCE in front. The result is a 4-octet AS_PATH (as the RIB holds them); a
 * 2-octet AS_PATH with AS4_PATH is first reconstructed, and the AS4_PATH dropped.
 */
function prepend(asn: number, count: number): Transform {
  const added = new Array<number>(count).fill(asn >>> 0);
  return (attrs) => {
    const segments = pathSegments(attrs);
    const first = segments[0];
    let next: AsPathSegment[];
    if (
      first !== undefined &&
      first.type === AsPathSegmentType.Sequence &&
      first.asns.length + count <= maxSegmentLength
    ) {
      next = segments.slice();
      next[0] = { type: AsPathSegmentType.Sequence, asns: added.concat(first.asns) };
    } else {
      next = [{ type: AsPathSegmentType.Sequence, asns: added.slice() }, ...segments];
    }
    const withPath = withAttributeInOrder(attrs, makeAsPath(next, true));
    return withPath.some((a) => a.code === AttrType.As4Path)
      ? withoutCode(withPath, AttrType.As4Path)
      : withPath;
  };
}

// ===== communities =====

/**
 * Remove, then add: the result keeps the present order, appends added values that are missing, and holds
 * no duplicates. A value both added and removed is added (kept). An empty result drops the attribute.
 */
function editCommunities(add: number[], remove: number[]): Transform {
  const adds = [...new Set(add)];
  const removes = new Set(remove.filter((v) => !adds.includes(v)));
  return (attrs) => {
    const values = communitiesOf(attrs) ?? new Uint32Array(0);
    let changed = false;
    for (let i = 0; i < values.length && !changed; i++) changed = removes.has(values[i]!);
    for (let i = 0; i < adds.length && !changed; i++) changed = !values.includes(adds[i]!);
    if (!changed) return attrs;
    const out: number[] = [];
    for (const v of values) if (!removes.has(v) && !out.includes(v)) out.push(v);
    for (const v of adds) if (!out.includes(v)) out.push(v);
    return out.length === 0
      ? withoutCode(attrs, AttrType.Communities)
      : withAttributeInOrder(attrs, makeCommunities(out));
  };
}

/** Whether the flat triple list `values` holds the triple at `list[at..at+2]`. */
function hasTriple(values: ArrayLike<number>, list: ArrayLike<number>, at: number): boolean {
  for (let i = 0; i + 2 < values.length; i += 3) {
    if (values[i] === list[at] && values[i + 1] === list[at + 1] && values[i + 2] === list[at + 2])
      return true;
  }
  return false;
}

/** The same for RFC 8092 large communities (3 words each), on flat word lists without per-value objects. */
function editLargeCommunities(
  add: [number, number, number][],
  remove: [number, number, number][],
): Transform {
  const adds: number[] = [];
  for (const t of add) if (!hasTriple(adds, t, 0)) adds.push(...t);
  const removes: number[] = [];
  for (const t of remove) if (!hasTriple(adds, t, 0) && !hasTriple(removes, t, 0)) removes.push(...t);
  return (attrs) => {
    const values = largeCommunitiesOf(attrs) ?? new Uint32Array(0);
    let changed = false;
    for (let i = 0; i + 2 < values.length && !changed; i += 3) changed = hasTriple(removes, values, i);
    for (let i = 0; i < adds.length && !changed; i += 3) changed = !hasTriple(values, adds, i);
    if (!changed) return attrs;
    const out: number[] = [];
    for (let i = 0; i + 2 < values.length; i += 3) {
      if (hasTriple(removes, values, i) || hasTriple(out, values, i)) continue;
      out.push(values[i]!, values[i + 1]!, values[i + 2]!);
    }
    for (let i = 0; i < adds.length; i += 3) {
      if (!hasTriple(out, adds, i)) out.push(adds[i]!, adds[i + 1]!, adds[i + 2]!);
    }
    return out.length === 0
      ? withoutCode(attrs, AttrType.LargeCommunity)
      : withAttributeInOrder(attrs, makeLargeCommunities(out));
  };
}
