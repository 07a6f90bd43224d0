// The RIB and control helpers through a compiled job pluglet: Loc-RIB iteration (new_rib_iterator,
// rib_has_route, next_rib_route, rib_iterator_clean) over an RDE's best routes, and peer_session_reset
// handed to the router.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../daemon/clock.js';
import { Rde } from '../../daemon/rde/rde.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import { PluginHost } from '../../daemon/plugins/host.js';
import { routerAccess } from '../../daemon/plugins/attach.js';
import { JobRunner } from '../../daemon/plugins/points/jobs.js';
import { pluginHelperRegistry } from '../../daemon/plugins/helpers/index.js';
import { pluginCompileArgs } from '../../xbgp-api/build.js';
import { repoRoot, requireTools } from '../helpers/env.js';
import { announce, info, spec } from '../rde/peers.js';

describe('plugins: the RIB and control helpers from job pluglets', function () {
  it('walks the Loc-RIB best routes and asks for a reset', function () {
    requireTools(this, 'clang');
    const dir = mkdtempSync(join(tmpdir(), 'xbgpd-rib-'));
    const src = join(repoRoot, 'test', 'plugins', 'c', 'rib_walk.c');
    execFileSync('clang', pluginCompileArgs(join(repoRoot, 'xbgp-api'), src, join(dir, 'rib_walk.o')), {
      stdio: 'pipe',
    });
    const manifest = join(dir, 'walk.plugin');
    writeFileSync(
      manifest,
      JSON.stringify({
        name: 'walk',
        shared_mem: 4096,
        extra_mem: 16384,
        obj_code_list: { rib_walk: { obj: 'rib_walk.o', permissions: ['read', 'write'] } },
        job_plugin: { schedule: 5 },
      }),
    );
    const reporter = { now: () => 0, warn: () => undefined, error: () => undefined };
    const loaded = PluginHost.load([{ manifest }], pluginHelperRegistry(), reporter);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const rde = new Rde({
      localAsn: 65000,
      routerId: 0x0a000064,
      decision: { alwaysCompareMed: false, deterministicMed: false },
      ebgpRequiresPolicy: false,
    });
    rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), { kick: () => undefined });
    rde.receive(
      'a',
      announce(['10.1.0.0/16', '10.2.0.0/24', '192.0.2.0/25'], [65001], 0x0a000001),
      true,
      false,
    );
    rde.flush();
    const resets: string[] = [];
    const router = routerAccess(rde, { asn: 65000, routerId: 0x0a000064 }, (address) => {
      resets.push(address);
      return true;
    });
    const services = () => ({
      extraConf: undefined,
      log: () => undefined,
      router: () => router,
      monotonicMs: () => 0,
      realtimeMs: () => 0,
    });
    const clock = new FakeClock();
    const jobs = new JobRunner(loaded.host, clock, services);
    jobs.start();
    clock.advance(5000);
    jobs.stop();
    const p = loaded.host.pluglets()[0]!;
    expect(p.stats.faults).to.equal(0);
    const memory = loaded.host.plugins[0]!.plugin.memory;
    const at = memory.shmGet(3);
    const view = new DataView(memory.shared.buffer, memory.shared.byteOffset + at, 16);
    expect(view.getBigUint64(0, true), 'best routes').to.equal(3n);
    expect(view.getBigUint64(8, true), 'sum of prefix lengths').to.equal(BigInt(16 + 24 + 25));
    expect(resets).to.deep.equal(['10.0.0.1']);
  });

  it('looks up a received and a sent route, then withdraws the received one', function () {
    requireTools(this, 'clang');
    const dir = mkdtempSync(join(tmpdir(), 'xbgpd-rib-'));
    const src = join(repoRoot, 'test', 'plugins', 'c', 'rib_lookup.c');
    execFileSync('clang', pluginCompileArgs(join(repoRoot, 'xbgp-api'), src, join(dir, 'rib_lookup.o')), {
      stdio: 'pipe',
    });
    const manifest = join(dir, 'lookup.plugin');
    writeFileSync(
      manifest,
      JSON.stringify({
        name: 'lookup',
        shared_mem: 4096,
        extra_mem: 16384,
        obj_code_list: { rib_lookup: { obj: 'rib_lookup.o', permissions: ['read'] } },
        job_plugin: { schedule: 1 },
      }),
    );
    const reporter = { now: () => 0, warn: () => undefined, error: () => undefined };
    const loaded = PluginHost.load([{ manifest }], pluginHelperRegistry(), reporter);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const rde = new Rde({
      localAsn: 65000,
      routerId: 0x0a000064,
      decision: { alwaysCompareMed: false, deterministicMed: false },
      ebgpRequiresPolicy: false,
    });
    const sink = { kick: () => undefined };
    rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), sink);
    rde.peerUp(spec('b', '10.0.0.2', 65002), info(2, false), sink);
    rde.receive('a', announce(['10.1.0.0/16'], [65001], 0x0a000001), true, false);
    rde.flush();
    const router = routerAccess(rde, { asn: 65000, routerId: 0x0a000064 }, () => false);
    const services = () => ({
      extraConf: undefined,
      log: () => undefined,
      router: () => router,
      monotonicMs: () => 0,
      realtimeMs: () => 0,
    });
    const clock = new FakeClock();
    const jobs = new JobRunner(loaded.host, clock, services);
    jobs.start();
    clock.advance(1000);
    jobs.stop();
    expect(loaded.host.pluglets()[0]!.stats.faults).to.equal(0);
    const memory = loaded.host.plugins[0]!.plugin.memory;
    const view = new DataView(memory.shared.buffer, memory.shared.byteOffset + memory.shmGet(4), 24);
    expect(view.getBigUint64(0, true), 'received: ORIGIN, AS_PATH, NEXT_HOP').to.equal(3n);
    expect(view.getBigUint64(8, true), 'sent to b').to.equal(3n);
    expect(view.getBigUint64(16, true), 'removed: status 0').to.equal(10n);
    rde.flush();
    expect(rde.locRib('ipv4-unicast', prefixKey(1, 16, Uint8Array.of(10, 1), 0))).to.equal(undefined);
  });
});
