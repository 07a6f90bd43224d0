// The plugins of a configuration (its `plugins:` entries, daemon/config/types.ts PluginConfig, which is a
// PluginEntry) loaded into one PluginHost against the daemon's helper registry, for the speaker (at start
// and on a reload) and `xbgpd --check-config`: every problem attributed to its entry (`plugins[1]: ...`),
// a fingerprint of the files the plugins were read from (a reload reloads the plugins when one changed,
// even with the same configuration), and the statistics line of a pluglet (logged on SIGUSR1).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { HelperRegistry } from '../../vm/index.js';
import { pluginHelperRegistry } from './helpers/index.js';
import { PluginHost, type HostReporter, type PluginEntry } from './host.js';
import type { Pluglet } from './runtime.js';

/** A problem of one entry (`index` into the list), or across entries (`index` undefined). */
export interface ConfiguredPluginError {
  readonly index: number | undefined;
  readonly message: string;
}

export type ConfiguredPlugins =
  { ok: true; host: PluginHost | undefined } | { ok: false; errors: ConfiguredPluginError[] };

/** `plugins[1]: MESSAGE` (`plugins: MESSAGE` for a problem across entries). */
export function formatConfiguredError(e: ConfiguredPluginError): string {
  return `${e.index === undefined ? 'plugins' : `plugins[${e.index}]`}: ${e.message}`;
}

/** A reporter for hosts that never run (checks): nothing to report. */
export const quietReporter: HostReporter = { now: () => 0, warn: () => undefined, error: () => undefined };

/**
 * Read, link and verify every entry's plugins: the host (undefined for no entries), or every problem of
 * every entry. When the whole list fails, each entry is loaded alone to tell whose problems they are;
 * what fails only together (a plugin name loaded by two entries) is reported across entries. Plugins of
 * `previous` whose entry and files did not change are taken over (PluginHost.load).
 */
export function loadConfiguredPlugins(
  entries: readonly PluginEntry[],
  reporter: HostReporter,
  helpers: HelperRegistry = pluginHelperRegistry(),
  previous?: PluginHost,
): ConfiguredPlugins {
  if (entries.length === 0) return { ok: true, host: undefined };
  const all = PluginHost.load(entries, helpers, reporter, previous);
  if (all.ok) return { ok: true, host: all.host };
  const errors: ConfiguredPluginError[] = [];
  entries.forEach((entry, index) => {
    const one = PluginHost.load([entry], helpers, quietReporter);
    if (!one.ok) errors.push(...one.errors.map((message) => ({ index, message })));
  });
  if (errors.length === 0) errors.push(...all.errors.map((message) => ({ index: undefined, message })));
  return { ok: false, errors };
}

/**
 * A digest of every file the plugins were read from (each entry's manifest and extra-configuration
 * file; each loaded plugin's .plugin file and objects), by content: equal digests mean a reload would
 * load the same plugins. A file that cannot be read counts as such.
 */
export function pluginFilesDigest(entries: readonly PluginEntry[], host: PluginHost | undefined): string {
  const files = new Set<string>();
  for (const e of entries) {
    files.add(e.manifest);
    if (e.extraConf !== undefined && 'file' in e.extraConf) files.add(e.extraConf.file);
  }
  for (const p of host?.plugins ?? []) {
    files.add(p.manifest.file);
    for (const pluglet of p.manifest.pluglets.values()) files.add(pluglet.obj);
  }
  const digest = createHash('sha256');
  for (const file of [...files].sort()) {
    let content: Buffer | string;
    try {
      content = createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch (err) {
      content = `unreadable: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
    }
    digest.update(`${file}\0${content}\n`);
  }
  return digest.digest('hex');
}

/** One pluglet's statistics as log fields: where it is attached and its counters. */
export function plugletStatsFields(p: Pluglet): Record<string, unknown> {
  const s = p.stats;
  const returns: Record<string, number> = {};
  for (const [value, count] of s.returns) returns[String(value)] = count;
  return {
    plugin: p.plugin.name,
    pluglet: p.name,
    point: p.point,
    anchor: p.anchor,
    seq: p.seq,
    disabled: p.plugin.disabled,
    calls: s.calls,
    faults: s.faults,
    steps: s.steps,
    timeNs: s.timeNs,
    returns,
  };
}
