// Issue 14: plugins/propagation_time across two xbgpd routers of one AS, between a BIRD and an FRR peer.
//
//   src (BIRD, AS 65010) -- a (xbgpd, plugin) --iBGP-- b (xbgpd, plugin) -- dst (FRR, AS 65020)
//   3 prefixes                         \                                  /
//                                       +--iBGP-- c (xbgpd, no plugin) --+         AS 65000
//                                                 (next-hop-self at a)
//
// a stamps src's routes at ingress (Arrival, code 45: its wall clock and AS 65010); b decodes the stamp
// and, sending the routes to dst (eBGP), adds the community 65000:N, N the milliseconds since arrival.
// c, receiving the same routes from a without the plugin, drops the attribute (unknown, optional
// non-transitive) and sends them untagged. Asserted at dst's CLI: every prefix from b carries exactly
// one 65000:N with 0 <= N < 60000; from c none.
import { expect } from 'chai';
import type { FrrRouter } from '../lab/frr.js';
import { requireTools } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { Lab, openLab } from '../lab/lab.js';
import type { Link } from '../lab/netns.js';
import { waitFor } from '../lab/wait.js';
import { labWaits } from '../lab/waits.js';
import type { XbgpdPeerConfig, XbgpdRouter } from '../lab/xbgpd.js';

const AS = 65000;
const SRC_AS = 65010;
const DST_AS = 65020;
const PREFIXES = ['198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24'];

const waits = labWaits(30_000);
const plugin = [{ manifest: shippedPlugin('propagation_time') }];

/** dst's path for `prefix` learned from neighbour `from` (`show bgp ipv4 unicast PREFIX json`), if any. */
async function pathFrom(dst: FrrRouter, prefix: string, from: string): Promise<any> {
  const detail = await dst.vtyshJson(`show bgp ipv4 unicast ${prefix} json`);
  return ((detail?.paths as any[] | undefined) ?? []).find((p) => p?.peer?.peerId === from);
}

/** The values N of the communities 65000:N on a path. */
const tags = (path: any): number[] =>
  String(path?.community?.string ?? '')
    .split(/\s+/)
    .filter((c) => c.startsWith(`${AS}:`))
    .map((c) => Number(c.slice(String(AS).length + 1)));

describe('scenario: propagation time across xbgpd routers (plugins/propagation_time)', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;
  let a: XbgpdRouter;
  let b: XbgpdRouter;
  let dst: FrrRouter;
  const links: Record<string, Link> = {};

  before(async function () {
    requireTools(this, 'clang');
    lab = openLab(this);
    for (const [x, y] of [
      ['src', 'a'],
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'dst'],
      ['c', 'dst'],
    ] as const)
      links[`${x}-${y}`] = await lab.link(x, y);
    const ibgp = (name: string, link: Link, them: 'a' | 'b', nextHopSelf = false): XbgpdPeerConfig => ({
      name,
      address: link[them].ipv4,
      asn: AS,
      families: ['ipv4-unicast'],
      ...(nextHopSelf ? { nextHopSelf: true } : {}),
    });
    const ebgp = (name: string, link: Link, them: 'a' | 'b', asn: number): XbgpdPeerConfig => ({
      name,
      address: link[them].ipv4,
      asn,
      families: ['ipv4-unicast'],
    });
    a = await lab.xbgpd('a', {
      routerId: '10.255.0.1',
      asn: AS,
      listen: [
        { address: links['src-a']!.b.ipv4 },
        { address: links['a-b']!.a.ipv4 },
        { address: links['a-c']!.a.ipv4 },
      ],
      peers: [
        ebgp('src', links['src-a']!, 'a', SRC_AS),
        ibgp('b', links['a-b']!, 'b', true),
        ibgp('c', links['a-c']!, 'b', true),
      ],
      plugins: plugin,
    });
    const egress = (name: 'b' | 'c', routerId: string, plugins: unknown[]) =>
      lab!.xbgpd(name, {
        routerId,
        asn: AS,
        listen: [{ address: links[`a-${name}`]!.b.ipv4 }, { address: links[`${name}-dst`]!.a.ipv4 }],
        peers: [ibgp('a', links[`a-${name}`]!, 'a'), ebgp('dst', links[`${name}-dst`]!, 'b', DST_AS)],
        plugins,
      });
    b = await egress('b', '10.255.0.2', plugin);
    await egress('c', '10.255.0.3', []);
    dst = await lab.frr('dst', {
      routerId: '10.255.0.20',
      asn: DST_AS,
      neighbors: [
        { address: links['b-dst']!.a.ipv4, asn: AS },
        { address: links['c-dst']!.a.ipv4, asn: AS },
      ],
    });
    const src = await lab.bird('src', {
      routerId: '10.255.0.10',
      asn: SRC_AS,
      routes: PREFIXES,
      neighbors: [{ address: links['src-a']!.b.ipv4, asn: AS }],
    });
    await waits.established(src, links['src-a']!.b.ipv4);
    await waits.established(dst, links['b-dst']!.a.ipv4);
    await waits.established(dst, links['c-dst']!.a.ipv4);
  });

  after(async function () {
    await lab?.teardown();
  });

  it('dst gets every prefix from b, the egress with the plugin, tagged 65000:N with 0 <= N < 60000', async function () {
    const fromB = links['b-dst']!.a.ipv4;
    for (const prefix of PREFIXES) {
      const path = await waitFor(`dst: ${prefix} from b`, () => pathFrom(dst, prefix, fromB), {
        timeoutMs: 30_000,
      });
      expect(path.aspath?.string, prefix).to.equal(`${AS} ${SRC_AS}`);
      const n = tags(path);
      expect(n, `${prefix}: ${path.community?.string}`).to.have.length(1);
      expect(n[0]).to.be.at.least(0).and.below(60_000);
    }
  });

  it('dst gets the same prefixes from c, the egress without the plugin, with no such community', async function () {
    const fromC = links['c-dst']!.a.ipv4;
    for (const prefix of PREFIXES) {
      const path = await waitFor(`dst: ${prefix} from c`, () => pathFrom(dst, prefix, fromC), {
        timeoutMs: 30_000,
      });
      expect(path.aspath?.string, prefix).to.equal(`${AS} ${SRC_AS}`);
      expect(tags(path), prefix).to.deep.equal([]);
    }
  });

  it('a stamped the routes at ingress and b decoded the stamps and tagged them, without a fault', async function () {
    const stats = async (router: XbgpdRouter, pluglet: string) => {
      const since = router.logEntries().length;
      process.kill(router.pid, 'SIGUSR1');
      return router.waitForLog(
        `${pluglet} statistics`,
        (e) => e.msg === 'pluglet statistics' && e.pluglet === pluglet,
        { since },
      );
    };
    const ingress = await stats(a, 'pt_ingress');
    expect(ingress.calls, 'one call per route from src').to.be.at.least(PREFIXES.length);
    expect(ingress.faults).to.equal(0);
    const decoded = await stats(b, 'pt_decode');
    // Once per UPDATE: routes stamped in the same millisecond share one attribute set, one UPDATE.
    expect(decoded.calls, 'Arrivals received from a').to.be.at.least(1);
    expect(decoded.faults).to.equal(0);
    const egress = await stats(b, 'pt_egress');
    expect(egress.calls).to.be.at.least(1);
    expect(egress.faults).to.equal(0);
  });
});
