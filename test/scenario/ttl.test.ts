// TTL of xbgpd's sessions on a real path (IPv4 and IPv6): xbgpd and BIRD two hops apart, a forwarding namespace between
// them. With direct eBGP (TTL 1) every packet xbgpd sends with that TTL (its OPEN first) dies at the middle
// router (it counts ICMP time-exceeded) and the session never comes up, although BIRD's own packets
// (multihop, TTL 64) reach xbgpd; restarted with `multihop: 2` the same session is Established.
//
//   dut (xbgpd AS 65000) -- l1 -- mid (forwarding) -- l2 -- far (BIRD AS 65001, multihop)
import { expect } from 'chai';
import type { BirdRouter } from '../lab/bird.js';
import type { FrrRouter } from '../lab/frr.js';
import { runIn } from '../lab/exec.js';
import { Lab, openLab } from '../lab/lab.js';
import type { Link } from '../lab/netns.js';
import { waitFor } from '../lab/wait.js';
import type { XbgpdRouter } from '../lab/xbgpd.js';

/** The /31 and /64 of a lab link (its `a` end holds the lower address). */
const subnetsOf = (link: Link): { ipv4: string; ipv6: string } => ({
  ipv4: `${link.a.ipv4}/31`,
  ipv6: `${link.a.ipv6.replace(/::1$/, '::')}/64`,
});

/** ICMP and ICMPv6 time-exceeded messages a namespace has sent (TTL / hop limit expiries while
 *  forwarding), from /proc/net/snmp and /proc/net/snmp6. */
async function timeExceededSent(ns: string): Promise<{ ipv4: number; ipv6: number }> {
  const lines = (await runIn(ns, 'cat', ['/proc/net/snmp'])).split('\n').filter((l) => l.startsWith('Icmp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  const snmp6 = await runIn(ns, 'cat', ['/proc/net/snmp6']);
  const ipv6 = /^Icmp6OutTimeExcds\s+(\d+)$/m.exec(snmp6);
  return { ipv4: Number(values[names.indexOf('OutTimeExcds')]), ipv6: Number(ipv6?.[1] ?? NaN) };
}

describe('scenario: TTL for direct eBGP and multihop (xbgpd and BIRD two hops apart)', function () {
  let lab: Lab | undefined;
  let l1: Link;
  let l2: Link;
  let dut: XbgpdRouter;
  let far: BirdRouter;
  const afs = ['ipv4', 'ipv6'] as const;

  before(async function () {
    lab = openLab(this);
    l1 = await lab.link('dut', 'mid');
    l2 = await lab.link('mid', 'far');
    await runIn(l1.b.ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    for (const af of afs) {
      const flag = af === 'ipv4' ? '-4' : '-6';
      await runIn(l1.a.ns, 'ip', [flag, 'route', 'add', subnetsOf(l2)[af], 'via', l1.b[af]]);
      await runIn(l2.b.ns, 'ip', [flag, 'route', 'add', subnetsOf(l1)[af], 'via', l2.a[af]]);
    }
    far = await lab.bird('far', {
      routerId: '10.255.0.2',
      asn: 65001,
      neighbors: afs.map((af) => ({
        address: l1.a[af],
        localAddress: l2.b[af],
        asn: 65000,
        multihop: true,
        families: [af === 'ipv4' ? 'ipv4-unicast' : 'ipv6-unicast'],
      })),
    });
    dut = await lab.xbgpd('dut', {
      routerId: '10.255.0.1',
      asn: 65000,
      listen: afs.map((af) => ({ address: l1.a[af] })),
      peers: afs.map((af) => ({
        name: `far-${af}`,
        address: l2.b[af],
        localAddress: l1.a[af],
        asn: 65001,
        families: [af === 'ipv4' ? 'ipv4-unicast' : 'ipv6-unicast'],
      })),
    });
  });
  after(async () => lab?.teardown());

  it('direct eBGP (TTL 1) over IPv4 and IPv6: BIRD never sees our OPEN, the middle router drops it; multihop 2 comes up', async function () {
    const before = await timeExceededSent(l1.b.ns);
    for (const af of afs) {
      // BIRD's OPEN (TTL 64) reaches xbgpd, which answers with OPEN and KEEPALIVE: xbgpd reaches
      // OpenConfirm while everything it sends expires at `mid`.
      await waitFor(`xbgpd in OpenConfirm with BIRD over ${af}`, async () => {
        const s = await dut.neighbor(l2.b[af]);
        return s.state === 'openconfirm' ? s : undefined;
      });
      await waitFor(
        `mid to report ${af} TTL expiries`,
        async () => (await timeExceededSent(l1.b.ns))[af] > before[af],
      );
      expect((await far.neighbor(l1.a[af])).state).to.not.equal('established');
    }
    expect(dut.logEntries().filter((e) => e.msg === 'session established')).to.have.length(0);

    for (const peer of dut.config.peers) peer.multihop = 2;
    await dut.restart();
    for (const af of afs) {
      await waitFor(
        `BIRD Established with xbgpd over ${af} (multihop 2)`,
        async () => (await far.neighbor(l1.a[af])).state === 'established',
        { timeoutMs: 20_000 },
      );
      await waitFor(
        `xbgpd Established over ${af}`,
        async () => (await dut.neighbor(l2.b[af])).state === 'established',
      );
    }
  });
});

/** Segments a namespace's TCP dropped for a TTL below IP_MINTTL (GTSM), /proc/net/netstat. */
async function minTtlDrops(ns: string): Promise<number> {
  const lines = (await runIn(ns, 'cat', ['/proc/net/netstat']))
    .split('\n')
    .filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  const i = names.indexOf('TCPMinTTLDrop');
  return i < 0 ? -1 : Number(values[i]);
}

describe('scenario: GTSM (RFC 5082 ttl-security) with FRR', function () {
  let lab: Lab | undefined;
  let link: Link;
  let dut: XbgpdRouter;
  let frr: FrrRouter;

  before(async function () {
    lab = openLab(this);
    link = await lab.link('dut', 'frr');
    frr = await lab.frr('frr', {
      routerId: '10.255.0.3',
      asn: 65003,
      neighbors: [{ address: link.a.ipv4, asn: 65000, families: ['ipv4-unicast'] }],
    });
    await frr.configureBgp(`neighbor ${link.a.ipv4} ttl-security hops 1`);
    dut = await lab.xbgpd('dut', {
      routerId: '10.255.0.1',
      asn: 65000,
      listen: { address: link.a.ipv4 },
      peers: [{ name: 'frr', address: link.b.ipv4, asn: 65003, families: ['ipv4-unicast'] }],
    });
  });
  after(async () => lab?.teardown());

  it('FRR drops our TTL 1 packets until xbgpd uses ttl-security too; then the session is Established', async function () {
    const dropsBefore = await minTtlDrops(link.b.ns);
    if (dropsBefore < 0) this.skip(); // kernels before 5.16 have no TCPMinTTLDrop counter
    await waitFor(
      'FRR to drop segments under its minimum TTL',
      async () => (await minTtlDrops(link.b.ns)) > dropsBefore,
    );
    expect((await frr.neighbor(link.a.ipv4)).state).to.not.equal('established');

    dut.config.peers[0]!.ttlSecurity = true;
    await dut.restart();
    await waitFor(
      'FRR Established with xbgpd (both ttl-security)',
      async () => (await frr.neighbor(link.a.ipv4)).state === 'established',
      { timeoutMs: 20_000 },
    );
    await waitFor('xbgpd Established', async () => (await dut.neighbor(link.b.ipv4)).state === 'established');
  });
});
