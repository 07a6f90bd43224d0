// The route decision engine end to end without sockets (daemon/rde/rde.ts): UPDATEs in from peers, the
// Loc-RIB, UPDATEs out to the other peers (drained through `pull`, decoded back with daemon/wire).
import { expect } from 'chai';
import { Rde, type PeerSpec } from '../../daemon/rde/rde.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import { FakeClock } from '../../daemon/clock.js';
import {
  buildNlri,
  formatAsPath,
  getAttribute,
  makeAsPath,
  makeLocalPref,
  makeMed,
  makeNextHop,
  makeOrigin,
  prefixList,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import { compilePolicy } from '../../daemon/policy/index.js';
import { announce, info, onTheWire, routeOf, spec, withdraw, type Route } from './peers.js';
import { attributeBytesOf } from '../../daemon/rde/attr-store.js';

const LOCAL_AS = 65000;

/** What a peer has been told: prefix -> route, applied in order. */
class Listener {
  readonly table = new Map<string, Route>();
  updates = 0;
  eor = 0;
  kicks = 0;
  constructor(
    readonly rde: Rde,
    readonly name: string,
  ) {}
  sink = {
    kick: (): void => {
      this.kicks++;
    },
  };
  drain(): void {
    for (const u of this.rde.pull(this.name)) {
      const m = onTheWire(u);
      this.updates++;
      if (m.nlri.count === 0 && m.withdrawn.count === 0 && m.attributes.length <= 1) {
        this.eor++;
        continue;
      }
      for (const p of prefixList(m.withdrawn)) this.table.delete(p.prefix);
      for (const p of prefixList(m.nlri)) this.table.set(p.prefix, routeOf(m));
    }
  }
}

function setup(options: { ebgpRequiresPolicy?: boolean; specs?: Record<string, Partial<PeerSpec>> } = {}) {
  const rde = new Rde({
    localAsn: LOCAL_AS,
    routerId: 0x0a000000,
    decision: { alwaysCompareMed: false, deterministicMed: false },
    ebgpRequiresPolicy: options.ebgpRequiresPolicy ?? false,
    compilePolicy,
  });
  const peers: Record<string, Listener> = {};
  const up = (name: string, address: string, asn: number, routerId: number, over: Partial<PeerSpec> = {}) => {
    const l = new Listener(rde, name);
    rde.peerUp(
      spec(name, address, asn, { ...over, ...options.specs?.[name] }),
      info(routerId, asn === LOCAL_AS),
      l.sink,
    );
    peers[name] = l;
  };
  // A and B: eBGP in AS 65001 / 65002; C, D: iBGP.
  up('a', '10.0.0.1', 65001, 1);
  up('b', '10.0.0.2', 65002, 2);
  up('c', '10.0.0.3', LOCAL_AS, 3);
  up('d', '10.0.0.4', LOCAL_AS, 4);
  const settle = () => {
    rde.flush();
    for (const l of Object.values(peers)) l.drain();
  };
  settle();
  return { rde, peers, settle };
}

describe('rde: propagation through the engine', function () {
  it('an eBGP route goes to eBGP peers with our AS prepended and NEXT_HOP self, to iBGP peers with LOCAL_PREF 100', function () {
    const { rde, peers, settle } = setup();
    rde.receive('a', announce(['10.1.0.0/16'], [65001, 7], 0x0a000001, [makeMed(50)]), true, false);
    settle();
    expect(peers.b!.table.get('10.1.0.0/16')).to.deep.equal({
      asPath: '65000 65001 7',
      nextHop: '192.0.2.100',
    });
    expect(peers.c!.table.get('10.1.0.0/16')).to.deep.equal({
      asPath: '65001 7',
      nextHop: '10.0.0.1',
      localPref: 100,
      med: 50,
    });
    expect(peers.d!.table.has('10.1.0.0/16')).to.equal(true);
    // Split horizon: nothing back to A, not even a withdrawal.
    expect(peers.a!.table.size).to.equal(0);
    expect(peers.a!.updates, 'A: only its End-of-RIBs').to.equal(2);
    expect(rde.locRib('ipv4-unicast', prefixKey(1, 16, Uint8Array.of(10, 1), 0))).to.deep.include({
      peer: 'a',
      reason: 'only-path',
    });
  });

  it('the best path changes when the better one is withdrawn; the last withdrawal propagates', function () {
    const { rde, peers, settle } = setup();
    const key = prefixKey(1, 16, Uint8Array.of(10, 2), 0);
    rde.receive('a', announce(['10.2.0.0/16'], [65001, 1, 2], 0x0a000001), true, false);
    rde.receive('b', announce(['10.2.0.0/16'], [65002], 0x0a000002), true, false);
    settle();
    expect(rde.locRib('ipv4-unicast', key)).to.deep.include({ peer: 'b', reason: 'as-path-length' });
    expect(peers.c!.table.get('10.2.0.0/16')!.asPath).to.equal('65002');
    // B's route goes to A, but not back to B.
    expect(peers.a!.table.get('10.2.0.0/16')!.asPath).to.equal('65000 65002');
    expect(peers.b!.table.has('10.2.0.0/16')).to.equal(false);

    rde.receive('b', withdraw(['10.2.0.0/16']), true, false);
    settle();
    expect(rde.locRib('ipv4-unicast', key)).to.deep.include({ peer: 'a' });
    expect(peers.c!.table.get('10.2.0.0/16')!.asPath).to.equal('65001 1 2');
    expect(peers.b!.table.get('10.2.0.0/16')!.asPath).to.equal('65000 65001 1 2');
    expect(peers.a!.table.has('10.2.0.0/16'), 'A is withdrawn its own route').to.equal(false);

    rde.receive('a', withdraw(['10.2.0.0/16']), true, false);
    settle();
    expect(rde.locRib('ipv4-unicast', key)).to.equal(undefined);
    for (const p of ['a', 'b', 'c', 'd']) expect(peers[p]!.table.has('10.2.0.0/16'), p).to.equal(false);
    expect(rde.ribs['ipv4-unicast'].size).to.equal(0);
  });

  it('iBGP-learned routes are not sent to iBGP peers; LOCAL_PREF decides', function () {
    const { rde, peers, settle } = setup();
    rde.receive(
      'c',
      announce(['10.3.0.0/16'], [65009, 65010], 0x0a000003, [makeLocalPref(300)]),
      true,
      false,
    );
    rde.receive('a', announce(['10.3.0.0/16'], [65001], 0x0a000001), true, false);
    settle();
    expect(rde.locRib('ipv4-unicast', prefixKey(1, 16, Uint8Array.of(10, 3), 0))).to.deep.include({
      peer: 'c',
      reason: 'local-pref',
    });
    expect(peers.d!.table.has('10.3.0.0/16'), 'no iBGP -> iBGP').to.equal(false);
    expect(peers.b!.table.get('10.3.0.0/16')).to.deep.equal({
      asPath: '65000 65009 65010',
      nextHop: '192.0.2.100',
    });
  });

  it('AS loop: a path with our AS is kept as rejected and not used', function () {
    const { rde, peers, settle } = setup();
    rde.receive('a', announce(['10.4.0.0/16'], [65001, LOCAL_AS, 9], 0x0a000001), true, false);
    settle();
    expect(rde.locRib('ipv4-unicast', prefixKey(1, 16, Uint8Array.of(10, 4), 0))).to.equal(undefined);
    expect(rde.adjRibIn('a')['ipv4-unicast']).to.deep.equal([
      {
        prefix: '10.4.0.0/16',
        asPath: '65001 65000 9',
        nextHop: '10.0.0.1',
        origin: 'igp',
        rejected: 'as-loop',
      },
    ]);
    expect(peers.b!.table.size).to.equal(0);
  });

  it('a peer going down withdraws its routes; a new peer gets the table and End-of-RIB', function () {
    const { rde, peers, settle } = setup();
    rde.receive('a', announce(['10.5.0.0/16', '10.6.0.0/16'], [65001], 0x0a000001), true, false);
    settle();
    expect(peers.b!.table.size).to.equal(2);
    const late = new Listener(rde, 'e');
    rde.peerUp(spec('e', '10.0.0.5', 65005), info(5, false), late.sink);
    late.drain();
    expect([...late.table.keys()].sort()).to.deep.equal(['10.5.0.0/16', '10.6.0.0/16']);
    expect(late.eor).to.equal(2);
    rde.peerDown('a');
    settle();
    expect(peers.b!.table.size).to.equal(0);
    expect(peers.c!.table.size).to.equal(0);
    expect(rde.store.size, 'attribute sets released').to.equal(0);
  });

  it('a peer going down takes only its routes, visiting the destinations it announced, not the whole RIB', function () {
    const { rde, peers, settle } = setup();
    const ours = Array.from({ length: 200 }, (_, i) => `10.9.${i}.0/24`);
    const theirs = Array.from({ length: 200 }, (_, i) => `10.10.${i}.0/24`);
    rde.receive('b', announce([...ours, ...theirs], [65002, 9], 0x0a000002), true, false);
    // Churn on A's side: 31 announcements of the same 200 prefixes, more than the RDE keeps in a peer's
    // list of destinations before compacting it (twice the paths + 4096).
    for (let round = 0; round < 30; round++) {
      rde.receive('a', announce(ours, [65001], 0x0a000001), true, false);
      rde.receive('a', withdraw(ours), true, false);
    }
    rde.receive('a', announce(ours, [65001], 0x0a000001), true, false);
    settle();
    expect(peers.c!.table.get('10.9.7.0/24')!.asPath).to.equal('65001');
    expect(peers.c!.table.size).to.equal(400);
    const rib = rde.ribs['ipv4-unicast'];
    const all = rib.all.bind(rib);
    let walks = 0;
    rib.all = function* () {
      walks++;
      yield* all();
    };
    rde.peerDown('a');
    expect(walks, 'peerDown walked the RIB').to.equal(0);
    settle();
    for (const p of ours) expect(peers.c!.table.get(p)?.asPath, p).to.equal('65002 9');
    expect(peers.c!.table.size).to.equal(400);
    expect(peers.b!.table.size, "B is withdrawn A's routes, not sent its own").to.equal(0);
    expect(rde.adjRibIn('b')['ipv4-unicast']).to.have.length(400);
  });

  it('treat-as-withdraw removes what the UPDATE announces; originated routes are sent like the others', function () {
    const { rde, peers, settle } = setup();
    rde.receive('a', announce(['10.7.0.0/16'], [65001], 0x0a000001), true, false);
    settle();
    rde.receive('a', announce(['10.7.0.0/16'], [65001], 0x0a000001), true, true);
    settle();
    expect(peers.b!.table.has('10.7.0.0/16')).to.equal(false);
    rde.originate([{ prefix: '10.8.0.0/16', family: 'ipv4-unicast', address: '10.8.0.0', length: 16 }]);
    settle();
    expect(peers.b!.table.get('10.8.0.0/16')).to.deep.equal({ asPath: '65000', nextHop: '192.0.2.100' });
    expect(peers.c!.table.get('10.8.0.0/16')).to.deep.equal({
      asPath: '',
      nextHop: '192.0.2.100',
      localPref: 100,
    });
  });
});

describe('rde: originate-mrt', function () {
  it('originates the first entry of every RIB record, keeping the path; eBGP peers get our AS prepended', async function () {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { encodePeerIndexTable, encodeRib } = await import('../../daemon/mrt/writer.js');
    const { originateFromMrt } = await import('../../daemon/rde/originate-mrt.js');
    const { rde, peers, settle } = setup();
    const attrs = (asns: number[]) =>
      rde.store.intern([makeOrigin(0), makeAsPath([{ type: 2, asns }], true), makeNextHop(0x0a0000fe)]);
    const first = attrs([7018, 3356]);
    const second = attrs([174]);
    const dir = mkdtempSync(join(tmpdir(), 'xbgpd-mrt-'));
    const file = join(dir, 'table.mrt');
    const peersTable = encodePeerIndexTable(0, {
      collectorId: '10.0.0.1',
      viewName: '',
      peers: [
        { afi: 1, bgpId: '10.0.0.1', address: '10.0.0.1', asn: 7018 },
        { afi: 1, bgpId: '10.0.0.2', address: '10.0.0.2', asn: 174 },
      ],
    });
    const rib = encodeRib(0, {
      afi: 1,
      sequence: 0,
      prefix: '192.0.2.0',
      prefixLength: 24,
      entries: [
        { peerIndex: 0, originatedTime: 0, attributes: attributeBytesOf(first) },
        { peerIndex: 1, originatedTime: 0, attributes: attributeBytesOf(second) },
      ],
    });
    writeFileSync(file, Buffer.concat([peersTable, rib]));
    rde.store.release(first);
    rde.store.release(second);
    const result = await originateFromMrt(rde, file);
    rmSync(dir, { recursive: true, force: true });
    expect(result).to.deep.equal({ routes: 1 });
    settle();
    expect(peers.b!.table.get('192.0.2.0/24')).to.deep.equal({
      asPath: '65000 7018 3356',
      nextHop: '192.0.2.100',
    });
    expect(peers.c!.table.get('192.0.2.0/24')).to.deep.equal({
      asPath: '7018 3356',
      nextHop: '192.0.2.100',
      localPref: 100,
    });
  });
});

describe('rde: policy and RFC 8212', function () {
  it('import policy rejects (kept visible) and sets LOCAL_PREF; export policy prepends', function () {
    const { rde, peers, settle } = setup({
      specs: {
        a: {
          importPolicy: [
            { match: { asPath: { contains: [666] } }, action: 'reject' },
            { set: { localPref: 250 } },
          ],
        },
        b: { exportPolicy: [{ set: { prepend: { count: 2 } } }] },
      },
    });
    rde.receive('a', announce(['10.20.0.0/16'], [65001, 666], 0x0a000001), true, false);
    rde.receive('a', announce(['10.21.0.0/16'], [65001], 0x0a000001), true, false);
    settle();
    expect(rde.adjRibIn('a')['ipv4-unicast']!.map((r) => [r.prefix, r.rejected])).to.deep.equal([
      ['10.20.0.0/16', 'policy'],
      ['10.21.0.0/16', undefined],
    ]);
    expect(peers.c!.table.get('10.21.0.0/16')!.localPref).to.equal(250);
    expect(peers.c!.table.has('10.20.0.0/16')).to.equal(false);
    expect(peers.b!.table.get('10.21.0.0/16')!.asPath).to.equal('65000 65000 65000 65001');
  });

  it('RFC 8212: without policies nothing is accepted from or sent to eBGP peers; iBGP is unaffected', function () {
    const { rde, peers, settle } = setup({ ebgpRequiresPolicy: true, specs: { b: { importPolicy: [] } } });
    rde.receive('a', announce(['10.30.0.0/16'], [65001], 0x0a000001), true, false);
    rde.receive('b', announce(['10.31.0.0/16'], [65002], 0x0a000002), true, false);
    settle();
    expect(rde.adjRibIn('a')['ipv4-unicast']![0]!.rejected).to.equal('no-policy');
    expect([...peers.c!.table.keys()]).to.deep.equal(['10.31.0.0/16']);
    expect(peers.a!.table.size, 'no export policy towards eBGP').to.equal(0);
  });
});

describe('rde: minimum route advertisement interval', function () {
  it('holds a second batch of changes until the interval has passed', function () {
    const clock = new FakeClock();
    clock.advance(1_000_000);
    const rde = new Rde({
      localAsn: LOCAL_AS,
      routerId: 0x0a000000,
      decision: { alwaysCompareMed: false, deterministicMed: false },
      ebgpRequiresPolicy: false,
      clock,
    });
    const a = new Listener(rde, 'a');
    const b = new Listener(rde, 'b');
    rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), a.sink);
    rde.peerUp(spec('b', '10.0.0.2', 65002, { minRouteAdvertisementInterval: 30 }), info(2, false), b.sink);
    b.drain(); // initial dump: End-of-RIBs, not delayed
    rde.receive('a', announce(['10.40.0.0/16'], [65001], 0x0a000001), true, false);
    rde.flush();
    b.drain();
    expect(b.table.has('10.40.0.0/16'), 'first change goes at once').to.equal(true);
    rde.receive('a', announce(['10.41.0.0/16'], [65001], 0x0a000001), true, false);
    rde.flush();
    b.drain();
    expect(b.table.has('10.41.0.0/16'), 'held by the interval').to.equal(false);
    expect(rde.hasPending('b')).to.equal(true);
    const kicks = b.kicks;
    clock.advance(29_999);
    expect(b.kicks, 'no kick before the interval has passed').to.equal(kicks);
    clock.advance(1);
    expect(b.kicks, 'the MRAI timer kicks the session').to.equal(kicks + 1);
    b.drain();
    expect(b.table.has('10.41.0.0/16'), 'sent once the interval has passed').to.equal(true);
  });
});

describe('rde: IPv6 and ADD-PATH receive', function () {
  it('an IPv6 route goes out in MP_REACH_NLRI with our IPv6 next hop; its withdrawal in MP_UNREACH_NLRI', async function () {
    const { makeMpReach, makeMpUnreach } = await import('../../daemon/wire/index.js');
    const { rde } = setup();
    const nh = Uint8Array.of(0x20, 1, 0xd, 0xb8, ...new Array<number>(11).fill(0), 7);
    const reach: UpdateMessage = {
      type: 'update',
      withdrawn: buildNlri(1, 1, []),
      attributes: [
        makeOrigin(0),
        makeAsPath([{ type: 2, asns: [65001] }], true),
        makeMpReach(nh, buildNlri(2, 1, ['2001:db8:7::/48'])),
      ],
      nlri: buildNlri(1, 1, []),
    };
    rde.receive('a', reach, true, false);
    rde.flush();
    const out = [...rde.pull('b')];
    expect(out).to.have.length(1);
    const mp = getAttribute(out[0]!.attributes, 'mp-reach')!;
    expect(prefixList(mp.nlri)).to.deep.equal([{ prefix: '2001:db8:7::/48', pathId: 0 }]);
    expect(formatAsPath(getAttribute(out[0]!.attributes, 'as-path')!.segments)).to.equal('65000 65001');
    expect(getAttribute(out[0]!.attributes, 'next-hop'), 'no IPv4 NEXT_HOP with IPv6 NLRI').to.equal(
      undefined,
    );
    const { formatAddress } = await import('../../daemon/wire/index.js');
    expect(formatAddress(2, mp.nextHop, 0)).to.equal('2001:db8::100');
    // iBGP: the received next hop is passed on unchanged.
    const toC = [...rde.pull('c')];
    expect(formatAddress(2, getAttribute(toC[0]!.attributes, 'mp-reach')!.nextHop, 0)).to.equal(
      '2001:db8::7',
    );

    rde.receive(
      'a',
      {
        type: 'update',
        withdrawn: buildNlri(1, 1, []),
        attributes: [makeMpUnreach(buildNlri(2, 1, ['2001:db8:7::/48']))],
        nlri: buildNlri(1, 1, []),
      },
      true,
      false,
    );
    rde.flush();
    const gone = [...rde.pull('b')];
    expect(prefixList(getAttribute(gone[0]!.attributes, 'mp-unreach')!.withdrawn)).to.deep.equal([
      { prefix: '2001:db8:7::/48', pathId: 0 },
    ]);
  });

  it('ADD-PATH receive: two paths of one peer are two candidates; withdrawing one path id keeps the other', function () {
    const { rde, peers, settle } = setup();
    const withIds = (ids: number[], asns: number[], withdrawIt = false): UpdateMessage => {
      const block = buildNlri(
        1,
        1,
        ids.map((pathId) => ({ prefix: '10.50.0.0/16', pathId })),
        true,
      );
      const empty = buildNlri(1, 1, [], true);
      return withdrawIt
        ? { type: 'update', withdrawn: block, attributes: [], nlri: empty }
        : {
            type: 'update',
            withdrawn: empty,
            attributes: [makeOrigin(0), makeAsPath([{ type: 2, asns }], true), makeNextHop(0x0a000001)],
            nlri: block,
          };
    };
    rde.receive('a', withIds([1], [65001, 1, 2]), true, false);
    rde.receive('a', withIds([2], [65001]), true, false);
    settle();
    expect(rde.adjRibIn('a')['ipv4-unicast']!.map((r) => r.pathId)).to.deep.equal([1, 2]);
    expect(peers.c!.table.get('10.50.0.0/16')!.asPath).to.equal('65001');
    rde.receive('a', withIds([2], [], true), true, false);
    settle();
    expect(peers.c!.table.get('10.50.0.0/16')!.asPath).to.equal('65001 1 2');
    expect(rde.adjRibInCount('a')).to.equal(1);
  });
});

describe('rde: families a peer may not send (RFC 4760 6 and 7)', function () {
  const v6Announce = async (prefix: string): Promise<UpdateMessage> => {
    const { makeMpReach } = await import('../../daemon/wire/index.js');
    const nh = Uint8Array.of(0x20, 1, 0xd, 0xb8, ...new Array<number>(11).fill(0), 7);
    return {
      type: 'update',
      withdrawn: buildNlri(1, 1, []),
      attributes: [
        makeOrigin(0),
        makeAsPath([{ type: 2, asns: [65009] }], true),
        makeMpReach(nh, buildNlri(2, 1, [prefix])),
      ],
      nlri: buildNlri(1, 1, []),
    };
  };

  it('routes of a family the session did not negotiate are ignored', async function () {
    const { rde, peers, settle } = setup();
    const l = new Listener(rde, 'v4only');
    rde.peerUp(spec('v4only', '10.0.0.9', 65009), info(9, false, ['ipv4-unicast']), l.sink);
    rde.receive('v4only', await v6Announce('2001:db8:9::/48'), true, false);
    rde.receive('v4only', announce(['10.9.0.0/16'], [65009], 0x0a000009), true, false);
    settle();
    expect(rde.adjRibInCount('v4only'), 'only the IPv4 route is held').to.equal(1);
    expect(rde.locRib('ipv6-unicast', prefixKey(2, 48, Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 9), 0))).to.equal(
      undefined,
    );
    expect(peers.b!.table.has('10.9.0.0/16')).to.equal(true);
  });

  it("disableFamily deletes the peer's routes of the family and ignores its later ones; other families stay", async function () {
    const { rde, peers, settle } = setup();
    rde.receive('a', announce(['10.60.0.0/16'], [65001], 0x0a000001), true, false);
    rde.receive('a', await v6Announce('2001:db8:60::/48'), true, false);
    settle();
    expect(peers.b!.table.has('10.60.0.0/16')).to.equal(true);
    expect(rde.adjRibInCount('a')).to.equal(2);

    rde.disableFamily('a', 'ipv4-unicast');
    settle();
    expect(peers.b!.table.has('10.60.0.0/16'), 'withdrawn from the other peers').to.equal(false);
    expect(rde.adjRibInCount('a'), 'the IPv6 route stays').to.equal(1);

    rde.receive('a', announce(['10.61.0.0/16'], [65001], 0x0a000001), true, false);
    settle();
    expect(peers.b!.table.has('10.61.0.0/16'), 'later IPv4 routes are ignored').to.equal(false);
    expect(rde.adjRibInCount('a')).to.equal(1);

    // A new session takes the family again.
    rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), peers.a!.sink);
    rde.receive('a', announce(['10.61.0.0/16'], [65001], 0x0a000001), true, false);
    settle();
    expect(peers.b!.table.has('10.61.0.0/16')).to.equal(true);
  });
});
