// The plugins shipped in plugins/, each loaded from its own manifest through the daemon's configuration
// path (a YAML `plugins:` entry read by parseConfig, loaded by loadConfiguredPlugins as the speaker and
// --check-config do, wired by attachPlugins into an RDE and a job runner on a fake clock), asserting what
// each plugin's README promises: med_origin_filter sets MED and rejects listed origin ASes on the peers it
// is attached to; community_tagger adds its community towards its peers only, keeping the others and
// never twice; prefer_neighbor_as makes the configured neighbour AS win at the LOCAL_PREF step;
// decision_stats counts which step decided and logs the counts; heartbeat logs on its schedule and
// switches to its configured period. The objects are built first when missing or stale.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prefixKey } from '../../daemon/rde/rib.js';
import {
  buildNlri,
  makeAsPath,
  makeCommunities,
  makeLargeCommunities,
  makeMed,
  makeNextHop,
  makeOrigin,
  getAttribute,
  prefixList,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import { requireTools } from '../helpers/env.js';
import { pluginsDir, shippedPlugin, shippedPlugins } from '../helpers/shipped-plugins.js';
import { announce, onTheWire } from '../rde/peers.js';
import { LOCAL_AS, communities, daemonWith, pluginLines, sentTo, type Daemon } from './shipped-daemon.js';

describe('plugins shipped in plugins/', function () {
  before(function () {
    requireTools(this, 'clang');
  });

  it('every plugin folder has a manifest that loads through the configuration, and a line in plugins/README.md', function () {
    const readme = readFileSync(join(pluginsDir, 'README.md'), 'utf8');
    const names = shippedPlugins();
    expect(names).to.include.members([
      'med_origin_filter',
      'community_tagger',
      'prefer_neighbor_as',
      'decision_stats',
      'heartbeat',
    ]);
    for (const name of names) {
      const manifest = shippedPlugin(name);
      const d = daemonWith([['a', 65001]], `  - { manifest: ${manifest} }`);
      expect(d.host!.plugins.map((p) => p.plugin.name)).to.deep.equal([name]);
      expect(readme, `plugins/README.md names ${name}`).to.match(
        new RegExp(`\\[\`${name}\`\\]\\(${name}/\\)`),
      );
    }
  });

  describe('med_origin_filter', function () {
    const entry = (): string => `  - manifest: ${shippedPlugin('med_origin_filter')}
    peers: [a]
    conf:
      med: { type_arg: int, arg: 77 }
      blocked_origins: { type_arg: list, arg: [{ type_arg: int, arg: 64512 }, { type_arg: int, arg: 64999 }] }`;

    it('rejects routes whose origin AS is listed and sets MED on the others, on the peers it is attached to', function () {
      const d = daemonWith(
        [
          ['a', 65001],
          ['b', 65002],
          ['i', LOCAL_AS],
        ],
        entry(),
      );
      const asSetLast: UpdateMessage = {
        type: 'update',
        withdrawn: buildNlri(1, 1, []),
        attributes: [
          makeOrigin(0),
          makeAsPath(
            [
              { type: 2, asns: [65001] },
              { type: 1, asns: [64512] },
            ],
            true,
          ),
          makeNextHop(0x0a000001),
        ],
        nlri: buildNlri(1, 1, ['10.5.0.0/16']),
      };
      d.rde.receive('a', announce(['10.1.0.0/16'], [65001, 64512], 0x0a000001), true, false);
      d.rde.receive('a', announce(['10.2.0.0/16'], [65001, 64999, 64513], 0x0a000001), true, false);
      d.rde.receive(
        'a',
        announce(['10.3.0.0/16'], [65001, 64513, 64999], 0x0a000001, [makeMed(5)]),
        true,
        false,
      );
      d.rde.receive('a', asSetLast, true, false);
      d.rde.receive('b', announce(['10.4.0.0/16'], [65002, 64512], 0x0a000002), true, false);
      d.rde.flush();
      const seen = sentTo(d.rde, 'i');
      expect(seen.has('10.1.0.0/16'), 'origin 64512 from a').to.equal(false);
      expect(seen.has('10.3.0.0/16'), 'origin 64999 from a').to.equal(false);
      expect(seen.get('10.2.0.0/16'), '64999 not the origin').to.deep.include({ med: 77 });
      expect(seen.get('10.5.0.0/16'), 'a path ending with an AS_SET has no origin AS').to.deep.include({
        med: 77,
      });
      expect(seen.get('10.4.0.0/16'), 'from b: no plugin').to.deep.equal({
        communities: '',
        asPath: '65002 64512',
      });
      const adj = d.rde.adjRibIn('a')['ipv4-unicast'] ?? [];
      expect(adj.filter((r) => r.rejected === 'plugin').map((r) => r.prefix)).to.have.members([
        '10.1.0.0/16',
        '10.3.0.0/16',
      ]);
      const stats = d.host!.pluglets()[0]!.stats;
      expect([stats.faults, stats.returns.get(256n), stats.returns.get(258n)]).to.deep.equal([0, 2, 2]);
    });

    it('without "med" it only filters; the routes keep their MED', function () {
      const d = daemonWith(
        [
          ['a', 65001],
          ['i', LOCAL_AS],
        ],
        `  - manifest: ${shippedPlugin('med_origin_filter')}
    conf: { blocked_origins: { type_arg: list, arg: [{ type_arg: int, arg: 7 }] } }`,
      );
      d.rde.receive('a', announce(['10.1.0.0/16'], [65001, 7], 0x0a000001), true, false);
      d.rde.receive('a', announce(['10.2.0.0/16'], [65001, 8], 0x0a000001, [makeMed(5)]), true, false);
      d.rde.flush();
      const seen = sentTo(d.rde, 'i');
      expect([...seen.keys()]).to.deep.equal(['10.2.0.0/16']);
      expect(seen.get('10.2.0.0/16')).to.deep.include({ med: 5 });
    });
  });

  describe('community_tagger', function () {
    const withCommunity = (community: string): Daemon =>
      daemonWith(
        [
          ['src', 65010],
          ['tagged', 65020],
          ['plain', 65030],
        ],
        `  - manifest: ${shippedPlugin('community_tagger')}
    peers: [tagged]
    conf: { community: { type_arg: str, arg: "${community}" } }`,
      );

    it('adds its community to routes sent to its peers, keeping theirs and never twice; other peers get the routes untouched', function () {
      const d = withCommunity('65000:777');
      const src = (prefix: string, tags: string[]): UpdateMessage =>
        announce([prefix], [65010], 0x0a000001, tags.length ? [makeCommunities(communities(...tags))] : []);
      d.rde.receive('src', src('10.1.0.0/16', []), true, false);
      d.rde.receive('src', src('10.2.0.0/16', ['65010:1', '65010:2']), true, false);
      d.rde.receive('src', src('10.3.0.0/16', ['65000:777', '65010:3']), true, false);
      d.rde.flush();
      const tagged = sentTo(d.rde, 'tagged');
      expect(tagged.get('10.1.0.0/16')?.communities).to.equal('65000:777');
      expect(tagged.get('10.2.0.0/16')?.communities).to.equal('65010:1 65010:2 65000:777');
      expect(tagged.get('10.3.0.0/16')?.communities).to.equal('65000:777 65010:3');
      expect(tagged.get('10.1.0.0/16')?.asPath, 'the native rewriting still runs').to.equal('65000 65010');
      const plain = sentTo(d.rde, 'plain');
      expect([...plain].map(([p, s]) => [p, s.communities])).to.have.deep.members([
        ['10.1.0.0/16', ''],
        ['10.2.0.0/16', '65010:1 65010:2'],
        ['10.3.0.0/16', '65000:777 65010:3'],
      ]);
      expect(d.host!.pluglets()[0]!.stats.faults).to.equal(0);
    });

    it('a community that is not ASN:VALUE is logged once and the routes go out untagged', function () {
      const d = withCommunity('65000:70000');
      d.rde.receive('src', announce(['10.1.0.0/16', '10.2.0.0/16'], [65010], 0x0a000001), true, false);
      d.rde.receive('src', announce(['10.3.0.0/16'], [65010, 1], 0x0a000001), true, false);
      d.rde.flush();
      const tagged = sentTo(d.rde, 'tagged');
      expect([...tagged.values()].map((s) => s.communities)).to.deep.equal(['', '', '']);
      const lines = pluginLines(d, 'community_tagger');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.deep.include({ level: 40, point: 'bgp_pre_outbound_filter' });
      expect(lines[0]!.msg).to.match(/^community_tagger: conf needs community/);
    });
  });

  describe('prefer_neighbor_as and decision_stats', function () {
    const p = (b: number): ReturnType<typeof prefixKey> => prefixKey(1, 16, Uint8Array.of(10, b), 0);
    const preferEntry = (asn: number): string => `  - manifest: ${shippedPlugin('prefer_neighbor_as')}
    conf: { preferred_as: { type_arg: int, arg: ${asn} } }`;
    const statsEntry = (): string => `  - manifest: ${shippedPlugin('decision_stats')}
    conf: { log_interval: { type_arg: int, arg: 30 } }`;
    const peers: [string, number][] = [
      ['a', 65001],
      ['b', 65002],
      ['c', 65003],
    ];

    /** P1 from a and b (same length: a wins natively by router id), P2 from a and c. */
    function feed(d: Daemon): void {
      d.rde.receive('a', announce(['10.1.0.0/16', '10.2.0.0/16'], [65001, 7], 0x0a000001), true, false);
      d.rde.receive('b', announce(['10.1.0.0/16'], [65002, 7], 0x0a000002), true, false);
      d.rde.receive('c', announce(['10.2.0.0/16'], [65003, 7], 0x0a000003), true, false);
      d.rde.flush();
    }

    it('without plugins the lower router id wins both', function () {
      const d = daemonWith(peers, '  []');
      feed(d);
      expect(d.rde.locRib('ipv4-unicast', p(1))).to.deep.include({ peer: 'a', reason: 'router-id' });
      expect(d.rde.locRib('ipv4-unicast', p(2))).to.deep.include({ peer: 'a', reason: 'router-id' });
    });

    it("prefer_neighbor_as: the configured neighbour AS's route wins at the LOCAL_PREF step; otherwise the native steps decide", function () {
      const d = daemonWith(peers, preferEntry(65002));
      feed(d);
      expect(d.rde.locRib('ipv4-unicast', p(1))).to.deep.include({ peer: 'b', reason: 'local-pref' });
      expect(d.rde.locRib('ipv4-unicast', p(2))).to.deep.include({ peer: 'a', reason: 'router-id' });
      expect(sentTo(d.rde, 'a').get('10.1.0.0/16')?.asPath, "a is sent b's route").to.equal('65000 65002 7');
      const stats = d.host!.pluglets()[0]!.stats;
      expect(stats.faults).to.equal(0);
      expect(stats.returns.get(258n), 'OLD (b first, a second)').to.equal(undefined);
      expect(stats.returns.get(257n), 'NEW: b arrived after a').to.be.greaterThan(0);
      expect(stats.returns.get(259n), 'UNKNOWN for P2').to.be.greaterThan(0);
    });

    it('decision_stats counts, in shared memory, the step that decided each comparison, and logs the counts', function () {
      const d = daemonWith(peers, `${preferEntry(65002)}\n${statsEntry()}`);
      feed(d); // P1: local-pref (the plugin), P2: router-id
      const stats = d.host!.plugins.find((x) => x.plugin.name === 'decision_stats')!.plugin.memory;
      const counts = (): number[] => {
        const at = stats.shmGet(1);
        const view = new DataView(stats.shared.buffer, stats.shared.byteOffset + at, 16 * 8);
        return Array.from({ length: 11 }, (_, i) => Number(view.getBigUint64(i * 8, true)));
      };
      // By insertion point id: 3 local-pref, 4 as-path, 9 router-id.
      expect(counts()).to.deep.equal([0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
      const logged = (): string[] => pluginLines(d, 'decision_stats').map((l) => l.msg);
      expect(logged(), 'the first decision is logged, the next ones wait for log_interval').to.deep.equal([
        'decision steps: nexthop 0, local-pref 1, as-path 0, origin 0, med 0, ebgp-over-ibgp 0, igp-cost 0, router-id 0, peer-address 0',
      ]);
      d.clock.advance(30_000);
      d.rde.receive('c', announce(['10.3.0.0/16'], [65003, 7], 0x0a000003), true, false);
      d.rde.receive('b', announce(['10.3.0.0/16'], [65002, 8, 7], 0x0a000002), true, false);
      d.rde.flush(); // P3: b preferred over c's shorter path
      expect(counts()[3]).to.equal(2);
      expect(logged()).to.have.length(2);
      expect(logged()[1]).to.equal(
        'decision steps: nexthop 0, local-pref 2, as-path 0, origin 0, med 0, ebgp-over-ibgp 0, igp-cost 0, router-id 1, peer-address 0',
      );
      for (const pl of d.host!.pluglets()) expect(pl.stats.faults, pl.name).to.equal(0);
    });
  });

  describe('decision_stats: the counts as large communities', function () {
    const entry = (conf: string): string => `  - manifest: ${shippedPlugin('decision_stats')}
    peers: [col]
    conf: { log_interval: { type_arg: int, arg: 0 }${conf} }`;
    const peers: [string, number][] = [
      ['a', 65001],
      ['b', 65002],
      ['col', 65099],
    ];
    /** The large communities `peer` is sent, per prefix, as "G:L1:L2" strings. */
    const largeTo = (d: Daemon, peer: string): Record<string, string[]> => {
      const out: Record<string, string[]> = {};
      for (const u of d.rde.pull(peer)) {
        const m = onTheWire(u);
        const v = getAttribute(m.attributes, 'large-communities')?.values ?? new Uint32Array(0);
        const text = Array.from(
          { length: v.length / 3 },
          (_, i) => `${v[3 * i]}:${v[3 * i + 1]}:${v[3 * i + 2]}`,
        );
        for (const x of prefixList(m.nlri)) out[x.prefix] = text;
      }
      return out;
    };
    const feed = (d: Daemon): void => {
      // 10.1/16 from a and b: the router id decides (point 9), once. 10.2/16 from a (with a large
      // community of another AS and an old count of ours) and b with a longer path: AS_PATH (point 4).
      d.rde.receive('a', announce(['10.1.0.0/16'], [65001, 7], 0x0a000001), true, false);
      d.rde.receive('b', announce(['10.1.0.0/16'], [65002, 7], 0x0a000002), true, false);
      const theirs = makeLargeCommunities([65001, 1, 2, 65000, 9, 77]);
      d.rde.receive('a', announce(['10.2.0.0/16'], [65001, 7], 0x0a000001, [theirs]), true, false);
      d.rde.receive('b', announce(['10.2.0.0/16'], [65002, 8, 7], 0x0a000002), true, false);
      d.rde.flush();
    };

    it("with export_communities, routes to the entry's peers carry GLOBAL:POINT:COUNT per step that decided", function () {
      const d = daemonWith(peers, entry(', export_communities: { type_arg: int, arg: 65000 }'));
      feed(d);
      expect(largeTo(d, 'col')).to.deep.equal({
        '10.1.0.0/16': ['65000:9:1'], // the counts when it was exported: before 10.2/16 was decided
        '10.2.0.0/16': ['65001:1:2', '65000:4:1', '65000:9:1'],
      });
      expect(largeTo(d, 'b'), 'not attached to b').to.deep.equal({
        '10.1.0.0/16': [],
        '10.2.0.0/16': ['65001:1:2', '65000:9:77'],
      });
      for (const pl of d.host!.pluglets()) expect(pl.stats.faults, pl.name).to.equal(0);
    });

    it('without export_communities routes go out untouched', function () {
      const d = daemonWith(peers, entry(''));
      feed(d);
      expect(largeTo(d, 'col')).to.deep.equal({
        '10.1.0.0/16': [],
        '10.2.0.0/16': ['65001:1:2', '65000:9:77'],
      });
    });
  });

  describe('heartbeat', function () {
    it('logs on its schedule, keeping its state from run to run', function () {
      const d = daemonWith([['a', 65001]], `  - manifest: ${shippedPlugin('heartbeat')}`);
      d.jobs!.start();
      d.clock.advance(59_999);
      expect(pluginLines(d, 'heartbeat')).to.deep.equal([]);
      d.clock.advance(1);
      d.clock.advance(120_000);
      expect(pluginLines(d, 'heartbeat').map((l) => [l.level, l.msg])).to.deep.equal([
        [30, 'heartbeat: run 1, 0 s since the first'],
        [30, 'heartbeat: run 2, 60 s since the first'],
        [30, 'heartbeat: run 3, 120 s since the first'],
      ]);
      d.jobs!.stop();
    });

    it('with "period" the first run switches the job to that period', function () {
      const d = daemonWith(
        [['a', 65001]],
        `  - manifest: ${shippedPlugin('heartbeat')}
    conf: { period: { type_arg: int, arg: 5 } }`,
      );
      d.jobs!.start();
      d.clock.advance(70_000);
      expect(pluginLines(d, 'heartbeat').map((l) => l.msg)).to.deep.equal([
        'heartbeat: run 1, 0 s since the first',
        'heartbeat: run 2, 5 s since the first',
        'heartbeat: run 3, 10 s since the first',
      ]);
      d.jobs!.stop();
      d.clock.advance(60_000);
      expect(pluginLines(d, 'heartbeat')).to.have.length(3);
    });
  });
});
