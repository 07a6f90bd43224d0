// The part every daemon driver shares: where its files go, starting and restarting its process,
// freezing and stopping it. Drivers (bird.ts, frr.ts, gobgp.ts, exabgp.ts, xbgpd.ts) add the config
// writer, the readiness probe and the CLI queries. Where the process runs (a namespace of the host, or
// a container joined to it) is the backend's business (containers.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonCli, spawnDaemon } from './containers.js';
import type { ImageKind, Mount } from './containers.js';
import type { DaemonProcess, SpawnOptions } from './processes.js';
import { waitFor } from './wait.js';

/** Where a driver runs: its name (unique in the lab), namespace and the lab's temp dir. */
export interface RouterPlace {
  name: string;
  ns: string;
  dir: string;
}

export abstract class DaemonRouter {
  protected process: DaemonProcess | undefined;
  /** The image this daemon runs from on the container backend. */
  protected readonly image: ImageKind = 'peers';
  /** Every PID this router ever ran as (restarts included), for leak checks. */
  readonly pids: number[] = [];

  constructor(protected readonly place: RouterPlace) {}

  get name(): string {
    return this.place.name;
  }
  get ns(): string {
    return this.place.ns;
  }
  /** PID of the running daemon (the last one started). */
  get pid(): number {
    if (!this.process) throw new Error(`${this.name} is not started`);
    return this.process.pid;
  }
  get running(): boolean {
    return this.process?.running ?? false;
  }

  /** Path of a file of this router in the lab's temp dir. */
  file(suffix: string): string {
    return join(this.place.dir, `${this.place.name}.${suffix}`);
  }

  /** The last lines of one of this router's files (for error messages). */
  tail(suffix: string, lines = 20): string {
    try {
      return readFileSync(this.file(suffix), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return `(no ${this.file(suffix)})`;
    }
  }

  /** The command line to run (the config must already be written). */
  protected abstract command(): Omit<SpawnOptions, 'ns' | 'logFile'>;
  /** Write the configuration files. Called before every start. */
  protected abstract writeConfig(): void;
  /** Resolve when the daemon answers its CLI; throw (or return false) while not yet. */
  protected abstract ready(): Promise<boolean>;
  /** Paths mounted into the daemon's container besides the lab's temp dir (container backend). */
  protected mounts(): Mount[] {
    return [];
  }
  /** Run this daemon's CLI `file args` (in its namespace, or from its container's files). */
  protected cliCommand(file: string, args: readonly string[], timeoutMs?: number): Promise<string> {
    return daemonCli(this.place.ns, this.process?.pid, file, args, timeoutMs);
  }
  /** Work to do once ready (e.g. inject routes through the CLI). */
  protected async afterReady(): Promise<void> {}

  /** Write the config, start the daemon and wait until its CLI answers. */
  async start(timeoutMs = 10_000): Promise<void> {
    this.writeConfig();
    const proc = await spawnDaemon(
      { ...this.command(), ns: this.place.ns, logFile: this.file('out') },
      this.image,
      [{ source: this.place.dir }, ...this.mounts()],
    );
    this.process = proc;
    this.pids.push(proc.pid);
    const outcome = await waitFor(
      `${this.name} to be ready`,
      async () => (!proc.running ? 'exited' : (await this.ready()) && 'ready'),
      { timeoutMs },
    );
    if (outcome === 'exited') {
      throw new Error(`${this.name} exited (code ${proc.exitCode}) while starting:\n${this.tail('out')}`);
    }
    await this.afterReady();
  }

  freeze(): void {
    this.process?.freeze();
  }
  thaw(): void {
    this.process?.thaw();
  }
  async stop(): Promise<void> {
    await this.process?.stop();
  }
  /** SIGKILL: the daemon vanishes without a NOTIFICATION. */
  async kill(): Promise<void> {
    await this.process?.kill();
  }
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
