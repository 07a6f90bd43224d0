// What the plugin host tests share: compiling the C plugins of test/plugins/c with the plugin API's clang
// command line, writing .plugin manifests, loading a PluginHost (throwing with the load errors), stub
// helper services, a reporter that records, and an RDE with the host's hooks attached.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rde, type RdeOptions } from '../../daemon/rde/rde.js';
import { PluginHost, type PluginEntry } from '../../daemon/plugins/host.js';
import { HostPlugins } from '../../daemon/plugins/points/filters.js';
import { pluginHelperRegistry } from '../../daemon/plugins/helpers/index.js';
import type { PluginServices } from '../../daemon/plugins/call.js';
import { pluginCompileArgs } from '../../xbgp-api/build.js';
import { repoRoot } from '../helpers/env.js';

export const LOCAL_AS = 65000;
export const ROUTER_ID = 0x0a000064;
/** The permissions of a pluglet that reads and writes routes. */
export const RW = ['read', 'write', 'usr_ptr'];

const SOURCES = join(repoRoot, 'test', 'plugins', 'c');

/** A fresh temp folder for objects and manifests. */
export function workDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `xbgpd-${prefix}-`));
}

/** Compile c/NAME.c into DIR/NAME.o. */
export function compilePlugin(dir: string, name: string): string {
  const out = join(dir, `${name}.o`);
  execFileSync('clang', pluginCompileArgs(join(repoRoot, 'xbgp-api'), join(SOURCES, `${name}.c`), out), {
    stdio: 'pipe',
  });
  return out;
}

/** Write a .plugin manifest (`body.name`.plugin) into `dir`; its path. */
export function writeManifest(dir: string, body: { name: string } & Record<string, unknown>): string {
  const path = join(dir, `${body.name}.plugin`);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

/** A manifest with one pluglet (its object DIR/PLUGLET.o) at `point`, replace anchor, seq 0. */
export function onePluglet(
  dir: string,
  plugin: string,
  pluglet: string,
  point: string,
  permissions = RW,
): string {
  return writeManifest(dir, {
    name: plugin,
    obj_code_list: { [pluglet]: { obj: `${pluglet}.o`, permissions } },
    insertion_points: { [point]: { replace: { '0': pluglet } } },
  });
}

/** Records what the host reports. */
export class RecordingReporter {
  readonly warnings: Record<string, unknown>[] = [];
  readonly errors: Record<string, unknown>[] = [];
  now = (): number => performance.now();
  warn = (fields: Record<string, unknown>): void => void this.warnings.push(fields);
  error = (fields: Record<string, unknown>): void => void this.errors.push(fields);
}

/** Load the entries, or throw with every load error. */
export function loadHost(entries: PluginEntry[], reporter = new RecordingReporter()): PluginHost {
  const loaded = PluginHost.load(entries, pluginHelperRegistry(), reporter);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.host;
}

/** Helper services with no extra configuration, no log, and the given overrides. */
export function stubServices(over: Partial<PluginServices> = {}): PluginServices {
  return {
    extraConf: undefined,
    log: () => undefined,
    monotonicMs: () => performance.now(),
    realtimeMs: () => Date.now(),
    ...over,
  };
}

/** An RDE (AS LOCAL_AS unless `asn`) with the host's hooks attached, or none. */
export function rdeWithPlugins(host: PluginHost | undefined, asn = LOCAL_AS): Rde {
  return new Rde({
    localAsn: asn,
    routerId: ROUTER_ID,
    decision: { alwaysCompareMed: false, deterministicMed: false },
    ebgpRequiresPolicy: false,
    pluginHooks: hooksOf(host, asn),
  });
}

/** The RDE hooks of `host` (RdeOptions.pluginHooks, Rde.replacePlugins), with stub services. */
export function hooksOf(host: PluginHost | undefined, asn = LOCAL_AS): RdeOptions['pluginHooks'] {
  const services = stubServices();
  return host && ((store) => new HostPlugins(host, store, { asn, routerId: ROUTER_ID }, () => services));
}
