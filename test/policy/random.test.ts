// Seeded random routes (fast-check) through a policy that uses every match kind and every set action:
// evaluation never throws, keeps attributes in type-code order, prepends exactly the configured count,
// and a policy without `set` always hands back the input's own attribute array.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  asPathLength,
  getAttribute,
  makeAsPath,
  makeCommunities,
  makeLargeCommunities,
  makeOrigin,
  type AsPathSegmentTypeCode,
  type PathAttribute,
} from '../../daemon/wire/index.js';
import { parseConfig } from '../../daemon/config/load.js';
import { compilePolicy, type PolicyInput } from '../../daemon/policy/index.js';

/** One rejecting rule per match kind, so that each kind decides some of the random routes. */
const rejectRules = [
  '{ prefix: ["10.0.0.0/8 le 24", "2001:db8::/32 ge 40 le 64", "128.0.0.0/1 ge 20"] }',
  '{ as-path: { contains: [1, 4] } }',
  '{ as-path: { origin: [2, 3] } }',
  '{ as-path: { regex: "^5 " } }',
  '{ as-path: { length-ge: 40 } }',
  '{ community: ["1:1", no-export] }',
  '{ large-community: "1:1:1" }',
  '{ next-hop: ["0.0.0.0/3", "2001:db8::/33", "8000::/4"] }',
]
  .map((m) => `{ match: ${m}, action: reject }`)
  .join(', ');

function policyOf(rulesYaml: string): ReturnType<typeof compilePolicy> {
  const r = parseConfig(`router-id: 192.0.2.1\nasn: 65000\npolicies:\n  p: ${rulesYaml}\n`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return compilePolicy(r.config.policies.p!, { localAs: 65000 });
}

const withSets = policyOf(
  `[${rejectRules}, { set: { prepend: 2, local-pref: 7, med: 9, community: { add: ["1:1", "2:2"], remove: "1:2" }, large-community: { add: "1:1:1", remove: "2:2:2" } } }]`,
);
const withoutSets = policyOf(`[${rejectRules}, { match: { community: "1:3" }, action: accept }]`);

const small = fc.integer({ min: 0, max: 5 });
const segment = fc.record({
  type: fc.integer({ min: 1, max: 4 }).map((t) => t as AsPathSegmentTypeCode),
  asns: fc.array(small, { minLength: 1, maxLength: 300 }),
});
const route = fc.record({
  afi: fc.constantFrom(1 as const, 2 as const),
  bytes: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  length: fc.integer({ min: 0, max: 128 }),
  segments: fc.option(fc.array(segment, { maxLength: 4 })),
  communities: fc.option(
    fc.array(
      fc.integer({ min: 0, max: 3 }).map((v) => (1 << 16) | v),
      { maxLength: 6 },
    ),
  ),
  large: fc.option(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 9 })),
  nextHop: fc.option(fc.uint8Array({ minLength: 0, maxLength: 32 })),
});

type RouteValue = typeof route extends fc.Arbitrary<infer T> ? T : never;

function inputOf(r: RouteValue): PolicyInput {
  const attributes: PathAttribute[] = [makeOrigin(0)];
  if (r.segments !== null) attributes.push(makeAsPath(r.segments, true));
  if (r.communities !== null) attributes.push(makeCommunities(r.communities));
  if (r.large !== null)
    attributes.push(makeLargeCommunities(r.large.slice(0, r.large.length - (r.large.length % 3))));
  return {
    afi: r.afi,
    prefix: r.bytes,
    prefixOffset: 0,
    prefixLength: Math.min(r.length, r.afi === 1 ? 32 : 128),
    attributes,
    nextHop: r.nextHop ?? undefined,
  };
}

describe('policy: random routes', function () {
  it('never throws; ordered attributes; prepend adds exactly 2; no set = same array', function () {
    let acceptedCount = 0;
    let rejectedCount = 0;
    fc.assert(
      fc.property(route, (r) => {
        const input = inputOf(r);
        const before = asPathLength(getAttribute(input.attributes, 'as-path')?.segments ?? []);
        const result = withSets.evaluate(input);
        if (result.accept) {
          const codes = result.attributes.map((a) => a.code);
          expect(codes).to.deep.equal([...codes].sort((a, b) => a - b));
          expect(asPathLength(getAttribute(result.attributes, 'as-path')!.segments)).to.equal(before + 2);
          expect(getAttribute(result.attributes, 'local-pref')!.localPref).to.equal(7);
        }
        const plain = withoutSets.evaluate(input);
        if (plain.accept) expect(plain.attributes).to.equal(input.attributes);
        expect(plain.accept).to.equal(result.accept);
        if (result.accept) acceptedCount++;
        else rejectedCount++;
      }),
      { seed: 20261124, numRuns: 3000 },
    );
    // Both outcomes occur, so the properties above were checked on real accepts.
    expect(acceptedCount).to.be.above(100);
    expect(rejectedCount).to.be.above(100);
  });
});
