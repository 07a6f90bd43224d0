// Issue 14: plugins/geo_tags across several xbgpd routers of one AS and a real peer.
//
//                 peer (BIRD, AS 65010): 198.51.100.0/24
//                 /                         \
//   bru (xbgpd, Brussels, 10.255.0.21) --- tyo (xbgpd, Tokyo, 10.255.0.2)      AS 65000, iBGP full mesh
//          |        \                 /       |                                (next-hop-self at bru, tyo)
//          |         par (xbgpd, Paris, plugin)
//          |                                  |
//          +------ ctl (xbgpd, Paris, no plugin) -----+
//
// bru and tyo tag the peer's route with their location at ingress; the tag reaches par, which decodes
// it, and picks bru, the closer ingress, at the MED step. ctl, the same place without the plugin,
// picks tyo (the lower router id, RFC 4271's last steps): the plugin changed the outcome.
import { expect } from 'chai';
import { requireTools } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { Lab, openLab } from '../lab/lab.js';
import type { Link } from '../lab/netns.js';
import { waitFor } from '../lab/wait.js';
import { labWaits } from '../lab/waits.js';
import type { XbgpdPeerConfig, XbgpdRouter } from '../lab/xbgpd.js';

const AS = 65000;
const PREFIX = '198.51.100.0/24';
const BRUSSELS = { latitude: 50850300, longitude: 4351700 };
const TOKYO = { latitude: 35676200, longitude: 139650300 };
const PARIS = { latitude: 48856600, longitude: 2352200 };

const waits = labWaits(30_000);
const geo = (at: typeof PARIS) => [
  {
    manifest: shippedPlugin('geo_tags'),
    conf: {
      latitude: { type_arg: 'int', arg: at.latitude },
      longitude: { type_arg: 'int', arg: at.longitude },
    },
  },
];

describe('scenario: geographic tags between xbgpd routers (plugins/geo_tags)', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;
  let par: XbgpdRouter;
  let ctl: XbgpdRouter;
  const links: Record<string, Link> = {};

  before(async function () {
    requireTools(this, 'clang');
    lab = openLab(this);
    for (const [a, b] of [
      ['bru', 'peer'],
      ['tyo', 'peer'],
      ['bru', 'tyo'],
      ['bru', 'par'],
      ['tyo', 'par'],
      ['bru', 'ctl'],
      ['tyo', 'ctl'],
    ] as const)
      links[`${a}-${b}`] = await lab.link(a, b);
    const ibgp = (name: string, link: Link, side: 'a' | 'b', nextHopSelf = false): XbgpdPeerConfig => ({
      name,
      address: link[side === 'a' ? 'b' : 'a'].ipv4,
      asn: AS,
      families: ['ipv4-unicast'],
      ...(nextHopSelf ? { nextHopSelf: true } : {}),
    });
    const listen = (node: string) =>
      Object.entries(links)
        .filter(([k]) => k.split('-').includes(node))
        .map(([k, l]) => ({ address: k.startsWith(`${node}-`) ? l.a.ipv4 : l.b.ipv4 }));
    const ingress = async (name: 'bru' | 'tyo', routerId: string, at: typeof PARIS): Promise<void> => {
      const other = name === 'bru' ? 'tyo' : 'bru';
      await lab!.xbgpd(name, {
        routerId,
        asn: AS,
        listen: listen(name),
        peers: [
          { name: 'peer', address: links[`${name}-peer`]!.b.ipv4, asn: 65010, families: ['ipv4-unicast'] },
          ibgp(other, links['bru-tyo']!, name === 'bru' ? 'a' : 'b', true),
          ibgp('par', links[`${name}-par`]!, 'a', true),
          ibgp('ctl', links[`${name}-ctl`]!, 'a', true),
        ],
        plugins: geo(at),
      });
    };
    await ingress('bru', '10.255.0.21', BRUSSELS);
    await ingress('tyo', '10.255.0.2', TOKYO);
    const inner = (name: 'par' | 'ctl', routerId: string, plugins: unknown[]) =>
      lab!.xbgpd(name, {
        routerId,
        asn: AS,
        listen: listen(name),
        peers: [ibgp('bru', links[`bru-${name}`]!, 'b'), ibgp('tyo', links[`tyo-${name}`]!, 'b')],
        plugins,
      });
    par = await inner('par', '10.255.0.30', geo(PARIS));
    ctl = await inner('ctl', '10.255.0.31', []);
    const peer = await lab.bird('peer', {
      routerId: '10.255.0.10',
      asn: 65010,
      routes: [PREFIX],
      neighbors: [
        { address: links['bru-peer']!.a.ipv4, asn: AS },
        { address: links['tyo-peer']!.a.ipv4, asn: AS },
      ],
    });
    await waits.established(peer, links['bru-peer']!.a.ipv4);
    await waits.established(peer, links['tyo-peer']!.a.ipv4);
  });

  after(async function () {
    await lab?.teardown();
  });

  it('par receives the route from both ingress routers and picks Brussels, the closer', async function () {
    const fromBru = links['bru-par']!.a.ipv4;
    const fromTyo = links['tyo-par']!.a.ipv4;
    await waits.routeArrives(par, PREFIX, fromBru);
    await waits.routeArrives(par, PREFIX, fromTyo);
    const best = await waitFor('par Loc-RIB', async () => (await par.locRib()).get(PREFIX));
    expect(best).to.deep.equal({ from: fromBru, asPath: [65010] });
  });

  it('ctl, in the same place without the plugin, picks Tokyo (the lower router id)', async function () {
    await waits.routeArrives(ctl, PREFIX, links['bru-ctl']!.a.ipv4);
    await waits.routeArrives(ctl, PREFIX, links['tyo-ctl']!.a.ipv4);
    const best = await waitFor('ctl Loc-RIB', async () => (await ctl.locRib()).get(PREFIX));
    expect(best).to.deep.equal({ from: links['tyo-ctl']!.a.ipv4, asPath: [65010] });
  });

  it("par's decision pluglet decided, from the GeoLoc tags it decoded, without a fault", async function () {
    const since = par.logEntries().length;
    process.kill(par.pid, 'SIGUSR1');
    const stats = (pluglet: string) =>
      par.waitForLog(
        `${pluglet} statistics`,
        (e) => e.msg === 'pluglet statistics' && e.pluglet === pluglet,
        {
          since,
        },
      );
    const decoded = await stats('geo_decode');
    expect(decoded.calls, 'GeoLoc received from bru and tyo').to.be.at.least(2);
    const decision = await stats('geo_decision');
    expect(decision.faults).to.equal(0);
    const decided = Number(decision.returns['257'] ?? 0) + Number(decision.returns['258'] ?? 0);
    expect(decided, 'NEW or OLD returned').to.be.at.least(1);
  });
});
