// The filter insertion points, bgp_pre_inbound_filter and bgp_pre_outbound_filter, as the RDE's
// RouteFilterHooks (rde/plugin-hook.ts). A call fills the Call the helpers see (the route, its prefix,
// its source or destination peers), runs pre, the replace chain and post (runtime.ts), and reads the
// verdict: PLUGIN_FILTER_REJECT rejects; PLUGIN_FILTER_ACCEPT lets the route through the native
// propagation rules on export (route reflection needs it) and otherwise leaves the native filters to
// run; PLUGIN_FILTER_UNKNOWN, the end of the chain, a fault or any other value leave the native
// filters to run. Attribute changes made by pluglets that did not fault are kept (a pluglet may set an
// attribute and then call next(), as xBGP's set_med_42 does); a fault drops every change of the call.
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
import { writePrefix as writeRibPrefix, type PrefixKey } from '../../rde/rib.js';
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
    peers: { source?: PeerInfo; destinations?: () => readonly PeerInfo[] },
  ) {
    this.call = new Call(pointByName(point)!, services);
    this.call.route = this.route;
    this.call.sourcePeer = peers.source;
    this.destinations = peers.destinations;
    this.dependsOn = dependencyOf(chain);
  }

  private readonly destinations: (() => readonly PeerInfo[]) | undefined;

  run(set: AttrSet, ipv6: boolean, key: PrefixKey): HookVerdict {
    const call = this.call;
    if (this.destinations !== undefined) call.destinationPeers = this.destinations();
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

  take(set: AttrSet): AttrSet {
    return this.route.applyTo(set);
  }
}

/** The weakest declaration of the chain's pluglets: any undeclared one makes it 'anything'. */
function dependencyOf(chain: Chain): FilterDependency {
  let dep: FilterDependency = 'attributes';
  for (const p of [...chain.pre, ...chain.replace, ...chain.post]) {
    const declared = p.dependsOn;
    if (declared === undefined || declared === 'anything') return 'anything';
    if (declared === 'prefix') dep = 'prefix';
  }
  return dep;
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
    return new FilterHook(chain, this.host, this.store, INBOUND, this.services, { source });
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
    const destinations = (): PeerInfo[] => [...peers].map(info);
    return new FilterHook(chain, this.host, this.store, OUTBOUND, this.services, { destinations });
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
    return [...chain.pre, ...chain.replace, ...chain.post].map((p) => `${p.plugin.name}/${p.name}`).join(',');
  }
}
