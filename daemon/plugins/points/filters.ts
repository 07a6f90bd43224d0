// The filter insertion points, bgp_pre_inbound_filter and bgp_pre_outbound_filter, as the RDE's
// RouteFilterHooks (rde/plugin-hook.ts). A call fills the Call the helpers see (the route, its prefix,
// its source or destination peers), runs pre, the replace chain and post (runtime.ts), and reads the
// verdict: PLUGIN_FILTER_REJECT rejects; PLUGIN_FILTER_ACCEPT lets the route through the native
// propagation rules on export (route reflection needs it) and otherwise leaves the native filters to
// run; PLUGIN_FILTER_UNKNOWN, the end of the chain, a fault or any other value leave the native
// filters to run. Attribute changes made by pluglets that did not fault are kept (a pluglet may set an
// attribute and then call next(), as xBGP's set_med_42 does); a fault drops every change of the call.
// Outbound, get_src_peer_info gives the peer the route was learned from; a chain with a pluglet that
// declares `depends-on: peers` runs per destination peer (its own group), and not at all for a route
// towards the peer it came from (split horizon never sends it there).
import {
  PLUGIN_FILTER_ACCEPT,
  PLUGIN_FILTER_REJECT,
  PLUGIN_FILTER_UNKNOWN,
  XBGP_AFI_IPV4,
  XBGP_AFI_IPV6,
  XBGP_SAFI_UNICAST,
  EBGP_SESSION,
  IBGP_SESSION,
  LOCAL_SESSION,
  pointByName,
} from '../../../xbgp-api/index.js';
import type { AttrSet, AttrStore } from '../../rde/attr-store.js';
import type { FilterDependency } from '../../rde/policy-hook.js';
import type {
  AttributeDecodeHook,
  AttributeEncodeHook,
  HookPeer,
  HookVerdict,
  RdeDecisionHook,
  RdePlugins,
  RouteFilterHook,
} from '../../rde/plugin-hook.js';
import { HostDecision } from './decision.js';
import { writePrefix as writeRibPrefix, type PrefixKey, type RdePeer } from '../../rde/rib.js';
import { addressBytes, ipVersion } from '../../net/address.js';
import { Call, type PeerInfo, type PluginServices } from '../call.js';
import type { PluginHost } from '../host.js';
import { RouteState } from '../route.js';
import { runPost, runPre, runReplace, type Chain, type Plugin } from '../runtime.js';
import { attributeDecoder, attributeEncoder } from './codec.js';

const INBOUND = 'bgp_pre_inbound_filter';
const OUTBOUND = 'bgp_pre_outbound_filter';

const REJECT = BigInt(PLUGIN_FILTER_REJECT);
const ACCEPT = BigInt(PLUGIN_FILTER_ACCEPT);
const UNKNOWN = BigInt(PLUGIN_FILTER_UNKNOWN);

const validFilterVerdict = (v: bigint): boolean => v === REJECT || v === ACCEPT || v === UNKNOWN;

/** The peer helpers' view of a session. */
export function peerInfoOf(peer: HookPeer, localAsn: number, localRouterId: number): PeerInfo {
  const bytes = (text: string): Uint8Array | undefined =>
    ipVersion(text) === 0 ? undefined : addressBytes(text);
  return {
    asn: peer.asn,
    routerId: peer.routerId,
    peerType: peer.ibgp ? IBGP_SESSION : EBGP_SESSION,
    address: bytes(peer.address),
    local: {
      asn: localAsn,
      routerId: localRouterId,
      peerType: LOCAL_SESSION,
      address: bytes(peer.localAddress),
    },
  };
}

/**
 * A route's source (an RdePeer of the RIB) as the peer helpers describe it: the local pseudo-peer of our
 * own routes is a LOCAL_SESSION with our AS and router id. Cached per peer in `cache`.
 */
export function sourcePeerInfo(
  peer: RdePeer,
  local: { asn: number; routerId: number },
  cache: WeakMap<RdePeer, PeerInfo>,
): PeerInfo {
  let info = cache.get(peer);
  if (info !== undefined) return info;
  const hookPeer = {
    name: peer.name,
    asn: peer.asn,
    routerId: peer.routerId,
    ibgp: peer.ibgp,
    address: peer.address,
    localAddress: '',
  };
  info = peerInfoOf(hookPeer, local.asn, local.routerId);
  if (peer.local) info = { ...info, peerType: LOCAL_SESSION };
  cache.set(peer, info);
  return info;
}

/** One filter point for one peer or group: a chain, the Call its helpers see, the route state. */
class FilterHook implements RouteFilterHook {
  readonly dependsOn: FilterDependency;
  private readonly call: Call;
  private readonly route = new RouteState();
  private readonly prefixBytes = new Uint8Array(17);
  /** The route's prefix as get_prefix gives it, rewritten in place per route. */
  private readonly prefix = { afi: 0, safi: XBGP_SAFI_UNICAST, prefixlen: 0, addr: new Uint8Array(0) };
  private readonly addr4 = this.prefixBytes.subarray(1, 5);
  private readonly addr6 = this.prefixBytes.subarray(1, 17);

  constructor(
    private readonly chain: Chain,
    private readonly host: PluginHost,
    private readonly store: AttrStore,
    point: string,
    services: (plugin: Plugin) => PluginServices,
    peers: {
      source?: PeerInfo;
      destinations?: () => readonly PeerInfo[];
      /** Per-peer outbound hooks: the name of the group's one peer. */
      sole?: () => string | undefined;
    },
    private readonly local: { asn: number; routerId: number },
  ) {
    this.sole = peers.sole;
    this.call = new Call(pointByName(point)!, services);
    this.call.route = this.route;
    this.call.sourcePeer = peers.source;
    this.destinations = peers.destinations;
    this.dependsOn = dependencyOf(chain, peers.destinations !== undefined);
  }

  private readonly destinations: (() => readonly PeerInfo[]) | undefined;
  private readonly sole: (() => string | undefined) | undefined;
  /** Outbound: the routes' source peers as the helpers describe them. */
  private readonly sources = new WeakMap<RdePeer, PeerInfo>();

  run(set: AttrSet, ipv6: boolean, key: PrefixKey, source?: RdePeer): HookVerdict {
    // Per peer, towards the peer the route came from: never sent there (split horizon), so not run.
    if (source !== undefined && this.sole !== undefined && this.sole() === source.name) return 'reject';
    const call = this.call;
    // The group's members are listed only if a pluglet asks (get_peer_info), not per route.
    call.destinationsOf = this.destinations;
    // Outbound: the peer the route was learned from (none for our own routes, as the header says).
    if (source !== undefined)
      call.sourcePeer = source.local ? undefined : sourcePeerInfo(source, this.local, this.sources);
    this.route.reset(set, ipv6, this.store);
    writeRibPrefix(key, this.prefixBytes, 0);
    const prefix = this.prefix;
    prefix.afi = ipv6 ? XBGP_AFI_IPV6 : XBGP_AFI_IPV4;
    prefix.prefixlen = this.prefixBytes[0]!;
    prefix.addr = ipv6 ? this.addr6 : this.addr4;
    call.prefix = prefix;
    runPre(this.chain, call, this.host, call.writeInfo);
    const faultsBefore = call.faults;
    const value = runReplace(this.chain, call, this.host, call.writeInfo, validFilterVerdict);
    if (call.faults !== faultsBefore) this.route.discard();
    runPost(this.chain, call, this.host, call.writeInfo, value ?? UNKNOWN);
    if (value === REJECT) return 'reject';
    return value === ACCEPT ? 'accept' : 'continue';
  }

  get changed(): boolean {
    return this.route.changed;
  }

  take(set: AttrSet): AttrSet {
    return this.route.applyTo(set);
  }

  takeWritten(): AttrSet {
    return this.route.applyToWritten();
  }
}

/**
 * The weakest declaration of the chain's pluglets: any undeclared one makes it 'anything'. `peers` is
 * 'source' outbound (each peer has its own hook there: see outboundKey) and 'attributes' inbound (the
 * hook belongs to the source peer); with 'prefix' it is 'anything'.
 */
function dependencyOf(chain: Chain, outbound: boolean): FilterDependency {
  let prefix = false;
  let source = false;
  for (const p of [...chain.pre, ...chain.replace, ...chain.post]) {
    const declared = p.dependsOn;
    if (declared === undefined || declared === 'anything') return 'anything';
    if (declared === 'prefix') prefix = true;
    if (declared === 'peers' && outbound) source = true;
  }
  if (prefix && source) return 'anything';
  return prefix ? 'prefix' : source ? 'source' : 'attributes';
}

/** The plugin host as the RDE's RdePlugins: filter hooks per peer and per group, codec hooks per peer (codec.ts). */
export class HostPlugins implements RdePlugins {
  get owner(): PluginHost {
    return this.host;
  }

  constructor(
    private readonly host: PluginHost,
    private readonly store: AttrStore,
    private readonly local: { asn: number; routerId: number },
    private readonly services: (plugin: Plugin) => PluginServices,
  ) {}

  inbound(peer: HookPeer): RouteFilterHook | undefined {
    const chain = this.host.chain(INBOUND, peer.name);
    if (chain === undefined) return undefined;
    const source = peerInfoOf(peer, this.local.asn, this.local.routerId);
    return new FilterHook(chain, this.host, this.store, INBOUND, this.services, { source }, this.local);
  }

  outbound(member: string, peers: ReadonlySet<HookPeer>): RouteFilterHook | undefined {
    const chain = this.host.chain(OUTBOUND, member);
    if (chain === undefined) return undefined;
    // The group's members when the pluglets run (members join and leave the group).
    const infos = new WeakMap<HookPeer, PeerInfo>();
    const info = (p: HookPeer): PeerInfo => {
      let i = infos.get(p);
      if (i === undefined) infos.set(p, (i = peerInfoOf(p, this.local.asn, this.local.routerId)));
      return i;
    };
    // The same array while the members stay the same (get_peer_info asks on every run).
    let members: PeerInfo[] = [];
    const destinations = (): readonly PeerInfo[] => {
      if (members.length === peers.size) {
        let i = 0;
        let same = true;
        for (const p of peers)
          if (info(p) !== members[i++]) {
            same = false;
            break;
          }
        if (same) return members;
      }
      return (members = [...peers].map(info));
    };
    const sole = perPeer(chain)
      ? (): string | undefined => {
          for (const p of peers) return p.name;
          return undefined;
        }
      : undefined;
    const hookPeers = { destinations, ...(sole ? { sole } : {}) };
    return new FilterHook(chain, this.host, this.store, OUTBOUND, this.services, hookPeers, this.local);
  }

  decision(): RdeDecisionHook | undefined {
    return HostDecision.create(this.host, this.store, this.local, this.services);
  }

  decodeAttributes(peer: HookPeer): AttributeDecodeHook | undefined {
    const info = peerInfoOf(peer, this.local.asn, this.local.routerId);
    return attributeDecoder(this.host, this.store, this.services, peer.name, info);
  }

  encodeAttributes(peer: HookPeer): AttributeEncodeHook | undefined {
    const info = peerInfoOf(peer, this.local.asn, this.local.routerId);
    return attributeEncoder(this.host, this.store, this.services, peer.name, info);
  }

  outboundKey(peer: string): string {
    const chain = this.host.chain(OUTBOUND, peer);
    if (chain === undefined) return '';
    const key = [...chain.pre, ...chain.replace, ...chain.post]
      .map((p) => `${p.plugin.name}/${p.name}`)
      .join(',');
    // A pluglet whose verdict depends on the destination peer (`depends-on: peers`) runs per peer: the
    // peer gets its own group (and Adj-RIB-Out), and get_peer_info gives that peer alone.
    return perPeer(chain) ? `${key};peer=${peer}` : key;
  }
}

/** Whether an outbound chain runs per destination peer (a pluglet declares `depends-on: peers`). */
function perPeer(chain: Chain): boolean {
  return [...chain.pre, ...chain.replace, ...chain.post].some((p) => p.dependsOn === 'peers');
}
