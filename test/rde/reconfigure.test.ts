// Policy changes applied in place (daemon/rde/reconfigure.ts through Rde.updatePeerPolicy): a new import
// policy is re-run on the pre-policy copies of the Adj-RIB-In (the peer sends nothing again), a peer whose
// export settings change moves to another group's Adj-RIB-Out and is sent only what differs. What each
// peer is told is applied to a Map; at the end every peer goes down and every attribute set is released.
import { expect } from 'chai';
import { Rde, type PeerSpec } from '../../daemon/rde/rde.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import { addressBytes } from '../../daemon/net/address.js';
import type { PolicyRule, PrefixMatch } from '../../daemon/config/types.js';
import { allFamilies } from '../../daemon/config/types.js';
import { compilePolicy } from '../../daemon/policy/index.js';
import { makeMed, prefixList, type UpdateMessage } from '../../daemon/wire/index.js';
import { announce, info, onTheWire, routeOf, spec, type Route } from './peers.js';

const LOCAL_AS = 65000;

/** An exact prefix match as the config loader builds it. */
function exact(prefix: string): PrefixMatch {
  const [address, length] = prefix.split('/') as [string, string];
  const n = Number(length);
  return { prefix, family: 'ipv4-unicast', address: addressBytes(address), length: n, ge: n, le: n };
}

function key(prefix: string) {
  const [address, length] = prefix.split('/') as [string, string];
  return prefixKey(1, Number(length), addressBytes(address), 0);
}

/** What a peer has been told (prefix -> route), and how often each prefix was announced / withdrawn. */
class Peer {
  readonly table = new Map<string, Route>();
  readonly announced = new Map<string, number>();
  readonly withdrawn = new Map<string, number>();
  updates = 0;
  readonly sink = { kick: () => undefined };
  constructor(
    readonly rde: Rde,
    readonly spec: PeerSpec,
  ) {}

  drain(producer: Iterable<UpdateMessage> = this.rde.pull(this.spec.name)): void {
    for (const u of producer) this.apply(u);
  }

  apply(u: UpdateMessage): void {
    const m = onTheWire(u);
    this.updates++;
    for (const p of prefixList(m.withdrawn)) {
      this.table.delete(p.prefix);
      this.withdrawn.set(p.prefix, (this.withdrawn.get(p.prefix) ?? 0) + 1);
    }
    for (const p of prefixList(m.nlri)) {
      this.table.set(p.prefix, routeOf(m));
      this.announced.set(p.prefix, (this.announced.get(p.prefix) ?? 0) + 1);
    }
  }

  /** Forget the counters (the table stays: it is what the peer holds). */
  reset(): void {
    this.announced.clear();
    this.withdrawn.clear();
    this.updates = 0;
  }

  /** Apply a changed spec (policy / export settings only): `over` on the current one, or a whole spec. */
  change(over: Partial<PeerSpec>, whole = false): void {
    (this as { spec: PeerSpec }).spec = whole ? (over as PeerSpec) : { ...this.spec, ...over };
    expect(this.rde.updatePeerPolicy(this.spec)).to.equal(true);
  }
}

/**
 * A (eBGP 65001), B (eBGP 65002), E (eBGP 65005, same export settings as B: one group), C (iBGP).
 * A announces 10.1/16, 10.2/16 (MED 30), 10.3/16; B announces 10.3/16 too (same AS path length).
 */
function setup(over: Record<string, Partial<PeerSpec>> = {}) {
  const rde = new Rde({
    localAsn: LOCAL_AS,
    routerId: 0x0a000000,
    decision: { alwaysCompareMed: false, deterministicMed: false },
    ebgpRequiresPolicy: false,
    compilePolicy,
  });
  const peers: Record<string, Peer> = {};
  const up = (name: string, address: string, asn: number, routerId: number) => {
    const p = new Peer(rde, spec(name, address, asn, over[name]));
    rde.peerUp(p.spec, info(routerId, asn === LOCAL_AS, ['ipv4-unicast']), p.sink);
    peers[name] = p;
  };
  up('a', '10.0.0.1', 65001, 1);
  up('b', '10.0.0.2', 65002, 2);
  up('c', '10.0.0.3', LOCAL_AS, 3);
  up('e', '10.0.0.5', 65005, 5);
  const settle = () => {
    rde.flush();
    for (const p of Object.values(peers)) p.drain();
  };
  rde.receive('a', announce(['10.1.0.0/16', '10.3.0.0/16'], [65001, 7], 0x0a000001), true, false);
  rde.receive('a', announce(['10.2.0.0/16'], [65001, 7], 0x0a000001, [makeMed(30)]), true, false);
  rde.receive('b', announce(['10.3.0.0/16'], [65002, 7], 0x0a000002), true, false);
  settle();
  for (const p of Object.values(peers)) p.reset();
  /** Every Adj-RIB-In set is referenced; then all peers down: nothing is left in the RIB or the store. */
  const teardown = () => {
    for (const f of allFamilies)
      for (const d of rde.ribs[f].all())
        for (let p = d.first; p !== undefined; p = p.next) {
          expect(p.pre.refs, 'pre-policy set referenced').to.be.greaterThan(0);
          if (p.attrs) expect(p.attrs.refs, 'post-policy set referenced').to.be.greaterThan(0);
        }
    for (const name of Object.keys(peers)) rde.peerDown(name);
    rde.flush();
    expect(rde.ribs['ipv4-unicast'].size, 'destinations dropped').to.equal(0);
    expect(rde.store.size, 'attribute sets released').to.equal(0);
  };
  return { rde, peers, settle, teardown };
}

const rejectPrefix = (prefix: string): PolicyRule[] => [
  { match: { prefix: [exact(prefix)] }, action: 'reject' },
];

describe('rde: import policy re-applied in place', function () {
  it('a rejecting policy withdraws the route from the others, keeps the Adj-RIB-In; accepting again re-announces', function () {
    const { rde, peers, settle, teardown } = setup();
    const { a, c } = peers as Record<'a' | 'c', Peer>;
    const before = c.table.get('10.1.0.0/16');
    expect(before).to.deep.equal({ asPath: '65001 7', nextHop: '10.0.0.1', localPref: 100 });
    const decisions = rde.decisions;

    a.change({ importPolicy: rejectPrefix('10.1.0.0/16') });
    settle();
    expect(c.table.has('10.1.0.0/16'), 'withdrawn from C').to.equal(false);
    expect(c.withdrawn.get('10.1.0.0/16')).to.equal(1);
    expect(c.announced.size, 'nothing else re-sent to C').to.equal(0);
    expect(rde.decisions - decisions, 'only the changed destination decided again').to.equal(1);
    expect(rde.adjRibInCount('a'), 'Adj-RIB-In kept').to.equal(3);
    expect(rde.adjRibIn('a')['ipv4-unicast']!.map((r) => [r.prefix, r.rejected])).to.deep.equal([
      ['10.1.0.0/16', 'policy'],
      ['10.2.0.0/16', undefined],
      ['10.3.0.0/16', undefined],
    ]);
    expect(rde.locRib('ipv4-unicast', key('10.1.0.0/16'))).to.equal(undefined);

    a.change({ importPolicy: undefined });
    settle();
    expect(c.table.get('10.1.0.0/16'), 'announced again from the kept copy').to.deep.equal(before);
    expect(rde.adjRibIn('a')['ipv4-unicast']!.every((r) => r.rejected === undefined)).to.equal(true);
    teardown();
  });

  const cases: {
    name: string;
    peer: 'a' | 'b';
    policy: PolicyRule[];
    best: string;
    reason: string;
    atC: Route;
  }[] = [
    {
      name: 'LOCAL_PREF 200 on B moves the best path to B',
      peer: 'b',
      policy: [{ set: { localPref: 200 } }],
      best: 'b',
      reason: 'local-pref',
      atC: { asPath: '65002 7', nextHop: '10.0.0.2', localPref: 200 },
    },
    {
      name: 'LOCAL_PREF 50 on A moves the best path to B',
      peer: 'a',
      policy: [{ set: { localPref: 50 } }],
      best: 'b',
      reason: 'local-pref',
      atC: { asPath: '65002 7', nextHop: '10.0.0.2', localPref: 100 },
    },
    {
      name: 'LOCAL_PREF 150 on A keeps A, now by local-pref',
      peer: 'a',
      policy: [{ set: { localPref: 150 } }],
      best: 'a',
      reason: 'local-pref',
      atC: { asPath: '65001 7', nextHop: '10.0.0.1', localPref: 150 },
    },
  ];
  for (const t of cases) {
    it(`best path: ${t.name}`, function () {
      const { rde, peers, settle, teardown } = setup();
      const k = key('10.3.0.0/16');
      expect(rde.locRib('ipv4-unicast', k)).to.deep.include({ peer: 'a', reason: 'router-id' });
      peers[t.peer]!.change({ importPolicy: t.policy });
      settle();
      expect(rde.locRib('ipv4-unicast', k)).to.deep.include({ peer: t.best, reason: t.reason });
      expect(peers.c!.table.get('10.3.0.0/16')).to.deep.equal(t.atC);
      // Split horizon follows the new best path: its source holds nothing, the other peer gets it.
      const other = t.best === 'a' ? 'b' : 'a';
      expect(peers[t.best]!.table.has('10.3.0.0/16')).to.equal(false);
      expect(peers[other]!.table.get('10.3.0.0/16')!.asPath).to.equal(
        `65000 ${t.best === 'a' ? 65001 : 65002} 7`,
      );
      teardown();
    });
  }
});

describe('rde: export settings re-applied in place', function () {
  const A1 = { asPath: '65000 65001 7', nextHop: '192.0.2.100' };
  const cases: {
    name: string;
    peer: 'b' | 'c';
    over: Partial<PeerSpec>;
    /** What the peer holds afterwards. */
    after: Record<string, Route>;
    /** Prefixes sent again (announced); withdrawn ones are those missing from `after`. */
    resent: string[];
  }[] = [
    {
      name: 'export policy rejecting one prefix: only its withdrawal is sent',
      peer: 'b',
      over: { exportPolicy: rejectPrefix('10.2.0.0/16') },
      after: { '10.1.0.0/16': A1, '10.3.0.0/16': A1 },
      resent: [],
    },
    {
      name: 'export policy prepending: every route is re-announced with the longer AS path',
      peer: 'b',
      over: { exportPolicy: [{ set: { prepend: { count: 2 } } }] },
      after: {
        '10.1.0.0/16': { ...A1, asPath: '65000 65000 65000 65001 7' },
        '10.2.0.0/16': { ...A1, asPath: '65000 65000 65000 65001 7' },
        '10.3.0.0/16': { ...A1, asPath: '65000 65000 65000 65001 7' },
      },
      resent: ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'],
    },
    {
      name: 'send-med: only the route with a MED changes',
      peer: 'b',
      over: { sendMed: true },
      after: { '10.1.0.0/16': A1, '10.2.0.0/16': { ...A1, med: 30 }, '10.3.0.0/16': A1 },
      resent: ['10.2.0.0/16'],
    },
    {
      name: 'next-hop-self towards iBGP: every route gets our next hop',
      peer: 'c',
      over: { nextHopSelf: true },
      after: {
        '10.1.0.0/16': { asPath: '65001 7', nextHop: '192.0.2.100', localPref: 100 },
        '10.2.0.0/16': { asPath: '65001 7', nextHop: '192.0.2.100', localPref: 100, med: 30 },
        '10.3.0.0/16': { asPath: '65001 7', nextHop: '192.0.2.100', localPref: 100 },
      },
      resent: ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'],
    },
    {
      name: 'MRAI only: same group, nothing sent',
      peer: 'b',
      over: { minRouteAdvertisementInterval: 30 },
      after: { '10.1.0.0/16': A1, '10.2.0.0/16': A1, '10.3.0.0/16': A1 },
      resent: [],
    },
  ];
  for (const t of cases) {
    it(t.name, function () {
      const { peers, settle, teardown } = setup();
      const p = peers[t.peer]!;
      const e = peers.e!;
      const eBefore = new Map(e.table);
      const original = p.spec;
      const held = new Map(p.table);
      p.change(t.over);
      settle();
      expect(Object.fromEntries(p.table)).to.deep.equal(t.after);
      expect([...p.announced.keys()].sort()).to.deep.equal(t.resent);
      const gone = [...held.keys()].filter((k) => !(k in t.after)).sort();
      expect([...p.withdrawn.keys()].sort()).to.deep.equal(gone);
      // E shared B's group: it is told nothing and keeps what it holds.
      expect(e.updates, 'nothing to E').to.equal(0);
      expect(e.table).to.deep.equal(eBefore);

      // Back to the original settings: the peer holds what it held before.
      p.change(original, true);
      settle();
      expect(Object.fromEntries(p.table)).to.deep.equal(Object.fromEntries(held));
      expect(e.updates, 'still nothing to E').to.equal(0);
      teardown();
    });
  }

  it('a peer whose UPDATE producer is half-way through its initial dump gets the new Adj-RIB-Out', function () {
    const rde = new Rde({
      localAsn: LOCAL_AS,
      routerId: 0x0a000000,
      decision: { alwaysCompareMed: false, deterministicMed: false },
      ebgpRequiresPolicy: false,
      compilePolicy,
    });
    const a = new Peer(rde, spec('a', '10.0.0.1', 65001));
    rde.peerUp(a.spec, info(1, false, ['ipv4-unicast']), a.sink);
    // 3000 prefixes under 10.100/16 .. 10.111/16 with 250 different AS paths: many UPDATEs to B.
    for (let i = 0; i < 3000; i++)
      rde.receive(
        'a',
        announce([`10.${100 + (i >> 8)}.${i & 255}.0/24`], [65001, 1000 + (i % 250)], 0x0a000001),
        true,
        false,
      );
    rde.flush();
    const b = new Peer(rde, spec('b', '10.0.0.2', 65002));
    rde.peerUp(b.spec, info(2, false, ['ipv4-unicast']), b.sink);
    const producer = rde.pull('b');
    for (let i = 0; i < 5; i++) b.apply(producer.next().value as UpdateMessage);
    expect(b.table.size).to.be.within(1, 2999);
    b.change({
      exportPolicy: [
        { match: { prefix: [{ ...exact('10.100.0.0/16'), ge: 16, le: 32 }] }, action: 'reject' },
        { set: { prepend: { count: 1 } } },
      ],
    });
    b.drain({ [Symbol.iterator]: () => producer });
    b.drain();
    expect(rde.hasPending('b')).to.equal(false);
    expect(b.table.size).to.equal(3000 - 256);
    for (const [prefix, route] of b.table) {
      expect(prefix.startsWith('10.100.'), prefix).to.equal(false);
      expect(route.asPath, prefix).to.match(/^65000 65000 65001 \d+$/);
    }
    rde.peerDown('a');
    rde.peerDown('b');
    rde.flush();
    expect(rde.store.size).to.equal(0);
    expect(rde.ribs['ipv4-unicast'].size).to.equal(0);
  });

  it('import and export changed at once: the new group is built while the decision is pending', function () {
    const { rde, peers, settle, teardown } = setup();
    const { a, c } = peers as Record<'a' | 'c', Peer>;
    a.change({
      importPolicy: rejectPrefix('10.3.0.0/16'),
      exportPolicy: [{ set: { prepend: { count: 1 } } }],
    });
    settle();
    expect(rde.locRib('ipv4-unicast', key('10.3.0.0/16'))).to.deep.include({
      peer: 'b',
      reason: 'only-path',
    });
    expect(Object.fromEntries(a.table)).to.deep.equal({
      '10.3.0.0/16': { asPath: '65000 65000 65002 7', nextHop: '192.0.2.100' },
    });
    expect(c.table.get('10.3.0.0/16')).to.deep.equal({
      asPath: '65002 7',
      nextHop: '10.0.0.2',
      localPref: 100,
    });
    teardown();
  });

  it('a new MRAI holds the second batch of changes', function () {
    const { rde, peers, settle, teardown } = setup();
    const b = peers.b!;
    b.change({ minRouteAdvertisementInterval: 3600 });
    rde.receive('a', announce(['10.4.0.0/16'], [65001, 7], 0x0a000001), true, false);
    settle();
    expect(b.table.has('10.4.0.0/16'), 'first batch at once').to.equal(true);
    rde.receive('a', announce(['10.5.0.0/16'], [65001, 7], 0x0a000001), true, false);
    settle();
    expect(b.table.has('10.5.0.0/16'), 'second batch held').to.equal(false);
    expect(rde.hasPending('b')).to.equal(true);
    expect(peers.e!.table.has('10.5.0.0/16'), 'E has no interval').to.equal(true);
    teardown();
  });

  it('returns false for a peer that is not up', function () {
    const { rde, teardown } = setup();
    expect(rde.updatePeerPolicy(spec('z', '10.0.0.26', 65026))).to.equal(false);
    teardown();
  });
});
