// The RDE's view of the plugin host at the filter points (bgp_pre_inbound_filter,
// bgp_pre_outbound_filter) and the codec points (bgp_decode_attr, bgp_encode_attr), so the RDE depends on
// an interface, not on daemon/plugins. A hook belongs to one peer (inbound, decode, encode) or one peer
// group (outbound); the RDE calls it only where a plugin is attached, and takes its native path untouched
// everywhere else.
import type { PathAttribute } from '../wire/index.js';
import type { AttrSet } from './attr-store.js';
import type { DecisionHook } from './decision.js';
import type { FilterDependency } from './policy-hook.js';
import type { PrefixKey, RdePeer } from './rib.js';

/**
 * What a filter point's pluglets said about a route: 'reject' (filtered), 'accept' (outbound: send it
 * even where the native propagation rules would not, as a route reflector must; inbound: as 'continue'),
 * 'continue' (no final say: the native filters run). A fault is 'continue' with no changes.
 */
export type HookVerdict = 'reject' | 'accept' | 'continue';

export interface RouteFilterHook {
  /**
   * What the verdicts depend on (all pluglets' declarations; 'anything' when one declares nothing;
   * 'source' outbound when one declares `peers`).
   */
  readonly dependsOn: FilterDependency;
  /**
   * Run the point's pluglets on the route (`set` is the route's set, referenced by the caller). Outbound,
   * `source` is the peer the route was learned from (get_src_peer_info; the local pseudo-peer for our
   * own routes); inbound it is the hook's peer and not passed.
   */
  run(set: AttrSet, ipv6: boolean, key: PrefixKey, source?: RdePeer): HookVerdict;
  /** Whether the last run changed the route's attributes (take would apply something). */
  readonly changed: boolean;
  /**
   * `set` (the route's set, or what the native rules made of it) with the attribute changes of the last
   * run applied: one new reference (`set` itself when nothing changed).
   */
  take(set: AttrSet): AttrSet;
  /** take() on the set the store's key writer holds, not interned (what the native rules wrote): a new reference. */
  takeWritten(): AttrSet;
}

/** The session facts a peer's hooks describe it with (get_src_peer_info, get_peer_info). */
export interface HookPeer {
  readonly name: string;
  readonly asn: number;
  readonly routerId: number;
  readonly ibgp: boolean;
  /** The peer's address, and ours on the session. */
  readonly address: string;
  readonly localAddress: string;
}

/**
 * What bgp_decode_attr made of a received UPDATE's attributes: 'withdraw' (a pluglet said
 * PLUGIN_FILTER_REJECT: the UPDATE is treated as a withdrawal, RFC 7606), undefined (no pluglet consumed
 * or stored anything: the native decoding of every attribute), or the attributes left to the native
 * decoding and what the pluglets stored.
 */
export type DecodeOutcome =
  | 'withdraw'
  | undefined
  | {
      /** The received attributes, in received order, without those a pluglet consumed. */
      readonly native: readonly PathAttribute[];
      /** What the pluglets stored with add_attr, one per type code: they go on the route as they are. */
      readonly stored: readonly PathAttribute[];
    };

/** bgp_decode_attr for one peer: run on the attributes of each UPDATE that announces routes. */
export interface AttributeDecodeHook {
  run(attributes: readonly PathAttribute[]): DecodeOutcome;
}

/** bgp_encode_attr for one peer: the pluglets' encoding of attributes of the sets it is sent. */
export interface AttributeEncodeHook {
  /** Whether a pluglet runs for attribute code `code` (never called for the others: native encoding). */
  handles(code: number): boolean;
  /**
   * The pluglets' encoding of attribute `code` of `set` for the peer (decoded as the peer will read it),
   * or undefined: the native encoding (no pluglet gave one, a fault, an invalid result).
   */
  encode(set: AttrSet, code: number, session: { ipv6: boolean; asn4: boolean }): PathAttribute | undefined;
}

/** The plugin host as the RDE sees it: hooks per peer and per group, or undefined where none is attached. */
export interface RdePlugins {
  /** What the hooks belong to (the plugin host), for the daemon and its tests. */
  readonly owner: object;
  inbound(peer: HookPeer): RouteFilterHook | undefined;
  /**
   * For a group of peers with the same export settings and the same outbound plugins (those of peer
   * `member`); `peers` is the group's live member set (read when the pluglets run).
   */
  outbound(member: string, peers: ReadonlySet<HookPeer>): RouteFilterHook | undefined;
  /**
   * The outbound plugins attached to a peer, as a key: peers that differ here are in different groups (a
   * peer whose pluglets depend on the destination peer has a key of its own).
   */
  outboundKey(peer: string): string;
  /** The decision points (for every comparison), or undefined when none has a pluglet. */
  decision(): RdeDecisionHook | undefined;
  /** bgp_decode_attr pluglets attached to a peer (absent or undefined: none). */
  decodeAttributes?(peer: HookPeer): AttributeDecodeHook | undefined;
  /**
   * bgp_encode_attr pluglets attached to a peer (absent or undefined: none). Encoding is per member, so
   * peers of one group (one Adj-RIB-Out) may differ here.
   */
  encodeAttributes?(peer: HookPeer): AttributeEncodeHook | undefined;
}

/** The decision hook, told which destination's candidates it compares next. */
export interface RdeDecisionHook extends DecisionHook {
  destination(key: PrefixKey, ipv6: boolean): void;
}
