// Self-test of the lab's failure tools, independent of xbgpd: freezing a daemon (SIGSTOP) makes its
// neighbour's hold timer expire, a restarted daemon is reconnected, a wrong peer AS is refused with
// OPEN Message Error / Bad Peer AS, and an RFC 8203 shutdown message shows in the neighbour's CLI. The
// scenario tests rely on exactly these drivers and parsers against xbgpd.
//
//   GoBGP AS 65004 --(GoBGP expects AS 65099)-- BIRD AS 65001 ==(hold 3 s)== FRR AS 65002 --(FRR expects AS 65099)-- ExaBGP AS 65003
import { expect } from 'chai';
import type { BirdRouter } from './bird.js';
import type { ExabgpRouter } from './exabgp.js';
import type { FrrRouter } from './frr.js';
import type { GobgpRouter } from './gobgp.js';
import { Lab, openLab } from './lab.js';
import type { Link } from './netns.js';
import { isAlive } from './processes.js';
import { waitFor } from './wait.js';
import { isEstablished, labWaits } from './waits.js';

const { neighborBecomes } = labWaits(15_000);

describe('lab: failure handling between real daemons', function () {
  let lab: Lab | undefined;
  let bird: BirdRouter;
  let frr: FrrRouter;
  let gobgp: GobgpRouter;
  let exabgp: ExabgpRouter;
  let birdFrr: Link;
  let birdGobgp: Link;
  let frrExa: Link;

  before(async function () {
    this.timeout(60_000);
    lab = openLab(this);
    birdFrr = await lab.link('bird', 'frr');
    birdGobgp = await lab.link('bird', 'gobgp');
    frrExa = await lab.link('frr', 'exa');
    [bird, frr, gobgp, exabgp] = await Promise.all([
      lab.bird('bird', {
        routerId: '10.255.1.1',
        asn: 65001,
        routes: ['192.0.2.0/24'],
        neighbors: [
          { address: birdFrr.b.ipv4, localAddress: birdFrr.a.ipv4, asn: 65002, holdTime: 3 },
          { address: birdGobgp.b.ipv4, localAddress: birdGobgp.a.ipv4, asn: 65004 },
        ],
      }),
      lab.frr('frr', {
        routerId: '10.255.1.2',
        asn: 65002,
        neighbors: [
          { address: birdFrr.a.ipv4, localAddress: birdFrr.b.ipv4, asn: 65001, holdTime: 3 },
          { address: frrExa.b.ipv4, localAddress: frrExa.a.ipv4, asn: 65099 },
        ],
      }),
      lab.gobgp('gobgp', {
        routerId: '10.255.1.3',
        asn: 65004,
        neighbors: [{ address: birdGobgp.a.ipv4, localAddress: birdGobgp.b.ipv4, asn: 65099 }],
      }),
      lab.exabgp('exa', {
        routerId: '10.255.1.4',
        asn: 65003,
        neighbors: [{ address: frrExa.a.ipv4, localAddress: frrExa.b.ipv4, asn: 65002 }],
      }),
    ]);
  });

  after(async function () {
    this.timeout(30_000);
    await lab?.teardown();
  });

  it('a wrong peer AS is refused with OPEN Message Error / Bad Peer AS (2/2), seen by the refused side', async function () {
    // FRR expects AS 65099 but ExaBGP is AS 65003: FRR refuses, ExaBGP logs the NOTIFICATION it received.
    const atExa = await neighborBecomes(exabgp, frrExa.a.ipv4, 'refused', (s) =>
      /notification received 2\/2/.test(s.lastError ?? ''),
    );
    expect(atExa.state).to.not.equal('established');
    // GoBGP expects AS 65099 but BIRD is AS 65001: GoBGP refuses, BIRD shows the NOTIFICATION it received.
    const atBird = await neighborBecomes(bird, birdGobgp.b.ipv4, 'refused', (s) =>
      /bad peer as/.test(s.lastError ?? ''),
    );
    expect(atBird.state).to.not.equal('established');
    // The refusing side names the NOTIFICATION it sent (GoBGP: the FSM reason carries its code/subcode).
    const atGobgp = await gobgp.neighbor(birdGobgp.a.ipv4);
    expect(atGobgp.lastError).to.match(/\b2\/2\b/);
    // The correctly configured session is unaffected.
    await neighborBecomes(frr, birdFrr.a.ipv4, 'Established', isEstablished);
  });

  it('a frozen (SIGSTOP) daemon makes its neighbour hold timer expire; thawed, the session comes back', async function () {
    this.timeout(40_000);
    const before = await neighborBecomes(frr, birdFrr.a.ipv4, 'Established', isEstablished);
    expect(before.holdTime).to.equal(3);
    bird.freeze();
    try {
      const expired = await neighborBecomes(
        frr,
        birdFrr.a.ipv4,
        'hold timer expired',
        (s) => s.state !== 'established',
      );
      expect(expired.lastError).to.match(/hold timer expired/);
    } finally {
      bird.thaw();
    }
    await neighborBecomes(frr, birdFrr.a.ipv4, 'Established again', isEstablished, 20_000);
  });

  it('a restarted daemon is reconnected and its routes come back', async function () {
    this.timeout(40_000);
    const oldPid = bird.pid;
    await bird.restart();
    expect(bird.pid).to.not.equal(oldPid);
    expect(isAlive(oldPid)).to.equal(false);
    await neighborBecomes(frr, birdFrr.a.ipv4, 'Established after restart', isEstablished, 20_000);
    await waitFor('FRR to receive 192.0.2.0/24 again', async () =>
      (await frr.receivedRoutes()).find((r) => r.prefix === '192.0.2.0/24' && r.from === birdFrr.a.ipv4),
    );
  });

  it('an RFC 8203 shutdown message is shown by the neighbour', async function () {
    await neighborBecomes(frr, birdFrr.a.ipv4, 'Established', isEstablished, 20_000);
    await bird.disable(birdFrr.b.ipv4, 'lab maintenance window');
    const down = await neighborBecomes(frr, birdFrr.a.ipv4, 'shut down', (s) => s.state !== 'established');
    expect(down.lastError).to.include('administrative shutdown').and.include('lab maintenance window');
  });
});
