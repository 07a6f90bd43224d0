// The policy engine inside the route decision engine (daemon/rde): import policy per prefix (the RDE hands
// over its reused wire-form prefix buffer) and per attribute set (cached), export policy on what a peer
// is sent. Checks that the RDE and daemon/policy agree on the interface, end to end without sockets.
import { expect } from 'chai';
import { Rde } from '../../daemon/rde/rde.js';
import {
  buildNlri,
  decodeMessage,
  encodeMessage,
  formatAsPath,
  formatCommunities,
  getAttribute,
  makeAsPath,
  makeCommunities,
  makeNextHop,
  makeOrigin,
  prefixList,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import { parseConfig } from '../../daemon/config/load.js';
import { info, spec } from '../rde/peers.js';
import { compilePolicy } from '../../daemon/policy/index.js';

const LOCAL_AS = 65000;

const config = parseConfig(`
router-id: 10.0.0.100
asn: ${LOCAL_AS}
policies:
  from-a:
    - match: { prefix: "10.9.0.0/16 le 24" }
      action: reject
    - match: { community: "65001:1" }
      set: { local-pref: 300 }
  to-b:
    - match: { as-path: { origin: 7 } }
      set: { prepend: 2, community: { add: "65000:7" } }
      action: accept
    - action: reject
`);

function announce(prefixes: string[], asns: number[], communities: number[] = []): UpdateMessage {
  return {
    type: 'update',
    withdrawn: buildNlri(1, 1, []),
    attributes: [
      makeOrigin(0),
      makeAsPath([{ type: 2, asns }], true),
      makeNextHop(0x0a000001),
      ...(communities.length ? [makeCommunities(communities)] : []),
    ],
    nlri: buildNlri(1, 1, prefixes),
  };
}

describe('policy: inside the RDE', function () {
  it('import rejects per prefix and sets per attribute set; export prepends and tags', function () {
    if (!config.ok) expect.fail(JSON.stringify(config.issues));
    const policies = config.config.policies;
    const rde = new Rde({
      localAsn: LOCAL_AS,
      routerId: 0x0a000064,
      decision: { alwaysCompareMed: false, deterministicMed: false },
      ebgpRequiresPolicy: false,
      compilePolicy,
    });
    const sink = { kick: () => undefined };
    rde.peerUp(
      spec('a', '10.0.0.1', 65001, { importPolicy: policies['from-a'] }),
      info(1, false, ['ipv4-unicast']),
      sink,
    );
    rde.peerUp(
      spec('b', '10.0.0.2', 65002, { exportPolicy: policies['to-b'] }),
      info(2, false, ['ipv4-unicast']),
      sink,
    );
    rde.peerUp(spec('c', '10.0.0.3', LOCAL_AS, {}), info(3, true, ['ipv4-unicast']), sink);

    // One attribute set, prefixes on both sides of the reject rule: the decision must be per prefix.
    rde.receive(
      'a',
      announce(['10.8.0.0/16', '10.9.1.0/24', '10.9.0.0/16', '10.9.1.0/25'], [65001, 7], [(65001 << 16) | 1]),
      true,
      false,
    );
    rde.receive('a', announce(['10.10.0.0/16'], [65001, 8]), true, false);
    rde.flush();

    const tables: Record<string, Map<string, { path: string; communities: string; localPref?: number }>> = {};
    for (const name of ['b', 'c']) {
      const table = new Map<string, { path: string; communities: string; localPref?: number }>();
      for (const u of rde.pull(name)) {
        const r = decodeMessage(encodeMessage(u), { asn4: true });
        if (!r.ok || r.message.type !== 'update') throw new Error('bad UPDATE');
        const attrs = r.message.attributes;
        for (const p of prefixList(r.message.nlri)) {
          const row: { path: string; communities: string; localPref?: number } = {
            path: formatAsPath(getAttribute(attrs, 'as-path')!.segments),
            communities: formatCommunities(getAttribute(attrs, 'communities')?.values ?? new Uint32Array(0)),
          };
          const lp = getAttribute(attrs, 'local-pref');
          if (lp) row.localPref = lp.localPref;
          table.set(p.prefix, row);
        }
      }
      tables[name] = table;
    }
    // iBGP peer C sees the import result: 10.9/16 up to /24 rejected, LOCAL_PREF 300 from the community.
    expect([...tables.c!.keys()].sort()).to.deep.equal(['10.10.0.0/16', '10.8.0.0/16', '10.9.1.0/25']);
    expect(tables.c!.get('10.8.0.0/16')).to.deep.equal({
      path: '65001 7',
      communities: '65001:1',
      localPref: 300,
    });
    expect(tables.c!.get('10.10.0.0/16')!.localPref).to.equal(100);
    // eBGP peer B: only origin-7 routes, our AS from propagation plus two prepends, tagged.
    expect([...tables.b!.keys()].sort()).to.deep.equal(['10.8.0.0/16', '10.9.1.0/25']);
    expect(tables.b!.get('10.8.0.0/16')).to.deep.equal({
      path: '65000 65000 65000 65001 7',
      communities: '65001:1 65000:7',
    });
  });
});
