// Job plugins (a manifest's `job_plugin: { schedule }`): each pluglet runs every `schedule` seconds on the
// main loop, through the daemon's clock, never concurrently with anything else (xBGP ran them on a thread
// of their own). `reschedule_plugin` changes a pluglet's period from the next run on. A faulting run is
// counted like any other; a disabled plugin's jobs stop.
import { JOB_POINT } from '../../../xbgp-api/index.js';
import type { Clock, TimerHandle } from '../../clock.js';
import { Call, type PluginServices } from '../call.js';
import type { PluginHost } from '../host.js';
import { runPluglet, type Plugin, type Pluglet } from '../runtime.js';

interface Job {
  readonly pluglet: Pluglet;
  periodMs: number;
  timer: TimerHandle | undefined;
}

export class JobRunner {
  private readonly jobs: Job[] = [];
  private readonly call: Call;
  private running = false;

  constructor(
    private readonly host: PluginHost,
    private readonly clock: Clock,
    services: (plugin: Plugin) => PluginServices,
  ) {
    this.call = new Call(JOB_POINT, services);
    for (const loaded of host.plugins) {
      const schedule = loaded.manifest.jobPlugin?.schedule;
      if (schedule === undefined) continue;
      for (const pluglet of loaded.pluglets)
        this.jobs.push({ pluglet, periodMs: schedule * 1000, timer: undefined });
    }
  }

  /** Job pluglets known (tests). */
  get size(): number {
    return this.jobs.length;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const job of this.jobs) this.arm(job);
  }

  stop(): void {
    this.running = false;
    for (const job of this.jobs) {
      if (job.timer !== undefined) this.clock.clearTimer(job.timer);
      job.timer = undefined;
    }
  }

  private arm(job: Job): void {
    job.timer = this.clock.setTimer(job.periodMs, () => {
      job.timer = undefined;
      if (!this.running || job.pluglet.plugin.disabled) return;
      this.runOnce(job);
      if (this.running && !job.pluglet.plugin.disabled) this.arm(job);
    });
  }

  private runOnce(job: Job): void {
    const call = this.call;
    call.job = {
      reschedule: (seconds) => {
        job.periodMs = seconds * 1000;
      },
    };
    call.writeInfo(call.execInfo, false, 0n);
    runPluglet(job.pluglet, call, this.host);
    call.job = undefined;
  }
}
