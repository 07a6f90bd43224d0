// Running the short-lived commands of the lab (ip, birdc, vtysh, gobgp): promisified execFile with a
// timeout, optionally inside a network namespace, and a synchronous variant for the process 'exit' hook.
import { execFile, execFileSync } from 'node:child_process';

/** A command that exited non-zero, timed out or could not start; carries its output for the message. */
export class LabCommandError extends Error {
  readonly code = 'ERR_LAB_COMMAND';
  constructor(
    readonly command: string,
    readonly stdout: string,
    readonly stderr: string,
    cause: unknown,
  ) {
    super(`${command}: ${stderr.trim() || stdout.trim() || String(cause)}`);
  }
}

/** Run `file args` and resolve with its stdout; reject with LabCommandError on failure. */
export function run(file: string, args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new LabCommandError([file, ...args].join(' '), stdout, stderr, err));
        else resolve(stdout);
      },
    );
  });
}

/** Run `file args` inside network namespace `ns`. */
export function runIn(
  ns: string,
  file: string,
  args: readonly string[],
  timeoutMs = 10_000,
): Promise<string> {
  return run('ip', ['netns', 'exec', ns, file, ...args], timeoutMs);
}

/** Synchronous run that never throws; for teardown paths that must not stop half way. */
export function runSyncQuiet(file: string, args: readonly string[]): boolean {
  try {
    execFileSync(file, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
