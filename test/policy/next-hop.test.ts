// The next hop through the RDE with policy: `set: { next-hop }` on import and on export, for both
// families, as seen by an iBGP and an eBGP peer. An import rewrite of an IPv4 NEXT_HOP must reach the iBGP
// peer (the next hop is stored once, in the NEXT_HOP attribute); an IPv6 one travels in MP_REACH_NLRI.
import { expect } from 'chai';
import { Rde } from '../../daemon/rde/rde.js';
import { compilePolicy } from '../../daemon/policy/index.js';
import { parseConfig } from '../../daemon/config/load.js';
import type { PolicyRule } from '../../daemon/config/types.js';
import {
  buildNlri,
  formatAddress,
  formatIpv4,
  getAttribute,
  makeAsPath,
  makeMpReach,
  makeNextHop,
  makeOrigin,
  prefixList,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import { info, onTheWire, spec } from '../rde/peers.js';

const LOCAL_AS = 65000;
/** Our address towards every peer (test/rde/peers.ts `info`). */
const SELF = { v4: '192.0.2.100', v6: '2001:db8::100' };
/** The source peer (eBGP, AS 65001) and the next hops it sends. */
const SOURCE = { address: '10.0.0.1', v4: '10.0.0.1', v6: '2001:db8:a::1', v6LinkLocal: 'fe80::a' };

interface Case {
  name: string;
  /** YAML rule lists (flow style), or undefined for none. */
  import?: string;
  exportIbgp?: string;
  exportEbgp?: string;
  /** The IPv6 route carries a link-local next hop after its global one. */
  linkLocal?: boolean;
  /** Next hops seen: [iBGP v4, iBGP v6, eBGP v4, eBGP v6]. */
  expect: [string, string, string, string];
}

const cases: Case[] = [
  { name: 'no policy', expect: [SOURCE.v4, SOURCE.v6, SELF.v4, SELF.v6] },
  {
    name: 'import: an IPv4 address rewrites IPv4 routes only (iBGP passes it on)',
    import: '[{ set: { next-hop: 10.9.9.9 } }]',
    expect: ['10.9.9.9', SOURCE.v6, SELF.v4, SELF.v6],
  },
  {
    name: 'import: one address per family',
    import: "[{ set: { next-hop: [10.9.9.9, '2001:db8:ff::9'] } }]",
    expect: ['10.9.9.9', '2001:db8:ff::9', SELF.v4, SELF.v6],
  },
  {
    name: 'import: self is the sending peer (IPv4 session: IPv6 routes keep theirs)',
    import: '[{ set: { next-hop: 10.9.9.9 } }, { set: { next-hop: self } }]',
    expect: [SOURCE.address, SOURCE.v6, SELF.v4, SELF.v6],
  },
  {
    name: 'export to eBGP: unchanged keeps the received next hop (global part only)',
    exportEbgp: '[{ set: { next-hop: unchanged } }]',
    linkLocal: true,
    expect: [SOURCE.v4, `${SOURCE.v6} ${SOURCE.v6LinkLocal}`, SOURCE.v4, SOURCE.v6],
  },
  {
    name: 'export to eBGP: an address per family',
    exportEbgp: "[{ set: { next-hop: ['2001:db8:77::7', 198.51.100.7] } }]",
    expect: [SOURCE.v4, SOURCE.v6, '198.51.100.7', '2001:db8:77::7'],
  },
  {
    name: 'export to iBGP: self',
    exportIbgp: '[{ set: { next-hop: self } }]',
    expect: [SELF.v4, SELF.v6, SELF.v4, SELF.v6],
  },
  {
    name: 'import rewrite, then export unchanged: the imported next hop',
    import: "[{ set: { next-hop: [10.9.9.9, '2001:db8:ff::9'] } }]",
    exportEbgp: '[{ set: { next-hop: unchanged } }]',
    expect: ['10.9.9.9', '2001:db8:ff::9', '10.9.9.9', '2001:db8:ff::9'],
  },
  {
    name: 'a later rule matches on the next hop an earlier rule set',
    import:
      '[{ set: { next-hop: 10.9.9.9 } }, { match: { next-hop: 10.9.9.9 }, set: { next-hop: 10.8.8.8 } }]',
    expect: ['10.8.8.8', SOURCE.v6, SELF.v4, SELF.v6],
  },
];

function rules(yaml: string | undefined): PolicyRule[] | undefined {
  if (yaml === undefined) return undefined;
  const r = parseConfig(`router-id: 10.0.0.100\nasn: ${LOCAL_AS}\npolicies:\n  p: ${yaml}\n`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config.policies.p;
}

function v4Update(): UpdateMessage {
  return {
    type: 'update',
    withdrawn: buildNlri(1, 1, []),
    attributes: [makeOrigin(0), makeAsPath([{ type: 2, asns: [65001] }], true), makeNextHop(0x0a000001)],
    nlri: buildNlri(1, 1, ['198.18.0.0/16']),
  };
}

function v6Update(linkLocal: boolean): UpdateMessage {
  const nh = new Uint8Array(linkLocal ? 32 : 16);
  nh.set([0x20, 0x01, 0x0d, 0xb8, 0, 0x0a], 0);
  nh[15] = 1;
  if (linkLocal) {
    nh.set([0xfe, 0x80], 16);
    nh[31] = 0x0a;
  }
  return {
    type: 'update',
    withdrawn: buildNlri(1, 1, []),
    attributes: [
      makeOrigin(0),
      makeAsPath([{ type: 2, asns: [65001] }], true),
      makeMpReach(nh, buildNlri(2, 1, ['2001:db8:1000::/36'])),
    ],
    nlri: buildNlri(1, 1, []),
  };
}

/** The next hop a peer is told for its one IPv4 and one IPv6 route. */
function nextHops(rde: Rde, name: string): [string, string] {
  let v4 = '';
  let v6 = '';
  for (const u of rde.pull(name)) {
    const m = onTheWire(u);
    if (prefixList(m.nlri).length > 0) v4 = formatIpv4(getAttribute(m.attributes, 'next-hop')!.nextHop);
    const reach = getAttribute(m.attributes, 'mp-reach');
    if (reach && prefixList(reach.nlri).length > 0) {
      const nh = reach.nextHop;
      v6 = formatAddress(2, nh, 0) + (nh.length === 32 ? ` ${formatAddress(2, nh, 16)}` : '');
    }
  }
  return [v4, v6];
}

describe('policy: next hop set by import and export policy, through the RDE', function () {
  for (const c of cases) {
    it(c.name, function () {
      const rde = new Rde({
        localAsn: LOCAL_AS,
        routerId: 0x0a000064,
        decision: { alwaysCompareMed: false, deterministicMed: false },
        ebgpRequiresPolicy: false,
        compilePolicy,
      });
      const sink = { kick: () => undefined };
      const imp = rules(c.import);
      const expIbgp = rules(c.exportIbgp);
      const expEbgp = rules(c.exportEbgp);
      rde.peerUp(spec('a', SOURCE.address, 65001, imp ? { importPolicy: imp } : {}), info(1, false), sink);
      rde.peerUp(
        spec('i', '10.0.0.2', LOCAL_AS, expIbgp ? { exportPolicy: expIbgp } : {}),
        info(2, true),
        sink,
      );
      rde.peerUp(
        spec('e', '10.0.0.3', 65002, expEbgp ? { exportPolicy: expEbgp } : {}),
        info(3, false),
        sink,
      );
      rde.receive('a', v4Update(), true, false);
      rde.receive('a', v6Update(c.linkLocal ?? false), true, false);
      rde.flush();
      expect([...nextHops(rde, 'i'), ...nextHops(rde, 'e')]).to.deep.equal(c.expect);
    });
  }
});
