// The filter points end to end: C plugins compiled by clang against xbgp-api's headers, loaded by the
// plugin host from manifests, attached per peer, run by the RDE on routes from peers, as those peers'
// neighbours see the result on the wire. Faulting pluglets (out-of-bounds store, endless loop, a value
// the point does not define) leave the native outcome, are counted, and a plugin past its fault limit is
// disabled; a pluglet calling a helper it has no permission for is refused at load, naming the helper.
import { expect } from 'chai';
import type { Rde } from '../../daemon/rde/rde.js';
import { PluginHost, type PluginEntry } from '../../daemon/plugins/host.js';
import { pluginHelperRegistry } from '../../daemon/plugins/helpers/index.js';
import { formatCommunities, getAttribute, prefixList } from '../../daemon/wire/index.js';
import { requireTools } from '../helpers/env.js';
import {
  compilePlugin,
  LOCAL_AS,
  loadHost,
  onePluglet,
  RecordingReporter,
  rdeWithPlugins,
  workDir,
} from './support.js';
import { announce, info, onTheWire, spec } from '../rde/peers.js';

let dir = '';

/** A .plugin manifest with one pluglet at `point` (replace, seq 0). */
function manifest(plugin: string, pluglet: string, point: string, permissions: string[]): string {
  return onePluglet(dir, plugin, pluglet, point, permissions);
}

const reporter = new RecordingReporter();
const warnings = reporter.warnings;
const errors = reporter.errors;

function hostOf(entries: PluginEntry[]): PluginHost {
  return loadHost(entries, reporter);
}

const rdeWith = rdeWithPlugins;

interface Seen {
  med?: number;
  communities: string;
}

/** What a peer is sent: prefix -> MED and communities. */
function sentTo(rde: Rde, name: string): Map<string, Seen> {
  const out = new Map<string, Seen>();
  for (const u of rde.pull(name)) {
    const m = onTheWire(u);
    for (const p of prefixList(m.nlri)) {
      const med = getAttribute(m.attributes, 'med');
      const c = getAttribute(m.attributes, 'communities');
      out.set(p.prefix, {
        ...(med ? { med: med.med } : {}),
        communities: c ? formatCommunities(c.values) : '',
      });
    }
  }
  return out;
}

const sink = { kick: () => undefined };

describe('plugins: filter points with compiled plugins', function () {
  before(function () {
    requireTools(this, 'clang');
    dir = workDir('filters');
    for (const n of ['odd_origin_med', 'tag_accept', 'fault_oob_store', 'fault_endless', 'fault_bad_verdict'])
      compilePlugin(dir, n);
  });

  it('inbound: rejects odd origin ASes and sets MED on the rest, only for the peers it is attached to', function () {
    const m = manifest('odd', 'odd_origin_med', 'bgp_pre_inbound_filter', ['read', 'write', 'usr_ptr']);
    const host = hostOf([{ manifest: m, peers: ['a'] }]);
    const rde = rdeWith(host);
    rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), sink);
    rde.peerUp(spec('a2', '10.0.0.2', 65002), info(2, false), sink);
    rde.peerUp(spec('i', '10.0.0.3', LOCAL_AS), info(3, true), sink);
    rde.receive('a', announce(['10.1.0.0/16'], [65001, 64512], 0x0a000001), true, false);
    rde.receive('a', announce(['10.2.0.0/16'], [65001, 64513], 0x0a000001), true, false);
    rde.receive('a2', announce(['10.3.0.0/16'], [65002, 64513], 0x0a000002), true, false);
    rde.flush();
    const seen = sentTo(rde, 'i');
    expect(seen.get('10.1.0.0/16')).to.deep.equal({ med: 42, communities: '' });
    expect(seen.has('10.2.0.0/16'), 'odd origin from a: rejected').to.equal(false);
    expect(seen.get('10.3.0.0/16'), 'from a2: no plugin').to.deep.equal({ communities: '' });
    const routes = rde.adjRibIn('a')['ipv4-unicast'] ?? [];
    expect(routes.find((r) => r.prefix === '10.2.0.0/16')?.rejected).to.equal('plugin');
    const stats = host.pluglets()[0]!.stats;
    expect(stats.calls).to.equal(2);
    expect(stats.faults).to.equal(0);
    expect(stats.returns.get(256n)).to.equal(1); // PLUGIN_FILTER_REJECT
    expect(stats.returns.get(258n)).to.equal(1); // PLUGIN_FILTER_UNKNOWN
  });

  for (const [name, code] of [
    ['fault_oob_store', 'ERR_VM_'],
    ['fault_endless', 'ERR_VM_BUDGET'],
    ['fault_bad_verdict', 'ERR_PLUGIN_BAD_RETURN'],
  ] as const) {
    it(`${name}: the native outcome holds, the fault is counted and reported`, function () {
      warnings.length = 0;
      const m = manifest(name, name, 'bgp_pre_inbound_filter', ['read', 'write', 'usr_ptr']);
      const host = hostOf([{ manifest: m, budget: 10_000 }]);
      const rde = rdeWith(host);
      rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), sink);
      rde.peerUp(spec('i', '10.0.0.3', LOCAL_AS), info(3, true), sink);
      rde.receive('a', announce(['10.1.0.0/16', '10.2.0.0/16'], [65001, 7], 0x0a000001), true, false);
      rde.receive('a', announce(['10.4.0.0/16'], [65001, 9], 0x0a000001), true, false);
      rde.flush();
      const seen = sentTo(rde, 'i');
      expect([...seen.keys()].sort()).to.deep.equal(['10.1.0.0/16', '10.2.0.0/16', '10.4.0.0/16']);
      for (const s of seen.values())
        expect(s, 'no change survives a fault').to.deep.equal({ communities: '' });
      const stats = host.pluglets()[0]!.stats;
      expect(stats.faults).to.equal(3); // undeclared dependency: run per route
      expect(warnings[0]).to.include({ plugin: name, pluglet: name, point: 'bgp_pre_inbound_filter' });
      expect(String(warnings[0]!.code)).to.match(new RegExp(`^${code}`));
    });
  }

  it('a plugin past its fault limit is disabled, logged once, and no longer runs', function () {
    errors.length = 0;
    const m = manifest('limited', 'fault_bad_verdict', 'bgp_pre_inbound_filter', ['read']);
    const host = hostOf([{ manifest: m, faultLimit: { max: 3, windowMs: 60_000 } }]);
    const rde = rdeWith(host);
    rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), sink);
    rde.peerUp(spec('i', '10.0.0.3', LOCAL_AS), info(3, true), sink);
    const prefixes = Array.from({ length: 10 }, (_, i) => `10.${i}.0.0/16`);
    rde.receive('a', announce(prefixes, [65001, 7], 0x0a000001), true, false);
    rde.flush();
    expect(sentTo(rde, 'i').size).to.equal(10);
    const p = host.pluglets()[0]!;
    expect(p.plugin.disabled).to.equal(true);
    expect(p.stats.calls).to.equal(3);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ plugin: 'limited' });
  });

  it('outbound: ACCEPT sends an iBGP route to an iBGP peer, tagged; peers without the plugin get nothing', function () {
    const m = manifest('tag', 'tag_accept', 'bgp_pre_outbound_filter', ['read', 'write', 'usr_ptr']);
    const host = hostOf([{ manifest: m, peers: ['i2'] }]);
    const rde = rdeWith(host);
    rde.peerUp(spec('i1', '10.0.0.1', LOCAL_AS), info(1, true), sink);
    rde.peerUp(spec('i2', '10.0.0.2', LOCAL_AS), info(2, true), sink);
    rde.peerUp(spec('i3', '10.0.0.3', LOCAL_AS), info(3, true), sink);
    rde.peerUp(spec('e', '10.0.0.4', 65004), info(4, false), sink);
    rde.receive('i1', announce(['10.9.0.0/16'], [65010], 0x0a000001), true, false);
    rde.flush();
    expect(sentTo(rde, 'i2').get('10.9.0.0/16')).to.deep.equal({ communities: '65000:777' });
    expect(sentTo(rde, 'i3').size, 'native: iBGP routes are not sent to iBGP peers').to.equal(0);
    expect(sentTo(rde, 'e').get('10.9.0.0/16'), 'native to eBGP').to.deep.equal({ communities: '' });
  });

  it('a pluglet calling a helper its permissions do not grant is refused at load, naming the helper', function () {
    const m = manifest('noperm', 'odd_origin_med', 'bgp_pre_inbound_filter', ['read']);
    const loaded = PluginHost.load([{ manifest: m }], pluginHelperRegistry(), reporter);
    expect(loaded.ok).to.equal(false);
    if (loaded.ok) return;
    expect(loaded.errors).to.have.length(1);
    expect(loaded.errors[0]).to.include('pluglet odd_origin_med').and.include('ERR_VM_HELPER_NOT_PERMITTED');
    expect(loaded.errors[0]).to.include('add_attr needs the permissions [write');
  });
});
