// Issue 11 acceptance, end to end: xbgpctl, run inside xbgpd's namespace, talks to the admin API over a
// real socket while BIRD and FRR sessions are up.
//
//   bird (BIRD, AS 65001) -- dut (xbgpd, AS 65000, admin API on 127.0.0.1) -- frr (FRR, AS 65002)
//   203.0.113.0/24,                                                             192.0.2.0/24,
//   100.64.0.0/24 (own AS prepended once)                                       100.64.0.0/24
//
// `xbgpctl rib` shows both daemons' routes with the deciding step (100.64.0.0/24: FRR's path, shorter, wins
// at as-path-length; `xbgpctl rib FAMILY PREFIX` marks it with '>' and BIRD's as lost there); `xbgpctl peer`
// shows what each peer's OPEN advertised; a soft reload gives BIRD's peer an import policy rejecting
// 203.0.113.0/24 that only `xbgpctl reset bird --soft-in` applies: FRR then loses the route, and neither
// BIRD nor FRR saw the session flap (their own CLIs: BIRD's `since`, FRR's established epoch and counts).
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot, requireTools } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import type { BirdRouter } from '../lab/bird.js';
import type { FrrRouter } from '../lab/frr.js';
import { runIn } from '../lab/exec.js';
import { Lab, openLab } from '../lab/lab.js';
import type { Link } from '../lab/netns.js';
import { waitFor } from '../lab/wait.js';
import { labWaits } from '../lab/waits.js';
import type { XbgpdRouter } from '../lab/xbgpd.js';

const dutAs = 65000;
const birdAs = 65001;
const frrAs = 65002;
const birdRoute = '203.0.113.0/24';
const frrRoute = '192.0.2.0/24';
const both = '100.64.0.0/24';
const ownRoute = '198.51.100.0/24';
const token = 'lab-admin-token';

const waits = labWaits(30_000);

describe('scenario: the admin API and xbgpctl with BIRD and FRR', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;
  let bird: BirdRouter;
  let frr: FrrRouter;
  let dut: XbgpdRouter;
  let toBird: Link;
  let toFrr: Link;

  /** xbgpctl in xbgpd's namespace, finding the API and token from its configuration file. */
  const xbgpctl = (...args: string[]): Promise<string> => {
    const built = process.env.XBGPD_LAB_BUILT === '1';
    const entry = built
      ? [join(repoRoot, 'dist/daemon/cli/xbgpctl.js')]
      : ['--import', 'tsx', join(repoRoot, 'daemon/cli/xbgpctl.ts')];
    return runIn(dut.ns, process.execPath, [...entry, '-c', dut.configFile, ...args], 30_000);
  };

  /** FRR's path for `prefix` learned from xbgpd, or undefined. */
  const frrViaDut = async (prefix: string): Promise<any> => {
    const out = await frr.vtyshJson(`show bgp ipv4 unicast ${prefix} json`);
    return ((out?.paths as any[] | undefined) ?? []).find((p) =>
      String(p?.aspath?.string).startsWith(`${dutAs}`),
    );
  };

  /** The session as each peer's own CLI tells it: BIRD's `since` column, FRR's established epoch and counts. */
  // BIRD's protocol row (name, state, info) and its "since" time in ms of the day: BIRD prints that time
  // converted from its monotonic clock at each query, so two queries of one session may differ by a
  // millisecond (seen in CI: 09:30:06.379 then .380); a reset moves it by the reconnection, seconds.
  const peerSessions = async (): Promise<{
    bird: string;
    birdSinceMs: number;
    frr: unknown[];
    frrUpMs: number;
  }> => {
    const protocols = await bird.cli(`show protocols ${bird.protocolOf(toBird.a.ipv4)}`);
    const row = String(protocols.split('\n').find((l) => l.startsWith(bird.protocolOf(toBird.a.ipv4))));
    const since = /(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?/.exec(row);
    expect(since, `a since time in BIRD's row: ${row}`).to.not.equal(null);
    const [, h, m, sec, ms] = since!;
    const n = (await frr.vtyshJson(`show bgp neighbors ${toFrr.a.ipv4} json`))[toFrr.a.ipv4];
    return {
      bird: row.replace(since![0], 'SINCE').replace(/\s+/g, ' '),
      birdSinceMs:
        ((Number(h) * 60 + Number(m)) * 60 + Number(sec)) * 1000 + Number((ms ?? '0').padEnd(3, '0')),
      frr: [n.bgpState, n.connectionsEstablished, n.connectionsDropped],
      frrUpMs: Number(n.bgpTimerUpMsec),
    };
  };
  /** BIRD's session is the one `before` saw: same row, since within the display's millisecond jitter. */
  const sameBirdSession = (
    after: { bird: string; birdSinceMs: number },
    before: { bird: string; birdSinceMs: number },
    what: string,
  ): void => {
    expect(after.bird, what).to.equal(before.bird);
    expect(Math.abs(after.birdSinceMs - before.birdSinceMs), `${what}: since moved`).to.be.at.most(5);
  };

  before(async function () {
    lab = openLab(this);
    toBird = await lab.link('dut', 'bird');
    toFrr = await lab.link('dut', 'frr');
    dut = await lab.xbgpd('dut', {
      routerId: '10.255.0.9',
      asn: dutAs,
      listen: [{ address: toBird.a.ipv4 }, { address: toFrr.a.ipv4 }],
      admin: { address: '127.0.0.1', port: 8179, token },
      peers: [
        { name: 'bird', address: toBird.b.ipv4, asn: birdAs, families: ['ipv4-unicast'] },
        { name: 'frr', address: toFrr.b.ipv4, asn: frrAs, families: ['ipv4-unicast'] },
      ],
      originate: [{ prefix: ownRoute }],
    });
    frr = await lab.frr('frr', {
      routerId: '10.255.0.2',
      asn: frrAs,
      routes: [frrRoute, both],
      neighbors: [{ address: toFrr.a.ipv4, localAddress: toFrr.b.ipv4, asn: dutAs }],
    });
    bird = await lab.bird('bird', {
      routerId: '10.255.0.1',
      asn: birdAs,
      routes: [birdRoute, both],
      routeAttributes: { prepend: 1 },
      neighbors: [{ address: toBird.a.ipv4, localAddress: toBird.b.ipv4, asn: dutAs }],
    });
    await waits.established(bird, toBird.a.ipv4);
    await waits.established(frr, toFrr.a.ipv4);
    await waitFor('FRR: 203.0.113.0/24 via xbgpd', () => frrViaDut(birdRoute), { timeoutMs: 30_000 });
  });

  after(async function () {
    await lab?.teardown();
  });

  it("xbgpctl rib shows BIRD's and FRR's routes with the step that chose each", async function () {
    const rib = await waitFor('both peers in the Loc-RIB', async () => {
      const out = await xbgpctl('rib', 'ipv4-unicast');
      return out.includes(birdRoute) && out.includes(frrRoute) && out.includes(both) ? out : undefined;
    });
    const lines = rib.split('\n');
    // BIRD's static routes leave with the origin BIRD gives them; the table ends the path with its mark.
    const birdOrigin = /^203\.0\.113\.0\/24\s.*\s65001 65001 ([ie?])\s/m.exec(rib)?.[1] ?? 'none';
    expect(lines[0]).to.match(/^Prefix\s+From\s+Next hop\s+AS path\s+Step/);
    const row = (prefix: string) => lines.find((l) => l.startsWith(`${prefix} `))!.split(/\s{2,}/);
    expect(row(birdRoute).slice(0, 5)).to.deep.equal([
      birdRoute,
      'bird',
      toBird.b.ipv4,
      `${birdAs} ${birdAs} ${birdOrigin}`,
      'only-path',
    ]);
    expect(row(frrRoute).slice(0, 5)).to.deep.equal([
      frrRoute,
      'frr',
      toFrr.b.ipv4,
      `${frrAs} i`,
      'only-path',
    ]);
    expect(row(both).slice(0, 5)).to.deep.equal([both, 'frr', toFrr.b.ipv4, `${frrAs} i`, 'as-path-length']);
    const candidates = (await xbgpctl('rib', 'ipv4-unicast', both)).split('\n');
    expect(candidates[0]).to.equal(`${both}  (ipv4-unicast)`);
    const best = candidates.find((l) => l.trimStart().startsWith('>'))!;
    expect(best)
      .to.match(/^\s+>\s+frr\s/)
      .and.match(/\sbest: as-path-length(\s|$)/);
    const lost = candidates.find((l) => /^\s+bird\s/.test(l))!;
    expect(lost).to.match(/\slost at as-path-length(\s|$)/);
    const json = JSON.parse(await xbgpctl('--json', 'rib', 'ipv4-unicast', '--peer', 'bird'));
    expect(json.entries.map((e: any) => e.prefix)).to.deep.equal([birdRoute]);
  });

  it("xbgpctl peer shows each peer's state and the capabilities its OPEN advertised", async function () {
    const atFrr = await xbgpctl('peer', 'frr');
    expect(atFrr).to.match(new RegExp(`^frr  ${toFrr.b.ipv4.replace(/\./g, '\\.')}  AS${frrAs}`));
    expect(atFrr).to.match(/State:\s+Established since/);
    const advertisedByFrr = /Peer advertised: (.*)$/m.exec(atFrr)![1]!.split(' ');
    expect(advertisedByFrr).to.include.members([
      'mp:ipv4-unicast',
      'route-refresh',
      'enhanced-route-refresh',
      'four-octet-as',
    ]);
    const atBird = await xbgpctl('peer', 'bird');
    const advertisedByBird = /Peer advertised: (.*)$/m.exec(atBird)![1]!.split(' ');
    expect(advertisedByBird).to.include.members(['mp:ipv4-unicast', 'route-refresh', 'four-octet-as']);
    // What BIRD itself says it received from xbgpd matches what xbgpd says it negotiated.
    expect((await bird.neighbor(toBird.a.ipv4)).capabilities).to.include('four-octet-as');
    expect(atBird).to.match(/Negotiated:\s+four-octet-as route-refresh/);
    const peers = (await xbgpctl('peers')).split('\n');
    expect(peers.filter((l) => /\sEstablished\s/.test(l))).to.have.length(2);
  });

  it('a soft reset in applies a changed import policy without a session flap (uptime at BIRD and FRR unchanged)', async function () {
    const before = await peerSessions();
    expect(before.frr[0]).to.equal('Established');
    // The new policy goes in with a soft reload: kept until the soft reset.
    const config = parse(readFileSync(dut.configFile, 'utf8')) as { peers: Record<string, unknown>[] };
    config.peers[0]!.import = [{ match: { prefix: birdRoute }, action: 'reject' }, { action: 'accept' }];
    writeFileSync(dut.configFile, stringify(config));
    expect(await xbgpctl('reload', '--soft')).to.equal('reloaded: policy changed (no reset): bird\n');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await frrViaDut(birdRoute), 'a soft reload applies nothing yet').to.not.equal(undefined);
    expect(await xbgpctl('reset', 'bird', '--soft-in')).to.equal(
      'bird: soft-in reset: 1 path(s) changed by import\n',
    );
    await waitFor(
      'FRR loses 203.0.113.0/24',
      async () => ((await frrViaDut(birdRoute)) === undefined ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    const pre = await xbgpctl('adj-rib-in', 'bird', 'ipv4-unicast', '--pre');
    expect(pre).to.match(new RegExp(`^${birdRoute.replace(/\./g, '\\.')}\\s.*\\spolicy$`, 'm'));
    expect(await xbgpctl('rib', 'ipv4-unicast')).to.not.include(birdRoute);
    const after = await peerSessions();
    sameBirdSession(after, before, "BIRD's session: same state, same since");
    expect(after.frr, "FRR's session: established once, never dropped").to.deep.equal(before.frr);
    expect(after.frrUpMs, "FRR's uptime went on").to.be.greaterThan(before.frrUpMs);
    expect(dut.logEntries().filter((e) => e.msg === 'session down')).to.deep.equal([]);
  });

  it('a plugin loaded over REST changes the routes FRR gets; unloaded, they change back; no session reset', async function () {
    requireTools(this, 'clang');
    const manifest = shippedPlugin('community_tagger');
    const conf = join(lab!.dir, 'tagger-conf.json');
    writeFileSync(conf, JSON.stringify({ conf: { community: { type_arg: 'str', arg: '65000:777' } } }));
    const communityAtFrr = async (): Promise<string | undefined> =>
      (await frrViaDut(ownRoute))?.community?.string as string | undefined;
    await waitFor('FRR: our route', () => frrViaDut(ownRoute), { timeoutMs: 30_000 });
    expect(await communityAtFrr()).to.equal(undefined);
    const before = await peerSessions();

    const dry = JSON.parse(
      await xbgpctl('--json', 'plugin', 'load', manifest, '--peers', 'frr', '--conf', conf, '--dry-run'),
    );
    expect(dry.exported.frr.modified, 'the dry run: our route modified towards FRR').to.be.at.least(1);
    expect(dry.exported.bird).to.deep.equal({ announced: 0, withdrawn: 0, modified: 0 });
    const loaded = await xbgpctl('plugin', 'load', manifest, '--peers', 'frr', '--conf', conf);
    expect(loaded).to.match(/^community_tagger: loaded .*no session reset\)$/m);
    await waitFor('FRR: the community on our route', async () =>
      (await communityAtFrr()) === '65000:777' ? true : undefined,
    );
    const list = await xbgpctl('plugin', 'list');
    expect(list).to.match(/^community_tagger\s+yes\s+frr\s+1\s+\d+\s+0\s+api$/m);
    const atBird = await bird.cli(`show route ${ownRoute} all`);
    expect(atBird, 'BIRD gets our route untagged').to.not.match(/65000,\s*777/);

    expect(await xbgpctl('plugin', 'unload', 'community_tagger')).to.match(/^community_tagger: unloaded/);
    await waitFor('FRR: the community gone', async () =>
      (await communityAtFrr()) === undefined ? true : undefined,
    );
    expect(await xbgpctl('plugin', 'list')).to.not.include('community_tagger');
    const after = await peerSessions();
    sameBirdSession(after, before, "BIRD's session: same since");
    expect(after.frr, "FRR's session: never dropped").to.deep.equal(before.frr);
    expect(after.frrUpMs).to.be.greaterThan(before.frrUpMs);
    expect(dut.logEntries().filter((e) => e.msg === 'session down')).to.deep.equal([]);
  });
});
