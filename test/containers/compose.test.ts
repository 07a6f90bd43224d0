// topology/compose.yaml brought up with podman (compose.ts) from the images the repository builds
// (images.ts, tagged with the names the file uses), and the routes flowing as topology/README.md says:
// FRR gets BIRD's 203.0.113.0/24 through xbgpd with the community the community_tagger plugin adds
// towards FRR; BIRD gets FRR's 198.51.100.0/24 through xbgpd without it; both get xbgpd's 192.0.2.0/24.
// The xbgpd container runs as the image's unprivileged user and its healthcheck passes.
// Skips with the reason when podman cannot run containers here.
import { expect } from 'chai';
import { join } from 'node:path';
import { repoRoot } from '../helpers/env.js';
import { requireContainers } from '../lab/containers.js';
import { waitFor } from '../lab/wait.js';
import { ComposeProject } from './compose.js';
import { ensureImages } from './images.js';
import { podman } from './podman.js';

/** FRR's path for `prefix` as `show bgp ipv4 unicast PREFIX json` gives it, once it has one. */
async function frrPath(project: ComposeProject, prefix: string): Promise<any> {
  const out = await project.exec('frr', [
    'vtysh',
    '-d',
    'bgpd',
    '-c',
    `show bgp ipv4 unicast ${prefix} json`,
  ]);
  const paths = (JSON.parse(out) as { paths?: any[] }).paths ?? [];
  if (paths.length === 0) throw new Error(`FRR has no path for ${prefix}`);
  return paths[0];
}

/** BIRD's `show route PREFIX all`, once it has the prefix. */
async function birdRoute(project: ComposeProject, prefix: string): Promise<string> {
  const out = await project.exec('bird', [
    'birdc',
    '-s',
    '/run/bird/bird.ctl',
    'show',
    'route',
    prefix,
    'all',
  ]);
  if (!out.includes(prefix)) throw new Error(`BIRD has no route for ${prefix}:\n${out}`);
  return out;
}

describe('containers: topology/compose.yaml (xbgpd, BIRD, FRR)', function () {
  this.timeout(120_000);
  let project: ComposeProject | undefined;

  before(async function () {
    this.timeout(1_800_000); // a first run builds the images
    requireContainers(this);
    const images = await ensureImages();
    project = new ComposeProject(join(repoRoot, 'topology', 'compose.yaml'), `xbgpdtest${process.pid}`);
    for (const s of ['xbgpd', 'bird'] as const) {
      const built = s === 'xbgpd' ? images.xbgpd : images.peers;
      await podman(['tag', built, `localhost/${project.spec.services[s]?.image}`]);
    }
    await project.up();
  });

  after(async function () {
    if (project && this.currentTest?.state === 'failed')
      for (const s of ['xbgpd', 'bird', 'frr']) console.log(`    [${s} log]\n${await project.logs(s)}`);
    await project?.down();
  });

  it("FRR gets BIRD's 203.0.113.0/24 through xbgpd, tagged 65000:777 by the plugin on xbgpd's FRR peer", async function () {
    const path = await waitFor('FRR: 203.0.113.0/24', () => frrPath(project!, '203.0.113.0/24'), {
      timeoutMs: 60_000,
    });
    expect(path.aspath.string).to.equal('65000 65001');
    expect(path.nexthops?.[0]?.ip).to.equal('10.179.79.10');
    expect(path.community?.string).to.equal('65000:777');
    const own = await waitFor('FRR: 192.0.2.0/24', () => frrPath(project!, '192.0.2.0/24'));
    expect(own.aspath.string).to.equal('65000');
  });

  it("BIRD gets FRR's 198.51.100.0/24 through xbgpd, without the community", async function () {
    const route = await waitFor('BIRD: 198.51.100.0/24', () => birdRoute(project!, '198.51.100.0/24'), {
      timeoutMs: 60_000,
    });
    expect(route).to.match(/BGP\.as_path: 65000 65002\n/);
    expect(route).to.match(/BGP\.next_hop: 10\.179\.79\.10\b/);
    expect(route).to.not.include('BGP.community');
    expect(await waitFor('BIRD: 192.0.2.0/24', () => birdRoute(project!, '192.0.2.0/24'))).to.match(
      /BGP\.as_path: 65000\n/,
    );
  });

  it("runs xbgpd as the image's unprivileged user, and the image's healthcheck passes", async function () {
    expect((await project!.exec('xbgpd', ['id', '-un'])).trim()).to.equal('node');
    const out = await podman(['healthcheck', 'run', project!.container('xbgpd')]).then(
      (stdout) => ({ ok: true, stdout }),
      (err: Error) => ({ ok: false, stdout: err.message }),
    );
    expect(out.ok, out.stdout).to.equal(true);
    // The same check fails when nothing listens where it looks (no admin API, no socket on that port).
    const elsewhere = ['exec', '-e', 'XBGPD_URL=http://127.0.0.1:8180', '-e', 'XBGPD_BGP_PORT=1179'];
    const failed = await podman([
      ...elsewhere,
      project!.container('xbgpd'),
      'node',
      '/opt/xbgpd/healthcheck.mjs',
    ]).then(
      () => '',
      (err: Error) => err.message,
    );
    expect(failed).to.include('nothing listening on BGP port 1179');
  });
});
