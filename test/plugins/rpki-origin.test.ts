// The shipped origin validation plugin (plugins/rpki_origin) through the plugin host, on an RDE with a
// VRP table behind rpki_validate_origin: each RFC 6811 state gets its configured community, invalid
// routes their LOCAL_PREF or rejection, AS_SET origins are NONE; a VRP change followed by Rde.reimport
// re-validates the routes it covers (no session involved); without an `rpki:` section (no table) routes
// pass untouched. And the helper itself: -1 for a prefix that is neither IPv4 nor IPv6.
import { expect } from 'chai';
import { FakeClock } from '../../daemon/clock.js';
import { parseConfig } from '../../daemon/config/load.js';
import { createLogger } from '../../daemon/log.js';
import { attachPlugins } from '../../daemon/plugins/attach.js';
import { loadConfiguredPlugins } from '../../daemon/plugins/configured.js';
import { Rde } from '../../daemon/rde/rde.js';
import type { Vrp } from '../../daemon/rpki/pdu.js';
import { VrpTable } from '../../daemon/rpki/vrp-table.js';
import {
  buildNlri,
  formatCommunities,
  getAttribute,
  makeAsPath,
  makeNextHop,
  makeOrigin,
  prefixList,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import { requireTools } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { announce, info, onTheWire, spec } from '../rde/peers.js';

const LOCAL_AS = 65000;
const sink = { kick: () => undefined };

const vrp = (a: string, length: number, maxLength: number, asn: number): Vrp => ({
  ipv6: false,
  prefix: Uint8Array.from(a.split('.').map(Number)),
  length,
  maxLength,
  asn,
});

/** An RDE with peer `a` (AS 65001, the plugin attached) and iBGP peer `i`; `table` behind the helper. */
function setup(conf: string, table: VrpTable | undefined): Rde {
  const text = [
    'router-id: 10.0.0.100',
    `asn: ${LOCAL_AS}`,
    'peers:',
    '  - { name: a, address: 10.0.0.1, asn: 65001 }',
    `  - { name: i, address: 10.0.0.2, asn: ${LOCAL_AS} }`,
    'plugins:',
    `  - manifest: ${shippedPlugin('rpki_origin')}`,
    '    peers: [a]',
    '    conf:',
    conf,
  ].join('\n');
  const parsed = parseConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const log = createLogger({ level: 'silent' });
  const reporter = { now: () => 0, warn: () => undefined, error: () => undefined };
  const loaded = loadConfiguredPlugins(parsed.config.plugins, reporter);
  if (!loaded.ok || loaded.host === undefined) throw new Error('rpki_origin does not load');
  const local = { asn: LOCAL_AS, routerId: 0x0a000064 };
  const attached = attachPlugins(
    loaded.host,
    log,
    new FakeClock(),
    local,
    () => undefined,
    () => table,
  );
  const rde = new Rde({
    localAsn: LOCAL_AS,
    routerId: local.routerId,
    decision: { alwaysCompareMed: false, deterministicMed: false },
    ebgpRequiresPolicy: false,
    pluginHooks: attached.hooks,
  });
  rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), sink);
  rde.peerUp(spec('i', '10.0.0.2', LOCAL_AS), info(2, true), sink);
  return rde;
}

/** Run Rde.reimport to its end (every slice); the paths changed. */
function reimport(rde: Rde, select: () => boolean): number {
  const run = rde.reimportPrefixes('ipv4-unicast', select);
  for (;;) {
    const r = run.next();
    if (r.done === true) return r.value;
  }
}

/** What iBGP peer `i` is sent: prefix -> "LOCAL_PREF communities" ('' when withdrawn). */
function sentToI(rde: Rde): Map<string, string> {
  rde.flush();
  const out = new Map<string, string>();
  for (const u of rde.pull('i')) {
    const m = onTheWire(u);
    for (const p of prefixList(m.withdrawn)) out.set(p.prefix, '');
    for (const p of prefixList(m.nlri)) {
      const lp = getAttribute(m.attributes, 'local-pref');
      const c = getAttribute(m.attributes, 'communities');
      out.set(p.prefix, `${lp?.localPref ?? '-'} ${c ? formatCommunities(c.values) : ''}`.trim());
    }
  }
  return out;
}

const TAGS = [
  '      valid_community: { type_arg: str, arg: "65000:1" }',
  '      not_found_community: { type_arg: str, arg: "65000:2" }',
  '      invalid_community: { type_arg: str, arg: "65000:3" }',
  '      invalid_local_pref: { type_arg: int, arg: 50 }',
].join('\n');

function feed(rde: Rde): void {
  rde.receive('a', announce(['10.1.0.0/16'], [65001, 64500], 0x0a000001), true, false); // valid
  rde.receive('a', announce(['10.1.2.0/24'], [65001, 64500], 0x0a000001), true, false); // too long
  rde.receive('a', announce(['10.2.0.0/16'], [65001, 64999], 0x0a000001), true, false); // wrong AS
  rde.receive('a', announce(['172.16.0.0/16'], [65001, 64500], 0x0a000001), true, false); // no VRP
  const asSet: UpdateMessage = {
    type: 'update',
    withdrawn: buildNlri(1, 1, []),
    attributes: [
      makeOrigin(0),
      makeAsPath(
        [
          { type: 2, asns: [65001] },
          { type: 1, asns: [64500] },
        ],
        true,
      ),
      makeNextHop(0x0a000001),
    ],
    nlri: buildNlri(1, 1, ['10.3.0.0/16']),
  };
  rde.receive('a', asSet, true, false); // origin NONE under a VRP
}

describe('plugins/rpki_origin: RFC 6811 origin validation through the host', function () {
  before(function () {
    requireTools(this, 'clang');
  });

  const table = (): VrpTable => {
    const t = new VrpTable();
    t.add(vrp('10.0.0.0', 8, 16, 64500));
    return t;
  };

  it('tags each state, lowers LOCAL_PREF of invalid routes, treats an AS_SET origin as NONE', function () {
    const rde = setup(TAGS, table());
    feed(rde);
    expect(Object.fromEntries(sentToI(rde))).to.deep.equal({
      '10.1.0.0/16': '100 65000:1',
      '10.1.2.0/24': '50 65000:3',
      '10.2.0.0/16': '50 65000:3',
      '172.16.0.0/16': '100 65000:2',
      '10.3.0.0/16': '50 65000:3',
    });
  });

  it('rejects invalid routes with reject_invalid', function () {
    const rde = setup('      reject_invalid: { type_arg: int, arg: 1 }', table());
    feed(rde);
    expect([...sentToI(rde).keys()].sort()).to.deep.equal(['10.1.0.0/16', '172.16.0.0/16']);
  });

  it('re-validates the covered routes when the VRPs change and the RDE imports them again', function () {
    const t = table();
    const rde = setup(TAGS, t);
    feed(rde);
    sentToI(rde);
    // 10.2.0.0/16 becomes valid (a VRP for its origin), 172.16.0.0/16 invalid (a VRP for another AS).
    t.add(vrp('10.2.0.0', 16, 16, 64999));
    t.add(vrp('172.16.0.0', 12, 16, 64501));
    const changed = reimport(rde, () => true);
    expect(changed, 'paths whose outcome changed (a released set may count too)').to.be.at.least(2);
    expect(Object.fromEntries(sentToI(rde))).to.deep.equal({
      '10.2.0.0/16': '100 65000:1',
      '172.16.0.0/16': '50 65000:3',
    });
    // Only the selected prefixes are looked at.
    t.remove(vrp('10.0.0.0', 8, 16, 64500));
    expect(reimport(rde, () => false)).to.equal(0);
  });

  it('leaves routes untouched without an rpki: section', function () {
    const rde = setup(TAGS, undefined);
    feed(rde);
    const seen = sentToI(rde);
    expect(seen.size).to.equal(5);
    expect([...seen.values()].every((v) => v === '100')).to.equal(true);
  });
});
