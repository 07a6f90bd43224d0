// IANA numbers of BGP-4: message types, path attribute codes and flags, AFI/SAFI, capability codes,
// NOTIFICATION error codes and subcodes (RFC 4271, 4486, 6608, 7313, 8538, 9003, 9234, 9687), plus names for logging.
// Pure constants: nothing here allocates per message.

// ===== Message types (RFC 4271 4.1, RFC 2918) =====
export const MessageType = {
  Open: 1,
  Update: 2,
  Notification: 3,
  Keepalive: 4,
  RouteRefresh: 5,
} as const;
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

// ===== Header sizes (RFC 4271 4.1, RFC 8654) =====
export const MARKER_LENGTH = 16;
export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;

// ===== Path attribute flags (RFC 4271 4.3) =====
export const AttrFlag = {
  Optional: 0x80,
  Transitive: 0x40,
  Partial: 0x20,
  ExtendedLength: 0x10,
} as const;

// ===== Path attribute type codes (IANA "BGP Path Attributes") =====
export const AttrType = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  Med: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8,
  OriginatorId: 9,
  ClusterList: 10,
  MpReachNlri: 14,
  MpUnreachNlri: 15,
  ExtendedCommunities: 16,
  As4Path: 17,
  As4Aggregator: 18,
  Aigp: 26,
  LargeCommunity: 32,
} as const;

export const ATTR_NAMES: Readonly<Record<number, string>> = {
  1: 'ORIGIN',
  2: 'AS_PATH',
  3: 'NEXT_HOP',
  4: 'MULTI_EXIT_DISC',
  5: 'LOCAL_PREF',
  6: 'ATOMIC_AGGREGATE',
  7: 'AGGREGATOR',
  8: 'COMMUNITIES',
  9: 'ORIGINATOR_ID',
  10: 'CLUSTER_LIST',
  14: 'MP_REACH_NLRI',
  15: 'MP_UNREACH_NLRI',
  16: 'EXTENDED_COMMUNITIES',
  17: 'AS4_PATH',
  18: 'AS4_AGGREGATOR',
  26: 'AIGP',
  32: 'LARGE_COMMUNITY',
};

export function attrName(code: number): string {
  return ATTR_NAMES[code] ?? `ATTR_${code}`;
}

// ===== ORIGIN values (RFC 4271 5.1.1) =====
export const Origin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;
export type OriginValue = 0 | 1 | 2;

// ===== AS_PATH segment types (RFC 4271 4.3, RFC 5065) =====
export const AsPathSegmentType = {
  Set: 1,
  Sequence: 2,
  ConfedSequence: 3,
  ConfedSet: 4,
} as const;
export type AsPathSegmentTypeCode = 1 | 2 | 3 | 4;

/** RFC 6793: the reserved 2-octet AS number standing for a 4-octet one. */
export const AS_TRANS = 23456;

// ===== Address families (IANA) =====
export const Afi = { Ipv4: 1, Ipv6: 2, L2vpn: 25, Ls: 16388 } as const;
export const Safi = {
  Unicast: 1,
  Multicast: 2,
  MplsLabel: 4,
  Evpn: 70,
  Ls: 71,
  MplsVpn: 128,
  Flowspec: 133,
  FlowspecVpn: 134,
} as const;

/** One number per AFI/SAFI pair, for Sets and Maps: (afi << 8) | safi. */
export function familyKey(afi: number, safi: number): number {
  return (afi << 8) | safi;
}

const AFI_NAMES: Readonly<Record<number, string>> = { 1: 'ipv4', 2: 'ipv6', 25: 'l2vpn', 16388: 'bgp-ls' };
const SAFI_NAMES: Readonly<Record<number, string>> = {
  1: 'unicast',
  2: 'multicast',
  4: 'nlri-mpls',
  70: 'evpn',
  71: 'bgp-ls',
  128: 'mpls-vpn',
  133: 'flowspec',
  134: 'flowspec-vpn',
};

/** "ipv4 unicast", "l2vpn evpn", "afi99 safi7" ... */
export function familyName(afi: number, safi: number): string {
  return `${AFI_NAMES[afi] ?? `afi${afi}`} ${SAFI_NAMES[safi] ?? `safi${safi}`}`;
}

// ===== Capability codes (IANA "Capability Codes") =====
export const CapabilityCode = {
  Multiprotocol: 1,
  RouteRefresh: 2,
  ExtendedNextHop: 5,
  ExtendedMessage: 6,
  GracefulRestart: 64,
  FourOctetAs: 65,
  AddPath: 69,
  EnhancedRouteRefresh: 70,
  Fqdn: 73,
} as const;

// ===== OPEN optional parameter types (RFC 5492, RFC 9072) =====
export const OptParamType = { Capabilities: 2, ExtendedLength: 255 } as const;

// ===== NOTIFICATION error codes (RFC 4271 4.5, RFC 7313) =====
export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FsmError: 5,
  Cease: 6,
  RouteRefreshMessage: 7,
  /** RFC 9687. */
  SendHoldTimerExpired: 8,
} as const;

/** RFC 4271 6.1 Message Header Error subcodes. */
export const HeaderSubcode = {
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

/** RFC 4271 6.2 OPEN Message Error subcodes (5 deprecated, 7 from RFC 5492, 11 from RFC 9234). */
export const OpenSubcode = {
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
  RoleMismatch: 11,
} as const;

/** RFC 4271 6.3 UPDATE Message Error subcodes (7 deprecated). */
export const UpdateSubcode = {
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** RFC 6608 Finite State Machine Error subcodes. */
export const FsmSubcode = {
  Unspecified: 0,
  UnexpectedInOpenSent: 1,
  UnexpectedInOpenConfirm: 2,
  UnexpectedInEstablished: 3,
} as const;

/** RFC 4486 Cease subcodes (+ RFC 8538 hard reset, RFC 9687 send hold timer). */
export const CeaseSubcode = {
  MaximumPrefixesReached: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
  BfdDown: 10,
} as const;

/** RFC 7313 ROUTE-REFRESH Message Error subcodes. */
export const RouteRefreshSubcode = { InvalidMessageLength: 1 } as const;

/** RFC 7313 ROUTE-REFRESH message subtypes (the former Reserved octet). */
export const RouteRefreshSubtype = { Normal: 0, BeginningOfRefresh: 1, EndOfRefresh: 2 } as const;

const ERROR_CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
  8: 'Send Hold Timer Expired',
};

const SUBCODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: {
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    5: 'Authentication Failure (deprecated)',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
    11: 'Role Mismatch',
  },
  3: {
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    7: 'AS Routing Loop (deprecated)',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  5: {
    0: 'Unspecified Error',
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  },
  6: {
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
    9: 'Hard Reset',
    10: 'BFD Down',
  },
  7: { 1: 'Invalid Message Length' },
};

export function errorCodeName(code: number): string {
  return ERROR_CODE_NAMES[code] ?? `Error ${code}`;
}

export function errorSubcodeName(code: number, subcode: number): string {
  if (subcode === 0 && code !== ErrorCode.FsmError) return 'Unspecific';
  return SUBCODE_NAMES[code]?.[subcode] ?? `Subcode ${subcode}`;
}

export function messageTypeName(type: number): string {
  switch (type) {
    case 1:
      return 'OPEN';
    case 2:
      return 'UPDATE';
    case 3:
      return 'NOTIFICATION';
    case 4:
      return 'KEEPALIVE';
    case 5:
      return 'ROUTE-REFRESH';
    default:
      return `TYPE_${type}`;
  }
}
