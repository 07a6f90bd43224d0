// The numeric constants of the xBGP plugin API that the host interprets: return codes, get_arg
// argument types, peer types, address families, attribute codes and flags, permission bits, log
// levels and the log argument tags. Values are those of the published API; the C headers in
// include/xbgp_compliant_api/ define the same names and a test compiles assertions that they agree.

// ===== Return values =====

/** Return values 0..255 are plain codes; verdicts start above `HI_RESERVED_RETURN_VAL`. */
export const LO_RESERVED_RETURN_VAL = 0;
export const HI_RESERVED_RETURN_VAL = 255;

/** `<stdlib.h>` codes, used by bgp_decode_attr and bgp_decode_message. */
export const EXIT_SUCCESS = 0;
export const EXIT_FAILURE = 1;

/** Filter verdicts (`enum BGP_PLUGIN_FILTER_DECISION`). */
export const PLUGIN_FILTER_REJECT = 256;
export const PLUGIN_FILTER_ACCEPT = 257;
export const PLUGIN_FILTER_UNKNOWN = 258;

/** Decision-step verdicts and route selectors (`enum BGP_ROUTE_TYPE`). */
export const BGP_ROUTE_TYPE_UNDEF = 256;
export const BGP_ROUTE_TYPE_NEW = 257;
export const BGP_ROUTE_TYPE_OLD = 258;
export const BGP_ROUTE_TYPE_UNKNOWN = 259;
export const BGP_ROUTE_TYPE_FAIL = 260;

/** The first API's codes (`enum RESERVED_RETURN_VAL`); no point interprets them any more. */
export const BPF_UNDEF = 0;
export const BPF_CONTINUE = 1;
export const BPF_FAILURE = 2;
export const BPF_SUCCESS = 3;
export const BPF_MAX_RESERVED_RETURN_VAL = 4;

/** `FAIL` of xbgp_defs.h (some published plugins return it). */
export const FAIL = 0;

/** What xBGP's VM returned for a crashed run; xbgpd reports faults separately (never as r0). */
export const VM_CRASH_RETURN = 0xffff_ffff_ffff_ffffn;

// ===== get_arg argument types (`enum ubpf_arg_type`) =====

export const ArgType = {
  ARG_UNUSED: 0,
  ARG_CODE: 1,
  ARG_TYPE: 2,
  ARG_LENGTH: 3,
  ARG_FLAGS: 4,
  ARG_DATA: 5,
  ARG_BGP_ROUTE: 6,
  ARG_BGP_ROUTE_NEW: 7,
  ARG_BGP_ROUTE_OLD: 8,
  ARG_BGP_ROUTE_RIB: 9,
  ARG_BGP_ATTRIBUTE_LIST: 10,
  ARG_BGP_ATTRIBUTE: 11,
  ARG_BUFFER: 12,
  ARG_BGP_PREFIX: 13,
  ARG_BGP_VRF: 14,
  ARG_BGP_MESSAGE: 15,
  /** First value of a host's own types; xbgpd keeps its state outside the VM and defines none. */
  ARG_MAX_OPAQUE: 16,
} as const;
export type ArgTypeName = keyof typeof ArgType;

// ===== Peers, address families =====

/** `ubpf_peer_info.peer_type`. */
/** rpki_validate_origin (xbgpd extension): the RFC 6811 validation states. */
export const RpkiValidity = {
  RPKI_NOT_FOUND: 0,
  RPKI_VALID: 1,
  RPKI_INVALID: 2,
} as const;

export const EBGP_SESSION = 0;
export const IBGP_SESSION = 1;
export const LOCAL_SESSION = 2;

/** `enum xbgp_afi`, `enum xbgp_safi` (ubpf_prefix.afi/safi; IANA numbers). */
export const XBGP_AFI_IPV4 = 1;
export const XBGP_AFI_IPV6 = 2;
export const XBGP_SAFI_UNICAST = 1;

/** Linux address families: `ubpf_peer_info.addr.af`, `ebpf_inet_ntop`/`pton`'s family argument. */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** `bgp_rte_info.type` values xbgpd reports (FRRouting's route type numbers, which the published
 * zombie plugin compares with). */
export const ROUTE_TYPE_CONNECTED = 2;
export const ROUTE_TYPE_STATIC = 3;
export const ROUTE_TYPE_BGP = 9;

/** `ubpf_nexthop.route_type` when the resolving route is unknown (FRRouting stores -1 in a u8). */
export const NEXTHOP_ROUTE_TYPE_UNKNOWN = 255;

/** `enum bgp_selection_reason` (`bgp_rte_info.reason`). */
export const SelectionReason = {
  bgp_selection_none: 0,
  bgp_selection_first: 1,
  bgp_selection_local_pref: 2,
  bgp_selection_local_route: 3,
  bgp_selection_as_path: 4,
  bgp_selection_origin: 5,
  bgp_selection_med: 6,
  bgp_selection_peer: 7,
  bgp_selection_igp_metric: 8,
  bgp_selection_older: 9,
  bgp_selection_tie_breaker: 10,
  bgp_selection_cluster_length: 11,
  bgp_selection_local_configured: 12,
  bgp_selection_other: 13,
  bgp_selection_default: 14,
} as const;

// ===== Path attributes =====

/** Attribute flags (RFC 4271 4.3), `ATTR_*` of xbgp_defs.h. */
export const ATTR_OPTIONAL = 0x80;
export const ATTR_TRANSITIVE = 0x40;
export const ATTR_PARTIAL = 0x20;
export const ATTR_EXT_LEN = 0x10;

/** Attribute type codes with their `*_ATTR_ID` names (IANA "BGP Path Attributes"). */
export const AttrId = {
  RESERVED_ATTR_ID: 0,
  ORIGIN_ATTR_ID: 1,
  AS_PATH_ATTR_ID: 2,
  NEXT_HOP_ATTR_ID: 3,
  MULTI_EXIT_DISC_ATTR_ID: 4,
  LOCAL_PREF_ATTR_ID: 5,
  ATOMIC_AGGREGATE_ATTR_ID: 6,
  AGGREGATOR_ATTR_ID: 7,
  COMMUNITY_ATTR_ID: 8,
  ORIGINATOR_ID_ATTR_ID: 9,
  CLUSTER_LIST_ATTR_ID: 10,
  MP_REACH_NLRI_ATTR_ID: 14,
  MP_UNREACH_NLRI_ATTR_ID: 15,
  EXTENDED_COMMUNITIES_ATTR_ID: 16,
  AS4_PATH_ATTR_ID: 17,
  AS4_AGGREGATOR_ATTR_ID: 18,
  PMSI_TUNNEL_ATTR_ID: 22,
  TUNNEL_ENCAPSULATION_ATTRIBUTE_ATTR_ID: 23,
  TRAFFIC_ENGINEERING_ATTR_ID: 24,
  IPV6_ADDRESS_SPECIFIC_EXTENDED_COMMUNITY_ATTR_ID: 25,
  AIGP_ATTR_ID: 26,
  PE_DISTINGUISHER_LABELS_ATTR_ID: 27,
  BGPLS_ATTRIBUTE_ATTR_ID: 29,
  LARGE_COMMUNITY_ATTR_ID: 32,
  BGPSEC_PATH_ATTR_ID: 33,
  BGP_COMMUNITY_CONTAINER_ATTRIBUTE_TEMPORARY_REGISTERED_20170728_ATTR_ID: 34,
  ONLY_TO_CUSTOMER_OTC_TEMPORARY_REGISTERED_20180329_ATTR_ID: 35,
  BGP_DOMAIN_PATH_DPATH_TEMPORARY_REGISTERED_20190708_ATTR_ID: 36,
  SFP_ATTRIBUTE_ATTR_ID: 37,
  BGP_PREFIXSID_ATTR_ID: 40,
  ATTR_SET_ATTR_ID: 128,
} as const;

/** Attribute codes plugins may not set with add_attr/set_attr: NLRI travel in their own fields. */
export const ATTRS_NOT_SETTABLE: readonly number[] = [
  AttrId.MP_REACH_NLRI_ATTR_ID,
  AttrId.MP_UNREACH_NLRI_ATTR_ID,
];

/** AS_PATH segment types and ORIGIN values of xbgp_defs.h. */
export const AS_PATH_SEGMENT_SET = 1;
export const AS_PATH_SEGMENT_SEQUENCE = 2;
export const AS_PATH_SEGMENT_CONFED_SEQUENCE = 3;
export const AS_PATH_SEGMENT_CONFED_SET = 4;
export const BGP_ORIGIN_IGP = 0;
export const BGP_ORIGIN_EGP = 1;
export const BGP_ORIGIN_INCOMPLETE = 2;

// ===== Permissions =====

/** A helper's required permission bits (`HELPER_ATTR_*`). */
export const HELPER_ATTR_NONE = 0;
export const HELPER_ATTR_USR_PTR = 1;
export const HELPER_ATTR_WRITE = 2;
export const HELPER_ATTR_READ = 4;
export const HELPER_ATTR_MASK = 7;

/** Manifest permission names (`obj_code_list.<pluglet>.permissions`) and their bits. */
export const PERMISSION_BITS = {
  none: HELPER_ATTR_NONE,
  usr_ptr: HELPER_ATTR_USR_PTR,
  write: HELPER_ATTR_WRITE,
  read: HELPER_ATTR_READ,
} as const;
export type PermissionName = keyof typeof PERMISSION_BITS;

/** Whether a pluglet granted `granted` bits may call a helper requiring `required` (xBGP's rule). */
export function permits(granted: number, required: number): boolean {
  const need = required & HELPER_ATTR_MASK;
  return (granted & HELPER_ATTR_MASK & need) === need;
}

// ===== Logging =====

/** `L_*`: the level byte that starts a log_msg format. */
export const LogLevel = {
  L_DEBUG: 1,
  L_TRACE: 2,
  L_INFO: 3,
  L_REMOTE: 4,
  L_WARN: 5,
  L_ERR: 6,
  L_AUTH: 7,
  L_FATAL: 8,
  L_BUG: 9,
} as const;

/** How xbgpd logs each level byte (xBGP accepted 1..8 only; xbgpd also takes L_BUG). */
export const LOG_LEVEL_MAP: Readonly<Record<number, 'debug' | 'info' | 'warn' | 'error'>> = {
  1: 'debug',
  2: 'debug',
  3: 'info',
  4: 'warn',
  5: 'warn',
  6: 'error',
  7: 'error',
  8: 'error',
  9: 'error',
};

/** `struct vtype` tags (`VT_*`): which member of the value union an argument uses, and its size. */
export const VType = {
  VT_S8: 0,
  VT_U8: 1,
  VT_S16: 2,
  VT_U16: 3,
  VT_S32: 4,
  VT_U32: 5,
  VT_S64: 6,
  VT_U64: 7,
  VT_FLOAT: 8,
  VT_DOUBLE: 9,
  VT_LONGDOUBLE: 10,
  VT_POINTER: 11,
  VT_UCHAR: 12,
  VT_SCHAR: 13,
  VT_USHORT: 14,
  VT_SSHORT: 15,
  VT_UINT: 16,
  VT_SINT: 17,
  VT_SLONG: 18,
  VT_ULONG: 19,
  VT_ULLONG: 20,
  VT_SLLONG: 21,
} as const;

/** How to read the value of each tag: integer width and signedness, a float, or an address. */
export type VTypeValue =
  | { readonly kind: 'int'; readonly bytes: 1 | 2 | 4 | 8; readonly signed: boolean }
  | { readonly kind: 'float'; readonly bytes: 4 | 8 }
  | { readonly kind: 'pointer' };

export const VTYPE_VALUES: Readonly<Record<number, VTypeValue>> = {
  [VType.VT_S8]: { kind: 'int', bytes: 1, signed: true },
  [VType.VT_U8]: { kind: 'int', bytes: 1, signed: false },
  [VType.VT_S16]: { kind: 'int', bytes: 2, signed: true },
  [VType.VT_U16]: { kind: 'int', bytes: 2, signed: false },
  [VType.VT_S32]: { kind: 'int', bytes: 4, signed: true },
  [VType.VT_U32]: { kind: 'int', bytes: 4, signed: false },
  [VType.VT_S64]: { kind: 'int', bytes: 8, signed: true },
  [VType.VT_U64]: { kind: 'int', bytes: 8, signed: false },
  [VType.VT_FLOAT]: { kind: 'float', bytes: 4 },
  [VType.VT_DOUBLE]: { kind: 'float', bytes: 8 },
  // long double is a 64-bit double on the BPF target.
  [VType.VT_LONGDOUBLE]: { kind: 'float', bytes: 8 },
  [VType.VT_POINTER]: { kind: 'pointer' },
  [VType.VT_UCHAR]: { kind: 'int', bytes: 1, signed: false },
  [VType.VT_SCHAR]: { kind: 'int', bytes: 1, signed: true },
  [VType.VT_USHORT]: { kind: 'int', bytes: 2, signed: false },
  [VType.VT_SSHORT]: { kind: 'int', bytes: 2, signed: true },
  [VType.VT_UINT]: { kind: 'int', bytes: 4, signed: false },
  [VType.VT_SINT]: { kind: 'int', bytes: 4, signed: true },
  [VType.VT_SLONG]: { kind: 'int', bytes: 8, signed: true },
  [VType.VT_ULONG]: { kind: 'int', bytes: 8, signed: false },
  [VType.VT_ULLONG]: { kind: 'int', bytes: 8, signed: false },
  [VType.VT_SLLONG]: { kind: 'int', bytes: 8, signed: true },
};

// ===== Extra configuration =====

/** `global_info.type`: the kind of an extra-configuration value ("type_arg" in the JSON). */
export const ExtraInfoType = {
  undef: 0,
  int: 1,
  float: 2,
  ipv4: 3,
  ipv6: 4,
  ipv4_prefix: 5,
  ipv6_prefix: 6,
  list: 7,
  dict: 8,
  str: 9,
} as const;
export type ExtraInfoTypeName = Exclude<keyof typeof ExtraInfoType, 'undef'>;

// ===== Memory and limits =====

/** Ids from here on are not insertion points (`INSERTION_POINT_RESERVED`; job plugins run as it). */
export const INSERTION_POINT_RESERVED = 2_000_000_000;

/** Most bytes write_to_buffer may produce for one attribute at bgp_encode_attr (xBGP's bound). */
export const MAX_ENCODED_ATTR_BYTES = 4096;

/** Open RIB iterators per plugin at once (new_rib_iterator), as in xBGP's FRRouting host. */
export const MAX_RIB_ITERATORS = 256;

/** `enum SOCKET_INTERFACE` (sock_open's transport; the socket helpers are refused by xbgpd). */
export const PLUGIN_SOCKET_MIN = 0;
export const PLUGIN_SOCKET_QUIC = 1;
export const PLUGIN_SOCKET_TCP = 2;
export const PLUGIN_SOCKET_UDP = 3;
export const PLUGIN_SOCKET_MAX = 4;
