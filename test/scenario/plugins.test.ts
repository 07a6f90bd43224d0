// Issue 10 acceptance: plugins shipped in plugins/ change the routes real daemons receive, per peer.
//
//   cust (BIRD, AS 64512) -- bird (BIRD, AS 65001) -- dut (xbgpd, AS 65000) -- frr (FRR, AS 65002)
//   198.51.100.0/24          203.0.113.0/24,                                    192.0.2.0/24,
//                            100.64.0.0/24                                       100.64.0.0/24
//                            (MED 50, own AS prepended once)
//
// xbgpd runs, from their shipped manifests: med_origin_filter on routes from bird (MED 77; origin AS
// 64512 rejected), community_tagger towards frr only (65000:777), prefer_neighbor_as (AS 65001 wins at
// the LOCAL_PREF step), decision_stats, heartbeat (a copy of its manifest with a 1 s schedule), and a
// faulting outbound pluglet towards bird (test/plugins/c/fault_oob_store.c: sets MED 7, then stores out
// of bounds, then would reject). `send-med` is on towards both so MEDs show at the peers.
//
// Asserted at the real peers' CLIs: FRR holds 203.0.113.0/24 with MED 77 (BIRD sent 50) and community
// 65000:777, does not hold 198.51.100.0/24 (which xbgpd received and rejected), and holds BIRD's
// 100.64.0.0/24 through xbgpd although its AS_PATH is longer than FRR's own route there; BIRD holds
// FRR's 192.0.2.0/24 without the tag and without MED 7 (the faulting pluglet's change was dropped and
// the route sent natively) and no 100.64.0.0/24 from xbgpd. Every session stays Established; the
// fault, the decision counts and the job are in xbgpd's log and statistics.
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePlugin } from '../../daemon/cli/plugin.js';
import { repoRoot, requireTools } from '../helpers/env.js';
import { pluginsDir, shippedPlugin } from '../helpers/shipped-plugins.js';
import type { BirdRouter } from '../lab/bird.js';
import type { FrrRouter } from '../lab/frr.js';
import { Lab, openLab } from '../lab/lab.js';
import type { Link } from '../lab/netns.js';
import { waitFor } from '../lab/wait.js';
import { labWaits } from '../lab/waits.js';
import type { XbgpdRouter } from '../lab/xbgpd.js';

const dutAs = 65000;
const birdAs = 65001;
const frrAs = 65002;
const custAs = 64512;
const birdRoute = '203.0.113.0/24';
const custRoute = '198.51.100.0/24';
const frrRoute = '192.0.2.0/24';
const both = '100.64.0.0/24';

const waits = labWaits(30_000);

/** FRR's paths for `prefix` (`show bgp ipv4 unicast PREFIX json`), [] when it has none. */
async function frrPaths(frr: FrrRouter, prefix: string): Promise<any[]> {
  const out = await frr.vtyshJson(`show bgp ipv4 unicast ${prefix} json`);
  return (out?.paths as any[] | undefined) ?? [];
}

const asPathOf = (path: any): number[] =>
  String(path?.aspath?.string ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);

/** FRR's path for `prefix` learned from xbgpd (AS_PATH starting with xbgpd's AS), or undefined. */
async function frrPathViaDut(frr: FrrRouter, prefix: string): Promise<any> {
  return (await frrPaths(frr, prefix)).find((p) => asPathOf(p)[0] === dutAs);
}

/** What BIRD holds for `prefix` from the protocol of neighbour `address` (`show route ... all`); '' if nothing. */
async function birdRouteFrom(bird: BirdRouter, prefix: string, address: string): Promise<string> {
  const command = `show route ${prefix} table master4 protocol ${bird.protocolOf(address)} all`;
  return bird.cli(command).then(
    (out) => (out.includes(prefix) ? out : ''),
    (err: Error) => {
      if (/Network not found/.test(err.message)) return '';
      throw err;
    },
  );
}

/** Wait until BIRD holds `prefix` from neighbour `address`; resolves with `show route ... all`. */
function birdRouteArrives(bird: BirdRouter, prefix: string, address: string): Promise<string> {
  return waitFor(
    `BIRD: ${prefix} from ${address}`,
    async () => (await birdRouteFrom(bird, prefix, address)) || undefined,
    {
      timeoutMs: 30_000,
    },
  );
}

/** A manifest in `dir` with one pluglet (replace, seq 0) at `point`, its object built from test/plugins/c. */
function faultingPlugin(dir: string, name: string, point: string): string {
  const objDir = join(dir, `${name}-obj`);
  mkdirSync(objDir, { recursive: true });
  const r = compilePlugin(join(repoRoot, 'test', 'plugins', 'c', `${name}.c`), objDir);
  if (!r.ok) throw new Error(r.output);
  const manifest = join(dir, `${name}.plugin`);
  writeFileSync(
    manifest,
    JSON.stringify({
      name,
      obj_dir: objDir,
      obj_code_list: { [name]: { obj: `${name}.o`, permissions: ['read', 'write', 'usr_ptr'] } },
      insertion_points: { [point]: { replace: { '0': name } } },
    }),
  );
  return manifest;
}

/** The shipped heartbeat manifest with a 1 s schedule (its objects where they are built). */
function fastHeartbeat(dir: string): string {
  const shipped = JSON.parse(readFileSync(shippedPlugin('heartbeat'), 'utf8')) as Record<string, unknown>;
  const manifest = join(dir, 'heartbeat.plugin');
  writeFileSync(
    manifest,
    JSON.stringify({ ...shipped, obj_dir: join(pluginsDir, 'heartbeat'), job_plugin: { schedule: 1 } }),
  );
  return manifest;
}

describe('scenario: shipped plugins between BIRD and FRR', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;
  let cust: BirdRouter;
  let bird: BirdRouter;
  let frr: FrrRouter;
  let dut: XbgpdRouter;
  let toBird: Link;
  let toFrr: Link;
  let custLink: Link;

  before(async function () {
    requireTools(this, 'clang');
    lab = openLab(this);
    toBird = await lab.link('dut', 'bird');
    toFrr = await lab.link('dut', 'frr');
    custLink = await lab.link('bird', 'cust');
    const plugins = [
      {
        manifest: shippedPlugin('med_origin_filter'),
        peers: ['bird'],
        conf: {
          med: { type_arg: 'int', arg: 77 },
          blocked_origins: { type_arg: 'list', arg: [{ type_arg: 'int', arg: custAs }] },
        },
      },
      {
        manifest: shippedPlugin('community_tagger'),
        peers: ['frr'],
        conf: { community: { type_arg: 'str', arg: '65000:777' } },
      },
      {
        manifest: shippedPlugin('prefer_neighbor_as'),
        conf: { preferred_as: { type_arg: 'int', arg: birdAs } },
      },
      { manifest: shippedPlugin('decision_stats'), conf: { log_interval: { type_arg: 'int', arg: 1 } } },
      { manifest: fastHeartbeat(lab.dir) },
      { manifest: faultingPlugin(lab.dir, 'fault_oob_store', 'bgp_pre_outbound_filter'), peers: ['bird'] },
    ];
    dut = await lab.xbgpd('dut', {
      routerId: '10.255.0.9',
      asn: dutAs,
      listen: [{ address: toBird.a.ipv4 }, { address: toFrr.a.ipv4 }],
      peers: [
        { name: 'bird', address: toBird.b.ipv4, asn: birdAs, families: ['ipv4-unicast'], sendMed: true },
        { name: 'frr', address: toFrr.b.ipv4, asn: frrAs, families: ['ipv4-unicast'], sendMed: true },
      ],
      plugins,
    });
    frr = await lab.frr('frr', {
      routerId: '10.255.0.2',
      asn: frrAs,
      routes: [frrRoute, both],
      neighbors: [{ address: toFrr.a.ipv4, localAddress: toFrr.b.ipv4, asn: dutAs }],
    });
    cust = await lab.bird('cust', {
      routerId: '10.255.0.3',
      asn: custAs,
      routes: [custRoute],
      neighbors: [{ address: custLink.a.ipv4, localAddress: custLink.b.ipv4, asn: birdAs }],
    });
    bird = await lab.bird('bird', {
      routerId: '10.255.0.1',
      asn: birdAs,
      routes: [birdRoute, both],
      routeAttributes: { med: 50, prepend: 1 },
      neighbors: [
        { address: toBird.a.ipv4, localAddress: toBird.b.ipv4, asn: dutAs },
        { address: custLink.b.ipv4, localAddress: custLink.a.ipv4, asn: custAs },
      ],
    });
    await waits.established(bird, custLink.b.ipv4);
    await waits.established(bird, toBird.a.ipv4);
    await waits.established(frr, toFrr.a.ipv4);
    await waits.established(cust, custLink.a.ipv4);
  });

  after(async function () {
    await lab?.teardown();
  });

  it("inbound, from BIRD: FRR gets BIRD's route with the plugin's MED 77 (BIRD sent 50)", async function () {
    const sent = await bird.cli(
      `show route ${birdRoute} table master4 export ${bird.protocolOf(toBird.a.ipv4)} all`,
    );
    expect(sent).to.match(/BGP\.med: 50\b/);
    const path = await waitFor('FRR: 203.0.113.0/24 via xbgpd', () => frrPathViaDut(frr, birdRoute), {
      timeoutMs: 30_000,
    });
    expect(asPathOf(path)).to.deep.equal([dutAs, birdAs, birdAs]);
    expect(path.metric, 'MED').to.equal(77);
  });

  it('inbound, from BIRD: a route whose origin AS is blocked reaches xbgpd and goes no further', async function () {
    // BIRD holds the customer's route and passes it on; xbgpd receives it ...
    await waits.routeArrives(bird, custRoute, custLink.b.ipv4);
    const received = await waits.routeArrives(dut, custRoute, toBird.b.ipv4);
    expect(received.asPath).to.deep.equal([birdAs, custAs]);
    // ... and rejects it: not in its Loc-RIB, so never sent to FRR (which holds BIRD's own route).
    await waitFor('FRR: 203.0.113.0/24 via xbgpd', () => frrPathViaDut(frr, birdRoute), {
      timeoutMs: 30_000,
    });
    expect((await dut.locRib()).has(custRoute)).to.equal(false);
    expect(await frrPaths(frr, custRoute)).to.deep.equal([]);
  });

  it('outbound, towards FRR only: the community is on the routes FRR gets, not on those BIRD gets', async function () {
    const path = await waitFor('FRR: 203.0.113.0/24 via xbgpd', () => frrPathViaDut(frr, birdRoute), {
      timeoutMs: 30_000,
    });
    expect(path.community?.string).to.equal('65000:777');
    const atBird = await birdRouteArrives(bird, frrRoute, toBird.a.ipv4);
    expect(atBird).to.match(/BGP\.as_path: 65000 65002\b/);
    expect(atBird).to.not.match(/65000,\s*777/);
  });

  it('decision: xbgpd prefers the route from AS 65001 for a prefix both announce, despite its longer AS_PATH', async function () {
    const path = await waitFor('FRR: 100.64.0.0/24 via xbgpd', () => frrPathViaDut(frr, both), {
      timeoutMs: 30_000,
    });
    expect(asPathOf(path)).to.deep.equal([dutAs, birdAs, birdAs]);
    expect(path.community?.string, 'the tagger runs on it too').to.equal('65000:777');
    const rib = await dut.locRib();
    expect(rib.get(both)).to.deep.equal({ from: toBird.b.ipv4, asPath: [birdAs, birdAs] });
    // BIRD is not sent FRR's shorter path for it (xbgpd's best came from BIRD).
    expect(await birdRouteFrom(bird, both, toBird.a.ipv4)).to.equal('');
    const counted = await dut.waitForLog(
      'decision_stats: local-pref decided',
      (e) => e.plugin === 'decision_stats' && /local-pref [1-9]/.test(String(e.msg)),
      { timeoutMs: 10_000 },
    );
    expect(counted.msg).to.match(/as-path 0,/);
  });

  it('a faulting outbound pluglet towards BIRD: the native route arrives, the fault is logged and counted', async function () {
    const atBird = await birdRouteArrives(bird, frrRoute, toBird.a.ipv4);
    // FRR's own MED, sent on natively; the pluglet's MED 7 was dropped with its fault.
    const frrMed = Number((await frrPaths(frr, frrRoute))[0]?.metric ?? 0);
    expect(frrMed).to.not.equal(7);
    expect(atBird).to.match(new RegExp(`BGP\\.med: ${frrMed}\\n`));
    expect(atBird).to.match(/BGP\.as_path: 65000 65002\n/);
    const fault = await dut.waitForLog('plugin fault', (e) =>
      String(e.msg).startsWith('plugin fault, native path taken'),
    );
    expect(fault).to.deep.include({ plugin: 'fault_oob_store', point: 'bgp_pre_outbound_filter' });
    expect(String(fault.code)).to.match(/^ERR_VM_/);

    const since = dut.logEntries().length;
    process.kill(dut.pid, 'SIGUSR1');
    const stats = (pluglet: string) =>
      dut.waitForLog(
        `statistics of ${pluglet}`,
        (e) => e.msg === 'pluglet statistics' && e.pluglet === pluglet,
        {
          since,
        },
      );
    const faulty = await stats('fault_oob_store');
    expect(faulty.faults).to.be.greaterThan(0);
    expect(faulty.disabled).to.equal(false);
    const filter = await stats('med_origin_filter');
    expect(filter.faults).to.equal(0);
    expect(filter.returns['256'], 'rejected (origin 64512)').to.be.greaterThan(0);
    expect((await stats('community_tagger')).calls).to.be.greaterThan(0);
  });

  it('the job plugin logs on its schedule', async function () {
    await dut.waitForLog(
      'heartbeat run 2',
      (e) => e.plugin === 'heartbeat' && /^heartbeat: run 2,/.test(String(e.msg)),
      {
        timeoutMs: 10_000,
      },
    );
  });

  it('every session stayed Established throughout', async function () {
    for (const [router, address] of [
      [bird, toBird.a.ipv4],
      [frr, toFrr.a.ipv4],
      [dut, toBird.b.ipv4],
      [dut, toFrr.b.ipv4],
    ] as const)
      expect((await router.neighbor(address)).state, `${router.name} -> ${address}`).to.equal('established');
    // A CEASE / Connection Collision Resolution (6/7) closes the second of two simultaneous connections
    // while the session comes up (RFC 4271 6.8): it is not a session going down.
    const collision = (e: Record<string, unknown>): boolean => e['code'] === 6 && e['subcode'] === 7;
    const downs = dut
      .logEntries()
      .filter((e) => e.msg === 'session down' || (e.msg === 'notification sent' && !collision(e)));
    expect(downs).to.deep.equal([]);
  });
});
