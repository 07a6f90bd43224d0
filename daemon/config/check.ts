// `xbgpd --check-config FILE`: validate a configuration file and report every problem, one line each
// (`FILE:LINE: key.path: message`) on stderr; exit status 0 when valid, 1 otherwise. Kept apart from the
// CLI entry point so tests can run it in-process.
import { loadConfigFile, formatIssue } from './load.js';

export interface CheckOutput {
  out(line: string): void;
  err(line: string): void;
}

const stdio: CheckOutput = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

export async function checkConfigFile(file: string, output: CheckOutput = stdio): Promise<number> {
  const result = await loadConfigFile(file);
  if (result.ok) {
    const c = result.config;
    output.out(`${file}: ok (${c.peers.length} peer(s), ${c.originate.length} originated prefix(es))`);
    return 0;
  }
  for (const issue of result.issues) output.err(formatIssue(issue, file));
  return 1;
}
