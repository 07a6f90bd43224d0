// The lab's two backends and the container one's daemon process. XBGPD_LAB_BACKEND selects:
// - `netns` (the default): the host's daemons, each under `ip netns exec NS` (LabProcess).
// - `container`: each daemon in a podman container joined to the same namespace
//   (`--network ns:/run/netns/NS`), from the peers image (BIRD, FRR, GoBGP, ExaBGP) or the xbgpd image
//   (test/containers/images.ts). The containers share the host's PID namespace (`--pid=host`), so a
//   daemon's PID is a host PID like on the other backend: signals, freezing, liveness and the exit
//   hook's SIGKILL work unchanged; the lab's temp dir is mounted at the same path, so configs, sockets,
//   logs and dumps are where the drivers look; CLIs (birdc, vtysh, gobgp) run from the container's
//   own files with `nsenter -t PID -m -n`.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { podman, podmanEnv, podmanProblem, trackContainer, untrackContainer } from '../containers/podman.js';
import { ensureImage } from '../containers/images.js';
import { requireRoot, requireTools } from '../helpers/env.js';
import { run, runIn } from './exec.js';
import { LabProcess, livingGroupMembers, signalGroup, trackGroup, untrackGroup } from './processes.js';
import type { DaemonProcess, SpawnOptions } from './processes.js';

export type LabBackend = 'netns' | 'container';

/** The backend of this process's labs (XBGPD_LAB_BACKEND, default netns). */
export function labBackend(): LabBackend {
  const value = process.env.XBGPD_LAB_BACKEND ?? 'netns';
  if (value !== 'netns' && value !== 'container')
    throw new Error(`XBGPD_LAB_BACKEND must be netns or container, not ${value}`);
  return value;
}

/** On the container backend: skip `ctx` with the reason when podman cannot run containers here. */
export function requireContainers(ctx: Mocha.Context): void {
  requireRoot(ctx);
  requireTools(ctx, 'ip', 'podman', 'nsenter');
  const problem = podmanProblem();
  if (problem === undefined) return;
  console.log(`    [skip] container backend: ${problem}`);
  ctx.skip();
}

/** Which image a driver's daemon runs from on the container backend. */
export type ImageKind = 'peers' | 'xbgpd';

/** A bind mount into a daemon's container (same path inside unless `target`). */
export interface Mount {
  source: string;
  target?: string;
  readOnly?: boolean;
}

let containerCount = 0;

/** Start a daemon on this process's backend; `dir` (the lab's temp dir) is mounted into containers. */
export async function spawnDaemon(
  options: SpawnOptions,
  image: ImageKind,
  mounts: readonly Mount[],
): Promise<DaemonProcess> {
  if (labBackend() === 'netns') return new LabProcess(options);
  const tag = await ensureImage(image);
  containerCount += 1;
  return ContainerProcess.start({
    ...options,
    image: tag,
    name: `${options.ns}-c${containerCount}`,
    mounts,
  });
}

/** Run a daemon's CLI `file args` where the daemon runs: its namespace, or its container's files. */
export function daemonCli(
  ns: string,
  pid: number | undefined,
  file: string,
  args: readonly string[],
  timeoutMs?: number,
): Promise<string> {
  if (labBackend() === 'netns') return runIn(ns, file, args, timeoutMs);
  if (pid === undefined) return Promise.reject(new Error(`${file}: the daemon is not started`));
  return run('nsenter', ['-t', String(pid), '-m', '-n', file, ...args], timeoutMs);
}

export interface ContainerSpawnOptions extends SpawnOptions {
  image: string;
  /** Container name (unique on the host). */
  name: string;
  mounts: readonly Mount[];
}

/** The `podman run` arguments for `o` (environment: only what differs from this process's). */
function runArgs(o: ContainerSpawnOptions): string[] {
  const args = ['run', '--rm', '--name', o.name, '--pid=host', '--network', `ns:/run/netns/${o.ns}`];
  // No healthcheck: podman would schedule it with systemd timers, and the lab has its own probes.
  args.push('--user', '0:0', '--cap-add', 'NET_ADMIN,NET_RAW', '--no-healthcheck', '--entrypoint', o.command);
  for (const m of o.mounts) args.push('-v', `${m.source}:${m.target ?? m.source}${m.readOnly ? ':ro' : ''}`);
  for (const [key, value] of Object.entries(o.env ?? {}))
    if (value !== undefined && process.env[key] !== value) args.push('-e', `${key}=${value}`);
  if (o.cwd) args.push('--workdir', o.cwd);
  args.push(o.image, ...o.args);
  return args;
}

/** A daemon in a podman container: the `podman run` client is our child; the daemon is `pid`. */
export class ContainerProcess implements DaemonProcess {
  private exited = false;
  private readonly exitPromise: Promise<void>;
  exitCode: number | null = null;
  pid = 0;

  private constructor(
    readonly options: ContainerSpawnOptions,
    private readonly client: ChildProcess,
  ) {
    this.exitPromise = new Promise((resolve) => {
      client.once('exit', (code) => {
        this.exited = true;
        this.exitCode = code;
        resolve();
      });
      client.once('error', () => {
        this.exited = true;
        resolve();
      });
    });
  }

  /** Run the container and resolve once its daemon has a PID (or reject with the client's output). */
  static async start(options: ContainerSpawnOptions, timeoutMs = 30_000): Promise<ContainerProcess> {
    trackContainer(options.name);
    const fd = openSync(options.logFile, 'a');
    let client: ChildProcess;
    try {
      client = spawn('podman', runArgs(options), {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: podmanEnv(),
      });
    } finally {
      closeSync(fd);
    }
    const proc = new ContainerProcess(options, client);
    const deadline = Date.now() + timeoutMs;
    while (proc.pid === 0) {
      if (proc.exited || Date.now() > deadline) {
        const log = readFileSync(options.logFile, 'utf8').trim().split('\n').slice(-10).join('\n');
        await proc.removeContainer();
        throw new Error(`container ${options.name} (${options.image}) did not start:\n${log}`);
      }
      const pid = await podman(['inspect', '--format', '{{.State.Pid}}', options.name], 10_000).then(
        Number,
        () => 0,
      );
      if (pid > 0) proc.pid = pid;
      else await new Promise((r) => setTimeout(r, 100));
    }
    trackGroup(proc.pid);
    return proc;
  }

  get running(): boolean {
    return !this.exited;
  }

  async waitExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = await Promise.race([this.exitPromise.then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }

  /** Send `signal` to the daemon's process group (while it has members: PIDs get reused). */
  signal(signal: NodeJS.Signals): void {
    if (this.pid > 0 && livingGroupMembers(this.pid).length > 0) signalGroup(this.pid, signal);
  }
  freeze(): void {
    this.signal('SIGSTOP');
  }
  thaw(): void {
    this.signal('SIGCONT');
  }

  /** SIGTERM, SIGKILL after `graceMs`; resolves once the container is gone. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.exited) {
      this.signal('SIGCONT');
      this.signal('SIGTERM');
      if (!(await this.waitExit(graceMs))) {
        this.signal('SIGKILL');
        await this.waitExit(5000);
      }
    }
    await this.finish();
  }

  /** SIGKILL: the daemon vanishes without a NOTIFICATION. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.waitExit(5000);
    await this.finish();
  }

  private async finish(): Promise<void> {
    this.signal('SIGKILL'); // helpers the daemon forked, if any are left
    untrackGroup(this.pid);
    await this.removeContainer();
  }

  private async removeContainer(): Promise<void> {
    if (!this.exited) this.client.kill('SIGKILL');
    await podman(['rm', '-f', '-t', '0', '--ignore', this.options.name]).catch(() => undefined);
    untrackContainer(this.options.name);
  }
}
