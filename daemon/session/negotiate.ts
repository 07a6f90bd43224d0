// OPEN negotiation: the OPEN we send (from the configuration), the checks on the OPEN we receive
// (RFC 4271 6.2, RFC 5492, RFC 6286, RFC 6793), and the negotiated session parameters, including the
// wire DecodeContext for this peer's UPDATEs. Pure: no sockets, timers or logging.
//
// OPEN contents are handled as `OpenSummary` (codec.ts converts to and from the wire OPEN).
// Checks we do not make: the BGP Identifier "valid unicast IP host address" test (RFC 6286 relaxes it
// to "non-zero"); Unsupported Optional Parameter (the wire decoder reports it).
import type { DecodeContext } from '../wire/index.js';
import { familyKey, AS_TRANS, ErrorCode, OpenSubcode } from '../wire/index.js';
import type { NotificationSpec } from './fsm.js';
import type { PeerConfig } from '../config/types.js';
import { formatIpv4 } from '../net/address.js';
import { familyAfiSafi, familyOfAfiSafi, type AfiSafi, type Family } from '../net/family.js';

// ===== the OPEN as the session sees it =====

export interface OpenSummary {
  version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real AS needs 4 octets). */
  myAs: number;
  holdTime: number;
  /** BGP Identifier as an unsigned 32-bit number. */
  bgpId: number;
  capabilities: {
    /** RFC 4760 Multiprotocol Extensions, one per AFI/SAFI. */
    multiprotocol: AfiSafi[];
    /** RFC 2918. */
    routeRefresh: boolean;
    /** RFC 7313. */
    enhancedRouteRefresh: boolean;
    /** RFC 8654. */
    extendedMessage: boolean;
    /** RFC 6793: the speaker's real AS number. */
    fourOctetAs?: number;
    /** RFC 7911: mode 1 receive, 2 send, 3 both. */
    addPath: (AfiSafi & { mode: number })[];
    /** RFC 4724. */
    gracefulRestart?: {
      restarting: boolean;
      restartTime: number;
      families: (AfiSafi & { forwarding: boolean })[];
    };
  };
}

export interface LocalSpeaker {
  routerId: string;
  /** routerId as an unsigned 32-bit number. */
  routerIdNumber: number;
  asn: number;
}

const addPathModes = { none: 0, receive: 1, send: 2, both: 3 } as const;

// ===== the OPEN we send =====

export function buildOpen(local: LocalSpeaker, peer: PeerConfig): OpenSummary {
  const caps = peer.capabilities;
  const families = peer.families.map((f) => familyAfiSafi[f]);
  const open: OpenSummary = {
    version: 4,
    // RFC 6793 4.1: "a NEW BGP speaker ... MUST use AS_TRANS in the My Autonomous System field if its
    // own AS number is larger than 65535 (or if it is a 4-octet AS number)".
    myAs: local.asn > 0xffff ? AS_TRANS : local.asn,
    holdTime: peer.holdTime,
    bgpId: local.routerIdNumber,
    capabilities: {
      multiprotocol: families,
      routeRefresh: caps.routeRefresh,
      enhancedRouteRefresh: caps.enhancedRouteRefresh,
      extendedMessage: caps.extendedMessage,
      addPath:
        caps.addPath === 'none' ? [] : families.map((f) => ({ ...f, mode: addPathModes[caps.addPath] })),
    },
  };
  if (caps.fourOctetAs) open.capabilities.fourOctetAs = local.asn;
  if (caps.gracefulRestart) {
    // RFC 4724 3: helper mode only for now, so no family claims preserved forwarding state.
    open.capabilities.gracefulRestart = {
      restarting: false,
      restartTime: caps.gracefulRestart.restartTime,
      families: families.map((f) => ({ ...f, forwarding: false })),
    };
  }
  return open;
}

// ===== checks and the negotiated result =====

export interface Negotiated {
  /** min(ours, theirs), 0 = no KEEPALIVEs and no hold timer. */
  holdTime: number;
  /** holdTime / 3 before jitter. */
  keepaliveTime: number;
  remoteAsn: number;
  remoteId: number;
  ibgp: boolean;
  /** RFC 6793: both sent the 4-octet AS capability. */
  asn4: boolean;
  families: Family[];
  addPathReceive: Set<Family>;
  addPathSend: Set<Family>;
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  extendedMessage: boolean;
  /** The peer's graceful restart capability (RFC 4724), if sent. */
  peerGracefulRestart?: { restartTime: number; families: Family[] };
  /** Context for decoding this peer's UPDATEs. */
  decodeContext: DecodeContext;
}

export type NegotiationResult =
  { ok: true; negotiated: Negotiated } | { ok: false; notification: NotificationSpec; reason: string };

function refuse(subcode: number, reason: string, data?: Uint8Array): NegotiationResult {
  const notification: NotificationSpec = { code: ErrorCode.OpenMessage, subcode };
  if (data) notification.data = data;
  return { ok: false, notification, reason };
}

/** Check the received OPEN against our configuration and negotiate the session. */
export function negotiate(
  local: LocalSpeaker,
  peer: PeerConfig,
  sent: OpenSummary,
  received: OpenSummary,
): NegotiationResult {
  // RFC 4271 6.2: "If the version number in the Version field of the received OPEN message is not
  // supported, then the Error Subcode MUST be set to Unsupported Version Number. The Data field is a
  // 2-octet unsigned integer, which indicates the largest, locally-supported version number".
  if (received.version !== 4)
    return refuse(
      OpenSubcode.UnsupportedVersionNumber,
      `unsupported version ${received.version}`,
      Uint8Array.of(0, 4),
    );

  // RFC 6793 4.1: the peer's AS is the one in its 4-octet AS capability when present, else My AS.
  const remoteAsn = received.capabilities.fourOctetAs ?? received.myAs;
  // RFC 4271 6.2: "If the Autonomous System field of the OPEN message is unacceptable, then the Error
  // Subcode MUST be set to Bad Peer AS."
  if (remoteAsn !== peer.asn) {
    return refuse(
      OpenSubcode.BadPeerAs,
      `peer AS ${remoteAsn} is not the configured ${peer.asn}`,
      u16(received.myAs),
    );
  }

  // RFC 4271 6.2: "An implementation MUST reject Hold Time values of one or two seconds. ... the Error
  // Subcode MUST be set to Unacceptable Hold Time."
  if (received.holdTime === 1 || received.holdTime === 2)
    return refuse(OpenSubcode.UnacceptableHoldTime, `hold time ${received.holdTime} s`);

  const ibgp = remoteAsn === local.asn;
  // RFC 6286 2.2: "If the BGP Identifier field of the OPEN message is zero, or if it is the same as the
  // BGP Identifier of the local BGP speaker and the message is from an internal peer, then the Error
  // Subcode is set to "Bad BGP Identifier"."
  if (received.bgpId === 0) return refuse(OpenSubcode.BadBgpIdentifier, 'BGP Identifier 0.0.0.0');
  if (ibgp && received.bgpId === local.routerIdNumber) {
    return refuse(OpenSubcode.BadBgpIdentifier, `BGP Identifier ${formatIpv4(received.bgpId)} is our own`);
  }

  // RFC 4760 8: a peer without Multiprotocol capabilities speaks IPv4 unicast only.
  const theirMp = received.capabilities.multiprotocol;
  const theirFamilies = new Set<Family>();
  if (theirMp.length === 0) theirFamilies.add('ipv4-unicast');
  for (const f of theirMp) {
    const name = familyOfAfiSafi(f.afi, f.safi);
    if (name) theirFamilies.add(name);
  }
  const families = peer.families.filter((f) => theirFamilies.has(f));
  // RFC 5492 3: "If a BGP speaker that supports a certain capability determines that its peer doesn't
  // support this capability, the speaker MAY send a NOTIFICATION message to the peer and terminate
  // peering ... Error Subcode set to Unsupported Capability." We do so only when no family is shared.
  if (families.length === 0) {
    const data: number[] = [];
    for (const f of sent.capabilities.multiprotocol) data.push(1, 4, f.afi >> 8, f.afi & 255, 0, f.safi);
    return refuse(
      OpenSubcode.UnsupportedCapability,
      `no common address family (ours: ${peer.families.join(', ')})`,
      Uint8Array.from(data),
    );
  }

  // RFC 4271 4.2: "the calculated value ... MUST be ... the smaller of its configured Hold Time and the
  // Hold Time received in the OPEN message."
  const holdTime = Math.min(sent.holdTime, received.holdTime);

  // RFC 6793 4: 4-octet AS numbers are used when both sent the capability.
  const asn4 = sent.capabilities.fourOctetAs !== undefined && received.capabilities.fourOctetAs !== undefined;

  // RFC 7911 4: we receive path identifiers for a family when we said "receive" (or both) and the peer
  // said "send" (or both); we send them in the opposite case.
  const addPathReceive = new Set<Family>();
  const addPathSend = new Set<Family>();
  for (const ours of sent.capabilities.addPath) {
    const name = familyOfAfiSafi(ours.afi, ours.safi);
    if (!name || !families.includes(name)) continue;
    const theirs = received.capabilities.addPath.find((a) => a.afi === ours.afi && a.safi === ours.safi);
    if (!theirs) continue;
    if (ours.mode & 1 && theirs.mode & 2) addPathReceive.add(name);
    if (ours.mode & 2 && theirs.mode & 1) addPathSend.add(name);
  }

  const extendedMessage = sent.capabilities.extendedMessage && received.capabilities.extendedMessage;
  const negotiated: Negotiated = {
    holdTime,
    keepaliveTime: Math.floor(holdTime / 3),
    remoteAsn,
    remoteId: received.bgpId,
    ibgp,
    asn4,
    families,
    addPathReceive,
    addPathSend,
    routeRefresh: sent.capabilities.routeRefresh && received.capabilities.routeRefresh,
    enhancedRouteRefresh:
      sent.capabilities.enhancedRouteRefresh && received.capabilities.enhancedRouteRefresh,
    extendedMessage,
    decodeContext: {
      asn4,
      addPath: new Set(
        [...addPathReceive].map((f) => familyKey(familyAfiSafi[f].afi, familyAfiSafi[f].safi)),
      ),
      extendedMessage,
      peerType: ibgp ? 'ibgp' : 'ebgp',
    },
  };
  const gr = received.capabilities.gracefulRestart;
  if (gr) {
    negotiated.peerGracefulRestart = {
      restartTime: gr.restartTime,
      families: gr.families
        .map((f) => familyOfAfiSafi(f.afi, f.safi))
        .filter((f): f is Family => f !== undefined),
    };
  }
  return { ok: true, negotiated };
}

function u16(v: number): Uint8Array {
  return Uint8Array.of(v >> 8, v & 255);
}
