// Job plugins on the daemon's clock: a compiled job pluglet runs every `schedule` seconds, changes its
// period with reschedule_plugin, keeps state in shared memory across runs, and stops with the runner.
import { expect } from 'chai';
import { FakeClock } from '../../daemon/clock.js';
import { JobRunner } from '../../daemon/plugins/points/jobs.js';
import { requireTools } from '../helpers/env.js';
import { compilePlugin, loadHost, stubServices, workDir, writeManifest } from './support.js';

describe('plugins: job plugins', function () {
  it('run on schedule, reschedule themselves, keep shared state, stop with the runner', function () {
    requireTools(this, 'clang');
    const dir = workDir('jobs');
    compilePlugin(dir, 'job_tick');
    const manifest = writeManifest(dir, {
      name: 'tick',
      shared_mem: 4096,
      obj_code_list: { job_tick: { obj: 'job_tick.o' } },
      job_plugin: { schedule: 1 },
    });
    const host = loadHost([{ manifest }]);
    const clock = new FakeClock();
    const jobs = new JobRunner(host, clock, () => stubServices());
    expect(jobs.size).to.equal(1);
    const memory = host.plugins[0]!.plugin.memory;
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
    expect(host.pluglets()[0]!.stats.faults).to.equal(0);
  });
});
