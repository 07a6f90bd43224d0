// YAML policy rules (top-level `policies`, peer `import` / `export`) -> typed PolicyRule lists
// (daemon/config/types.ts). config/schema.json has already checked the shape; this checks what a schema
// cannot: prefix texts with ge/le, community and large-community texts, next-hop addresses, AS_PATH
// regular expressions. Every problem is reported with the key path of the bad value
// (`policies.from-cust[1].match.prefix[0]: ge 8 is shorter than the prefix length 16`) and the rule is
// still returned (with the bad parts left out), so that one file reports all its problems at once.
import { addressBytes, ipVersion, parseAddress, parsePrefix } from '../net/address.js';
import { addressBits } from '../net/family.js';
import type { PolicyMatch, PolicyRule, PolicySet, PrefixMatch } from './types.js';

type Segments = (string | number)[];
type Report = (segments: Segments, message: string) => void;

// ===== raw YAML shapes (after config/schema.json) =====

type RawPrefix = string | { prefix: string; ge?: number; le?: number };
type OneOrMany<T> = T | T[];

export interface RawRule {
  name?: string;
  match?: {
    prefix?: OneOrMany<RawPrefix>;
    'as-path'?: {
      contains?: OneOrMany<number>;
      origin?: OneOrMany<number>;
      regex?: string;
      'length-le'?: number;
      'length-ge'?: number;
    };
    community?: OneOrMany<string>;
    'large-community'?: OneOrMany<string>;
    'next-hop'?: OneOrMany<string>;
  };
  set?: {
    'local-pref'?: number;
    med?: number;
    prepend?: number | { asn?: number; count: number };
    community?: { add?: OneOrMany<string>; remove?: OneOrMany<string> };
    'large-community'?: { add?: OneOrMany<string>; remove?: OneOrMany<string> };
    'next-hop'?: OneOrMany<string>;
  };
  action?: 'accept' | 'reject';
}

/** A list from a YAML value written either as one item or as a list, with each item's key path. */
function items<T>(value: OneOrMany<T>, at: Segments): [T, Segments][] {
  return Array.isArray(value) ? value.map((v, i) => [v, [...at, i]]) : [[value, at]];
}

// ===== rules =====

export function parsePolicyRules(raw: RawRule[], at: Segments, report: Report): PolicyRule[] {
  return raw.map((r, i) => parseRule(r, [...at, i], report));
}

function parseRule(raw: RawRule, at: Segments, report: Report): PolicyRule {
  const rule: PolicyRule = {};
  if (raw.name !== undefined) rule.name = raw.name;
  if (raw.match !== undefined) rule.match = parseMatch(raw.match, [...at, 'match'], report);
  if (raw.set !== undefined) rule.set = parseSet(raw.set, [...at, 'set'], report);
  if (raw.action !== undefined) rule.action = raw.action;
  return rule;
}

function parseMatch(raw: NonNullable<RawRule['match']>, at: Segments, report: Report): PolicyMatch {
  const match: PolicyMatch = {};
  if (raw.prefix !== undefined) {
    match.prefix = [];
    for (const [p, where] of items(raw.prefix, [...at, 'prefix'])) {
      const parsed = parsePrefixMatch(p);
      if (typeof parsed === 'string') report(where, parsed);
      else match.prefix.push(parsed);
    }
  }
  const asPath = raw['as-path'];
  if (asPath !== undefined) {
    match.asPath = {};
    if (asPath.contains !== undefined) match.asPath.contains = items(asPath.contains, []).map(([v]) => v);
    if (asPath.origin !== undefined) match.asPath.origin = items(asPath.origin, []).map(([v]) => v);
    if (asPath.regex !== undefined) {
      try {
        new RegExp(asPath.regex);
        match.asPath.regex = asPath.regex;
      } catch (err) {
        const reason = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : '';
        report([...at, 'as-path', 'regex'], `not a valid regular expression: ${reason}`);
      }
    }
    const le = asPath['length-le'];
    const ge = asPath['length-ge'];
    if (le !== undefined) match.asPath.lengthLe = le;
    if (ge !== undefined) match.asPath.lengthGe = ge;
    if (le !== undefined && ge !== undefined && le < ge) {
      report(
        [...at, 'as-path', 'length-le'],
        `length-le ${le} is less than length-ge ${ge}: nothing can match`,
      );
    }
  }
  if (raw.community !== undefined) {
    match.community = communities(raw.community, [...at, 'community'], report);
  }
  if (raw['large-community'] !== undefined) {
    match.largeCommunity = largeCommunities(raw['large-community'], [...at, 'large-community'], report);
  }
  if (raw['next-hop'] !== undefined) {
    match.nextHop = [];
    for (const [text, where] of items(raw['next-hop'], [...at, 'next-hop'])) {
      const parsed = parseNextHopMatch(text);
      if (typeof parsed === 'string') report(where, parsed);
      else match.nextHop.push(parsed);
    }
  }
  return match;
}

function parseSet(raw: NonNullable<RawRule['set']>, at: Segments, report: Report): PolicySet {
  const set: PolicySet = {};
  if (raw['local-pref'] !== undefined) set.localPref = raw['local-pref'];
  if (raw.med !== undefined) set.med = raw.med;
  if (raw.prepend !== undefined) {
    set.prepend =
      typeof raw.prepend === 'number'
        ? { count: raw.prepend }
        : raw.prepend.asn === undefined
          ? { count: raw.prepend.count }
          : { asn: raw.prepend.asn, count: raw.prepend.count };
  }
  const c = raw.community;
  if (c !== undefined) {
    set.community = {};
    if (c.add !== undefined) set.community.add = communities(c.add, [...at, 'community', 'add'], report);
    if (c.remove !== undefined)
      set.community.remove = communities(c.remove, [...at, 'community', 'remove'], report);
  }
  const l = raw['large-community'];
  if (l !== undefined) {
    set.largeCommunity = {};
    if (l.add !== undefined)
      set.largeCommunity.add = largeCommunities(l.add, [...at, 'large-community', 'add'], report);
    if (l.remove !== undefined)
      set.largeCommunity.remove = largeCommunities(l.remove, [...at, 'large-community', 'remove'], report);
  }
  if (raw['next-hop'] !== undefined) {
    const nextHop = parseSetNextHop(raw['next-hop'], [...at, 'next-hop'], report);
    if (nextHop !== undefined) set.nextHop = nextHop;
  }
  return set;
}

/** `set: { next-hop }`: self, unchanged, or one address per family (both families in a list). */
function parseSetNextHop(
  raw: OneOrMany<string>,
  at: Segments,
  report: Report,
): PolicySet['nextHop'] | undefined {
  if (raw === 'self' || raw === 'unchanged') return raw;
  const out: { ipv4?: string; ipv6?: string } = {};
  for (const [text, where] of items(raw, at)) {
    const family = ipVersion(text);
    if (family === 0) {
      report(where, `"${text}" is not self, unchanged or an IPv4 or IPv6 address`);
      continue;
    }
    const key = family === 4 ? 'ipv4' : 'ipv6';
    if (out[key] !== undefined) report(where, `a second IPv${family} next hop: one address per family`);
    else out[key] = text;
  }
  return out.ipv4 === undefined && out.ipv6 === undefined ? undefined : out;
}

// ===== prefixes =====

/**
 * "10.0.0.0/8" (exactly /8), "10.0.0.0/8 le 24" (/8 to /24), "10.0.0.0/8 ge 16" (/16 to /32),
 * "10.0.0.0/8 ge 16 le 24", or { prefix, ge, le } with the same meaning. A string is the reason it is bad.
 */
export function parsePrefixMatch(raw: RawPrefix): PrefixMatch | string {
  let text: string;
  let ge: number | undefined;
  let le: number | undefined;
  if (typeof raw === 'string') {
    const words = raw.trim().split(/\s+/);
    text = words[0]!;
    for (let w = 1; w < words.length; w += 2) {
      const key = words[w]!;
      const value = words[w + 1];
      if ((key !== 'ge' && key !== 'le') || value === undefined || !/^\d{1,3}$/.test(value)) {
        return `'${raw}' is not PREFIX [ge N] [le N]`;
      }
      if ((key === 'ge' ? ge : le) !== undefined) return `'${raw}' gives ${key} twice`;
      if (key === 'ge') ge = Number(value);
      else le = Number(value);
    }
  } else {
    text = raw.prefix;
    ge = raw.ge;
    le = raw.le;
  }
  const parsed = parsePrefix(text);
  if (typeof parsed === 'string') return `'${text}': ${parsed}`;
  const max = addressBits(parsed.family);
  // Like the usual prefix lists: "ge N" alone means N up to the address width, "le N" alone means the
  // prefix's own length up to N, neither means exactly the prefix.
  const from = ge ?? parsed.length;
  const to = le ?? (ge === undefined ? parsed.length : max);
  if (from < parsed.length) return `ge ${from} is shorter than the prefix length ${parsed.length}`;
  if (from > max) return `ge ${from} is longer than ${max}, the ${familyWord(max)} maximum`;
  if (to > max) return `le ${to} is longer than ${max}, the ${familyWord(max)} maximum`;
  if (to < parsed.length) return `le ${to} is shorter than the prefix length ${parsed.length}`;
  if (to < from) return `le ${to} is shorter than ge ${from}: nothing can match`;
  return {
    prefix: parsed.prefix,
    family: parsed.family,
    address: addressBytes(parsed.address),
    length: parsed.length,
    ge: from,
    le: to,
  };
}

function familyWord(max: number): string {
  return max === 32 ? 'IPv4' : 'IPv6';
}

/**
 * A next-hop match: an address ("192.0.2.1", matched exactly) or a prefix ("192.0.2.0/24", any next hop
 * inside it). ge/le are the prefix length and the address width: only the leading `length` bits count.
 */
export function parseNextHopMatch(text: string): PrefixMatch | string {
  const address = parseAddress(text);
  const parsed = parsePrefix(address === undefined ? text : `${text}/${address.length * 8}`);
  if (typeof parsed === 'string') {
    return text.includes('/') ? `'${text}': ${parsed}` : `'${text}' is not an IPv4 or IPv6 address or prefix`;
  }
  return {
    prefix: parsed.prefix,
    family: parsed.family,
    address: addressBytes(parsed.address),
    length: parsed.length,
    ge: parsed.length,
    le: addressBits(parsed.family),
  };
}

// ===== communities =====

/** RFC 1997 2 and RFC 3765 well-known communities, by their usual names. */
export const wellKnownCommunities: Readonly<Record<string, [number, number]>> = {
  /** RFC 8326 */
  'graceful-shutdown': [0xffff, 0x0000],
  /** RFC 7999 */
  blackhole: [0xffff, 0x029a],
  /** RFC 1997: "NO_EXPORT (0xFFFFFF01)" */
  'no-export': [0xffff, 0xff01],
  /** RFC 1997: "NO_ADVERTISE (0xFFFFFF02)" */
  'no-advertise': [0xffff, 0xff02],
  /** RFC 1997: "NO_EXPORT_SUBCONFED (0xFFFFFF03)" */
  'no-export-subconfed': [0xffff, 0xff03],
  /** RFC 3765: "NOPEER (0xFFFFFF04)" */
  'no-peer': [0xffff, 0xff04],
};

/** "65000:100" or a well-known name -> [asn, value]; a string is the reason it is bad. */
export function parseCommunity(text: string): [number, number] | string {
  const known = wellKnownCommunities[text.toLowerCase()];
  if (known) return [known[0], known[1]];
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (!m || Number(m[1]) > 0xffff || Number(m[2]) > 0xffff) {
    return `'${text}' is not a community: ASN:VALUE, each 0 to 65535, or a well-known name (${Object.keys(wellKnownCommunities).join(', ')})`;
  }
  return [Number(m[1]), Number(m[2])];
}

/** RFC 8092 "GLOBAL:LOCAL1:LOCAL2", each 0 to 4294967295; a string is the reason it is bad. */
export function parseLargeCommunity(text: string): [number, number, number] | string {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text);
  if (!m || [m[1], m[2], m[3]].some((p) => Number(p) > 0xffffffff)) {
    return `'${text}' is not a large community: GLOBAL:LOCAL1:LOCAL2, each 0 to 4294967295`;
  }
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function communities(raw: OneOrMany<string>, at: Segments, report: Report): [number, number][] {
  const out: [number, number][] = [];
  for (const [text, where] of items(raw, at)) {
    const parsed = parseCommunity(text);
    if (typeof parsed === 'string') report(where, parsed);
    else out.push(parsed);
  }
  return out;
}

function largeCommunities(raw: OneOrMany<string>, at: Segments, report: Report): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const [text, where] of items(raw, at)) {
    const parsed = parseLargeCommunity(text);
    if (typeof parsed === 'string') report(where, parsed);
    else out.push(parsed);
  }
  return out;
}
