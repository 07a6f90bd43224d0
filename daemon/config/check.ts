// `xbgpd --check-config FILE`: validate a configuration file and report every problem, one line each
// (`FILE:LINE: key.path: message`) on stderr; for a valid file, also load, link and verify every plugin
// it names (daemon/plugins/configured.ts), each problem as `FILE:LINE: plugins[i]: ...` with the file,
// pluglet, code and pc the plugin host gives. Exit status 0 when everything is valid, 1 otherwise. Kept
// apart from the CLI entry point so tests can run it in-process.
import { loadConfigFile, formatIssue } from './load.js';
import {
  formatConfiguredError,
  loadConfiguredPlugins,
  quietReporter,
  type ConfiguredPluginError,
} from '../plugins/configured.js';
import type { ReloadRead } from '../reload.js';

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
  if (!result.ok) {
    for (const issue of result.issues) output.err(formatIssue(issue, file));
    return 1;
  }
  const c = result.config;
  const plugins = loadConfiguredPlugins(c.plugins, quietReporter);
  if (!plugins.ok) {
    for (const e of plugins.errors) output.err(pluginProblemLine(file, result.lineOf, e));
    return 1;
  }
  const counts = [`${c.peers.length} peer(s)`, `${c.originate.length} originated prefix(es)`];
  const host = plugins.host;
  if (host !== undefined)
    counts.push(`${host.plugins.length} plugin(s)`, `${host.pluglets().length} attached pluglet(s)`);
  output.out(`${file}: ok (${counts.join(', ')})`);
  return 0;
}

/** A plugin problem as `FILE:LINE: plugins[i]: ...`, at the line of its entry (also used by xbgpd). */
export function pluginProblemLine(
  file: string,
  lineOf: (path: (string | number)[]) => number | undefined,
  e: ConfiguredPluginError,
): string {
  const line = lineOf(e.index === undefined ? ['plugins'] : ['plugins', e.index]);
  return `${line === undefined ? file : `${file}:${line}`}: ${formatConfiguredError(e)}`;
}

/** Read and validate `file` for a reload (SIGHUP, the admin API). Never throws. */
export async function readForReload(file: string): Promise<ReloadRead> {
  const result = await loadConfigFile(file);
  if (!result.ok) return { ok: false, problems: result.issues.map((i) => formatIssue(i, file)) };
  return {
    ok: true,
    config: result.config,
    pluginProblem: (e) => pluginProblemLine(file, result.lineOf, e),
  };
}
