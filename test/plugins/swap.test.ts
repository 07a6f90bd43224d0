// Plugins replaced under a running RDE (Rde.replacePlugins, what a reload or the admin API does): no
// session is touched, the routes the old and new plugins affect are re-evaluated, and every peer ends up
// holding exactly what an RDE started with the new plugins would have sent it. Checked for every pair of
// a few plugin sets (none, an inbound filter, an outbound filter, a decision step, all three), with what
// each peer holds built from the UPDATEs it was actually sent, before and after the swap.
import { expect } from 'chai';
import type { DryRunReport, Rde } from '../../daemon/rde/rde.js';
import type { PeerExportChanges } from '../../daemon/rde/dry-run.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import type { PluginEntry } from '../../daemon/plugins/host.js';
import { makeMed, prefixList } from '../../daemon/wire/index.js';
import { requireTools } from '../helpers/env.js';
import {
  compilePlugin,
  hooksOf,
  LOCAL_AS,
  loadHost,
  rdeWithPlugins,
  RW,
  workDir,
  writeManifest,
} from './support.js';
import { announce, info, onTheWire, spec } from '../rde/peers.js';

const sink = { kick: () => undefined };

/** The RIB key of an IPv4 /16 written "A.B.0.0/16". */
function keyOf(text: string): ReturnType<typeof prefixKey> {
  const [a, b] = text.split('.').map(Number);
  return prefixKey(1, 16, Uint8Array.of(a!, b!), 0);
}
const PEERS = ['a', 'b', 'i', 'i2'];

/** What a peer holds: prefix -> its attributes as text, from the UPDATEs it was sent. */
type Held = Map<string, string>;

function text(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'bigint' ? String(v) : v,
  );
}

/** Apply everything `name` is sent now to what it holds; returns the number of prefixes in those UPDATEs. */
function drain(rde: Rde, name: string, held: Held): number {
  let n = 0;
  for (const u of rde.pull(name)) {
    const m = onTheWire(u);
    for (const p of prefixList(m.withdrawn)) {
      held.delete(p.prefix);
      n++;
    }
    for (const p of prefixList(m.nlri)) {
      held.set(p.prefix, text(m.attributes));
      n++;
    }
  }
  return n;
}

/** Peers up, routes in, decisions run: an RDE and what each peer holds. */
function routed(entries: PluginEntry[] | undefined): { rde: Rde; held: Map<string, Held> } {
  const rde = rdeWithPlugins(entries && loadHost(entries));
  rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), sink);
  rde.peerUp(spec('b', '10.0.0.2', 65001), info(2, false), sink);
  rde.peerUp(spec('i', '10.0.0.3', LOCAL_AS), info(3, true), sink);
  rde.peerUp(spec('i2', '10.0.0.4', LOCAL_AS), info(4, true), sink);
  rde.receive('a', announce(['10.1.0.0/16'], [65001, 64512], 0x0a000001, [makeMed(10)]), true, false);
  rde.receive('a', announce(['10.2.0.0/16', '10.4.0.0/16'], [65001, 64513], 0x0a000001), true, false);
  rde.receive('b', announce(['10.1.0.0/16'], [65001, 64514], 0x0a000002, [makeMed(20)]), true, false);
  rde.receive('b', announce(['10.3.0.0/16'], [65001, 64515], 0x0a000002), true, false);
  rde.receive('i', announce(['10.9.0.0/16'], [65010], 0x0a000003), true, false);
  rde.flush();
  const held = new Map(PEERS.map((p) => [p, new Map<string, string>()]));
  for (const p of PEERS) drain(rde, p, held.get(p)!);
  return { rde, held };
}

describe('plugins: replaced under a running RDE, no session reset', function () {
  let sets: Record<string, PluginEntry[] | undefined> = {};

  before(function () {
    requireTools(this, 'clang');
    const dir = workDir('swap');
    for (const n of ['odd_origin_med', 'tag_accept', 'med_highest']) compilePlugin(dir, n);
    const one = (name: string, pluglet: string, point: string, permissions: string[]): string =>
      writeManifest(dir, {
        name,
        obj_code_list: { [pluglet]: { obj: `${pluglet}.o`, permissions } },
        insertion_points: { [point]: { replace: { '0': pluglet } } },
      });
    const inbound = {
      manifest: one('odd', 'odd_origin_med', 'bgp_pre_inbound_filter', RW),
      peers: ['a'],
    };
    const outbound = {
      manifest: one('tag', 'tag_accept', 'bgp_pre_outbound_filter', RW),
      peers: ['i2'],
    };
    const decision = { manifest: one('med', 'med_highest', 'bgp_med_decision', ['read']) };
    sets = { none: undefined, inbound: [inbound], outbound: [outbound], decision: [decision] };
    sets.all = [inbound, outbound, decision];
  });

  it('the plugin sets differ from each other in what the peers hold', function () {
    const views = Object.keys(sets).map((k) => text([...routed(sets[k]).held].map(([p, h]) => [p, [...h]])));
    expect(new Set(views).size).to.equal(views.length);
  });

  for (const from of ['none', 'inbound', 'outbound', 'decision', 'all'])
    for (const to of ['none', 'inbound', 'outbound', 'decision', 'all']) {
      if (from === to) continue;
      it(`${from} -> ${to}: every peer holds what an RDE started with ${to} sends`, function () {
        const live = routed(sets[from]);
        const entries = sets[to];
        const counts = live.rde.replacePlugins(hooksOf(entries && loadHost(entries)));
        live.rde.flush();
        let resent = 0;
        for (const p of PEERS) resent += drain(live.rde, p, live.held.get(p)!);
        const fresh = routed(entries);
        for (const p of PEERS)
          expect([...live.held.get(p)!].sort(), `peer ${p}`).to.deep.equal([...fresh.held.get(p)!].sort());
        expect(resent, 'something changed, so something was sent').to.be.greaterThan(0);
        if (from === 'none' || to === 'none') {
          const other = from === 'none' ? to : from;
          expect(counts.reimported > 0, 'import re-run').to.equal(other === 'inbound' || other === 'all');
          expect(counts.redecided > 0, 'decision re-run').to.equal(other === 'decision' || other === 'all');
        }
      });
    }

  /** Drain a dry run's slices; its report. */
  function dryRun(rde: Rde, entries: PluginEntry[] | undefined): DryRunReport {
    const run = rde.dryRunPlugins(hooksOf(entries && loadHost(entries)));
    for (;;) {
      const step = run.next();
      if (step.done === true) return step.value;
    }
  }

  /** Per peer, what changed between two views: prefixes announced, withdrawn, sent with other attributes. */
  function differences(
    before: Map<string, Held>,
    after: Map<string, Held>,
  ): Record<string, PeerExportChanges> {
    const out: Record<string, PeerExportChanges> = {};
    for (const p of PEERS) {
      const [b, a] = [before.get(p)!, after.get(p)!];
      const c = { announced: 0, withdrawn: 0, modified: 0 };
      for (const [prefix, attrs] of a)
        if (!b.has(prefix)) c.announced++;
        else if (b.get(prefix) !== attrs) c.modified++;
      for (const prefix of b.keys()) if (!a.has(prefix)) c.withdrawn++;
      out[p] = c;
    }
    return out;
  }

  for (const from of ['none', 'inbound', 'outbound', 'decision', 'all'])
    for (const to of ['none', 'inbound', 'outbound', 'decision', 'all']) {
      if (from === to) continue;
      it(`dry run ${from} -> ${to}: its answer is what the swap then does, and it changes nothing`, function () {
        const live = routed(sets[from]);
        const before = new Map([...live.held].map(([p, h]) => [p, new Map(h)]));
        const bestBefore = ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16', '10.9.0.0/16'].map(
          (p) => live.rde.locRib('ipv4-unicast', keyOf(p))?.peer,
        );
        const report = dryRun(live.rde, sets[to]);
        for (const p of PEERS)
          expect(drain(live.rde, p, live.held.get(p)!), `dry run sent ${p} nothing`).to.equal(0);
        live.rde.replacePlugins(hooksOf(sets[to] && loadHost(sets[to])));
        live.rde.flush();
        for (const p of PEERS) drain(live.rde, p, live.held.get(p)!);
        expect(report.exported).to.deep.equal(differences(before, live.held));
        const bestAfter = ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16', '10.9.0.0/16'].map(
          (p) => live.rde.locRib('ipv4-unicast', keyOf(p))?.peer,
        );
        const moved = bestBefore.filter((b, i) => b !== bestAfter[i]).length;
        expect(report.bestChanged).to.be.at.least(moved);
        expect(report.destinations).to.equal(5);
        expect(report.notSimulated).to.deep.equal([]);
        expect(report.changes.length).to.equal(
          report.imported.rejected +
            report.imported.accepted +
            report.imported.modified +
            report.bestChanged +
            Object.values(report.exported).reduce((n, c) => n + c.announced + c.withdrawn + c.modified, 0),
        );
      });
    }

  it('only the differences are sent: a swap to an equal plugin set sends nothing', function () {
    const live = routed(sets.all);
    live.rde.replacePlugins(hooksOf(loadHost(sets.all!)));
    live.rde.flush();
    for (const p of PEERS) expect(drain(live.rde, p, live.held.get(p)!), `peer ${p}`).to.equal(0);
  });
});
