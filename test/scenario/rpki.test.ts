// Issue 14 acceptance, RPKI origin validation with a live feed. One stayrtr (Debian's) serves VRPs
// generated deterministically from the RouteViews full table (bench/lib/rpki.ts: valid, invalid by origin,
// invalid by length, not found). BIRD 2 (`protocol rpki`, roa_check in the feeder's import filter) and
// xbgpd (`rpki:` and plugins/rpki_origin) both receive the whole table from a feeder and tag each route with
// the community of its state; a collector session on each reads them back. Checked:
// - the state of every prefix is the same in both (the counts of each state are printed for both);
// - a new VRP file (stayrtr re-reads it and notifies) re-validates the covered routes in xbgpd without a
//   session reset, and BIRD (rpki reload from its import table) reaches the same states again;
// - on the first 20,000 routes, with a second stayrtr speaking only RFC 6810 (version 0): xbgpd falls back
//   and gives the states of the full run; when that stayrtr goes away xbgpd keeps them until its Expire
//   Interval (12 s here, `keep-timers`), then drops the VRPs and every route becomes not-found (RFC 8210 6).
// Everything on loopback (DUT 127.0.0.1, feeder 127.0.14.1, collector 127.0.14.2, custom ports).
import { expect } from 'chai';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { requireTools, sharedPath } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { Feeder } from '../../bench/lib/feeder.js';
import { loadOnePathPerPrefix, type TableRoute } from '../../bench/lib/table.js';
import { encodeAnnouncements } from '../../bench/lib/updates.js';
import { startBird, startXbgpd, type Dut, type DutOptions } from '../../bench/lib/dut.js';
import {
  birdRpkiConfig,
  makeVrps,
  startStayrtr,
  StateCollector,
  writeVrpFile,
  xbgpdRpkiLines,
  type Cache,
} from '../../bench/lib/rpki.js';
import { waitFor } from '../lab/wait.js';

const DUT_ASN = 4200000000;
const FEEDER = { address: '127.0.14.1', asn: 4200000001, routerId: '10.0.14.1' };
const COLLECTOR = { address: '127.0.14.2', asn: 4200000002, routerId: '10.0.14.2' };

function dutOptions(port: number): DutOptions {
  return {
    routerId: '10.0.0.1',
    asn: DUT_ASN,
    address: '127.0.0.1',
    port,
    neighbors: [
      { name: 'feeder', address: FEEDER.address, asn: FEEDER.asn, exportTo: false },
      { name: 'collector', address: COLLECTOR.address, asn: COLLECTOR.asn },
    ],
  };
}

/** A feeder and a collector on a DUT at `port`; the table sent; resolves when the collector settled. */
async function run(port: number, routes: readonly TableRoute[], prefixes: number) {
  const collector = new StateCollector({
    host: '127.0.0.1',
    port,
    localAddress: COLLECTOR.address,
    ...COLLECTOR,
  });
  await collector.establish();
  const feeder = new Feeder({ host: '127.0.0.1', port, localAddress: FEEDER.address, ...FEEDER });
  await feeder.establish();
  await feeder.send(encodeAnnouncements(routes, { asn: FEEDER.asn, nextHop: FEEDER.address }));
  await collector.settled(prefixes);
  return { collector, feeder };
}

/** Prefixes whose state differs between two collectors (at most `limit` listed). */
function differences(a: StateCollector, b: StateCollector, limit = 10): { count: number; first: string[] } {
  const first: string[] = [];
  let count = 0;
  for (const [p, s] of a.states) {
    const t = b.states.get(p);
    if (t === s) continue;
    count++;
    if (first.length < limit) first.push(`${p}: ${s} / ${t ?? 'absent'}`);
  }
  return { count: count + [...b.states.keys()].filter((p) => !a.states.has(p)).length, first };
}

describe('scenario: RPKI origin validation against BIRD on the full table (stayrtr)', function () {
  this.timeout(400_000);
  let dir = '';
  let routes: TableRoute[] = [];
  let prefixes = 0;
  let cache: Cache | undefined;
  const duts: Dut[] = [];
  const sessions: { collector: StateCollector; feeder: Feeder }[] = [];
  let bird: StateCollector;
  let xbgpd: StateCollector;
  let vrpCount = 0;
  let cachePort = 0;
  let base = 0;
  /** xbgpd's states before the VRP update. */
  let first = new Map<string, string>();

  const birdc = (dut: Dut, cmd: string): string =>
    execFileSync('birdc', ['-s', join(dut.dir, 'bird.ctl'), cmd], { encoding: 'utf8' });

  before(async function () {
    requireTools(this, 'bird', 'birdc', 'stayrtr', 'clang');
    const file = sharedPath(
      this,
      'data',
      'caida-libbgpstream',
      'routeviews.route-views.jinx.ribs.1401487200.bz2',
    );
    routes = (await loadOnePathPerPrefix(file)).routes;
    prefixes = new Set(routes.map((r) => Buffer.from(r.nlri).toString('hex'))).size;
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-rpki-'));
    const vrps = makeVrps(routes);
    vrpCount = vrps.length;
    writeVrpFile(join(dir, 'vrps.json'), vrps);
    base = 19000 + (process.pid % 100) * 6;
    cachePort = base + 2;
    cache = await startStayrtr(join(dir, 'vrps.json'), cachePort);

    // BIRD first: its routes are validated as they arrive, so the ROA table must be complete first.
    const b = await startBird(dutOptions(base), birdRpkiConfig(dutOptions(base), cachePort));
    duts.push(b);
    await waitFor(
      `BIRD's ROA table to hold ${vrpCount} VRPs`,
      () => {
        const m = /(\d+) of \d+ routes/.exec(birdc(b, 'show route table r4 count'));
        return Number(m?.[1] ?? 0) >= vrpCount ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    sessions.push(await run(base, routes, prefixes));
    bird = sessions[0]!.collector;

    // xbgpd: routes arriving before the VRPs are re-validated when they come, so no wait is needed.
    const x = await startXbgpd(dutOptions(base + 1), {
      fromSource: process.env.XBGPD_LAB_BUILT !== '1',
      extraConfig: xbgpdRpkiLines(shippedPlugin('rpki_origin'), 'feeder', cachePort),
    });
    duts.push(x);
    sessions.push(await run(base + 1, routes, prefixes));
    xbgpd = sessions[1]!.collector;
    first = new Map(xbgpd.states);
  });

  after(async function () {
    for (const s of sessions) {
      s.feeder.close();
      s.collector.close();
    }
    for (const d of duts) await d.stop();
    await cache?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives every prefix of the full table the same validity as BIRD', function () {
    console.log(`      ${prefixes} prefixes, ${vrpCount} VRPs`);
    console.log(`      BIRD:  ${JSON.stringify(bird.counts())}`);
    console.log(`      xbgpd: ${JSON.stringify(xbgpd.counts())}`);
    expect(bird.states.size).to.equal(prefixes);
    expect(xbgpd.states.size).to.equal(prefixes);
    const counts = xbgpd.counts();
    for (const s of ['valid', 'invalid', 'not-found']) expect(counts[s] ?? 0, s).to.be.greaterThan(10_000);
    const d = differences(bird, xbgpd);
    expect(d.first, `${d.count} prefixes differ (BIRD / xbgpd)`).to.deep.equal([]);
  });

  it('re-validates the covered routes when stayrtr serves new VRPs, without a session reset', async function () {
    const before = new Map(xbgpd.states);
    const updatesBefore = xbgpd.updates;
    const birdUpdatesBefore = bird.updates;
    writeVrpFile(join(dir, 'vrps.json'), makeVrps(routes, 1));
    // stayrtr re-reads the file within a second and sends Serial Notify; both DUTs re-validate.
    await waitFor('xbgpd to re-validate', () => (xbgpd.updates > updatesBefore ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    await xbgpd.settled(prefixes);
    // BIRD re-validates on its own schedule (its RTR refresh, then the reload of the import table): on a
    // loaded machine that can come well after xbgpd's, so wait for it to start sending too.
    await waitFor('BIRD to re-validate', () => (bird.updates > birdUpdatesBefore ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    await bird.settled(prefixes, 5000);
    let changed = 0;
    for (const [p, s] of xbgpd.states) if (before.get(p) !== s) changed++;
    console.log(`      ${changed} prefixes changed state; xbgpd: ${JSON.stringify(xbgpd.counts())}`);
    expect(changed).to.be.greaterThan(1000);
    expect(changed, 'only the covered routes move').to.be.lessThan(prefixes / 10);
    expect(xbgpd.withdrawn, 'no route withdrawn').to.equal(0);
    for (const s of sessions) expect(s.feeder.peer.closeReason, 'feeder session').to.equal(undefined);
    const d = differences(bird, xbgpd);
    expect(d.first, `${d.count} prefixes differ from BIRD after the update`).to.deep.equal([]);
  });

  describe('on 20,000 routes, with a cache speaking RFC 6810 only', function () {
    const N = 20_000;
    let small: StateCollector;
    let cache0: Cache | undefined;

    before(async function () {
      // The first VRP file (the one of the full run's first states), served in version 0 only.
      writeVrpFile(join(dir, 'vrps0.json'), makeVrps(routes));
      cache0 = await startStayrtr(join(dir, 'vrps0.json'), base + 3, 0);
      const rpki = ', refresh: 5, retry: 2, expire: 12, keep-timers: true';
      const x = await startXbgpd(dutOptions(base + 4), {
        fromSource: process.env.XBGPD_LAB_BUILT !== '1',
        extraConfig: xbgpdRpkiLines(shippedPlugin('rpki_origin'), 'feeder', base + 3, rpki),
      });
      duts.push(x);
      const subset = routes.slice(0, N);
      sessions.push(
        await run(base + 4, subset, new Set(subset.map((r) => Buffer.from(r.nlri).toString('hex'))).size),
      );
      small = sessions[2]!.collector;
    });

    after(async function () {
      await cache0?.stop();
    });

    it('falls back to version 0 and gives each route the state of the full run', function () {
      // Without the fallback no VRP would arrive: every route would be not-found.
      expect(small.counts()['valid'] ?? 0).to.be.greaterThan(1000);
      const differ = [...small.states].filter(([p, s]) => first.get(p) !== s);
      expect(small.states.size).to.be.greaterThan(N * 0.9);
      expect(differ.slice(0, 10)).to.deep.equal([]);
    });

    it('keeps the data until the Expire Interval after the cache stops, then every route is not-found', async function () {
      const before = new Map(small.states);
      await cache0!.stop();
      const stoppedAt = Date.now();
      await new Promise((r) => setTimeout(r, 4000));
      let moved = 0;
      for (const [p, s] of small.states) if (before.get(p) !== s) moved++;
      expect(moved, 'states kept while the data has not expired').to.equal(0);
      await waitFor(
        'every route to be not-found',
        () => (small.counts()['not-found'] === small.states.size ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const after = (Date.now() - stoppedAt) / 1000;
      console.log(`      every route not-found ${after.toFixed(1)} s after the cache stopped (expire 12 s)`);
      expect(after).to.be.greaterThan(4);
      expect(sessions[2]!.feeder.peer.closeReason, 'feeder session').to.equal(undefined);
    });
  });
});
