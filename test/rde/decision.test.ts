// The decision process (daemon/rde/decision.ts): one case per numbered step, each showing that step
// deciding between two paths that tie on every earlier step; plus the MED options.
import { expect } from 'chai';
import { AttrStore, type AttrSet, nextHopOf } from '../../daemon/rde/attr-store.js';
import {
  decisionSteps,
  selectBest,
  type Candidate,
  type DecisionContext,
} from '../../daemon/rde/decision.js';
import {
  makeAsPath,
  makeClusterList,
  makeLocalPref,
  makeMed,
  makeNextHop,
  makeOrigin,
  makeOriginatorId,
  type PathAttribute,
} from '../../daemon/wire/index.js';

const store = new AttrStore();

interface PathSpec {
  asPath?: number[];
  localPref?: number;
  origin?: 0 | 1 | 2;
  med?: number;
  nextHop?: number;
  originatorId?: number;
  clusterList?: number[];
  ibgp?: boolean;
  routerId?: number;
  address?: string;
}

function candidate(spec: PathSpec): Candidate {
  const attrs: PathAttribute[] = [
    makeOrigin(spec.origin ?? 0),
    makeAsPath([{ type: 2, asns: spec.asPath ?? [65001] }], true),
    makeNextHop(spec.nextHop ?? 0x0a000001),
  ];
  if (spec.localPref !== undefined) attrs.push(makeLocalPref(spec.localPref));
  if (spec.med !== undefined) attrs.push(makeMed(spec.med));
  if (spec.originatorId !== undefined) attrs.push(makeOriginatorId(spec.originatorId));
  if (spec.clusterList !== undefined) attrs.push(makeClusterList(spec.clusterList));
  const set: AttrSet = store.intern(attrs);
  return {
    attrs: set,
    peer: {
      ibgp: spec.ibgp ?? false,
      routerId: spec.routerId ?? 0x0a000009,
      addressKey: spec.address ?? '4c0000209',
    },
  };
}

function ctx(options: Partial<DecisionContext['options']> = {}): DecisionContext {
  return {
    options: { alwaysCompareMed: false, deterministicMed: false, ...options },
    reachable: (attrs) => {
      const nextHop = nextHopOf(attrs);
      return nextHop === undefined || nextHop.some((b) => b !== 0);
    },
  };
}

describe('rde/decision: one case per step', function () {
  const cases: { step: string; better: PathSpec; worse: PathSpec }[] = [
    {
      step: 'next-hop-reachable',
      better: { nextHop: 0x0a000002, localPref: 50 },
      worse: { nextHop: 0, localPref: 500 },
    },
    { step: 'local-pref', better: { localPref: 200, asPath: [1, 2, 3] }, worse: { localPref: 100 } },
    {
      step: 'as-path-length',
      better: { asPath: [65001], origin: 2 },
      worse: { asPath: [65001, 65002], origin: 0 },
    },
    { step: 'origin', better: { origin: 0, med: 50 }, worse: { origin: 1, med: 0 } },
    { step: 'med', better: { med: 10, ibgp: true }, worse: { med: 20, ibgp: false } },
    { step: 'ebgp-over-ibgp', better: { ibgp: false, routerId: 9 }, worse: { ibgp: true, routerId: 1 } },
    {
      step: 'cluster-list-length',
      better: { clusterList: [1], routerId: 9 },
      worse: { clusterList: [1, 2], routerId: 1 },
    },
    { step: 'router-id', better: { routerId: 1, address: '4ff' }, worse: { routerId: 2, address: '400' } },
    { step: 'peer-address', better: { address: '40a000001' }, worse: { address: '40a000002' } },
  ];

  it('the steps are in RFC order, igp-cost between ebgp-over-ibgp and cluster-list-length', function () {
    expect(decisionSteps.map((s) => s.step)).to.deep.equal([
      'next-hop-reachable',
      'local-pref',
      'as-path-length',
      'origin',
      'med',
      'ebgp-over-ibgp',
      'igp-cost',
      'cluster-list-length',
      'router-id',
      'peer-address',
    ]);
  });

  for (const c of cases) {
    it(`${c.step} decides`, function () {
      const better = candidate(c.better);
      const worse = candidate(c.worse);
      for (const order of [
        [better, worse],
        [worse, better],
      ]) {
        const r = selectBest(order, ctx());
        if (c.step === 'next-hop-reachable') {
          // An unreachable next hop is not a candidate at all: the other is the only path.
          expect(r?.winner).to.equal(better);
          expect(r?.reason).to.equal('only-path');
        } else {
          expect(r?.winner, c.step).to.equal(better);
          expect(r?.reason).to.equal(c.step);
        }
      }
    });
  }

  it('ORIGINATOR_ID stands in for the router id (RFC 4456 9)', function () {
    const a = candidate({ routerId: 1, originatorId: 50 });
    const b = candidate({ routerId: 2 });
    expect(selectBest([a, b], ctx())!.winner).to.equal(b);
  });

  it('a missing LOCAL_PREF counts as 100, a missing MED as 0', function () {
    const none = candidate({});
    expect(selectBest([none, candidate({ localPref: 99 })], ctx())!.winner).to.equal(none);
    const noMed = candidate({});
    expect(selectBest([candidate({ med: 1 }), noMed], ctx())!).to.deep.include({
      winner: noMed,
      reason: 'med',
    });
  });

  it('MED is compared only between routes from the same neighbouring AS, unless always-compare-med', function () {
    const lowMedOtherAs = candidate({ asPath: [65002], med: 1, address: '4b' });
    const highMed = candidate({ asPath: [65001], med: 100, address: '4a' });
    expect(selectBest([lowMedOtherAs, highMed], ctx())).to.deep.include({
      winner: highMed,
      reason: 'peer-address',
    });
    expect(selectBest([lowMedOtherAs, highMed], ctx({ alwaysCompareMed: true }))).to.deep.include({
      winner: lowMedOtherAs,
      reason: 'med',
    });
  });

  it('deterministic MED: the result does not depend on arrival order', function () {
    // A (AS1, MED 10, addr .3), B (AS1, MED 20, addr .1), C (AS2, MED 5, addr .2).
    const a = candidate({ asPath: [1], med: 10, address: '43' });
    const b = candidate({ asPath: [1], med: 20, address: '41' });
    const c = candidate({ asPath: [2], med: 5, address: '42' });
    const winners = new Set<Candidate>();
    for (const order of [
      [a, b, c],
      [a, c, b],
      [b, a, c],
      [b, c, a],
      [c, a, b],
      [c, b, a],
    ])
      winners.add(selectBest(order, ctx({ deterministicMed: true }))!.winner);
    // Group AS1 -> A (MED), then A vs C -> C (peer address .2 < .3).
    expect([...winners]).to.deep.equal([c]);
  });

  it('no eligible path: no best', function () {
    expect(selectBest([candidate({ nextHop: 0 })], ctx())).to.equal(undefined);
  });
});
