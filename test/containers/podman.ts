// podman as the tests run it: always with the project's containers.conf (CONTAINERS_CONF pointing at
// container/containers.conf: the runc runtime, no default ulimits), so the system's files are left
// alone; whether it is usable here (and why not); containers to remove when the test process exits.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { haveTool, repoRoot } from '../helpers/env.js';

export const containersConf = join(repoRoot, 'container', 'containers.conf');

/** The environment every podman command of the tests runs with. */
export function podmanEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF: containersConf };
}

/** A podman command that failed, with its output. */
export class PodmanError extends Error {
  readonly code = 'ERR_PODMAN';
  constructor(
    readonly args: readonly string[],
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`podman ${args.join(' ')}: ${stderr.trim() || stdout.trim() || 'failed'}`);
  }
}

/** Run `file args` with podmanEnv(); resolve with stdout, reject with PodmanError. */
export function runWithPodmanEnv(file: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env: podmanEnv(), timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new PodmanError([file, ...args], String(stdout), String(stderr)));
        else resolve(String(stdout));
      },
    );
  });
}

/** `podman ARGS`, resolving with its stdout. */
export function podman(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return runWithPodmanEnv('podman', args, timeoutMs);
}

/** `podman ARGS` synchronously, never throwing: for exit hooks. */
export function podmanQuiet(args: readonly string[]): boolean {
  try {
    execFileSync('podman', args, { env: podmanEnv(), stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

let problem: string | undefined | null = null;

/**
 * Why podman cannot run the tests' containers here, or undefined when it can: not root, podman or
 * runc not installed, or `podman info` failing (the reason is podman's own message).
 * noteUnusable() adds what later steps find (a container that cannot start).
 */
export function podmanProblem(): string | undefined {
  if (problem !== null) return problem;
  problem = undefined;
  if (process.getuid?.() !== 0) problem = 'the container tests need root';
  else if (!haveTool('podman')) problem = 'podman is not installed';
  else if (!haveTool('runc')) problem = 'runc is not installed';
  else {
    try {
      const runtime = execFileSync('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], {
        env: podmanEnv(),
        encoding: 'utf8',
        timeout: 30_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
      if (runtime !== 'runc') problem = `podman uses the ${runtime} runtime, not runc (${containersConf})`;
    } catch (err) {
      const stderr = (err as { stderr?: unknown }).stderr;
      problem = `podman info fails: ${String(stderr ?? err).trim()}`;
    }
  }
  return problem;
}

/** Record that podman turned out unusable (a container does not start): later checks skip with it. */
export function noteUnusable(reason: string): void {
  problem = reason;
}

// ===== containers removed at exit =====

const liveContainers = new Set<string>();
const liveNetworks = new Set<string>();
let hookInstalled = false;

function installHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.on('exit', () => {
    for (const c of liveContainers) podmanQuiet(['rm', '-f', '-t', '0', c]);
    liveContainers.clear();
    for (const n of liveNetworks) podmanQuiet(['network', 'rm', '-f', n]);
    liveNetworks.clear();
  });
}

/** Remove container `name` (podman rm -f) when the process exits, unless untracked before. */
export function trackContainer(name: string): void {
  installHook();
  liveContainers.add(name);
}
export function untrackContainer(name: string): void {
  liveContainers.delete(name);
}
/** Remove network `name` when the process exits, unless untracked before. */
export function trackNetwork(name: string): void {
  installHook();
  liveNetworks.add(name);
}
export function untrackNetwork(name: string): void {
  liveNetworks.delete(name);
}
