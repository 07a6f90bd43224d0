// The BGP helpers of the xBGP API that work on the route of the running point: its attributes
// (get_attr_from_code, add_attr, set_attr, and the NEW/OLD routes of a decision step), its prefix, its
// next hop, the route as a whole, its peers, the attribute being encoded and the encoder's output. Every
// result is a copy in the plugin's heap (nested pointers too); every pointer a pluglet passes is read
// through the VM's checked memory. At a point that does not offer what a helper needs (xbgp-api
// points.ts `context`), the helper returns NULL or -1, as xBGP's hosts do. The helpers a filter
// pluglet calls on every route also come in the VM's number convention (registry.ts HelperImpl).
import {
  BGP_ROUTE,
  BGP_ROUTE_TYPE_NEW,
  BGP_ROUTE_TYPE_OLD,
  BGP_ROUTE_TYPE_UNDEF,
  NEXTHOP_ROUTE_TYPE_UNKNOWN,
  PATH_ATTRIBUTE,
  ROUTE_TYPE_BGP,
  UBPF_NEXTHOP,
  UBPF_PEER_INFO,
  UBPF_PREFIX,
  VRF_INFO,
  pathAttributeSize,
  readPathAttributeHeader,
  writePrefix,
  type PrefixValue,
} from '../../../xbgp-api/index.js';
import { VmFault, type HelperContext, type HelperFn, type NumberHelperFn } from '../../../vm/index.js';
import type { StoredAttribute } from '../../rde/attr-store.js';
import {
  asInt32,
  asLength,
  callOf,
  heapAddress,
  heapAt,
  intResult,
  memoryOf,
  readIn,
  readInAt,
  type Call,
  type PeerInfo,
} from '../call.js';
import type { RouteState } from '../route.js';
import type { PluginMemory } from '../memory.js';
import { both, type HelperImpls } from './registry.js';

const NULL = 0n;
const FAILED = intResult(-1);

// ===== attributes =====

/** A heap path_attribute holding `a` (code, flags, value), or NULL when the heap is full. */
function attributeCopy(ctx: HelperContext, code: number, a: StoredAttribute | undefined): bigint {
  if (a === undefined) return NULL;
  const m = memoryOf(ctx);
  const at = attributeBlock(m, code, a.flags, a.value.length);
  if (at < 0) return NULL;
  m.heap.set(a.value, at + PATH_ATTRIBUTE.fields.data.offset);
  return heapAddress(ctx, at);
}

/** attributeCopy of the route's attribute `code`, read straight from its set (no allocation). */
function routeAttributeCopy(ctx: HelperContext, code: number, route: RouteState): bigint {
  return heapAddress(ctx, routeAttributeBlock(ctx, code, route));
}

/** routeAttributeCopy as a heap offset (-1: absent, or the heap is full). */
function routeAttributeBlock(ctx: HelperContext, code: number, route: RouteState | undefined): number {
  if (route === undefined) return -1;
  const header = route.header(code);
  if (header < 0) return -1;
  const m = memoryOf(ctx);
  const at = attributeBlock(m, code, header >>> 16, header & 0xffff);
  if (at < 0) return -1;
  route.copyValue(code, m.heap, at + PATH_ATTRIBUTE.fields.data.offset);
  return at;
}

/** A heap struct path_attribute (xbgp-api layouts: code, flags, padding, u32 length little-endian) for a
 *  value of `len` octets, the data left to the caller: its offset, or -1 when the heap is full. */
function attributeBlock(m: PluginMemory, code: number, flags: number, len: number): number {
  const at = m.alloc(pathAttributeSize(len));
  if (at < 0) return -1;
  const heap = m.heap;
  const L = PATH_ATTRIBUTE.fields;
  heap[at + L.code.offset] = code;
  heap[at + L.flags.offset] = flags;
  heap[at + 2] = 0;
  heap[at + 3] = 0;
  heap[at + L.length.offset] = len & 255;
  heap[at + L.length.offset + 1] = (len >>> 8) & 255;
  heap[at + L.length.offset + 2] = (len >>> 16) & 255;
  heap[at + L.length.offset + 3] = len >>> 24;
  return at;
}

/** The route `rte` names at this point: UNDEF the current one, NEW/OLD those a decision step compares. */
function routeOf(call: Call, rte: number): RouteState | undefined {
  if (rte === BGP_ROUTE_TYPE_NEW) return call.routeNew;
  if (rte === BGP_ROUTE_TYPE_OLD) return call.routeOld;
  if (rte === BGP_ROUTE_TYPE_UNDEF) return call.route;
  return undefined;
}

const get_attr_from_code: HelperFn = (code, _2, _3, _4, _5, ctx) => {
  const route = callOf(ctx).route;
  if (route === undefined) return NULL;
  return routeAttributeCopy(ctx, Number(code & 0xffn), route);
};

const get_attr_from_code_at: NumberHelperFn = (code, _2, _3, _4, _5, ctx) =>
  heapAt(ctx, routeAttributeBlock(ctx, code & 0xff, callOf(ctx).route));

const get_attr_from_code_by_route: HelperFn = (code, rte, _3, _4, _5, ctx) => {
  const route = routeOf(callOf(ctx), asInt32(rte));
  if (route === undefined) return NULL;
  return routeAttributeCopy(ctx, Number(code & 0xffn), route);
};

/** Put an attribute on a writable route: 0, -1 (not writable here, or not a valid value), or a fault. */
function putAttribute(
  call: Call,
  route: RouteState | undefined,
  code: number,
  flags: number,
  value: Uint8Array,
): number {
  if (route === undefined || !call.offers('attributes-writable')) return -1;
  return route.put(code, flags, value);
}

const add_attr: HelperFn = (code, flags, len, data, _5, ctx) => {
  const n = asLength(len & 0xffffn);
  const value = readIn(ctx, data, n);
  if (value instanceof VmFault) return value;
  const call = callOf(ctx);
  return intResult(putAttribute(call, call.route, Number(code & 0xffn), Number(flags & 0xffn), value));
};

const add_attr_at: NumberHelperFn = (code, flags, len, data, _5, ctx) => {
  const value = readInAt(ctx, data, len & 0xffff);
  if (value instanceof VmFault) return value;
  const call = callOf(ctx);
  return putAttribute(call, call.route, code & 0xff, flags & 0xff, value);
};

/** Read a struct path_attribute and its value from program memory. */
function readAttributeArg(
  ctx: HelperContext,
  addr: bigint,
): { code: number; flags: number; value: Uint8Array } | VmFault {
  const header = readIn(ctx, addr, PATH_ATTRIBUTE.size);
  if (header instanceof VmFault) return header;
  const h = readPathAttributeHeader(header, 0);
  if (h.length > 0xffff) return { code: h.code, flags: h.flags, value: new Uint8Array(0x10000) };
  const value = readIn(ctx, addr + BigInt(PATH_ATTRIBUTE.fields.data.offset), h.length);
  if (value instanceof VmFault) return value;
  return { code: h.code, flags: h.flags, value };
}

/** readAttributeArg at a number address. */
function readAttributeArgAt(
  ctx: HelperContext,
  addr: number,
): { code: number; flags: number; value: Uint8Array } | VmFault {
  const header = readInAt(ctx, addr, PATH_ATTRIBUTE.size);
  if (header instanceof VmFault) return header;
  const h = readPathAttributeHeader(header, 0);
  if (h.length > 0xffff) return { code: h.code, flags: h.flags, value: new Uint8Array(0x10000) };
  const value = readInAt(ctx, addr + PATH_ATTRIBUTE.fields.data.offset, h.length);
  if (value instanceof VmFault) return value;
  return { code: h.code, flags: h.flags, value };
}

const set_attr: HelperFn = (attr, _2, _3, _4, _5, ctx) => {
  const a = readAttributeArg(ctx, attr);
  if (a instanceof VmFault) return a;
  const call = callOf(ctx);
  return intResult(putAttribute(call, call.route, a.code, a.flags, a.value));
};

const set_attr_at: NumberHelperFn = (attr, _2, _3, _4, _5, ctx) => {
  const a = readAttributeArgAt(ctx, attr);
  if (a instanceof VmFault) return a;
  const call = callOf(ctx);
  return putAttribute(call, call.route, a.code, a.flags, a.value);
};

/**
 * The decision process compares routes and never changes them (a change would have to re-run the import
 * side of the route): the argument is checked, nothing changes, -1.
 */
const set_attr_to_route: HelperFn = (attr, _2, _3, _4, _5, ctx) => {
  const a = readAttributeArg(ctx, attr);
  return a instanceof VmFault ? a : FAILED;
};

// ===== prefix, next hop, route =====

/** A heap ubpf_prefix of the current route's prefix, or NULL. */
function prefixCopy(ctx: HelperContext, call: Call): bigint {
  const prefix = call.prefix;
  if (prefix === undefined) return NULL;
  const m = memoryOf(ctx);
  const at = m.alloc(UBPF_PREFIX.size);
  if (at < 0) return NULL;
  writePrefix(m.heap, at, prefix);
  return heapAddress(ctx, at);
}

const get_prefix: HelperFn = (_1, _2, _3, _4, _5, ctx) => prefixCopy(ctx, callOf(ctx));

const get_nexthop: HelperFn = (pfx, _2, _3, _4, _5, ctx) => {
  // Only the current route's (pfx NULL); a lookup of another prefix's best route is not offered yet.
  if (pfx !== NULL) return NULL;
  const route = callOf(ctx).route;
  if (route === undefined) return NULL;
  const m = memoryOf(ctx);
  const at = m.alloc(UBPF_NEXTHOP.size);
  if (at < 0) return NULL;
  m.heap.fill(0, at, at + UBPF_NEXTHOP.size);
  // No IGP: the next hop is resolved by BGP itself, at IGP cost 0 (decision step igp-cost).
  m.heap[at + UBPF_NEXTHOP.fields.route_type.offset] =
    route.set === undefined ? NEXTHOP_ROUTE_TYPE_UNKNOWN : ROUTE_TYPE_BGP;
  return heapAddress(ctx, at);
};

/** A heap bgp_route for `route`: prefix, attribute copies, peer, route info; NULL when the heap is full. */
export function routeCopy(
  ctx: HelperContext,
  prefix: PrefixValue | undefined,
  route: RouteState,
  peer: PeerInfo | undefined,
): bigint {
  const m = memoryOf(ctx);
  const codes = route.codes();
  const at = m.alloc(BGP_ROUTE.size, true);
  const table = m.alloc(8 * codes.length, true);
  if (at < 0 || table < 0) return NULL;
  if (prefix !== undefined) writePrefix(m.heap, at + BGP_ROUTE.fields.pfx.offset, prefix);
  const view = new DataView(m.heap.buffer, m.heap.byteOffset);
  for (let i = 0; i < codes.length; i++) {
    const copy = routeAttributeCopy(ctx, codes[i]!, route);
    if (copy === NULL) return NULL;
    view.setBigUint64(table + 8 * i, copy, true);
  }
  view.setInt32(at + BGP_ROUTE.fields.attr_nb.offset, codes.length, true);
  view.setBigUint64(at + BGP_ROUTE.fields.attr.offset, heapAddress(ctx, table), true);
  if (peer !== undefined) {
    const p = peerCopies(ctx, [peer]);
    if (p === NULL) return NULL;
    view.setBigUint64(at + BGP_ROUTE.fields.peer_info.offset, p, true);
  }
  view.setUint32(at + BGP_ROUTE.fields['route_info.type'].offset, ROUTE_TYPE_BGP, true);
  return heapAddress(ctx, at);
}

const get_bgp_route: HelperFn = (type, _2, _3, _4, _5, ctx) => {
  const call = callOf(ctx);
  const rte = asInt32(type);
  const route = routeOf(call, rte);
  if (route === undefined) return NULL;
  const peer =
    rte === BGP_ROUTE_TYPE_NEW ? call.peerNew : rte === BGP_ROUTE_TYPE_OLD ? call.peerOld : call.sourcePeer;
  return routeCopy(ctx, call.prefix, route, peer);
};

// ===== peers =====

/** Heap ubpf_peer_info structs for `peers` (consecutive), each with its local_bgp_session; NULL if full. */
function peerCopies(ctx: HelperContext, peers: readonly PeerInfo[]): bigint {
  return heapAddress(ctx, peerBlocks(ctx, peers));
}

/** peerCopies as a heap offset (-1: the heap is full). */
function peerBlocks(ctx: HelperContext, peers: readonly PeerInfo[]): number {
  const m = memoryOf(ctx);
  const size = UBPF_PEER_INFO.size;
  const at = m.alloc(size * peers.length);
  if (at < 0) return -1;
  for (let i = 0; i < peers.length; i++) if (!writePeer(ctx, m, peers[i]!, at + i * size)) return -1;
  return at;
}

/** One peer's ubpf_peer_info at heap offset `at`, and its local_bgp_session in a block of its own; false if the heap is full. */
function writePeer(ctx: HelperContext, m: PluginMemory, peer: PeerInfo, at: number): boolean {
  const images = peerImages(peer);
  m.heap.set(images.peer, at);
  if (images.local === undefined) return true;
  const local = m.alloc(UBPF_PEER_INFO.size);
  if (local < 0) return false;
  m.heap.set(images.local, local);
  writeAddress(m.heap, at + UBPF_PEER_INFO.fields.local_bgp_session.offset, heapAt(ctx, local));
  return true;
}

/**
 * The bytes of the struct ubpf_peer_info of `p` (local_bgp_session NULL) and of its local session, made
 * once per PeerInfo: the points keep one PeerInfo per peer and never change it, so the helpers copy these
 * instead of writing the fields on every call.
 */
function peerImages(p: PeerInfo): PeerImages {
  let images = peerImageCache.get(p);
  if (images === undefined) {
    images = { peer: peerInfoImage(p), local: p.local === undefined ? undefined : peerInfoImage(p.local) };
    peerImageCache.set(p, images);
  }
  return images;
}

interface PeerImages {
  readonly peer: Uint8Array;
  readonly local: Uint8Array | undefined;
}

const peerImageCache = new WeakMap<PeerInfo, PeerImages>();

/** The bytes of a struct ubpf_peer_info for `p`, local_bgp_session NULL. */
function peerInfoImage(p: PeerInfo): Uint8Array {
  const image = new Uint8Array(UBPF_PEER_INFO.size);
  const L = UBPF_PEER_INFO.fields;
  const view = new DataView(image.buffer);
  view.setUint32(L.as.offset, p.asn, true);
  view.setUint32(L.router_id.offset, p.routerId, true);
  view.setUint8(L.peer_type.offset, p.peerType);
  if (p.address !== undefined) {
    view.setUint8(L['addr.af'].offset, p.address.length === 4 ? 2 : 10);
    image.set(p.address, L['addr.addr'].offset);
  }
  return image;
}

/** heap[at..at + 8) = `address` (a VM address: below 2^53), a u64 little-endian. */
function writeAddress(heap: Uint8Array, at: number, address: number): void {
  const lo = address >>> 0;
  const hi = (address / 0x1_0000_0000) >>> 0;
  for (let k = 0; k < 4; k++) {
    heap[at + k] = (lo >>> (8 * k)) & 255;
    heap[at + 4 + k] = (hi >>> (8 * k)) & 255;
  }
}

const get_src_peer_info: HelperFn = (_1, _2, _3, _4, _5, ctx) => {
  const peer = callOf(ctx).sourcePeer;
  return peer === undefined ? NULL : peerCopies(ctx, [peer]);
};

const get_src_peer_info_at: NumberHelperFn = (_1, _2, _3, _4, _5, ctx) => {
  const peer = callOf(ctx).sourcePeer;
  if (peer === undefined) return 0;
  const m = memoryOf(ctx);
  const at = m.alloc(UBPF_PEER_INFO.size);
  return at >= 0 && writePeer(ctx, m, peer, at) ? heapAt(ctx, at) : 0;
};

const get_peer_info: HelperFn = (nbPeers, _2, _3, _4, _5, ctx) => {
  const peers = callOf(ctx).destinations();
  if (peers === undefined) return NULL;
  const written = ctx.mem.write(nbPeers, peerCount(peers.length));
  if (written !== undefined) return written;
  return peerCopies(ctx, peers);
};

const get_peer_info_at: NumberHelperFn = (nbPeers, _2, _3, _4, _5, ctx) => {
  const peers = callOf(ctx).destinations();
  if (peers === undefined) return 0;
  const written = ctx.mem.writeAt(nbPeers, peerCount(peers.length));
  if (written !== undefined) return written;
  return heapAt(ctx, peerBlocks(ctx, peers));
};

/** get_peer_info's int `n` as written through nb_peers (little-endian; reused: the write copies it). */
function peerCount(n: number): Uint8Array {
  const count = PEER_COUNT;
  for (let k = 0; k < 4; k++) count[k] = (n >>> (8 * k)) & 255;
  return count;
}

/** get_peer_info's int written through nb_peers (little-endian; reused: the write copies it). */
const PEER_COUNT = new Uint8Array(4);

const set_peer_info: HelperFn = () => FAILED; // xBGP's hosts: always -1

// ===== encoding =====

const get_attr: HelperFn = (_1, _2, _3, _4, _5, ctx) => {
  const current = callOf(ctx).currentAttribute;
  return current === undefined ? NULL : attributeCopy(ctx, current.code, current);
};

const write_to_buffer: HelperFn = (ptr, len, _3, _4, _5, ctx) => {
  const output = callOf(ctx).output;
  const n = asLength(len);
  if (output === undefined || n < 0) return FAILED;
  const bytes = readIn(ctx, ptr, n);
  if (bytes instanceof VmFault) return bytes;
  return intResult(output.append(bytes) ? 0 : -1);
};

// ===== VRF =====

/** xbgpd has one routing table, the default VRF: id 0, name "default". */
const get_vrf: HelperFn = (info, _2, _3, _4, _5, ctx) => {
  if (!callOf(ctx).offers('vrf')) return FAILED;
  const head = readIn(ctx, info, VRF_INFO.size);
  if (head instanceof VmFault) return head;
  const view = new DataView(head.buffer);
  const room = Number(view.getBigUint64(VRF_INFO.fields.str_len.offset, true));
  view.setInt32(VRF_INFO.fields.vrf_id.offset, 0, true);
  const name = new TextEncoder().encode('default');
  const out = new Uint8Array(VRF_INFO.size + Math.min(room, name.length));
  out.set(head, 0);
  out.set(name.subarray(0, Math.min(room, name.length)), VRF_INFO.size);
  const written = ctx.mem.write(info, out);
  return written ?? 0n;
};

export const bgpHelpers: HelperImpls = {
  add_attr: both(add_attr, add_attr_at),
  set_attr: both(set_attr, set_attr_at),
  set_attr_to_route,
  get_attr,
  write_to_buffer,
  get_peer_info: both(get_peer_info, get_peer_info_at),
  get_src_peer_info: both(get_src_peer_info, get_src_peer_info_at),
  set_peer_info,
  get_attr_from_code: both(get_attr_from_code, get_attr_from_code_at),
  get_attr_from_code_by_route,
  get_prefix,
  get_nexthop,
  get_bgp_route,
  get_vrf,
};
