// The processes the lab starts, and the safety net that removes everything it created.
//
// Every daemon runs as the leader of its own process group (spawned detached), so stopping it also
// stops the helpers it forked (ExaBGP's receive process). Only PIDs this module started are ever
// signalled: nothing here looks processes up by name. A process 'exit' hook (and SIGINT/SIGTERM)
// SIGKILLs whatever is still running, deletes the namespaces and removes the temp dirs, so a crashed
// or interrupted test run leaves nothing behind.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { runSyncQuiet } from './exec.js';

// ===== cleanup registry =====

const liveGroups = new Set<number>();
const liveNamespaces = new Set<string>();
const liveDirs = new Set<string>();
let hooksInstalled = false;

function cleanupEverythingSync(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
  for (const ns of liveNamespaces) runSyncQuiet('ip', ['netns', 'del', ns]);
  liveNamespaces.clear();
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', cleanupEverythingSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanupEverythingSync();
      process.exit(130);
    });
  }
}

/** Remember a namespace so that it is deleted at exit if the lab did not delete it. */
export function trackNamespace(ns: string): void {
  installHooks();
  liveNamespaces.add(ns);
}
export function untrackNamespace(ns: string): void {
  liveNamespaces.delete(ns);
}
/** Remember a process group so that it is SIGKILLed at exit if still there (container daemons). */
export function trackGroup(pgid: number): void {
  installHooks();
  liveGroups.add(pgid);
}
export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}
/** Remember a temp dir so that it is removed at exit if the lab did not remove it. */
export function trackDir(dir: string): void {
  installHooks();
  liveDirs.add(dir);
}
export function untrackDir(dir: string): void {
  liveDirs.delete(dir);
}

// ===== process liveness =====

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Field 3 (state) and field 5 (pgrp) of /proc/PID/stat, or undefined when there is no such process. */
function procStat(pid: number): { state: string; pgid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', pgid: Number(rest[2]) };
}

/** Whether `pid` is a running (not zombie) process. */
export function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Running (not zombie) processes whose process group is `pgid`. */
export function livingGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = procStat(pid);
    if (stat && stat.pgid === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(pid);
  }
  return members;
}

// ===== LabProcess =====

/** A daemon the lab started, on either backend (LabProcess here, ContainerProcess in containers.ts). */
export interface DaemonProcess {
  /** The daemon's PID on this host (also its process group). */
  readonly pid: number;
  readonly running: boolean;
  readonly exitCode: number | null;
  waitExit(timeoutMs: number): Promise<boolean>;
  signal(signal: NodeJS.Signals): void;
  freeze(): void;
  thaw(): void;
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

export interface SpawnOptions {
  /** Network namespace to run in. */
  ns: string;
  command: string;
  args: readonly string[];
  /** File receiving stdout and stderr. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** One daemon started by the lab, in its own process group inside a namespace. */
export class LabProcess implements DaemonProcess {
  readonly pid: number;
  private readonly child: ChildProcess;
  private exited = false;
  private readonly exitPromise: Promise<void>;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;

  constructor(readonly options: SpawnOptions) {
    installHooks();
    const fd = openSync(options.logFile, 'a');
    try {
      // `ip netns exec` enters the namespace then execs the command, so the PID is the daemon's own.
      this.child = spawn('ip', ['netns', 'exec', options.ns, options.command, ...options.args], {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: options.env ?? process.env,
        cwd: options.cwd,
      });
    } finally {
      closeSync(fd);
    }
    if (this.child.pid === undefined) throw new Error(`could not start ${options.command}`);
    this.pid = this.child.pid;
    liveGroups.add(this.pid);
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
      this.child.once('error', () => {
        this.exited = true;
        resolve();
      });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Resolve when the process has exited, or after `timeoutMs` with false. */
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

  /** Send `signal` to the daemon's whole process group. */
  signal(signal: NodeJS.Signals): void {
    // Once the leader is reaped its PID may be reused: only signal a group that still has members.
    if (!this.exited || livingGroupMembers(this.pid).length > 0) signalGroup(this.pid, signal);
  }

  /** Freeze the daemon (SIGSTOP): its sockets stay open but it stops reading and sending. */
  freeze(): void {
    this.signal('SIGSTOP');
  }
  /** Resume a frozen daemon (SIGCONT). */
  thaw(): void {
    this.signal('SIGCONT');
  }

  /** SIGTERM the group, wait up to `graceMs`, then SIGKILL; resolves once the leader is reaped. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.exited) {
      this.killLeftHelpers();
      return;
    }
    this.signal('SIGCONT'); // a frozen process cannot act on SIGTERM
    this.signal('SIGTERM');
    if (!(await this.waitExit(graceMs))) {
      this.signal('SIGKILL');
      await this.waitExit(5000);
    }
    this.killLeftHelpers();
  }

  /** SIGKILL what is left of the group once the leader is gone (helpers it forked), then forget it. */
  private killLeftHelpers(): void {
    // The group id is the leader's PID; check it still has members before signalling it.
    if (livingGroupMembers(this.pid).length > 0) signalGroup(this.pid, 'SIGKILL');
    liveGroups.delete(this.pid);
  }

  /** Stop at once with SIGKILL (a crash, as the peer sees it: no NOTIFICATION). */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.waitExit(5000);
    this.killLeftHelpers();
  }
}
