// The plugin host attached to a running daemon: the RDE's hooks (filter and decision points) built on
// its attribute store, the job runner on the daemon's clock, and the services the helpers use (each
// plugin's extra configuration, its log lines through the daemon's logger, the clocks).
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { XBGP_AFI_IPV4, XBGP_AFI_IPV6, XBGP_SAFI_UNICAST } from '../../xbgp-api/index.js';
import type { AttrSet, AttrStore } from '../rde/attr-store.js';
import { writePrefix as writeRibPrefix, type PrefixKey, type RibPath } from '../rde/rib.js';
import type { RdePlugins } from '../rde/plugin-hook.js';
import type { PluginLogLevel, PluginServices, RibRoute, RouterAccess } from './call.js';
import type { PluginHost } from './host.js';
import { HostPlugins, peerInfoOf } from './points/filters.js';
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
  router: () => RouterAccess | undefined,
): AttachedPlugins {
  const byPlugin = new Map<Plugin, PluginServices>();
  const services = (plugin: Plugin): PluginServices => {
    let s = byPlugin.get(plugin);
    if (s === undefined) byPlugin.set(plugin, (s = servicesOf(host, plugin, log, clock, router)));
    return s;
  };
  return {
    hooks: (store) => new HostPlugins(host, store, local, services),
    jobs: new JobRunner(host, clock, services),
  };
}

function servicesOf(
  host: PluginHost,
  plugin: Plugin,
  log: Logger,
  clock: Clock,
  router: () => RouterAccess | undefined,
): PluginServices {
  const extraConf = host.plugins.find((p) => p.plugin === plugin)?.extraConf;
  const origin = performance.timeOrigin;
  return {
    extraConf,
    log: (level: PluginLogLevel, message, call) =>
      log[level]({ plugin: plugin.name, pluglet: call.pluglet?.name, point: call.point.name }, message),
    router,
    monotonicMs: () => clock.now(),
    realtimeMs: () => origin + performance.now(),
  };
}

/** What the router offers the RIB and control helpers, over an RDE and a way to reset sessions. */
export function routerAccess(
  rde: {
    store: AttrStore;
    locRibEntries(): Iterable<{ family: string; key: PrefixKey; best: RibPath & { attrs: AttrSet } }>;
  },
  local: { asn: number; routerId: number },
  resetPeer: (address: string) => boolean,
): RouterAccess {
  return {
    store: rde.store,
    *bestRoutes(ipv6: boolean): Generator<RibRoute> {
      const family = ipv6 ? 'ipv6-unicast' : 'ipv4-unicast';
      const wire = new Uint8Array(17);
      for (const e of rde.locRibEntries()) {
        if (e.family !== family) continue;
        writeRibPrefix(e.key, wire, 0);
        const prefix = {
          afi: ipv6 ? XBGP_AFI_IPV6 : XBGP_AFI_IPV4,
          safi: XBGP_SAFI_UNICAST,
          prefixlen: wire[0]!,
          addr: wire.slice(1, 1 + (ipv6 ? 16 : 4)),
        };
        const p = e.best.peer;
        const peer = peerInfoOf(
          {
            name: p.name,
            asn: p.asn,
            routerId: p.routerId,
            ibgp: p.ibgp,
            address: p.address,
            localAddress: '',
          },
          local.asn,
          local.routerId,
        );
        yield { ipv6, prefix, set: e.best.attrs, peer };
      }
    },
    resetPeer,
  };
}
