// Native policy engine (daemon/policy): tables of routes against rules, one row per match kind (with the
// ge/le edges, IPv4 and IPv6), one per set action, then rule ordering, fall-through and the default accept.
// Rules are written in the YAML operators use and go through the config loader, so these tables also
// check that the loader hands the engine what the YAML says.
import { expect } from 'chai';
import {
  AsPathSegmentType,
  AttrType,
  getAttribute,
  makeAs4Path,
  makeAsPath,
  makeCommunities,
  makeLargeCommunities,
  makeLocalPref,
  makeMed,
  makeNextHop,
  makeOrigin,
  type AsPathSegment,
  type PathAttribute,
} from '../../daemon/wire/index.js';
import { parseConfig } from '../../daemon/config/load.js';
import { addressBytes, parsePrefix } from '../../daemon/net/address.js';
import type { PolicyRule } from '../../daemon/config/types.js';
import { compilePolicy, type PolicyInput, type PolicyResult } from '../../daemon/policy/index.js';

const localAs = 65000;

/** Rules from YAML (the list under a policy name), through the real config loader. */
function rules(yaml: string): PolicyRule[] {
  const indented = yaml
    .trim()
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n');
  const r = parseConfig(`router-id: 192.0.2.1\nasn: ${localAs}\npolicies:\n  p:\n${indented}\n`);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return r.config.policies.p!;
}

const seq = (...asns: number[]): AsPathSegment => ({ type: AsPathSegmentType.Sequence, asns });
const set = (...asns: number[]): AsPathSegment => ({ type: AsPathSegmentType.Set, asns });

interface RouteSpec {
  prefix: string;
  path?: AsPathSegment[];
  communities?: string[];
  large?: string[];
  nextHop?: string;
  extra?: PathAttribute[];
}

function communityWord(text: string): number {
  const [a, v] = text.split(':').map(Number);
  return ((a! << 16) | v!) >>> 0;
}

/** A route as the RIB hands it over: the prefix in wire form inside a larger buffer (with noise around). */
function route(spec: RouteSpec): PolicyInput {
  const p = parsePrefix(spec.prefix);
  if (typeof p === 'string') throw new Error(p);
  const address = addressBytes(p.address);
  const size = (p.length + 7) >> 3;
  const buffer = new Uint8Array(3 + size + 3).fill(0xa5);
  buffer.set(address.subarray(0, size), 3);
  const attributes: PathAttribute[] = [makeOrigin(0), makeAsPath(spec.path ?? [seq(65001)], true)];
  if (spec.nextHop !== undefined && !spec.nextHop.includes(':')) {
    const b = addressBytes(spec.nextHop);
    attributes.push(makeNextHop(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0));
  }
  if (spec.communities) attributes.push(makeCommunities(spec.communities.map(communityWord)));
  if (spec.large) attributes.push(makeLargeCommunities(spec.large.flatMap((t) => t.split(':').map(Number))));
  if (spec.extra) attributes.push(...spec.extra);
  attributes.sort((a, b) => a.code - b.code);
  return {
    afi: p.family === 'ipv4-unicast' ? 1 : 2,
    prefix: buffer,
    prefixOffset: 3,
    prefixLength: p.length,
    attributes,
    nextHop: spec.nextHop === undefined ? undefined : addressBytes(spec.nextHop),
  };
}

/** A one-rule policy that rejects what its match selects: "rejected" means "matched". */
function matches(match: string, spec: RouteSpec): boolean {
  const policy = compilePolicy(rules(`- match: ${match}\n  action: reject`), { localAs });
  return !policy.evaluate(route(spec)).accept;
}

function accepted(result: PolicyResult): readonly PathAttribute[] {
  if (!result.accept) throw new Error('rejected');
  return result.attributes;
}

// ===== match kinds =====

const matchTable: { what: string; match: string; route: RouteSpec; expected: boolean }[] = [
  // prefix, exact
  {
    what: 'exact prefix, same',
    match: '{ prefix: "10.0.0.0/8" }',
    route: { prefix: '10.0.0.0/8' },
    expected: true,
  },
  {
    what: 'exact prefix, longer',
    match: '{ prefix: "10.0.0.0/8" }',
    route: { prefix: '10.1.0.0/16' },
    expected: false,
  },
  {
    what: 'exact prefix, other',
    match: '{ prefix: "10.0.0.0/8" }',
    route: { prefix: '11.0.0.0/8' },
    expected: false,
  },
  // le
  {
    what: 'le: the prefix itself',
    match: '{ prefix: "10.0.0.0/8 le 24" }',
    route: { prefix: '10.0.0.0/8' },
    expected: true,
  },
  {
    what: 'le: at le',
    match: '{ prefix: "10.0.0.0/8 le 24" }',
    route: { prefix: '10.1.2.0/24' },
    expected: true,
  },
  {
    what: 'le: one past le',
    match: '{ prefix: "10.0.0.0/8 le 24" }',
    route: { prefix: '10.1.2.0/25' },
    expected: false,
  },
  {
    what: 'le: shorter than the prefix',
    match: '{ prefix: "10.0.0.0/8 le 24" }',
    route: { prefix: '10.0.0.0/7' },
    expected: false,
  },
  {
    what: 'le: outside',
    match: '{ prefix: "10.0.0.0/8 le 24" }',
    route: { prefix: '12.1.2.0/24' },
    expected: false,
  },
  // ge
  {
    what: 'ge: one below ge',
    match: '{ prefix: "10.0.0.0/8 ge 16" }',
    route: { prefix: '10.0.0.0/15' },
    expected: false,
  },
  {
    what: 'ge: at ge',
    match: '{ prefix: "10.0.0.0/8 ge 16" }',
    route: { prefix: '10.7.0.0/16' },
    expected: true,
  },
  {
    what: 'ge alone reaches /32',
    match: '{ prefix: "10.0.0.0/8 ge 16" }',
    route: { prefix: '10.7.0.1/32' },
    expected: true,
  },
  // ge + le, object form
  {
    what: 'ge le: at ge',
    match: '{ prefix: "10.0.0.0/8 ge 16 le 24" }',
    route: { prefix: '10.9.0.0/16' },
    expected: true,
  },
  {
    what: 'ge le: at le',
    match: '{ prefix: "10.0.0.0/8 ge 16 le 24" }',
    route: { prefix: '10.9.9.0/24' },
    expected: true,
  },
  {
    what: 'ge le: past le',
    match: '{ prefix: "10.0.0.0/8 ge 16 le 24" }',
    route: { prefix: '10.9.9.0/25' },
    expected: false,
  },
  {
    what: 'object form',
    match: '{ prefix: [{ prefix: 10.0.0.0/8, ge: 16, le: 24 }] }',
    route: { prefix: '10.9.9.0/24' },
    expected: true,
  },
  {
    what: 'object form, past le',
    match: '{ prefix: [{ prefix: 10.0.0.0/8, ge: 16, le: 24 }] }',
    route: { prefix: '10.9.9.0/26' },
    expected: false,
  },
  // bit boundaries inside an octet
  {
    what: '/9 inside',
    match: '{ prefix: "10.128.0.0/9 le 24" }',
    route: { prefix: '10.200.1.0/24' },
    expected: true,
  },
  {
    what: '/9 the other half',
    match: '{ prefix: "10.128.0.0/9 le 24" }',
    route: { prefix: '10.127.0.0/16' },
    expected: false,
  },
  {
    what: 'default route exact',
    match: '{ prefix: "0.0.0.0/0" }',
    route: { prefix: '0.0.0.0/0' },
    expected: true,
  },
  {
    what: 'default route exact, not others',
    match: '{ prefix: "0.0.0.0/0" }',
    route: { prefix: '1.0.0.0/8' },
    expected: false,
  },
  {
    what: 'everything IPv4',
    match: '{ prefix: "0.0.0.0/0 le 32" }',
    route: { prefix: '203.0.113.7/32' },
    expected: true,
  },
  {
    what: 'any of a list',
    match: '{ prefix: ["192.0.2.0/24", "10.0.0.0/8 le 16"] }',
    route: { prefix: '10.3.0.0/16' },
    expected: true,
  },
  // IPv6
  {
    what: 'IPv6 le inside',
    match: '{ prefix: "2001:db8::/32 le 48" }',
    route: { prefix: '2001:db8:1::/48' },
    expected: true,
  },
  {
    what: 'IPv6 le past',
    match: '{ prefix: "2001:db8::/32 le 48" }',
    route: { prefix: '2001:db8:1::/64' },
    expected: false,
  },
  {
    what: 'IPv6 other',
    match: '{ prefix: "2001:db8::/32 le 48" }',
    route: { prefix: '2001:db9::/32' },
    expected: false,
  },
  {
    what: 'IPv6 ge /128',
    match: '{ prefix: "2001:db8::/32 ge 128" }',
    route: { prefix: '2001:db8::1/128' },
    expected: true,
  },
  {
    what: 'IPv4 route, IPv6 entry with the same leading octets',
    match: '{ prefix: "2001:db8::/32 le 48" }',
    route: { prefix: '32.1.13.184/32' },
    expected: false,
  },
  {
    what: 'IPv6 route, IPv4 entry',
    match: '{ prefix: "0.0.0.0/0 le 32" }',
    route: { prefix: '2001:db8::/32' },
    expected: false,
  },
  // AS path
  {
    what: 'contains all',
    match: '{ as-path: { contains: [65001, 65003] } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001, 65002, 65003)] },
    expected: true,
  },
  {
    what: 'contains, one missing',
    match: '{ as-path: { contains: [65001, 65003] } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001, 65002)] },
    expected: false,
  },
  {
    what: 'contains, inside an AS_SET',
    match: '{ as-path: { contains: 65003 } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001), set(65003, 65004)] },
    expected: true,
  },
  {
    what: 'origin, last of the sequence',
    match: '{ as-path: { origin: [65009, 65003] } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65003, 65001, 65003)] },
    expected: true,
  },
  {
    what: 'origin, not the first',
    match: '{ as-path: { origin: 65001 } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001, 65003)] },
    expected: false,
  },
  {
    what: 'origin, final AS_SET is NONE',
    match: '{ as-path: { origin: 65003 } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001), set(65003)] },
    expected: false,
  },
  {
    what: 'origin, empty path is our AS',
    match: `{ as-path: { origin: ${localAs} } }`,
    route: { prefix: '10.0.0.0/8', path: [] },
    expected: true,
  },
  {
    what: 'origin, 4-octet',
    match: '{ as-path: { origin: 4200000000 } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001, 4200000000)] },
    expected: true,
  },
  {
    what: 'regex anchored',
    match: '{ as-path: { regex: "^65001 " } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001, 65002)] },
    expected: true,
  },
  {
    what: 'regex anchored, no',
    match: '{ as-path: { regex: "^65001 " } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65002, 65001)] },
    expected: false,
  },
  {
    what: 'regex on an AS_SET',
    match: '{ as-path: { regex: "\\\\{65003,65004\\\\}$" } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001), set(65003, 65004)] },
    expected: true,
  },
  {
    what: 'length-le at the edge (AS_SET counts 1)',
    match: '{ as-path: { length-le: 2 } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001), set(65003, 65004)] },
    expected: true,
  },
  {
    what: 'length-le past',
    match: '{ as-path: { length-le: 2 } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001, 65002, 65003)] },
    expected: false,
  },
  {
    what: 'length-ge at the edge',
    match: '{ as-path: { length-ge: 3 } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001, 65002, 65003)] },
    expected: true,
  },
  {
    what: 'length-ge below',
    match: '{ as-path: { length-ge: 3 } }',
    route: { prefix: '10.0.0.0/8', path: [seq(65001, 65002)] },
    expected: false,
  },
  // communities
  {
    what: 'community present',
    match: '{ community: "65000:100" }',
    route: { prefix: '10.0.0.0/8', communities: ['1:1', '65000:100'] },
    expected: true,
  },
  {
    what: 'community absent',
    match: '{ community: "65000:100" }',
    route: { prefix: '10.0.0.0/8', communities: ['65000:101'] },
    expected: false,
  },
  {
    what: 'no COMMUNITIES attribute',
    match: '{ community: "65000:100" }',
    route: { prefix: '10.0.0.0/8' },
    expected: false,
  },
  {
    what: 'well-known no-export',
    match: '{ community: [no-export] }',
    route: { prefix: '10.0.0.0/8', communities: ['65535:65281'] },
    expected: true,
  },
  {
    what: 'well-known no-peer',
    match: '{ community: [no-advertise, no-peer] }',
    route: { prefix: '10.0.0.0/8', communities: ['65535:65284'] },
    expected: true,
  },
  {
    what: 'large community present',
    match: '{ large-community: ["4200000000:1:2"] }',
    route: { prefix: '10.0.0.0/8', large: ['1:2:3', '4200000000:1:2'] },
    expected: true,
  },
  {
    what: 'large community, other local part',
    match: '{ large-community: "1:2:3" }',
    route: { prefix: '10.0.0.0/8', large: ['1:2:4'] },
    expected: false,
  },
  // next hop
  {
    what: 'next hop address',
    match: '{ next-hop: 192.0.2.1 }',
    route: { prefix: '10.0.0.0/8', nextHop: '192.0.2.1' },
    expected: true,
  },
  {
    what: 'next hop address, other',
    match: '{ next-hop: 192.0.2.1 }',
    route: { prefix: '10.0.0.0/8', nextHop: '192.0.2.2' },
    expected: false,
  },
  {
    what: 'next hop in a prefix',
    match: '{ next-hop: ["198.51.100.0/25"] }',
    route: { prefix: '10.0.0.0/8', nextHop: '198.51.100.127' },
    expected: true,
  },
  {
    what: 'next hop just outside a prefix',
    match: '{ next-hop: ["198.51.100.0/25"] }',
    route: { prefix: '10.0.0.0/8', nextHop: '198.51.100.128' },
    expected: false,
  },
  {
    what: 'IPv6 next hop in a prefix',
    match: '{ next-hop: "2001:db8:ff::/48" }',
    route: { prefix: '2001:db8::/32', nextHop: '2001:db8:ff::1' },
    expected: true,
  },
  { what: 'no next hop', match: '{ next-hop: 192.0.2.1 }', route: { prefix: '10.0.0.0/8' }, expected: false },
  // AND of several conditions
  {
    what: 'prefix and community, both hold',
    match: '{ prefix: "10.0.0.0/8 le 24", community: "1:1" }',
    route: { prefix: '10.1.0.0/16', communities: ['1:1'] },
    expected: true,
  },
  {
    what: 'prefix and community, one fails',
    match: '{ prefix: "10.0.0.0/8 le 24", community: "1:1" }',
    route: { prefix: '10.1.0.0/16', communities: ['1:2'] },
    expected: false,
  },
];

describe('policy: match kinds', function () {
  for (const row of matchTable) {
    it(`${row.what}: ${row.expected ? 'matches' : 'does not match'}`, function () {
      expect(matches(row.match, row.route)).to.equal(row.expected);
    });
  }
  it('a 2-octet AS_PATH with AS4_PATH is matched on the reconstructed 4-octet path (RFC 6793 4.2.3)', function () {
    const input = route({ prefix: '10.0.0.0/8' });
    input.attributes = [
      makeOrigin(0),
      makeAsPath([seq(65001, 23456)], false),
      makeAs4Path([seq(65001, 4200000000)]),
    ];
    expect(matches('{ as-path: { origin: 4200000000 } }', { prefix: '10.0.0.0/8' })).to.equal(false);
    const policy = compilePolicy(rules('- match: { as-path: { origin: 4200000000 } }\n  action: reject'), {
      localAs,
    });
    expect(policy.evaluate(input).accept).to.equal(false);
  });
});

// ===== set actions =====

describe('policy: set actions', function () {
  const evaluate = (yaml: string, spec: RouteSpec): { input: PolicyInput; out: readonly PathAttribute[] } => {
    const input = route(spec);
    return { input, out: accepted(compilePolicy(rules(yaml), { localAs }).evaluate(input)) };
  };
  const codes = (attrs: readonly PathAttribute[]): number[] => attrs.map((a) => a.code);
  const comms = (attrs: readonly PathAttribute[]): number[] => [
    ...(getAttribute(attrs, 'communities')?.values ?? []),
  ];

  it('local-pref: added in type-code order, the input list untouched', function () {
    const { input, out } = evaluate('- set: { local-pref: 200 }', {
      prefix: '10.0.0.0/8',
      nextHop: '192.0.2.1',
      communities: ['1:1'],
    });
    expect(getAttribute(out, 'local-pref')!.localPref).to.equal(200);
    expect(codes(out)).to.deep.equal([1, 2, 3, 5, 8]);
    expect(getAttribute(input.attributes, 'local-pref')).to.equal(undefined);
  });
  it('local-pref: replaces an existing value in place', function () {
    const { out } = evaluate('- set: { local-pref: 50 }', {
      prefix: '10.0.0.0/8',
      extra: [makeLocalPref(100)],
    });
    expect(
      out.filter((a) => a.type === 'local-pref').map((a) => (a as { localPref: number }).localPref),
    ).to.deep.equal([50]);
  });
  it('local-pref: the same value keeps the same list object', function () {
    const { input, out } = evaluate('- set: { local-pref: 100 }', {
      prefix: '10.0.0.0/8',
      extra: [makeLocalPref(100)],
    });
    expect(out).to.equal(input.attributes);
  });
  it('med: set, with the right wire bytes', function () {
    const { out } = evaluate('- set: { med: 4294967295 }', { prefix: '10.0.0.0/8', extra: [makeMed(5)] });
    const med = getAttribute(out, 'med')!;
    expect(med.med).to.equal(4294967295);
    expect([...med.raw]).to.deep.equal([255, 255, 255, 255]);
  });
  it('prepend N: our AS N times at the front of the first AS_SEQUENCE, 4-octet wire form', function () {
    const { out } = evaluate('- set: { prepend: 2 }', { prefix: '10.0.0.0/8', path: [seq(65001, 65002)] });
    expect(path(out)).to.deep.equal([seq(localAs, localAs, 65001, 65002)]);
    const attr = getAttribute(out, 'as-path')!;
    expect(attr.asn4).to.equal(true);
    expect([...attr.raw.subarray(0, 6)]).to.deep.equal([2, 4, 0, 0, 0xfd, 0xe8]);
    expect(attr.raw.length).to.equal(2 + 4 * 4);
  });
  it('prepend { asn, count }: another (4-octet) AS', function () {
    const { out } = evaluate('- set: { prepend: { asn: 4200000000, count: 1 } }', {
      prefix: '10.0.0.0/8',
      path: [seq(65001)],
    });
    expect(path(out)).to.deep.equal([seq(4200000000, 65001)]);
  });
  it('prepend before an AS_SET: a new AS_SEQUENCE segment', function () {
    const { out } = evaluate('- set: { prepend: 1 }', { prefix: '10.0.0.0/8', path: [set(65001, 65002)] });
    expect(path(out)).to.deep.equal([seq(localAs), set(65001, 65002)]);
  });
  it('prepend to an empty path', function () {
    const { out } = evaluate('- set: { prepend: 3 }', { prefix: '10.0.0.0/8', path: [] });
    expect(path(out)).to.deep.equal([seq(localAs, localAs, localAs)]);
  });
  it('prepend past 255 ASes in the first segment: a new segment (RFC 4271 5.1.2)', function () {
    const long = new Array<number>(254).fill(65001);
    const { out } = evaluate('- set: { prepend: 2 }', { prefix: '10.0.0.0/8', path: [seq(...long)] });
    expect(path(out)).to.deep.equal([seq(localAs, localAs), seq(...long)]);
    const { out: fits } = evaluate('- set: { prepend: 1 }', { prefix: '10.0.0.0/8', path: [seq(...long)] });
    expect(path(fits)).to.deep.equal([seq(localAs, ...long)]);
  });
  it('prepend on a 2-octet AS_PATH + AS4_PATH: reconstructed, 4-octet, AS4_PATH dropped', function () {
    const { out } = evaluate('- set: { prepend: 1 }', {
      prefix: '10.0.0.0/8',
      path: [seq(65001, 23456)],
      extra: [makeAs4Path([seq(65001, 4200000000)])],
    });
    const input = route({ prefix: '10.0.0.0/8' });
    input.attributes = [
      makeOrigin(0),
      makeAsPath([seq(65001, 23456)], false),
      makeAs4Path([seq(65001, 4200000000)]),
    ];
    const result = accepted(compilePolicy(rules('- set: { prepend: 1 }'), { localAs }).evaluate(input));
    expect(path(result)).to.deep.equal([seq(localAs, 65001, 4200000000)]);
    expect(getAttribute(result, 'as-path')!.asn4).to.equal(true);
    expect(result.some((a) => a.code === AttrType.As4Path)).to.equal(false);
    expect(out.some((a) => a.code === AttrType.As4Path)).to.equal(false);
  });
  it('community add: appended in order, no duplicates', function () {
    const { out } = evaluate('- set: { community: { add: ["1:3", "1:1", "1:3", no-export] } }', {
      prefix: '10.0.0.0/8',
      communities: ['1:2', '1:1'],
    });
    expect(comms(out)).to.deep.equal(['1:2', '1:1', '1:3', '65535:65281'].map(communityWord));
  });
  it('community add: created when absent, in type-code order', function () {
    const { out } = evaluate('- set: { community: { add: "1:1" } }', {
      prefix: '10.0.0.0/8',
      large: ['1:2:3'],
    });
    expect(comms(out)).to.deep.equal([communityWord('1:1')]);
    expect(codes(out)).to.deep.equal([1, 2, 8, 32]);
  });
  it('community add of present values keeps the same list object', function () {
    const { input, out } = evaluate('- set: { community: { add: "1:1", remove: "9:9" } }', {
      prefix: '10.0.0.0/8',
      communities: ['1:1'],
    });
    expect(out).to.equal(input.attributes);
  });
  it('community remove: the rest keeps its order; removing all drops the attribute', function () {
    const { out } = evaluate('- set: { community: { remove: ["1:2"] } }', {
      prefix: '10.0.0.0/8',
      communities: ['1:3', '1:2', '1:1'],
    });
    expect(comms(out)).to.deep.equal(['1:3', '1:1'].map(communityWord));
    const { out: none } = evaluate('- set: { community: { remove: ["1:1", "1:3"] } }', {
      prefix: '10.0.0.0/8',
      communities: ['1:3', '1:1'],
    });
    expect(getAttribute(none, 'communities')).to.equal(undefined);
  });
  it('community remove and add together: remove, then append', function () {
    const { out } = evaluate('- set: { community: { remove: "1:1", add: "2:2" } }', {
      prefix: '10.0.0.0/8',
      communities: ['1:1', '1:5'],
    });
    expect(comms(out)).to.deep.equal(['1:5', '2:2'].map(communityWord));
  });
  it('a value both added and removed is kept in place (communities and large communities)', function () {
    const { input, out } = evaluate(
      '- set: { community: { add: "1:1", remove: ["1:1", "1:2"] }, large-community: { add: "1:1:1", remove: ["1:1:1"] } }',
      { prefix: '10.0.0.0/8', communities: ['1:1', '1:3'], large: ['1:1:1'] },
    );
    expect(out).to.equal(input.attributes);
    const { out: changed } = evaluate('- set: { community: { add: "1:1", remove: ["1:1", "1:3"] } }', {
      prefix: '10.0.0.0/8',
      communities: ['1:1', '1:3'],
    });
    expect(comms(changed)).to.deep.equal([communityWord('1:1')]);
  });
  it('large-community add and remove', function () {
    const { out } = evaluate('- set: { large-community: { add: ["7:8:9", "1:2:3"], remove: "4:5:6" } }', {
      prefix: '10.0.0.0/8',
      large: ['4:5:6', '1:2:3'],
    });
    expect([...getAttribute(out, 'large-communities')!.values]).to.deep.equal([1, 2, 3, 7, 8, 9]);
    const { out: none } = evaluate('- set: { large-community: { remove: "1:2:3" } }', {
      prefix: '10.0.0.0/8',
      large: ['1:2:3'],
    });
    expect(getAttribute(none, 'large-communities')).to.equal(undefined);
  });
  it('several sets in one rule all apply', function () {
    const { out } = evaluate('- set: { local-pref: 10, med: 20, prepend: 1, community: { add: "3:3" } }', {
      prefix: '10.0.0.0/8',
    });
    expect(getAttribute(out, 'local-pref')!.localPref).to.equal(10);
    expect(getAttribute(out, 'med')!.med).to.equal(20);
    expect(path(out)).to.deep.equal([seq(localAs, 65001)]);
    expect(comms(out)).to.deep.equal([communityWord('3:3')]);
    expect(codes(out)).to.deep.equal([1, 2, 4, 5, 8]);
  });
});

// ===== ordering, fall-through, defaults =====

describe('policy: rule order and results', function () {
  const twoRules = rules(`
- name: customers
  match: { prefix: "10.0.0.0/8 le 24" }
  action: accept
- name: rest
  action: reject
`);
  const cases: {
    what: string;
    policy: string | PolicyRule[];
    route: RouteSpec;
    accept: boolean;
    localPref?: number;
  }[] = [
    {
      what: 'first matching rule accepts, the later reject is not reached',
      policy: twoRules,
      route: { prefix: '10.1.0.0/16' },
      accept: true,
    },
    {
      what: 'no earlier match: falls to the reject',
      policy: twoRules,
      route: { prefix: '11.0.0.0/8' },
      accept: false,
    },
    {
      what: 'end of the list accepts',
      policy: '- match: { community: "9:9" }\n  action: reject',
      route: { prefix: '10.0.0.0/8' },
      accept: true,
    },
    { what: 'an empty policy accepts', policy: [], route: { prefix: '10.0.0.0/8' }, accept: true },
    {
      what: 'a rule without action sets and falls through to the end',
      policy: '- set: { local-pref: 300 }',
      route: { prefix: '10.0.0.0/8' },
      accept: true,
      localPref: 300,
    },
    {
      what: 'a later rule sees attributes set by an earlier one',
      policy: '- set: { community: { add: "1:1" } }\n- match: { community: "1:1" }\n  action: reject',
      route: { prefix: '10.0.0.0/8' },
      accept: false,
    },
    {
      what: 'a later set overrides an earlier one',
      policy: '- set: { local-pref: 10 }\n- match: { prefix: "10.0.0.0/8" }\n  set: { local-pref: 20 }',
      route: { prefix: '10.0.0.0/8' },
      accept: true,
      localPref: 20,
    },
    {
      what: 'accept stops: later sets are not applied',
      policy: '- set: { local-pref: 10 }\n  action: accept\n- set: { local-pref: 20 }',
      route: { prefix: '10.0.0.0/8' },
      accept: true,
      localPref: 10,
    },
    {
      what: 'a non-matching rule does not set',
      policy: '- match: { prefix: "192.0.2.0/24" }\n  set: { local-pref: 20 }',
      route: { prefix: '10.0.0.0/8' },
      accept: true,
    },
  ];
  for (const c of cases) {
    it(c.what, function () {
      const list = typeof c.policy === 'string' ? rules(c.policy) : c.policy;
      const result = compilePolicy(list, { localAs }).evaluate(route(c.route));
      expect(result.accept).to.equal(c.accept);
      if (result.accept)
        expect(getAttribute(result.attributes, 'local-pref')?.localPref).to.equal(c.localPref);
    });
  }
  it('nothing set: the very same attribute array comes back', function () {
    const input = route({ prefix: '10.0.0.0/8', communities: ['1:1'] });
    const policy = compilePolicy(rules('- match: { community: "1:1" }\n  action: accept'), { localAs });
    expect(accepted(policy.evaluate(input))).to.equal(input.attributes);
    expect(accepted(compilePolicy([], { localAs }).evaluate(input))).to.equal(input.attributes);
  });
  it('depends on the prefix only when a rule matches on prefix', function () {
    expect(compilePolicy(twoRules, { localAs }).dependsOn).to.equal('prefix');
    expect(
      compilePolicy(rules('- match: { next-hop: 192.0.2.1, community: "1:1" }\n  action: reject'), {
        localAs,
      }).dependsOn,
    ).to.equal('attributes');
    expect(compilePolicy([], { localAs }).dependsOn).to.equal('attributes');
  });
  it('named policies are shared by peers; inline lists are their own', function () {
    const r = parseConfig(`
router-id: 192.0.2.1
asn: 65000
policies:
  cust: [{ match: { prefix: "10.0.0.0/8 le 24" }, action: accept }, { action: reject }]
peers:
  - { name: a, address: 192.0.2.2, asn: 65002, import: cust, export: cust }
  - { name: b, address: 192.0.2.3, asn: 65003, import: [{ set: { local-pref: 50 } }] }
  - { name: c, address: 192.0.2.4, asn: 65004 }
`);
    if (!r.ok) expect.fail(JSON.stringify(r.issues));
    const [a, b, c] = r.config.peers;
    expect(a!.importPolicy).to.equal(r.config.policies.cust);
    expect(a!.exportPolicy).to.equal(r.config.policies.cust);
    expect(b!.importPolicy).to.deep.equal([{ set: { localPref: 50 } }]);
    expect(b!.exportPolicy).to.equal(undefined);
    expect(c!.importPolicy).to.equal(undefined);
  });
  it('evaluation never throws on odd attribute lists (no AS_PATH, truncated next hop, empty values)', function () {
    const policy = compilePolicy(
      rules(`
- match: { as-path: { regex: "^$", origin: ${localAs}, length-le: 0 }, next-hop: 10.0.0.0/8 }
  set: { prepend: 1, community: { remove: "1:1" }, large-community: { remove: "1:1:1" } }
`),
      { localAs },
    );
    const input = route({ prefix: '10.0.0.0/8' });
    input.attributes = [makeOrigin(2), makeCommunities([]), makeLargeCommunities([])];
    input.nextHop = new Uint8Array(4).fill(10);
    const out = accepted(policy.evaluate(input));
    expect(path(out)).to.deep.equal([seq(localAs)]);
    input.nextHop = new Uint8Array(3);
    expect(accepted(policy.evaluate(input))).to.equal(input.attributes);
  });
});

function path(attrs: readonly PathAttribute[]): AsPathSegment[] {
  return getAttribute(attrs, 'as-path')!.segments;
}
