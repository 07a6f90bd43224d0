// Job plugins on the daemon's clock: a compiled job pluglet runs every `schedule` seconds, changes its
// period with reschedule_plugin, keeps state in shared memory across runs, and stops with the runner.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../daemon/clock.js';
import { PluginHost } from '../../daemon/plugins/host.js';
import { JobRunner } from '../../daemon/plugins/points/jobs.js';
import { pluginHelperRegistry } from '../../daemon/plugins/helpers/index.js';
import { pluginCompileArgs } from '../../xbgp-api/build.js';
import { repoRoot, requireTools } from '../helpers/env.js';

describe('plugins: job plugins', function () {
  it('run on schedule, reschedule themselves, keep shared state, stop with the runner', function () {
    requireTools(this, 'clang');
    const dir = mkdtempSync(join(tmpdir(), 'xbgpd-jobs-'));
    const src = join(repoRoot, 'test', 'plugins', 'c', 'job_tick.c');
    execFileSync('clang', pluginCompileArgs(join(repoRoot, 'xbgp-api'), src, join(dir, 'job_tick.o')), {
      stdio: 'pipe',
    });
    const manifest = join(dir, 'tick.plugin');
    writeFileSync(
      manifest,
      JSON.stringify({
        name: 'tick',
        shared_mem: 4096,
        obj_code_list: { job_tick: { obj: 'job_tick.o' } },
        job_plugin: { schedule: 1 },
      }),
    );
    const reporter = { now: () => 0, warn: () => undefined, error: () => undefined };
    const loaded = PluginHost.load([{ manifest }], pluginHelperRegistry(), reporter);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const clock = new FakeClock();
    const services = () => ({
      extraConf: undefined,
      log: () => undefined,
      monotonicMs: () => 0,
      realtimeMs: () => 0,
    });
    const jobs = new JobRunner(loaded.host, clock, services);
    expect(jobs.size).to.equal(1);
    const memory = loaded.host.plugins[0]!.plugin.memory;
    const runs = (): bigint => {
      const at = memory.shmGet(7);
      return at < 0
        ? 0n
        : new DataView(memory.shared.buffer, memory.shared.byteOffset + at, 8).getBigUint64(0, true);
    };
    jobs.start();
    clock.advance(999);
    expect(runs()).to.equal(0n);
    clock.advance(1);
    expect(runs(), 'first run after 1 s').to.equal(1n);
    clock.advance(1000);
    expect(runs(), 'rescheduled to 2 s').to.equal(1n);
    clock.advance(1000);
    expect(runs()).to.equal(2n);
    clock.advance(4000);
    expect(runs()).to.equal(4n);
    jobs.stop();
    clock.advance(10_000);
    expect(runs(), 'stopped').to.equal(4n);
    expect(loaded.host.pluglets()[0]!.stats.faults).to.equal(0);
  });
});
