// Issue 14: plugins/valley_free in a leaf/spine fabric of real routers (eBGP, one AS per router).
//
//   leaf1 (BIRD, AS 65001) -- spine1 (FRR, AS 65101) -- leaf2 (BIRD, AS 65002) -- spine2 (FRR, AS 65102) -- leaf3 (xbgpd, AS 65003)
//   198.51.100.0/24                                      203.0.113.0/24
//
// leaf1 reaches spine2 only through leaf2, which passes spine1's routes on as any BGP router does: leaf3
// receives leaf1's prefix with the path 65102 65002 65101 65001, down to a leaf and up again (a valley:
// leaf2 acting as a transit between spines). xbgpd, a leaf with the plugin and the fabric's tiers in its
// extra configuration, receives it and rejects it; it keeps leaf2's prefix (65102 65002: up, then down).
import { expect } from 'chai';
import { requireTools } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { Lab, openLab } from '../lab/lab.js';
import type { Link } from '../lab/netns.js';
import { waitFor } from '../lab/wait.js';
import { labWaits } from '../lab/waits.js';
import type { XbgpdRouter } from '../lab/xbgpd.js';

const LEAVES = [65001, 65002, 65003];
const SPINES = [65101, 65102];
const VALLEY = '198.51.100.0/24';
const VALID = '203.0.113.0/24';

const waits = labWaits(30_000);
const ints = (asns: number[]) => ({ type_arg: 'list', arg: asns.map((arg) => ({ type_arg: 'int', arg })) });

describe('scenario: valley-free routing in a leaf/spine fabric (plugins/valley_free)', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;
  let dut: XbgpdRouter;
  let toSpine2: Link;

  before(async function () {
    requireTools(this, 'clang');
    lab = openLab(this);
    const l1s1 = await lab.link('leaf1', 'spine1');
    const s1l2 = await lab.link('spine1', 'leaf2');
    const l2s2 = await lab.link('leaf2', 'spine2');
    toSpine2 = await lab.link('leaf3', 'spine2');
    await lab.bird('leaf1', {
      routerId: '10.255.1.1',
      asn: 65001,
      routes: [VALLEY],
      neighbors: [{ address: l1s1.b.ipv4, asn: 65101 }],
    });
    await lab.frr('spine1', {
      routerId: '10.255.2.1',
      asn: 65101,
      neighbors: [
        { address: l1s1.a.ipv4, asn: 65001 },
        { address: s1l2.b.ipv4, asn: 65002 },
      ],
    });
    await lab.bird('leaf2', {
      routerId: '10.255.1.2',
      asn: 65002,
      routes: [VALID],
      neighbors: [
        { address: s1l2.a.ipv4, asn: 65101 },
        { address: l2s2.b.ipv4, asn: 65102 },
      ],
    });
    const spine2 = await lab.frr('spine2', {
      routerId: '10.255.2.2',
      asn: 65102,
      neighbors: [
        { address: l2s2.a.ipv4, asn: 65002 },
        { address: toSpine2.a.ipv4, asn: 65003 },
      ],
    });
    dut = await lab.xbgpd('leaf3', {
      routerId: '10.255.1.3',
      asn: 65003,
      listen: { address: toSpine2.a.ipv4 },
      peers: [{ name: 'spine2', address: toSpine2.b.ipv4, asn: 65102, families: ['ipv4-unicast'] }],
      plugins: [
        {
          manifest: shippedPlugin('valley_free'),
          conf: { tiers: { type_arg: 'list', arg: [ints(LEAVES), ints(SPINES)] } },
        },
      ],
    });
    await waits.established(spine2, toSpine2.a.ipv4);
  });

  after(async function () {
    await lab?.teardown();
  });

  it('xbgpd receives the valley path from spine2 and rejects it', async function () {
    const received = await waits.routeArrives(dut, VALLEY, toSpine2.b.ipv4);
    expect(received.asPath).to.deep.equal([65102, 65002, 65101, 65001]);
    await waits.routeArrives(dut, VALID, toSpine2.b.ipv4);
    const rib = await dut.locRib();
    expect(rib.has(VALLEY)).to.equal(false);
  });

  it('xbgpd keeps the valley-free path of leaf2', async function () {
    const best = await waitFor('xbgpd Loc-RIB holds 203.0.113.0/24', async () =>
      (await dut.locRib()).get(VALID),
    );
    expect(best).to.deep.equal({ from: toSpine2.b.ipv4, asPath: [65102, 65002] });
  });

  it("the rejection is the plugin's: counted, no fault", async function () {
    const since = dut.logEntries().length;
    process.kill(dut.pid, 'SIGUSR1');
    const stats = await dut.waitForLog(
      'valley_free statistics',
      (e) => e.msg === 'pluglet statistics' && e.pluglet === 'valley_free',
      { since },
    );
    expect(stats.faults).to.equal(0);
    expect(stats.returns['256'], 'PLUGIN_FILTER_REJECT').to.be.at.least(1);
  });
});
