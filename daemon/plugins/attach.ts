// The plugin host attached to a running daemon: the RDE's hooks (filter and decision points) built on
// its attribute store, the job runner on the daemon's clock, and the services the helpers use (each
// plugin's extra configuration, its log lines through the daemon's logger, the clocks).
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { AttrStore } from '../rde/attr-store.js';
import type { RdePlugins } from '../rde/plugin-hook.js';
import type { PluginLogLevel, PluginServices } from './call.js';
import type { PluginHost } from './host.js';
import { HostPlugins } from './points/filters.js';
import { JobRunner } from './points/jobs.js';
import type { Plugin } from './runtime.js';

export interface AttachedPlugins {
  /** RdeOptions.pluginHooks. */
  readonly hooks: (store: AttrStore) => RdePlugins;
  readonly jobs: JobRunner;
}

/** Wire `host` to the daemon: `local` is our AS and router id (u32). */
export function attachPlugins(
  host: PluginHost,
  log: Logger,
  clock: Clock,
  local: { asn: number; routerId: number },
): AttachedPlugins {
  const byPlugin = new Map<Plugin, PluginServices>();
  const services = (plugin: Plugin): PluginServices => {
    let s = byPlugin.get(plugin);
    if (s === undefined) byPlugin.set(plugin, (s = servicesOf(host, plugin, log, clock)));
    return s;
  };
  return {
    hooks: (store) => new HostPlugins(host, store, local, services),
    jobs: new JobRunner(host, clock, services),
  };
}

function servicesOf(host: PluginHost, plugin: Plugin, log: Logger, clock: Clock): PluginServices {
  const extraConf = host.plugins.find((p) => p.plugin === plugin)?.extraConf;
  const origin = performance.timeOrigin;
  return {
    extraConf,
    log: (level: PluginLogLevel, message, call) =>
      log[level]({ plugin: plugin.name, pluglet: call.pluglet?.name, point: call.point.name }, message),
    monotonicMs: () => clock.now(),
    realtimeMs: () => origin + performance.now(),
  };
}
