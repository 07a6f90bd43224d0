// The RDE's per-peer and per-group state (what rde.ts keeps for each session and each Adj-RIB-Out), and
// the small helpers around it. Types only plus pure functions; the Rde class owns the instances.
import type { TimerHandle } from '../clock.js';
import type { Family } from '../config/types.js';
import { ipVersion } from '../net/address.js';
import type { PeerSessionInfo, PeerSink, PeerSpec } from '../session/rde-port.js';
import type { AttrSet } from './attr-store.js';
import { SetCache, type InboundContext, type OutboundContext } from './pipeline.js';
import type { AttributeDecodeHook, AttributeEncodeHook, HookPeer } from './plugin-hook.js';
import type { IdArray } from './id-array.js';
import { IdFifo, type SendQueue } from './queues.js';
import type { RdePeer } from './rib.js';

export interface Group {
  readonly key: string;
  /**
   * The Adj-RIB-Out, indexed by Destination id (undefined: nothing exported). The route's source peer
   * (for split horizon) is the destination's best path's peer: every change of the best path re-exports
   * to every group.
   */
  readonly out: Record<Family, IdArray<AttrSet>>;
  readonly ctx: OutboundContext;
  /** The peers sent this Adj-RIB-Out (an array: walked per exported destination). */
  readonly members: PeerState[];
  /** The members as outbound plugins see them (get_peer_info). */
  readonly hookPeers: Set<HookPeer>;
}

/** Make `state` a member of `group` (and its hook peer one of the group's plugin peers). */
export function joinGroup(group: Group, state: PeerState): void {
  if (!group.members.includes(state)) group.members.push(state);
  group.hookPeers.add(state.hookPeer);
}

/** Take `state` out of `group`; returns whether members are left. */
export function leaveGroup(group: Group, state: PeerState): boolean {
  const at = group.members.indexOf(state);
  if (at >= 0) group.members.splice(at, 1);
  group.hookPeers.delete(state.hookPeer);
  return group.members.length > 0;
}

export interface PeerOut {
  /** Replaced when a reload changes the export settings (updatePeerPolicy). */
  group: Group;
  readonly info: PeerSessionInfo;
  readonly sink: PeerSink;
  /**
   * Destinations whose Adj-RIB-Out entry changed since last sent, with whether the peer may hold an
   * announcement of it (so a withdrawal is owed when there is nothing to announce). Keeps split horizon
   * from withdrawing what was never sent.
   */
  readonly dirty: Record<Family, SendQueue>;
  /** Families negotiated with the peer. */
  readonly wants: Record<Family, boolean>;
  /** bgp_encode_attr pluglets attached to the peer, if any (replaced by Rde.replacePlugins). */
  encode: AttributeEncodeHook | undefined;
  /** Families still owed an End-of-RIB after the initial dump. */
  readonly eorPending: Set<Family>;
  pulling: boolean;
  nextAllowed: number;
  mraiTimer: TimerHandle | undefined;
}

export interface PeerState {
  readonly peer: RdePeer;
  /** The peer as plugins see it. */
  readonly hookPeer: HookPeer;
  /** Replaced when a reload changes only policy-like settings (updatePeerPolicy). */
  spec: PeerSpec;
  inbound: InboundContext;
  /** bgp_decode_attr pluglets attached to the peer, if any (replaced by Rde.replacePlugins). */
  decode: AttributeDecodeHook | undefined;
  out: PeerOut | undefined;
  /** Adj-RIB-In paths held (all families). */
  paths: number;
  /**
   * Per family, the ids of the destinations where the peer added a path, so that dropping the peer's
   * routes visits those only, not the whole RIB (with a hundred peers going down together, walking the
   * RIB once per peer held the event loop for seconds). Not trimmed on withdrawal: an id may name a
   * destination that no longer holds a path of the peer (or a new one under a reused id), or appear
   * twice; `Rde` compacts the list when it has grown well past `paths`.
   */
  readonly dests: Record<Family, IdFifo>;
  /** Families whose routes are taken from the peer: negotiated, and not disabled (RFC 4760 7). */
  readonly accepts: Record<Family, boolean>;
}

export function familySets<T>(make: () => T): Record<Family, T> {
  return { 'ipv4-unicast': make(), 'ipv6-unicast': make() };
}

export function familyOf(ipv6: boolean): Family {
  return ipv6 ? 'ipv6-unicast' : 'ipv4-unicast';
}

/** A peer as the plugin hooks describe it. */
export function hookPeerOf(spec: PeerSpec, info: PeerSessionInfo): HookPeer {
  const ipv6 = ipVersion(spec.address) === 6;
  return {
    name: spec.name,
    asn: spec.asn,
    routerId: info.routerId,
    ibgp: info.ibgp,
    address: spec.address,
    localAddress: ipv6 ? info.nextHopIpv6 : info.nextHopIpv4,
  };
}

/** The RDE's local pseudo-peer (id 0): the source of originated routes, with no import policy or plugin. */
export function localPeerState(localAsn: number, routerId: number): PeerState {
  const peer: RdePeer = {
    id: 0,
    name: '(local)',
    asn: localAsn,
    address: '',
    local: true,
    ibgp: false,
    routerId,
    addressKey: '0',
  };
  return {
    peer,
    hookPeer: { name: peer.name, asn: localAsn, routerId, ibgp: false, address: '', localAddress: '' },
    spec: {
      name: peer.name,
      address: '',
      asn: localAsn,
      nextHopSelf: false,
      sendMed: false,
      minRouteAdvertisementInterval: 0,
    },
    inbound: {
      localAsn,
      denyAllEbgp: false,
      policy: undefined,
      selfNextHop: [undefined, undefined],
      cache: new SetCache(),
      plugin: undefined,
      pluginCache: new SetCache(),
    },
    decode: undefined,
    out: undefined,
    paths: 0,
    dests: familySets(() => new IdFifo()),
    accepts: familySets(() => true),
  };
}
