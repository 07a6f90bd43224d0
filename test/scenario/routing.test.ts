// Issue 5 acceptance, routing through xbgpd between real daemons in the lab (test/lab/):
//
//   BIRD AS 65001 ----\
//   (203.0.113.0/24,   \
//    198.51.100.0/24,   xbgpd AS 65000 ---- FRR AS 65002 (receives only)
//    community 65001:100, MED 50, own AS prepended once: AS_PATH 65001 65001)
//   ExaBGP AS 65004 ---/
//   (203.0.113.0/24, community 65004:4, AS_PATH 65004)
//
// FRR must see the routes with AS_PATH = [65000, <origin path>], NEXT_HOP = xbgpd's address on the FRR
// link, communities kept, and no MED or LOCAL_PREF (RFC 4271 5.1.4, 5.1.5: not sent to another AS by
// default). For 203.0.113.0/24 xbgpd must choose ExaBGP's path (shorter AS_PATH, RFC 4271 9.1.2.2 a),
// as FRR's AS_PATH and xbgpd's --dump-rib show; when ExaBGP stops, the choice moves to BIRD's path;
// when BIRD's session is shut, its routes are withdrawn at FRR.
import { expect } from 'chai';
import type { BirdRouter } from '../lab/bird.js';
import type { ExabgpRouter } from '../lab/exabgp.js';
import type { FrrRouter } from '../lab/frr.js';
import { Lab, openLab } from '../lab/lab.js';
import type { Link } from '../lab/netns.js';
import { waitFor } from '../lab/wait.js';
import type { XbgpdRouter } from '../lab/xbgpd.js';

const dutAs = 65000;
const birdAs = 65001;
const frrAs = 65002;
const exaAs = 65004;
const shared = '203.0.113.0/24';
const birdOnly = '198.51.100.0/24';

/** The one path FRR holds for `prefix` (FRR's `show bgp ipv4 unicast PREFIX json`), or undefined. */
async function frrPath(frr: FrrRouter, prefix: string): Promise<any> {
  const out = await frr.vtyshJson(`show bgp ipv4 unicast ${prefix} json`);
  return out?.paths?.[0];
}

/** FRR's AS_PATH of `path` as numbers. */
function asPathOf(path: any): number[] {
  const text: string = path?.aspath?.string ?? '';
  return text.split(/\s+/).filter(Boolean).map(Number);
}

function waitForFrrPath(
  frr: FrrRouter,
  prefix: string,
  what: string,
  ok: (path: any) => boolean,
): Promise<any> {
  return waitFor(
    `FRR: ${prefix} ${what}`,
    async () => {
      const path = await frrPath(frr, prefix);
      return path !== undefined && ok(path) ? path : undefined;
    },
    { timeoutMs: 30_000 },
  );
}

describe('scenario: routing BIRD/ExaBGP -> xbgpd -> FRR', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;
  let bird: BirdRouter;
  let exa: ExabgpRouter;
  let frr: FrrRouter;
  let dut: XbgpdRouter;
  let toBird: Link;
  let toExa: Link;
  let toFrr: Link;

  before(async function () {
    lab = openLab(this);
    toBird = await lab.link('dut', 'bird');
    toExa = await lab.link('dut', 'exa');
    toFrr = await lab.link('dut', 'frr');
    dut = await lab.xbgpd('dut', {
      routerId: '10.255.0.9',
      asn: dutAs,
      listen: [{ address: toBird.a.ipv4 }, { address: toExa.a.ipv4 }, { address: toFrr.a.ipv4 }],
      peers: [
        { name: 'bird', address: toBird.b.ipv4, asn: birdAs, families: ['ipv4-unicast'] },
        { name: 'exa', address: toExa.b.ipv4, asn: exaAs, families: ['ipv4-unicast'] },
        { name: 'frr', address: toFrr.b.ipv4, asn: frrAs, families: ['ipv4-unicast'] },
      ],
    });
    frr = await lab.frr('frr', {
      routerId: '10.255.0.2',
      asn: frrAs,
      neighbors: [{ address: toFrr.a.ipv4, localAddress: toFrr.b.ipv4, asn: dutAs, holdTime: 9 }],
    });
    bird = await lab.bird('bird', {
      routerId: '10.255.0.1',
      asn: birdAs,
      routes: [shared, birdOnly],
      routeAttributes: { communities: ['65001:100'], med: 50, prepend: 1 },
      neighbors: [{ address: toBird.a.ipv4, localAddress: toBird.b.ipv4, asn: dutAs, holdTime: 9 }],
    });
    exa = await lab.exabgp('exa', {
      routerId: '10.255.0.4',
      asn: exaAs,
      routes: [shared],
      routeAttributes: { communities: ['65004:4'] },
      neighbors: [{ address: toExa.a.ipv4, localAddress: toExa.b.ipv4, asn: dutAs, holdTime: 9 }],
    });
  });

  after(async function () {
    await lab?.teardown();
  });

  it("passes BIRD's route to FRR with xbgpd's AS first, xbgpd's next hop, communities, no MED or LOCAL_PREF", async function () {
    const path = await waitForFrrPath(frr, birdOnly, 'from xbgpd', () => true);
    // What BIRD sends xbgpd: MED and community set, its AS prepended once (then once more on the wire).
    const sent = await bird.cli(
      `show route ${birdOnly} table master4 export ${bird.protocolOf(toBird.a.ipv4)} all`,
    );
    expect(sent).to.match(/BGP\.med: 50/);
    expect(sent).to.match(/BGP\.community: \(65001,100\)/);
    expect(asPathOf(path)).to.deep.equal([dutAs, birdAs, birdAs]);
    expect(path.nexthops?.[0]?.ip).to.equal(toFrr.a.ipv4);
    expect(path.community?.string).to.equal('65001:100');
    // RFC 4271 5.1.4: MED "MUST NOT be propagated to other neighboring ASes"; 5.1.5: LOCAL_PREF not to external peers.
    expect(path.metric, 'MED').to.equal(undefined);
    expect(path.localpref ?? path.locPrf, 'LOCAL_PREF').to.equal(undefined);
  });

  it('chooses the shorter AS_PATH (ExaBGP) for a prefix both announce, in FRR and in its Loc-RIB dump', async function () {
    const path = await waitForFrrPath(frr, shared, 'via ExaBGP', (p) => asPathOf(p)[1] === exaAs);
    expect(asPathOf(path)).to.deep.equal([dutAs, exaAs]);
    expect(path.community?.string).to.equal('65004:4');
    expect(path.nexthops?.[0]?.ip).to.equal(toFrr.a.ipv4);
    const rib = await dut.locRib();
    expect(rib.get(shared)).to.deep.equal({ from: toExa.b.ipv4, asPath: [exaAs] });
    expect(rib.get(birdOnly)).to.deep.equal({ from: toBird.b.ipv4, asPath: [birdAs, birdAs] });
  });

  it("moves to BIRD's path when ExaBGP's is withdrawn (ExaBGP stopped)", async function () {
    await exa.stop();
    const path = await waitForFrrPath(frr, shared, 'via BIRD', (p) => asPathOf(p)[1] === birdAs);
    expect(asPathOf(path)).to.deep.equal([dutAs, birdAs, birdAs]);
    expect(path.community?.string).to.equal('65001:100');
    const rib = await dut.locRib();
    expect(rib.get(shared)).to.deep.equal({ from: toBird.b.ipv4, asPath: [birdAs, birdAs] });
  });

  it("withdraws BIRD's routes at FRR when BIRD's session is shut down", async function () {
    await bird.disable(toBird.a.ipv4, 'routing scenario');
    await waitFor(
      'FRR to lose both prefixes',
      async () =>
        (await frrPath(frr, shared)) === undefined && (await frrPath(frr, birdOnly)) === undefined
          ? true
          : undefined,
      { timeoutMs: 30_000 },
    );
    const rib = await dut.locRib();
    expect(rib.has(shared)).to.equal(false);
    expect(rib.has(birdOnly)).to.equal(false);
  });
});
