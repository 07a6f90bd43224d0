// The route reflector of plugins/route_reflector (RFC 4456) loaded from its manifest through the
// configuration path (shipped-daemon.ts), on an RDE with two clients (c1, c2), two non-clients (n1, n2)
// and an eBGP peer (e): what each peer is sent (reflected or not, ORIGINATOR_ID, CLUSTER_LIST, NEXT_HOP),
// the loop checks on what is received, the default CLUSTER_ID, the results reused per source peer and
// attribute set, and the native RFC 4271 rule without the plugin.
import { expect } from 'chai';
import type { Rde } from '../../daemon/rde/rde.js';
import { formatIpv4 } from '../../daemon/net/address.js';
import {
  getAttribute,
  makeClusterList,
  makeOriginatorId,
  prefixList,
  type PathAttribute,
} from '../../daemon/wire/index.js';
import { requireTools } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { announce } from '../rde/peers.js';
import { LOCAL_AS, ROUTER_ID, daemonWith, type Daemon } from './shipped-daemon.js';

const CLUSTER = '10.255.255.1';
const ip = (text: string): number => text.split('.').reduce((v, o) => v * 256 + Number(o), 0);

/** c1, c2 (clients), n1, n2 (non-clients): iBGP on 10.0.0.1-4, router ids 0.0.0.1-4; e: eBGP on 10.0.0.5. */
const PEERS: [string, number][] = [
  ['c1', LOCAL_AS],
  ['c2', LOCAL_AS],
  ['n1', LOCAL_AS],
  ['n2', LOCAL_AS],
  ['e', 65010],
];

function reflector(clusterId: string | null = CLUSTER): Daemon {
  const cluster = clusterId === null ? '' : `cluster_id: { type_arg: ipv4, arg: "${clusterId}" }, `;
  return daemonWith(
    PEERS,
    `  - manifest: ${shippedPlugin('route_reflector')}
    conf: { ${cluster}clients: { type_arg: list, arg: [{ type_arg: ipv4, arg: 10.0.0.1 }, { type_arg: ipv4, arg: 10.0.0.2 }] } }`,
  );
}

interface Sent {
  nextHop: string;
  asPath: string;
  originator?: string;
  clusters?: string[];
}

/** What peer `name` is sent: prefix -> NEXT_HOP, AS_PATH, ORIGINATOR_ID, CLUSTER_LIST. */
function sentTo(rde: Rde, name: string): Map<string, Sent> {
  const out = new Map<string, Sent>();
  for (const u of rde.pull(name)) {
    const a = u.attributes;
    const originator = getAttribute(a, 'originator-id');
    const clusters = getAttribute(a, 'cluster-list');
    for (const p of prefixList(u.nlri))
      out.set(p.prefix, {
        nextHop: formatIpv4(getAttribute(a, 'next-hop')!.nextHop),
        asPath: getAttribute(a, 'as-path')!
          .segments.map((s) => s.asns.join(' '))
          .join(' | '),
        ...(originator ? { originator: formatIpv4(originator.originatorId) } : {}),
        ...(clusters ? { clusters: [...clusters.clusterIds].map(formatIpv4) } : {}),
      });
  }
  return out;
}

/** 10.1/16 and 10.2/16 from c1 (one UPDATE), 10.3/16 from n1, 10.5/16 from e; each with its own next hop. */
function feed(d: Daemon, extra: PathAttribute[] = []): void {
  d.rde.receive('c1', announce(['10.1.0.0/16', '10.2.0.0/16'], [64601], ip('10.0.0.1'), extra), true, false);
  d.rde.receive('n1', announce(['10.3.0.0/16'], [64603], ip('10.0.0.3')), true, false);
  d.rde.receive('e', announce(['10.5.0.0/16'], [65010], ip('10.0.0.5')), true, false);
  d.rde.flush();
}

const reflected = (from: string, originator: string): Sent => ({
  nextHop: from,
  asPath: from === '10.0.0.1' ? '64601' : '64603',
  originator,
  clusters: [CLUSTER],
});

describe('plugins/route_reflector (RFC 4456)', function () {
  before(function () {
    requireTools(this, 'clang');
  });

  it("a client's routes go to every other iBGP peer, a non-client's to the clients only, with ORIGINATOR_ID and CLUSTER_LIST; eBGP and eBGP-learned routes as natively", function () {
    const d = reflector();
    feed(d);
    const fromC1 = reflected('10.0.0.1', '0.0.0.1');
    const fromN1 = reflected('10.0.0.3', '0.0.0.3');
    const fromE = { nextHop: '10.0.0.5', asPath: '65010' };
    expect(Object.fromEntries(sentTo(d.rde, 'c2'))).to.deep.equal({
      '10.1.0.0/16': fromC1,
      '10.2.0.0/16': fromC1,
      '10.3.0.0/16': fromN1,
      '10.5.0.0/16': fromE,
    });
    expect(Object.fromEntries(sentTo(d.rde, 'c1')), 'never back to the client it came from').to.deep.equal({
      '10.3.0.0/16': fromN1,
      '10.5.0.0/16': fromE,
    });
    expect(Object.fromEntries(sentTo(d.rde, 'n2')), "not a non-client's route").to.deep.equal({
      '10.1.0.0/16': fromC1,
      '10.2.0.0/16': fromC1,
      '10.5.0.0/16': fromE,
    });
    expect([...sentTo(d.rde, 'n1').keys()]).to.have.members(['10.1.0.0/16', '10.2.0.0/16', '10.5.0.0/16']);
    // Towards eBGP: the native rules (our AS prepended, next hop self, no RFC 4456 attributes).
    expect(Object.fromEntries(sentTo(d.rde, 'e'))).to.deep.equal({
      '10.1.0.0/16': { nextHop: '192.0.2.100', asPath: '65000 64601' },
      '10.2.0.0/16': { nextHop: '192.0.2.100', asPath: '65000 64601' },
      '10.3.0.0/16': { nextHop: '192.0.2.100', asPath: '65000 64603' },
    });
    for (const p of d.host!.pluglets()) expect(p.stats.faults, p.name).to.equal(0);
  });

  it('runs once per destination peer and source set (not towards the source): two prefixes of one UPDATE cost one call per other peer', function () {
    const d = reflector();
    d.rde.receive('c1', announce(['10.1.0.0/16', '10.2.0.0/16'], [64601], ip('10.0.0.1')), true, false);
    d.rde.flush();
    const outbound = d.host!.pluglets().find((p) => p.name === 'rr_outbound')!;
    // Five peers, each its own group (the pluglet depends on the destination peer): one call for each but
    // c1, where the route came from and is never sent back: four calls, not ten.
    expect(outbound.stats.calls).to.equal(4);
  });

  it('keeps an ORIGINATOR_ID the route has and prepends the CLUSTER_ID to its CLUSTER_LIST', function () {
    const d = reflector();
    feed(d, [makeOriginatorId(42), makeClusterList([ip('10.9.9.9')])]);
    expect(sentTo(d.rde, 'c2').get('10.1.0.0/16')).to.deep.equal({
      nextHop: '10.0.0.1',
      asPath: '64601',
      originator: '0.0.0.42',
      clusters: [CLUSTER, '10.9.9.9'],
    });
  });

  it('rejects routes that carry our router id as ORIGINATOR_ID or our CLUSTER_ID in their CLUSTER_LIST', function () {
    const d = reflector();
    d.rde.receive(
      'c1',
      announce(['10.7.0.0/16'], [64601], ip('10.0.0.1'), [makeOriginatorId(ROUTER_ID)]),
      true,
      false,
    );
    const list = makeClusterList([ip('10.9.9.9'), ip(CLUSTER)]);
    d.rde.receive('n1', announce(['10.8.0.0/16'], [64603], ip('10.0.0.3'), [list]), true, false);
    d.rde.receive(
      'c2',
      announce(['10.9.0.0/16'], [64602], ip('10.0.0.2'), [makeOriginatorId(7)]),
      true,
      false,
    );
    d.rde.flush();
    const rejected = (peer: string): string[] =>
      (d.rde.adjRibIn(peer)['ipv4-unicast'] ?? [])
        .filter((r) => r.rejected === 'plugin')
        .map((r) => r.prefix);
    expect([rejected('c1'), rejected('n1'), rejected('c2')]).to.deep.equal([
      ['10.7.0.0/16'],
      ['10.8.0.0/16'],
      [],
    ]);
    expect([...sentTo(d.rde, 'c1').keys()]).to.deep.equal(['10.9.0.0/16']);
  });

  it('without cluster_id the CLUSTER_ID is our router id', function () {
    const d = reflector(null);
    feed(d);
    expect(sentTo(d.rde, 'c2').get('10.1.0.0/16')?.clusters).to.deep.equal([formatIpv4(ROUTER_ID)]);
  });

  it('without the plugin, iBGP-learned routes go to no iBGP peer (RFC 4271 9.2.1)', function () {
    const d = daemonWith(PEERS, '  []');
    feed(d);
    expect([...sentTo(d.rde, 'c2').keys()]).to.deep.equal(['10.5.0.0/16']);
    expect([...sentTo(d.rde, 'n2').keys()]).to.deep.equal(['10.5.0.0/16']);
  });
});
