// Self-test of the lab, independent of xbgpd: the four real daemons peer with each other and each
// one's own CLI must show the sessions Established and the routes the others announced; teardown must
// leave no namespace and no process behind.
//
//   FRR AS 65002 ==(eBGP, IPv4 + IPv6 transport)== BIRD AS 4200000001 --(iBGP)-- GoBGP AS 4200000001
//       |
//   (eBGP over IPv6, both families)
//       |
//   ExaBGP AS 65003
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, requireRoot, requireTools } from '../helpers/env.js';
import { Lab, openLab } from './lab.js';
import type { BirdRouter } from './bird.js';
import type { ExabgpRouter } from './exabgp.js';
import type { FrrRouter } from './frr.js';
import type { GobgpRouter } from './gobgp.js';
import type { Link } from './netns.js';
import { listNamespaces } from './netns.js';
import { isAlive } from './processes.js';
import { labWaits } from './waits.js';

const birdAs = 4200000001;
const frrAs = 65002;
const exaAs = 65003;

const { routeArrives, established } = labWaits(15_000);

describe('lab: real daemons peering with each other', function () {
  let lab: Lab | undefined;
  let bird: BirdRouter;
  let frr: FrrRouter;
  let gobgp: GobgpRouter;
  let exabgp: ExabgpRouter;
  let birdFrr: Link;
  let birdGobgp: Link;
  let frrExa: Link;

  before(async function () {
    this.timeout(60_000);
    lab = openLab(this);
    birdFrr = await lab.link('bird', 'frr');
    birdGobgp = await lab.link('bird', 'gobgp');
    frrExa = await lab.link('frr', 'exa');
    // Start all four at once: readiness waits overlap.
    [bird, frr, gobgp, exabgp] = await Promise.all([
      lab.bird('bird', {
        routerId: '10.255.0.1',
        asn: birdAs,
        routes: ['192.0.2.0/24', '2001:db8:b::/48'],
        neighbors: [
          { address: birdFrr.b.ipv4, localAddress: birdFrr.a.ipv4, asn: frrAs },
          { address: birdFrr.b.ipv6, localAddress: birdFrr.a.ipv6, asn: frrAs },
          { address: birdGobgp.b.ipv4, localAddress: birdGobgp.a.ipv4, asn: birdAs },
        ],
      }),
      lab.frr('frr', {
        routerId: '10.255.0.2',
        asn: frrAs,
        routes: ['198.51.100.0/24', '2001:db8:f::/48'],
        neighbors: [
          { address: birdFrr.a.ipv4, localAddress: birdFrr.b.ipv4, asn: birdAs },
          { address: birdFrr.a.ipv6, localAddress: birdFrr.b.ipv6, asn: birdAs },
          {
            address: frrExa.b.ipv6,
            localAddress: frrExa.a.ipv6,
            asn: exaAs,
            families: ['ipv4-unicast', 'ipv6-unicast'],
            nextHops: { ipv4: frrExa.a.ipv4 },
          },
        ],
      }),
      lab.gobgp('gobgp', {
        routerId: '10.255.0.3',
        asn: birdAs,
        routes: ['203.0.113.0/24'],
        neighbors: [{ address: birdGobgp.a.ipv4, localAddress: birdGobgp.b.ipv4, asn: birdAs }],
      }),
      lab.exabgp('exa', {
        routerId: '10.255.0.4',
        asn: exaAs,
        routes: ['100.64.0.0/24', '2001:db8:e::/48'],
        neighbors: [
          {
            address: frrExa.a.ipv6,
            localAddress: frrExa.b.ipv6,
            asn: frrAs,
            families: ['ipv4-unicast', 'ipv6-unicast'],
            nextHops: { ipv4: frrExa.b.ipv4 },
          },
        ],
      }),
    ]);
  });

  after(async function () {
    this.timeout(30_000);
    await lab?.teardown();
  });

  it('BIRD and FRR establish eBGP over IPv4 and over IPv6 with a 4-octet AS', async function () {
    const v4 = await established(frr, birdFrr.a.ipv4);
    const v6 = await established(frr, birdFrr.a.ipv6);
    expect(v4.capabilities).to.include.members(['four-octet-as', 'mp:ipv4-unicast', 'route-refresh']);
    expect(v6.capabilities).to.include.members(['four-octet-as', 'mp:ipv6-unicast']);
    expect(v4.holdTime).to.equal(9);
    const fromBird = await established(bird, birdFrr.b.ipv4);
    expect(fromBird.capabilities).to.include.members(['four-octet-as', 'mp:ipv4-unicast']);
    await established(bird, birdFrr.b.ipv6);
  });

  it('GoBGP and BIRD establish iBGP with a 4-octet AS', async function () {
    const atGobgp = await established(gobgp, birdGobgp.a.ipv4);
    expect(atGobgp.capabilities).to.include.members(['four-octet-as', 'mp:ipv4-unicast']);
    const atBird = await established(bird, birdGobgp.b.ipv4);
    expect(atBird.capabilities).to.include('four-octet-as');
  });

  it('ExaBGP and FRR establish eBGP over IPv6 carrying both families', async function () {
    const atFrr = await established(frr, frrExa.b.ipv6);
    expect(atFrr.capabilities).to.include.members(['mp:ipv4-unicast', 'mp:ipv6-unicast', 'four-octet-as']);
    const atExa = await established(exabgp, frrExa.a.ipv6);
    expect(atExa.capabilities).to.include.members(['mp:ipv4-unicast', 'mp:ipv6-unicast', 'four-octet-as']);
  });

  it('FRR receives the routes BIRD and ExaBGP announce', async function () {
    const b4 = await routeArrives(frr, '192.0.2.0/24', birdFrr.a.ipv4);
    expect(b4.asPath).to.deep.equal([birdAs]);
    expect(b4.nextHop).to.equal(birdFrr.a.ipv4);
    await routeArrives(frr, '2001:db8:b::/48', birdFrr.a.ipv6);
    const e4 = await routeArrives(frr, '100.64.0.0/24', frrExa.b.ipv6);
    expect(e4.asPath).to.deep.equal([exaAs]);
    expect(e4.nextHop).to.equal(frrExa.b.ipv4);
    await routeArrives(frr, '2001:db8:e::/48', frrExa.b.ipv6);
  });

  it('BIRD receives FRR and GoBGP routes, and ExaBGP routes through FRR', async function () {
    const f4 = await routeArrives(bird, '198.51.100.0/24', birdFrr.b.ipv4);
    expect(f4.asPath).to.deep.equal([frrAs]);
    await routeArrives(bird, '2001:db8:f::/48', birdFrr.b.ipv6);
    const g4 = await routeArrives(bird, '203.0.113.0/24', birdGobgp.b.ipv4);
    expect(g4.asPath).to.deep.equal([]);
    const e4 = await routeArrives(bird, '100.64.0.0/24', birdFrr.b.ipv4);
    expect(e4.asPath).to.deep.equal([frrAs, exaAs]);
  });

  it('GoBGP receives over iBGP what BIRD originates and what BIRD learned by eBGP', async function () {
    const b4 = await routeArrives(gobgp, '192.0.2.0/24', birdGobgp.a.ipv4);
    expect(b4.asPath).to.deep.equal([]);
    const f4 = await routeArrives(gobgp, '198.51.100.0/24', birdGobgp.a.ipv4);
    expect(f4.asPath).to.deep.equal([frrAs]);
  });

  it('ExaBGP receives routes from FRR, including BIRD routes with both AS numbers in the path', async function () {
    const f6 = await routeArrives(exabgp, '2001:db8:f::/48', frrExa.a.ipv6);
    expect(f6.asPath).to.deep.equal([frrAs]);
    const b4 = await routeArrives(exabgp, '192.0.2.0/24', frrExa.a.ipv6);
    expect(b4.asPath).to.deep.equal([frrAs, birdAs]);
  });

  it('teardown stops every process it started and deletes every namespace', async function () {
    this.timeout(30_000);
    if (!lab) this.skip();
    const pids = lab.pids;
    expect(pids).to.have.length(4);
    expect(pids.every(isAlive)).to.equal(true);
    await lab.teardown();
    const left = await lab.leftovers();
    expect(left.namespaces).to.deep.equal([]);
    expect(left.processes).to.deep.equal([]);
    expect(pids.filter(isAlive)).to.deep.equal([]);
  });
});

/** Run fixtures/abandoned-lab.ts in `mode`; resolves with what it created and how it ended. */
function runAbandonedLab(mode: 'exit' | 'signal') {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'test/lab/fixtures/abandoned-lab.ts'), mode],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise<{ created: { prefix: string; dir: string; pid: number }; code: number | null }>(
    (resolve, reject) => {
      let out = '';
      let created: { prefix: string; dir: string; pid: number } | undefined;
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (!created && out.includes('\n')) {
          created = JSON.parse(out.slice(0, out.indexOf('\n')));
          if (mode === 'signal') child.kill('SIGTERM');
        }
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (created) resolve({ created, code });
        else reject(new Error(`abandoned-lab exited (${code}) before starting: ${out}`));
      });
    },
  );
}

describe('lab: cleanup when a run ends without teardown', function () {
  this.timeout(30_000);

  before(function () {
    requireRoot(this);
    requireTools(this, 'ip', 'bird', 'birdc');
  });

  for (const mode of ['exit', 'signal'] as const) {
    it(`the ${mode === 'exit' ? "process 'exit' hook" : 'SIGTERM handler'} kills the daemons and removes namespaces and temp dir`, async function () {
      const { created, code } = await runAbandonedLab(mode);
      expect(code).to.equal(mode === 'exit' ? 3 : 130);
      expect(isAlive(created.pid)).to.equal(false);
      expect((await listNamespaces()).filter((ns) => ns.startsWith(created.prefix))).to.deep.equal([]);
      expect(existsSync(created.dir)).to.equal(false);
    });
  }
});
