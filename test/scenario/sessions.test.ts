// Issue 4 acceptance: xbgpd against real BIRD 2, FRR 8.4, GoBGP 3.10 and ExaBGP 4.2 peers in the lab
// (test/lab/). Sessions over IPv4 and IPv6 transport, eBGP and iBGP, xbgpd with a 4-octet AS (and one
// peer with a 4-octet AS too); each peer's own CLI must show the session Established with the
// capabilities xbgpd offered and xbgpd's originated routes, and xbgpd must hold every peer's routes.
// The second suite covers failures: hold timer expiry on a frozen peer, a restarted peer, a peer with
// the wrong AS, and the shutdown message xbgpd sends when it stops.
//
//              BIRD AS 65001 (eBGP, v4 + v6 sessions)
//                  |
//   FRR AS 4200000001 (iBGP, v4 + v6) -- xbgpd AS 4200000001 -- GoBGP AS 65003 (eBGP over v6, both families)
//                  |
//              ExaBGP AS 4200000002 (eBGP, v4)
import { expect } from 'chai';
import type { BirdRouter } from '../lab/bird.js';
import type { ExabgpRouter } from '../lab/exabgp.js';
import type { FrrRouter } from '../lab/frr.js';
import type { GobgpRouter } from '../lab/gobgp.js';
import { Lab, openLab } from '../lab/lab.js';
import type { Link } from '../lab/netns.js';
import type { Family } from '../lab/types.js';
import { waitFor } from '../lab/wait.js';
import { isEstablished, labWaits } from '../lab/waits.js';
import type { XbgpdRouter } from '../lab/xbgpd.js';

const dutAs = 4200000001;
const birdAs = 65001;
const gobgpAs = 65003;
const exaAs = 4200000002;
const originated = { ipv4: '198.51.100.0/24', ipv6: '2001:db8:100::/48' };

const { neighborBecomes, routeArrives } = labWaits(20_000);

/**
 * The capabilities xbgpd offers on a session carrying `families`: its defaults (config/xbgpd.yaml,
 * daemon/config/types.ts): multiprotocol per family, 4-octet AS, route refresh, enhanced route refresh,
 * extended message, graceful restart.
 */
function offered(families: Family[]): string[] {
  return [
    ...families.map((f) => `mp:${f}`),
    'four-octet-as',
    'route-refresh',
    'enhanced-route-refresh',
    'extended-message',
    'graceful-restart',
  ];
}

describe('scenario: xbgpd sessions with BIRD, FRR, GoBGP and ExaBGP', function () {
  let lab: Lab | undefined;
  let dut: XbgpdRouter;
  let bird: BirdRouter;
  let frr: FrrRouter;
  let gobgp: GobgpRouter;
  let exabgp: ExabgpRouter;
  let toBird: Link;
  let toFrr: Link;
  let toGobgp: Link;
  let toExa: Link;

  before(async function () {
    this.timeout(60_000);
    lab = openLab(this);
    toBird = await lab.link('dut', 'bird');
    toFrr = await lab.link('dut', 'frr');
    toGobgp = await lab.link('dut', 'gobgp');
    toExa = await lab.link('dut', 'exa');
    const links = [toBird, toFrr, toGobgp, toExa];
    dut = await lab.xbgpd('dut', {
      routerId: '10.255.9.9',
      asn: dutAs,
      listen: links.flatMap((l) => [{ address: l.a.ipv4 }, { address: l.a.ipv6 }]),
      peers: [
        {
          name: 'bird4',
          address: toBird.b.ipv4,
          localAddress: toBird.a.ipv4,
          asn: birdAs,
          families: ['ipv4-unicast'],
        },
        {
          name: 'bird6',
          address: toBird.b.ipv6,
          localAddress: toBird.a.ipv6,
          asn: birdAs,
          families: ['ipv6-unicast'],
        },
        {
          name: 'frr4',
          address: toFrr.b.ipv4,
          localAddress: toFrr.a.ipv4,
          asn: dutAs,
          families: ['ipv4-unicast'],
        },
        {
          name: 'frr6',
          address: toFrr.b.ipv6,
          localAddress: toFrr.a.ipv6,
          asn: dutAs,
          families: ['ipv6-unicast'],
        },
        {
          name: 'gobgp',
          address: toGobgp.b.ipv6,
          localAddress: toGobgp.a.ipv6,
          asn: gobgpAs,
          families: ['ipv4-unicast', 'ipv6-unicast'],
          nextHopIpv4: toGobgp.a.ipv4,
        },
        {
          name: 'exa',
          address: toExa.b.ipv4,
          localAddress: toExa.a.ipv4,
          asn: exaAs,
          families: ['ipv4-unicast'],
        },
      ],
      originate: [{ prefix: originated.ipv4 }, { prefix: originated.ipv6 }],
    });
    [bird, frr, gobgp, exabgp] = await Promise.all([
      lab.bird('bird', {
        routerId: '10.255.9.1',
        asn: birdAs,
        routes: ['192.0.2.0/24', '2001:db8:b::/48'],
        neighbors: [
          { address: toBird.a.ipv4, localAddress: toBird.b.ipv4, asn: dutAs },
          { address: toBird.a.ipv6, localAddress: toBird.b.ipv6, asn: dutAs },
        ],
      }),
      lab.frr('frr', {
        routerId: '10.255.9.2',
        asn: dutAs,
        routes: ['100.64.1.0/24', '2001:db8:f::/48'],
        neighbors: [
          { address: toFrr.a.ipv4, localAddress: toFrr.b.ipv4, asn: dutAs },
          { address: toFrr.a.ipv6, localAddress: toFrr.b.ipv6, asn: dutAs },
        ],
      }),
      lab.gobgp('gobgp', {
        routerId: '10.255.9.3',
        asn: gobgpAs,
        routes: ['100.64.2.0/24', '2001:db8:9::/48'],
        neighbors: [
          {
            address: toGobgp.a.ipv6,
            localAddress: toGobgp.b.ipv6,
            asn: dutAs,
            families: ['ipv4-unicast', 'ipv6-unicast'],
            nextHops: { ipv4: toGobgp.b.ipv4 },
          },
        ],
      }),
      lab.exabgp('exa', {
        routerId: '10.255.9.4',
        asn: exaAs,
        routes: ['100.64.3.0/24'],
        neighbors: [{ address: toExa.a.ipv4, localAddress: toExa.b.ipv4, asn: dutAs }],
      }),
    ]);
  });

  after(async function () {
    this.timeout(30_000);
    await lab?.teardown();
  });

  describe('each peer shows the session Established with the capabilities xbgpd offered', function () {
    it('BIRD: eBGP over IPv4 and over IPv6 to a 4-octet AS', async function () {
      const v4 = await neighborBecomes(bird, toBird.a.ipv4, 'Established', isEstablished);
      expect(v4.capabilities).to.include.members(offered(['ipv4-unicast']));
      const v6 = await neighborBecomes(bird, toBird.a.ipv6, 'Established', isEstablished);
      expect(v6.capabilities).to.include.members(offered(['ipv6-unicast']));
    });

    it('FRR: iBGP over IPv4 and over IPv6 in a 4-octet AS', async function () {
      const v4 = await neighborBecomes(frr, toFrr.a.ipv4, 'Established', isEstablished);
      expect(v4.capabilities).to.include.members(offered(['ipv4-unicast']));
      expect(v4.holdTime).to.equal(9);
      const v6 = await neighborBecomes(frr, toFrr.a.ipv6, 'Established', isEstablished);
      expect(v6.capabilities).to.include.members(offered(['ipv6-unicast']));
    });

    it('GoBGP: eBGP over IPv6 carrying IPv4 and IPv6 unicast', async function () {
      const s = await neighborBecomes(gobgp, toGobgp.a.ipv6, 'Established', isEstablished);
      expect(s.capabilities).to.include.members(offered(['ipv4-unicast', 'ipv6-unicast']));
    });

    it('ExaBGP: eBGP over IPv4 between two 4-octet ASes', async function () {
      const s = await neighborBecomes(exabgp, toExa.a.ipv4, 'Established', isEstablished);
      expect(s.capabilities).to.include.members(offered(['ipv4-unicast']));
    });

    it('xbgpd shows all six sessions Established', async function () {
      for (const address of [
        toBird.b.ipv4,
        toBird.b.ipv6,
        toFrr.b.ipv4,
        toFrr.b.ipv6,
        toGobgp.b.ipv6,
        toExa.b.ipv4,
      ]) {
        const s = await neighborBecomes(dut, address, 'Established', isEstablished);
        expect(s.capabilities, address).to.include('four-octet-as');
      }
    });
  });

  describe("xbgpd's originated routes reach every peer's RIB", function () {
    it('BIRD (eBGP): AS_PATH is [xbgpd AS], next hop xbgpd', async function () {
      const v4 = await routeArrives(bird, originated.ipv4, toBird.a.ipv4);
      expect(v4.asPath).to.deep.equal([dutAs]);
      expect(v4.nextHop).to.equal(toBird.a.ipv4);
      const v6 = await routeArrives(bird, originated.ipv6, toBird.a.ipv6);
      expect(v6.asPath).to.deep.equal([dutAs]);
    });

    it('FRR (iBGP): empty AS_PATH', async function () {
      const v4 = await routeArrives(frr, originated.ipv4, toFrr.a.ipv4);
      expect(v4.asPath).to.deep.equal([]);
      const v6 = await routeArrives(frr, originated.ipv6, toFrr.a.ipv6);
      expect(v6.asPath).to.deep.equal([]);
    });

    it('GoBGP: both families over one IPv6 session, the IPv4 route with the configured IPv4 next hop', async function () {
      const v4 = await routeArrives(gobgp, originated.ipv4, toGobgp.a.ipv6);
      expect(v4.asPath).to.deep.equal([dutAs]);
      expect(v4.nextHop).to.equal(toGobgp.a.ipv4);
      const v6 = await routeArrives(gobgp, originated.ipv6, toGobgp.a.ipv6);
      expect(v6.asPath).to.deep.equal([dutAs]);
    });

    it('ExaBGP', async function () {
      const v4 = await routeArrives(exabgp, originated.ipv4, toExa.a.ipv4);
      expect(v4.asPath).to.deep.equal([dutAs]);
    });
  });

  describe('xbgpd receives the routes each peer announces', function () {
    it('from BIRD over both sessions', async function () {
      const v4 = await routeArrives(dut, '192.0.2.0/24', toBird.b.ipv4);
      expect(v4.asPath).to.deep.equal([birdAs]);
      expect(v4.nextHop).to.equal(toBird.b.ipv4);
      await routeArrives(dut, '2001:db8:b::/48', toBird.b.ipv6);
    });

    it('from FRR over both sessions (iBGP: empty AS_PATH)', async function () {
      const v4 = await routeArrives(dut, '100.64.1.0/24', toFrr.b.ipv4);
      expect(v4.asPath).to.deep.equal([]);
      await routeArrives(dut, '2001:db8:f::/48', toFrr.b.ipv6);
    });

    it('from GoBGP, both families over IPv6', async function () {
      const v4 = await routeArrives(dut, '100.64.2.0/24', toGobgp.b.ipv6);
      expect(v4.asPath).to.deep.equal([gobgpAs]);
      expect(v4.nextHop).to.equal(toGobgp.b.ipv4);
      await routeArrives(dut, '2001:db8:9::/48', toGobgp.b.ipv6);
    });

    it('from ExaBGP, with its 4-octet AS in the AS_PATH', async function () {
      const v4 = await routeArrives(dut, '100.64.3.0/24', toExa.b.ipv4);
      expect(v4.asPath).to.deep.equal([exaAs]);
    });
  });
});

describe('scenario: xbgpd session failures against real peers', function () {
  let lab: Lab | undefined;
  let dut: XbgpdRouter;
  let bird: BirdRouter;
  let frr: FrrRouter;
  let gobgp: GobgpRouter;
  let exabgp: ExabgpRouter;
  let toBird: Link;
  let toFrr: Link;
  let toGobgp: Link;
  let toExa: Link;
  const frrAs = 65002;
  const exaRealAs = 65005;
  const exaConfiguredAs = 65099;

  /** xbgpd logged no 'session down' for these peers from log entry `since` on. */
  function stayedUp(since: number, ...peers: string[]): void {
    const downs = dut
      .logEntries()
      .slice(since)
      .filter((e) => e.msg === 'session down' && peers.includes(String(e.peer)));
    expect(downs, JSON.stringify(downs)).to.deep.equal([]);
  }

  before(async function () {
    this.timeout(60_000);
    lab = openLab(this);
    toBird = await lab.link('dut', 'bird');
    toFrr = await lab.link('dut', 'frr');
    toGobgp = await lab.link('dut', 'gobgp');
    toExa = await lab.link('dut', 'exa');
    const links = [toBird, toFrr, toGobgp, toExa];
    dut = await lab.xbgpd('dut', {
      routerId: '10.255.8.9',
      asn: dutAs,
      listen: links.map((l) => ({ address: l.a.ipv4 })),
      peers: [
        { name: 'bird', address: toBird.b.ipv4, asn: birdAs, holdTime: 3, families: ['ipv4-unicast'] },
        { name: 'frr', address: toFrr.b.ipv4, asn: frrAs, families: ['ipv4-unicast'] },
        { name: 'gobgp', address: toGobgp.b.ipv4, asn: gobgpAs, families: ['ipv4-unicast'] },
        // ExaBGP really is AS 65005: xbgpd must refuse its OPEN.
        { name: 'exa', address: toExa.b.ipv4, asn: exaConfiguredAs, families: ['ipv4-unicast'] },
      ],
      originate: [{ prefix: originated.ipv4 }],
    });
    [bird, frr, gobgp, exabgp] = await Promise.all([
      lab.bird('bird', {
        routerId: '10.255.8.1',
        asn: birdAs,
        routes: ['192.0.2.0/24'],
        neighbors: [{ address: toBird.a.ipv4, localAddress: toBird.b.ipv4, asn: dutAs, holdTime: 3 }],
      }),
      lab.frr('frr', {
        routerId: '10.255.8.2',
        asn: frrAs,
        routes: ['100.64.1.0/24'],
        neighbors: [{ address: toFrr.a.ipv4, localAddress: toFrr.b.ipv4, asn: dutAs }],
      }),
      lab.gobgp('gobgp', {
        routerId: '10.255.8.3',
        asn: gobgpAs,
        routes: ['100.64.2.0/24'],
        neighbors: [{ address: toGobgp.a.ipv4, localAddress: toGobgp.b.ipv4, asn: dutAs }],
      }),
      lab.exabgp('exa', {
        routerId: '10.255.8.4',
        asn: exaRealAs,
        neighbors: [{ address: toExa.a.ipv4, localAddress: toExa.b.ipv4, asn: dutAs }],
      }),
    ]);
  });

  after(async function () {
    this.timeout(30_000);
    await lab?.teardown();
  });

  it('a peer with the wrong AS is refused with OPEN Message Error / Bad Peer AS (2/2); the others stay up', async function () {
    // RFC 4271 6.2: "If the Autonomous System field of the OPEN message is unacceptable, then the Error
    // Subcode MUST be set to Bad Peer AS."
    const atExa = await neighborBecomes(exabgp, toExa.a.ipv4, 'refused with 2/2', (s) =>
      /notification received 2\/2\b/.test(s.lastError ?? ''),
    );
    expect(atExa.state).to.not.equal('established');
    const sent = dut.notifications(toExa.b.ipv4).filter((n) => n.direction === 'sent');
    expect(sent.length).to.be.greaterThan(0);
    expect(sent.every((n) => n.code === 2 && n.subcode === 2)).to.equal(true);
    expect((await dut.neighbor(toExa.b.ipv4)).state).to.not.equal('established');
    await neighborBecomes(bird, toBird.a.ipv4, 'Established', isEstablished);
    await neighborBecomes(frr, toFrr.a.ipv4, 'Established', isEstablished);
    await neighborBecomes(gobgp, toGobgp.a.ipv4, 'Established', isEstablished);
    stayedUp(0, 'bird', 'frr', 'gobgp');
  });

  it('a frozen (SIGSTOP) peer makes the hold timer expire: NOTIFICATION Hold Timer Expired (4/0)', async function () {
    this.timeout(40_000);
    const before = await neighborBecomes(dut, toBird.b.ipv4, 'Established', isEstablished);
    expect(before.holdTime).to.equal(3);
    await neighborBecomes(frr, toFrr.a.ipv4, 'Established', isEstablished);
    const since = dut.logEntries().length;
    bird.freeze();
    try {
      // RFC 4271 6.5: "If a system does not receive successive KEEPALIVE, UPDATE, and/or NOTIFICATION
      // messages within the period specified in the Hold Time field of the OPEN message, then the
      // NOTIFICATION message with the Hold Timer Expired Error Code is sent and the BGP connection is closed."
      const sent = await dut.waitForLog(
        'hold timer NOTIFICATION to bird',
        (e) => e.peer === 'bird' && e.msg === 'notification sent',
        { since, timeoutMs: 10_000 },
      );
      expect([sent.code, sent.subcode]).to.deep.equal([4, 0]);
      // The dump (rewritten 100 ms after a state change) shows the session down for that reason.
      const down = await neighborBecomes(dut, toBird.b.ipv4, 'down', (s) => s.state !== 'established', 5000);
      expect(down.lastError).to.include('notification sent 4/0');
    } finally {
      bird.thaw();
    }
    stayedUp(since, 'frr', 'gobgp');
    await neighborBecomes(bird, toBird.a.ipv4, 'Established again', isEstablished);
    await neighborBecomes(dut, toBird.b.ipv4, 'Established again', isEstablished);
  });

  it('a peer that restarts (SIGTERM, then start) is reconnected and its routes come back', async function () {
    this.timeout(40_000);
    await routeArrives(dut, '100.64.1.0/24', toFrr.b.ipv4);
    const since = dut.logEntries().length;
    await frr.restart();
    await dut.waitForLog('FRR session down', (e) => e.peer === 'frr' && e.msg === 'session down', { since });
    await neighborBecomes(frr, toFrr.a.ipv4, 'Established after restart', isEstablished);
    await neighborBecomes(dut, toFrr.b.ipv4, 'Established after restart', isEstablished);
    await routeArrives(dut, '100.64.1.0/24', toFrr.b.ipv4);
    await routeArrives(frr, originated.ipv4, toFrr.a.ipv4);
    stayedUp(since, 'bird', 'gobgp');
  });

  it('a peer that crashes (SIGKILL, no NOTIFICATION) and comes back is reconnected', async function () {
    this.timeout(40_000);
    await neighborBecomes(dut, toGobgp.b.ipv4, 'Established', isEstablished);
    const since = dut.logEntries().length;
    await gobgp.kill();
    await dut.waitForLog('GoBGP session down', (e) => e.peer === 'gobgp' && e.msg === 'session down', {
      since,
    });
    await gobgp.start();
    await neighborBecomes(gobgp, toGobgp.a.ipv4, 'Established after crash', isEstablished);
    await routeArrives(dut, '100.64.2.0/24', toGobgp.b.ipv4);
    await routeArrives(gobgp, originated.ipv4, toGobgp.a.ipv4);
  });

  it('the shutdown message xbgpd sends when it stops is shown by BIRD and FRR (RFC 9003)', async function () {
    await neighborBecomes(frr, toFrr.a.ipv4, 'Established', isEstablished);
    await neighborBecomes(bird, toBird.a.ipv4, 'Established', isEstablished);
    await dut.stop();
    // RFC 9003 2: the Shutdown Communication of a CEASE / Administrative Shutdown NOTIFICATION.
    // BIRD logs every NOTIFICATION it receives with its message.
    const line = await waitFor('BIRD to log the shutdown communication', () =>
      bird
        .logText()
        .split('\n')
        .find((l) => /administrative shutdown/i.test(l)),
    );
    expect(line).to.include('xbgpd shutting down');
    // FRR keeps it as the neighbour's last shutdown description; FRR 8.4 sometimes handles the TCP FIN
    // that follows before the NOTIFICATION ("peer closed the session"), so it is checked only when FRR
    // did process the NOTIFICATION.
    const down = await neighborBecomes(
      frr,
      toFrr.a.ipv4,
      'shut down by xbgpd',
      (s) => s.state !== 'established',
    );
    if (down.lastError?.includes('administrative shutdown'))
      expect(down.lastError).to.include('xbgpd shutting down');
  });
});
