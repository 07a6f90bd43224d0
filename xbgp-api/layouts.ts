// The memory layout of every structure passed between xbgpd and a plugin, as clang lays it out for
// the BPF target (LP64, little-endian): size, alignment, and offset and size of each member the
// host reads or writes, by C member path ("addr.addr.in6"). A test compiles _Static_asserts of
// every number here against include/xbgp_compliant_api/ so the two can never drift. Pointers in
// these structures are VM addresses (u64). A few small pure accessors for the common structures
// follow the tables.

export interface FieldLayout {
  readonly offset: number;
  readonly size: number;
}

export interface StructLayout {
  /** How C code names the type. */
  readonly cType: string;
  readonly size: number;
  readonly align: number;
  /** Members by C path (nested members with dots); flexible array members have size 0. */
  readonly fields: Readonly<Record<string, FieldLayout>>;
  /** C definition, for the layouts the plugin headers do not declare. */
  readonly cDefinition?: string;
  readonly note: string;
}

const f = (offset: number, size: number): FieldLayout => ({ offset, size });

/** `struct path_attribute`: 8-byte header, then `length` bytes of value (wire encoding). */
export const PATH_ATTRIBUTE = {
  cType: 'struct path_attribute',
  size: 8,
  align: 4,
  fields: { code: f(0, 1), flags: f(1, 1), length: f(4, 4), data: f(8, 0) },
  note: 'returned by get_attr*, taken by set_attr/set_attr_to_route; length is a plain u32',
} as const satisfies StructLayout;

export const IN_ADDR = {
  cType: 'struct in_addr',
  size: 4,
  align: 4,
  fields: { s_addr: f(0, 4) },
  note: 'IPv4 address, network order',
} as const satisfies StructLayout;

export const IN6_ADDR = {
  cType: 'struct in6_addr',
  size: 16,
  align: 4,
  fields: { s6_addr: f(0, 16) },
  note: 'IPv6 address, network order',
} as const satisfies StructLayout;

/** `struct ubpf_peer_info`; local_bgp_session points to a second one (or is 0). */
export const UBPF_PEER_INFO = {
  cType: 'struct ubpf_peer_info',
  size: 64,
  align: 8,
  fields: {
    as: f(0, 4),
    router_id: f(4, 4),
    capability: f(8, 4),
    peer_type: f(12, 1),
    nexthop: f(16, 20),
    'nexthop.type': f(16, 1),
    'nexthop.in6': f(20, 16),
    'nexthop.in': f(20, 4),
    addr: f(36, 20),
    'addr.af': f(36, 1),
    'addr.addr': f(40, 16),
    'addr.addr.in6': f(40, 16),
    'addr.addr.in': f(40, 4),
    local_bgp_session: f(56, 8),
  },
  note: 'get_peer_info (an array), get_src_peer_info, bgp_route.peer_info; router_id is a plain u32',
} as const satisfies StructLayout;

/** `struct ubpf_prefix`: 26 bytes, 2-aligned; u holds the address bytes, network order. */
export const UBPF_PREFIX = {
  cType: 'struct ubpf_prefix',
  size: 26,
  align: 2,
  fields: { afi: f(0, 2), safi: f(2, 1), padding: f(3, 1), prefixlen: f(4, 2), u: f(6, 20) },
  note: 'get_prefix, get_arg(ARG_BGP_PREFIX), bgp_route.pfx; taken by the RIB lookups',
} as const satisfies StructLayout;

export const UBPF_NEXTHOP = {
  cType: 'struct ubpf_nexthop',
  size: 16,
  align: 8,
  fields: { route_type: f(0, 1), igp_metric: f(8, 8) },
  note: 'get_nexthop',
} as const satisfies StructLayout;

export const BGP_RTE_INFO = {
  cType: 'struct bgp_rte_info',
  size: 16,
  align: 8,
  fields: { uptime: f(0, 8), type: f(8, 4), reason: f(12, 4) },
  note: 'get_route_info, bgp_route.route_info',
} as const satisfies StructLayout;

/** `struct bgp_route`: attr points to attr_nb pointers to path_attribute copies. */
export const BGP_ROUTE = {
  cType: 'struct bgp_route',
  size: 64,
  align: 8,
  fields: {
    pfx: f(0, 26),
    attr_nb: f(28, 4),
    attr: f(32, 8),
    peer_info: f(40, 8),
    route_info: f(48, 16),
    'route_info.uptime': f(48, 8),
    'route_info.type': f(56, 4),
    'route_info.reason': f(60, 4),
  },
  note: 'get_bgp_route, next_rib_route, get_rib_out_entry, get_route_sent_to_peer',
} as const satisfies StructLayout;

export const BGP_MESSAGE = {
  cType: 'struct bgp_message',
  size: 24,
  align: 8,
  fields: { type: f(0, 4), buf_len: f(8, 8), buf: f(16, 8) },
  note: 'taken by schedule_bgp_message: buf_len bytes of body at buf',
} as const satisfies StructLayout;

export const VRF_INFO = {
  cType: 'struct vrf_info',
  size: 16,
  align: 8,
  fields: { vrf_id: f(0, 4), str_len: f(8, 8), name: f(16, 0) },
  note: 'get_vrf: the plugin sets str_len (room in name), the host writes vrf_id and name',
} as const satisfies StructLayout;

/** `exec_info_t`: what r1 points to when a pluglet starts; r2 is its size. */
export const EXEC_INFO = {
  cType: 'exec_info_t',
  size: 24,
  align: 8,
  fields: { return_val_set: f(0, 4), replace_return_value: f(8, 8), insertion_point_id: f(16, 4) },
  note: 'written by the host into the heap before every run',
} as const satisfies StructLayout;

export const TIMESPEC = {
  cType: 'struct timespec',
  size: 16,
  align: 8,
  fields: { tv_sec: f(0, 8), tv_nsec: f(8, 8) },
  note: 'get_time, get_realtime',
} as const satisfies StructLayout;

/** `struct global_info`: hidden_ptr is the host's handle (a u64 it chooses), type an ExtraInfoType. */
export const GLOBAL_INFO = {
  cType: 'struct global_info',
  size: 16,
  align: 8,
  fields: { hidden_ptr: f(0, 8), type: f(8, 4) },
  note: 'get_extra_info*: written by the host, passed back by the plugin',
} as const satisfies StructLayout;

/** `struct vtype`: one log_msg / ebpf_print argument; the value union is 8 bytes on BPF. */
export const VTYPE = {
  cType: 'struct vtype',
  size: 16,
  align: 8,
  fields: { type: f(0, 4), val: f(8, 8) },
  note: 'an array of nb_args of them is at vargs.args',
} as const satisfies StructLayout;

export const VARGS = {
  cType: 'struct vargs',
  size: 16,
  align: 8,
  fields: { nb_args: f(0, 4), args: f(8, 8) },
  note: 'super_log and ebpf_print_intern second argument',
} as const satisfies StructLayout;

/** get_extra_info_value of an ipv4_prefix value (libxbgp's struct prefix_ip4; not in the headers). */
export const EXTRA_IPV4_PREFIX = {
  cType: 'struct xbgp_extra_ipv4_prefix',
  size: 12,
  align: 4,
  fields: { family: f(0, 4), prefix_len: f(4, 4), p: f(8, 4) },
  cDefinition: 'struct xbgp_extra_ipv4_prefix { int family; int prefix_len; struct in_addr p; };',
  note: 'family AF_INET, p in network order',
} as const satisfies StructLayout;

/** get_extra_info_value of an ipv6_prefix value (libxbgp's struct prefix_ip6; not in the headers). */
export const EXTRA_IPV6_PREFIX = {
  cType: 'struct xbgp_extra_ipv6_prefix',
  size: 24,
  align: 4,
  fields: { family: f(0, 4), prefix_len: f(4, 4), p: f(8, 16) },
  cDefinition: 'struct xbgp_extra_ipv6_prefix { int family; int prefix_len; struct in6_addr p; };',
  note: 'family AF_INET6, p in network order',
} as const satisfies StructLayout;

/** Every layout, by name. */
export const LAYOUTS = {
  path_attribute: PATH_ATTRIBUTE,
  in_addr: IN_ADDR,
  in6_addr: IN6_ADDR,
  ubpf_peer_info: UBPF_PEER_INFO,
  ubpf_prefix: UBPF_PREFIX,
  ubpf_nexthop: UBPF_NEXTHOP,
  bgp_rte_info: BGP_RTE_INFO,
  bgp_route: BGP_ROUTE,
  bgp_message: BGP_MESSAGE,
  vrf_info: VRF_INFO,
  exec_info: EXEC_INFO,
  timespec: TIMESPEC,
  global_info: GLOBAL_INFO,
  vtype: VTYPE,
  vargs: VARGS,
  extra_ipv4_prefix: EXTRA_IPV4_PREFIX,
  extra_ipv6_prefix: EXTRA_IPV6_PREFIX,
} as const satisfies Readonly<Record<string, StructLayout>>;
export type LayoutName = keyof typeof LAYOUTS;

// ===== Accessors (pure; all little-endian, as the BPF target) =====

export interface PrefixValue {
  /** XBGP_AFI_IPV4 or XBGP_AFI_IPV6. */
  readonly afi: number;
  readonly safi: number;
  readonly prefixlen: number;
  /** Address bytes, network order (4 or 16; at most 20). */
  readonly addr: Uint8Array;
}

/** Write a ubpf_prefix at `at` (26 bytes; address bytes past `addr` are zeroed). */
export function writePrefix(bytes: Uint8Array, at: number, p: PrefixValue): void {
  const L = UBPF_PREFIX.fields;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, UBPF_PREFIX.size);
  view.setUint16(L.afi.offset, p.afi, true);
  view.setUint8(L.safi.offset, p.safi);
  view.setUint8(L.padding.offset, 0);
  view.setUint16(L.prefixlen.offset, p.prefixlen, true);
  const u = bytes.subarray(at + L.u.offset, at + L.u.offset + L.u.size);
  u.fill(0);
  u.set(p.addr.subarray(0, L.u.size));
}

/** Read a ubpf_prefix at `at`; `addr` is 4 bytes for IPv4, 16 otherwise (a copy). */
export function readPrefix(bytes: Uint8Array, at: number): PrefixValue {
  const L = UBPF_PREFIX.fields;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, UBPF_PREFIX.size);
  const afi = view.getUint16(L.afi.offset, true);
  const len = afi === 1 ? 4 : 16;
  return {
    afi,
    safi: view.getUint8(L.safi.offset),
    prefixlen: view.getUint16(L.prefixlen.offset, true),
    addr: bytes.slice(at + L.u.offset, at + L.u.offset + len),
  };
}

export interface AttributeValue {
  readonly code: number;
  readonly flags: number;
  /** The value, wire encoding. */
  readonly data: Uint8Array;
}

/** Bytes a path_attribute with `dataLength` bytes of value takes. */
export function pathAttributeSize(dataLength: number): number {
  return PATH_ATTRIBUTE.size + dataLength;
}

/** Write a path_attribute at `at`; returns the bytes written. */
export function writePathAttribute(bytes: Uint8Array, at: number, a: AttributeValue): number {
  const L = PATH_ATTRIBUTE.fields;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, PATH_ATTRIBUTE.size);
  view.setUint8(L.code.offset, a.code);
  view.setUint8(L.flags.offset, a.flags);
  view.setUint16(2, 0, true); // padding
  view.setUint32(L.length.offset, a.data.length, true);
  bytes.set(a.data, at + L.data.offset);
  return pathAttributeSize(a.data.length);
}

/** The header of the path_attribute at `at` (the value is `length` bytes at `at + 8`). */
export function readPathAttributeHeader(
  bytes: Uint8Array,
  at: number,
): { readonly code: number; readonly flags: number; readonly length: number } {
  const L = PATH_ATTRIBUTE.fields;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, PATH_ATTRIBUTE.size);
  return {
    code: view.getUint8(L.code.offset),
    flags: view.getUint8(L.flags.offset),
    length: view.getUint32(L.length.offset, true),
  };
}

export interface ExecInfoValue {
  /** Whether a result was decided before this (post) pluglet runs. */
  readonly returnValSet: boolean;
  readonly replaceReturnValue: bigint;
  readonly insertionPointId: number;
}

/** Write an exec_info_t at `at` (24 bytes, padding zeroed). */
export function writeExecInfo(bytes: Uint8Array, at: number, e: ExecInfoValue): void {
  const L = EXEC_INFO.fields;
  bytes.fill(0, at, at + EXEC_INFO.size);
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, EXEC_INFO.size);
  view.setInt32(L.return_val_set.offset, e.returnValSet ? 1 : 0, true);
  view.setBigUint64(L.replace_return_value.offset, BigInt.asUintN(64, e.replaceReturnValue), true);
  view.setInt32(L.insertion_point_id.offset, e.insertionPointId, true);
}
