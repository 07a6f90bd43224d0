// OPEN negotiation (daemon/session/negotiate.ts), pure: one case per check of RFC 4271 6.2 / RFC 6286 /
// RFC 5492 we make, and the negotiated values (hold time, 4-octet AS, families, ADD-PATH directions).
import { expect } from 'chai';
import { buildOpen, negotiate, type OpenSummary, type LocalSpeaker } from '../../daemon/session/negotiate.js';
import { ipv4Number } from '../../daemon/net/address.js';
import { parseConfig } from '../../daemon/config/load.js';
import type { PeerConfig } from '../../daemon/config/types.js';

const local: LocalSpeaker = { routerId: '10.0.0.1', routerIdNumber: ipv4Number('10.0.0.1'), asn: 65001 };

function peer(extra = ''): PeerConfig {
  const r = parseConfig(`
router-id: 10.0.0.1
asn: 65001
peers:
  - { name: p, address: 192.0.2.2, asn: 65002, hold-time: 30, families: [ipv4-unicast, ipv6-unicast]${extra} }
`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config.peers[0]!;
}

function theirOpen(
  over: Partial<OpenSummary> & { caps?: Partial<OpenSummary['capabilities']> } = {},
): OpenSummary {
  const { caps, ...rest } = over;
  return {
    version: 4,
    myAs: 65002,
    holdTime: 90,
    bgpId: ipv4Number('10.0.0.2'),
    ...rest,
    capabilities: {
      multiprotocol: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
      routeRefresh: true,
      enhancedRouteRefresh: false,
      extendedMessage: true,
      fourOctetAs: 65002,
      addPath: [],
      ...caps,
    },
  };
}

function refused(p: PeerConfig, open: OpenSummary, localSpeaker = local): [number, number] {
  const r = negotiate(localSpeaker, p, buildOpen(localSpeaker, p), open);
  if (r.ok) throw new Error('expected a refusal');
  return [r.notification.code, r.notification.subcode];
}

describe('session/negotiate: checks on the received OPEN', function () {
  it('version other than 4 -> 2/1 with data 0x0004', function () {
    const p = peer();
    const r = negotiate(local, p, buildOpen(local, p), theirOpen({ version: 3 }));
    expect(r.ok).to.equal(false);
    if (!r.ok)
      expect([r.notification.code, r.notification.subcode, [...r.notification.data!]]).to.deep.equal([
        2,
        1,
        [0, 4],
      ]);
  });
  it('AS in the 4-octet capability differs from the configured one -> 2/2', function () {
    expect(refused(peer(), theirOpen({ caps: { fourOctetAs: 65003 } }))).to.deep.equal([2, 2]);
  });
  it('AS in My AS (no capability) differs -> 2/2', function () {
    expect(refused(peer(), theirOpen({ myAs: 65003, caps: { fourOctetAs: undefined } }))).to.deep.equal([
      2, 2,
    ]);
  });
  it('hold time 1 or 2 -> 2/6', function () {
    expect(refused(peer(), theirOpen({ holdTime: 1 }))).to.deep.equal([2, 6]);
    expect(refused(peer(), theirOpen({ holdTime: 2 }))).to.deep.equal([2, 6]);
  });
  it('BGP Identifier 0 -> 2/3; our own identifier from an iBGP peer -> 2/3, from an eBGP peer is fine', function () {
    expect(refused(peer(), theirOpen({ bgpId: 0 }))).to.deep.equal([2, 3]);
    const ibgp: PeerConfig = { ...peer(), asn: 65001 };
    const same = theirOpen({ bgpId: local.routerIdNumber, myAs: 65001, caps: { fourOctetAs: 65001 } });
    expect(refused(ibgp, same)).to.deep.equal([2, 3]);
    expect(
      negotiate(local, peer(), buildOpen(local, peer()), theirOpen({ bgpId: local.routerIdNumber })).ok,
    ).to.equal(true);
  });
  it('no common address family -> 2/7', function () {
    const p: PeerConfig = { ...peer(), families: ['ipv6-unicast'] };
    expect(refused(p, theirOpen({ caps: { multiprotocol: [{ afi: 1, safi: 1 }] } }))).to.deep.equal([2, 7]);
  });
});

describe('session/negotiate: negotiated values', function () {
  it('hold time is the smaller one; keepalive a third of it; 0 stays 0', function () {
    const p = peer();
    const r = negotiate(local, p, buildOpen(local, p), theirOpen({ holdTime: 9 }));
    expect(r.ok && [r.negotiated.holdTime, r.negotiated.keepaliveTime]).to.deep.equal([9, 3]);
    const z = negotiate(local, p, buildOpen(local, p), theirOpen({ holdTime: 0 }));
    expect(z.ok && z.negotiated.holdTime).to.equal(0);
  });
  it('a peer without Multiprotocol capabilities gets IPv4 unicast only', function () {
    const p = peer();
    const r = negotiate(local, p, buildOpen(local, p), theirOpen({ caps: { multiprotocol: [] } }));
    expect(r.ok && r.negotiated.families).to.deep.equal(['ipv4-unicast']);
  });
  it('4-octet AS only when both sent it; our OPEN carries AS_TRANS above 65535', function () {
    const p = peer();
    const r = negotiate(local, p, buildOpen(local, p), theirOpen({ caps: { fourOctetAs: undefined } }));
    expect(r.ok && r.negotiated.asn4).to.equal(false);
    const big: LocalSpeaker = { ...local, asn: 4200000001 };
    const open = buildOpen(big, p);
    expect([open.myAs, open.capabilities.fourOctetAs]).to.deep.equal([23456, 4200000001]);
  });
  for (const [ours, theirs, receive, send] of [
    ['receive', 2, true, false],
    ['receive', 1, false, false],
    ['send', 1, false, true],
    ['both', 3, true, true],
    ['both', 2, true, false],
    ['none', 3, false, false],
  ] as const) {
    it(`ADD-PATH: ours ${ours}, theirs ${theirs} -> receive ${receive}, send ${send}`, function () {
      const p = peer(`, capabilities: { add-path: ${ours} }`);
      const r = negotiate(
        local,
        p,
        buildOpen(local, p),
        theirOpen({ caps: { addPath: [{ afi: 1, safi: 1, mode: theirs }] } }),
      );
      if (!r.ok) throw new Error(r.reason);
      expect(r.negotiated.addPathReceive.has('ipv4-unicast')).to.equal(receive);
      expect(r.negotiated.addPathSend.has('ipv4-unicast')).to.equal(send);
      expect(r.negotiated.decodeContext.addPath?.has((1 << 8) | 1)).to.equal(receive);
    });
  }
});
