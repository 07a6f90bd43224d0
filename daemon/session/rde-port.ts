// The session's view of the route decision engine (daemon/rde): the few calls a Session makes, and the
// messages that cross between them. Types only: the session depends on this port, the RDE implements it,
// and daemon/speaker.ts wires one to the other (as OpenBGPD's session engine and RDE speak only imsg, and
// Holo's tasks.rs names the messages between its tasks).
//
//   session -> RDE   peerUp (Established, with what was negotiated), receive (one UPDATE),
//                    disableFamily (RFC 4760 7), routeRefresh (RFC 2918), updatePeerPolicy (reload),
//                    peerDown (left Established)
//   RDE -> session   sink.kick() (UPDATEs are waiting), then the session drains pull(name) while its
//                    socket takes more (hasPending / busy tell whether anything is still owed)
import type { UpdateMessage } from '../wire/index.js';
import type { Family, PolicyRule } from '../config/types.js';
import type { ReceivedRoute } from './received.js';

/** What the RDE needs to know about a configured peer. */
export interface PeerSpec {
  name: string;
  address: string;
  asn: number;
  importPolicy?: PolicyRule[] | undefined;
  exportPolicy?: PolicyRule[] | undefined;
  nextHopSelf: boolean;
  sendMed: boolean;
  /** Seconds; 0 = off. */
  minRouteAdvertisementInterval: number;
}

/** What the session negotiated (read at peerUp). */
export interface PeerSessionInfo {
  routerId: number;
  ibgp: boolean;
  asn4: boolean;
  families: readonly Family[];
  addPathSend: ReadonlySet<Family>;
  maxMessageLength: number;
  nextHopIpv4: string;
  nextHopIpv6: string;
}

/** The session side: told when a peer has UPDATEs waiting (it then drains `pull`). */
export interface PeerSink {
  kick(): void;
}

/** The route decision engine as one session sees it. Peers are named by their configured name. */
export interface RdePort {
  /** The session reached Established: the RDE sends the peer its Adj-RIB-Out, then End-of-RIB. */
  peerUp(spec: PeerSpec, info: PeerSessionInfo, sink: PeerSink): void;
  /** One UPDATE from the peer (RFC 7606 treat-as-withdraw already decided). */
  receive(name: string, update: UpdateMessage, asn4: boolean, treatAsWithdraw: boolean): void;
  /**
   * RFC 4760 7 / RFC 7606 "AFI/SAFI disable": delete the peer's routes of the family and ignore its later
   * routes of it until the session ends.
   */
  disableFamily(name: string, family: Family): void;
  /** RFC 2918: re-send the Adj-RIB-Out of one family to the peer. */
  routeRefresh(name: string, family: Family): void;
  /** A reload changed only the peer's policy-like settings: re-apply them without a reset. */
  updatePeerPolicy(spec: PeerSpec): void;
  /** The session left Established: the peer's routes are withdrawn, its Adj-RIB-Out forgotten. */
  peerDown(name: string): void;
  /** The UPDATEs waiting for the peer, built lazily as the session takes them. */
  pull(name: string): Iterable<UpdateMessage>;
  /** Whether UPDATEs are waiting for the peer. */
  hasPending(name: string): boolean;
  /** Whether decisions are still pending (more UPDATEs may follow). */
  readonly busy: boolean;
  /** Adj-RIB-In paths held for the peer. */
  adjRibInCount(name: string): number;
  /** The peer's Adj-RIB-In in the --dump-received form, per family. */
  adjRibIn(name: string): Record<string, ReceivedRoute[]>;
}
