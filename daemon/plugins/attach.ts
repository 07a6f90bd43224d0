// The plugin host attached to a running daemon: the RDE's hooks (filter and decision points) built on
// its attribute store, the job runner on the daemon's clock, and the services the helpers use (each
// plugin's extra configuration, its log lines through the daemon's logger, the clocks).
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { XBGP_AFI_IPV4, XBGP_AFI_IPV6, XBGP_SAFI_UNICAST, type PrefixValue } from '../../xbgp-api/index.js';
import type { Family } from '../net/family.js';
import { addressBytes, ipVersion } from '../net/address.js';
import type { AttrSet, AttrStore } from '../rde/attr-store.js';
import {
  prefixKey,
  writePrefix as writeRibPrefix,
  type PrefixKey,
  type RdePeer,
  type RibPath,
} from '../rde/rib.js';
import type { RdePlugins } from '../rde/plugin-hook.js';
import type {
  PeerInfo,
  PeerSelector,
  PluginLogLevel,
  PluginServices,
  RibRoute,
  RouterAccess,
  RpkiLookup,
} from './call.js';
import type { PluginHost } from './host.js';
import { HostPlugins, peerInfoOf } from './points/filters.js';
import { JobRunner } from './points/jobs.js';
import { messageHook } from './points/message.js';
import type { MessageHook } from '../session/message-hook.js';
import type { Plugin } from './runtime.js';

export interface AttachedPlugins {
  /** RdeOptions.pluginHooks. */
  readonly hooks: (store: AttrStore) => RdePlugins;
  readonly jobs: JobRunner;
  /** bgp_decode_message / bgp_encode_message for the peer named `peer` (undefined: none attached). */
  readonly messages: (peer: string) => MessageHook | undefined;
}

/** Wire `host` to the daemon: `local` is our AS and router id (u32). */
export function attachPlugins(
  host: PluginHost,
  log: Logger,
  clock: Clock,
  local: { asn: number; routerId: number },
  router: () => RouterAccess | undefined,
  /** The VRPs of the RTR client (rpki_validate_origin); undefined without an `rpki:` section. */
  rpki?: () => RpkiLookup | undefined,
): AttachedPlugins {
  const byPlugin = new Map<Plugin, PluginServices>();
  const services = (plugin: Plugin): PluginServices => {
    let s = byPlugin.get(plugin);
    if (s === undefined) byPlugin.set(plugin, (s = servicesOf(host, plugin, log, clock, router, rpki)));
    return s;
  };
  const byPeer = new Map<string, MessageHook | undefined>();
  return {
    hooks: (store) => new HostPlugins(host, store, local, services),
    jobs: new JobRunner(host, clock, services),
    messages: (peer) => {
      if (!byPeer.has(peer)) byPeer.set(peer, messageHook(host, services, local, peer));
      return byPeer.get(peer);
    },
  };
}

function servicesOf(
  host: PluginHost,
  plugin: Plugin,
  log: Logger,
  clock: Clock,
  router: () => RouterAccess | undefined,
  rpki: (() => RpkiLookup | undefined) | undefined,
): PluginServices {
  const extraConf = host.plugins.find((p) => p.plugin === plugin)?.extraConf;
  return {
    extraConf,
    log: (level: PluginLogLevel, message, call) =>
      log[level]({ plugin: plugin.name, pluglet: call.pluglet?.name, point: call.point.name }, message),
    router,
    ...(rpki === undefined ? {} : { rpki }),
    monotonicMs: () => clock.now(),
    realtimeMs: () => (clock.wallNow ? clock.wallNow() : performance.timeOrigin + performance.now()),
  };
}

/** The RDE as the router access needs it. */
export interface RouterRde {
  readonly store: AttrStore;
  locRibEntries(): Iterable<{ family: Family; key: PrefixKey; best: RibPath & { attrs: AttrSet } }>;
  receivedRoute(family: Family, key: PrefixKey, match: (peer: RdePeer) => boolean): RibPath | undefined;
  sentRoute(name: string, family: Family, key: PrefixKey): AttrSet | undefined;
  removeReceived(family: Family, key: PrefixKey, match: (peer: RdePeer) => boolean): boolean;
  rdePeers(): RdePeer[];
}

/** The sessions as the control helpers reach them (daemon/speaker.ts). */
export interface RouterSessions {
  /** peer_session_reset: reset the session with the peer at `address` (deferred). */
  resetPeer(address: string): boolean;
  /** schedule_bgp_message: queue a message to the Established peer at `address` (deferred). */
  sendMessage(address: string, type: number, body: Uint8Array): boolean;
}

/** What the router offers the RIB and control helpers, over an RDE and its sessions. */
export function routerAccess(
  rde: RouterRde,
  local: { asn: number; routerId: number },
  sessions: RouterSessions,
): RouterAccess {
  const info = (p: RdePeer): PeerInfo =>
    peerInfoOf(
      { name: p.name, asn: p.asn, routerId: p.routerId, ibgp: p.ibgp, address: p.address, localAddress: '' },
      local.asn,
      local.routerId,
    );
  const wire = new Uint8Array(17);
  const prefixOf = (key: PrefixKey, ipv6: boolean): PrefixValue => {
    writeRibPrefix(key, wire, 0);
    return {
      afi: ipv6 ? XBGP_AFI_IPV6 : XBGP_AFI_IPV4,
      safi: XBGP_SAFI_UNICAST,
      prefixlen: wire[0]!,
      addr: wire.slice(1, 1 + (ipv6 ? 16 : 4)),
    };
  };
  const lookup = (prefix: PrefixValue) => {
    const ipv6 = prefix.afi === XBGP_AFI_IPV6;
    const max = ipv6 ? 128 : 32;
    if ((prefix.afi !== XBGP_AFI_IPV4 && !ipv6) || prefix.prefixlen > max) return undefined;
    const family: Family = ipv6 ? 'ipv6-unicast' : 'ipv4-unicast';
    return { ipv6, family, key: prefixKey(prefix.afi, prefix.prefixlen, prefix.addr, 0) };
  };
  const matcher = (sel: PeerSelector) => (p: RdePeer) =>
    sel.routerId !== 0
      ? p.routerId === sel.routerId
      : sel.address !== undefined && sameAddress(p.address, sel.address);
  return {
    store: rde.store,
    *bestRoutes(ipv6: boolean): Generator<RibRoute> {
      const family = ipv6 ? 'ipv6-unicast' : 'ipv4-unicast';
      for (const e of rde.locRibEntries())
        if (e.family === family)
          yield { ipv6, prefix: prefixOf(e.key, ipv6), set: e.best.attrs, peer: info(e.best.peer) };
    },
    resetPeer: (address) => sessions.resetPeer(address),
    sendMessage: (address, type, body) => sessions.sendMessage(address, type, body),
    receivedRoute(prefix, sel) {
      const l = lookup(prefix);
      const path = l && rde.receivedRoute(l.family, l.key, matcher(sel));
      if (l === undefined || path === undefined || path.attrs === null) return undefined;
      return { ipv6: l.ipv6, prefix, set: path.attrs, peer: info(path.peer) };
    },
    sentRoute(prefix, sel) {
      const l = lookup(prefix);
      const peer = rde.rdePeers().find(matcher(sel));
      const set = l && peer && rde.sentRoute(peer.name, l.family, l.key);
      if (l === undefined || peer === undefined || set === undefined) return undefined;
      return { ipv6: l.ipv6, prefix, set, peer: info(peer) };
    },
    removeRoute(prefix, sel) {
      const l = lookup(prefix);
      return l !== undefined && rde.removeReceived(l.family, l.key, matcher(sel));
    },
  };
}

function sameAddress(text: string, bytes: Uint8Array): boolean {
  if (ipVersion(text) === 0) return false;
  const mine = addressBytes(text);
  return mine.length === bytes.length && mine.every((b, i) => b === bytes[i]);
}
