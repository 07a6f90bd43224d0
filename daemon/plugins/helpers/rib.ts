// The RIB and control helpers of the xBGP API that reach the running router: iterating the Loc-RIB
// (new_rib_iterator, rib_has_route, next_rib_route, rib_iterator_clean; at most MAX_RIB_ITERATORS open,
// all closed when the run ends), a peer's received route (get_rib_out_entry: post-policy, as FRR), the
// route a peer was sent (get_route_sent_to_peer), withdrawing a received route (remove_route_from_rib),
// peer_session_reset (deferred: the session resets after the point's call), schedule_bgp_message
// (deferred too: the message goes out after the call), and get_route_info. Outside a daemon (xbgpctl, tests without a router) they return -1 / NULL.
import {
  BGP_MESSAGE,
  BGP_RTE_INFO,
  MAX_RIB_ITERATORS,
  ROUTE_TYPE_BGP,
  XBGP_AFI_IPV4,
  XBGP_AFI_IPV6,
  XBGP_SAFI_UNICAST,
  UBPF_PEER_INFO,
  UBPF_PREFIX,
  readPrefix,
  type PrefixValue,
} from '../../../xbgp-api/index.js';
import { VmFault, type HelperContext, type HelperFn } from '../../../vm/index.js';
import {
  asInt32,
  callOf,
  heapAddress,
  intResult,
  memoryOf,
  readIn,
  type PeerSelector,
  type RibRoute,
  type RouterAccess,
} from '../call.js';
import { RouteState } from '../route.js';
import { MAX_EXTENDED_MESSAGE_LENGTH } from '../../wire/index.js';
import { routeCopy } from './bgp.js';
import type { HelperImpls } from './registry.js';

const NULL = 0n;
const FAILED = intResult(-1);

const new_rib_iterator: HelperFn = (afi, safi, _3, _4, _5, ctx) => {
  const call = callOf(ctx);
  const router = call.services(call.pluglet!.plugin).router?.();
  const a = asInt32(afi);
  if (router === undefined || asInt32(safi) !== XBGP_SAFI_UNICAST) return FAILED;
  if (a !== XBGP_AFI_IPV4 && a !== XBGP_AFI_IPV6) return FAILED;
  if (call.iterators.size >= MAX_RIB_ITERATORS) return FAILED;
  let id = 0;
  while (call.iterators.has(id)) id++;
  const routes = router.bestRoutes(a === XBGP_AFI_IPV6);
  const first = routes.next();
  call.iterators.set(id, { routes, ahead: first.done ? undefined : first.value });
  return BigInt(id);
};

const rib_has_route: HelperFn = (it, _2, _3, _4, _5, ctx) => {
  const iterator = callOf(ctx).iterators.get(asInt32(it));
  return iterator?.ahead === undefined ? 0n : 1n;
};

const rib_iterator_clean: HelperFn = (it, _2, _3, _4, _5, ctx) => {
  callOf(ctx).iterators.delete(asInt32(it));
  return 0n;
};

const next_rib_route: HelperFn = (it, _2, _3, _4, _5, ctx) => {
  const call = callOf(ctx);
  const iterator = call.iterators.get(asInt32(it));
  const route = iterator?.ahead;
  if (iterator === undefined || route === undefined) return NULL;
  const next = iterator.routes.next();
  iterator.ahead = next.done ? undefined : next.value;
  const router = call.services(call.pluglet!.plugin).router?.();
  if (router === undefined) return NULL;
  const state = new RouteState();
  state.reset(route.set, route.ipv6, router.store);
  return routeCopy(ctx, route.prefix, state, route.peer);
};

const peer_session_reset: HelperFn = (peerIp, _2, _3, _4, _5, ctx) => {
  const call = callOf(ctx);
  const router = call.services(call.pluglet!.plugin).router?.();
  const text = ctx.mem.readCString(peerIp, 64);
  if (text instanceof VmFault) return text;
  if (router === undefined) return FAILED;
  return router.resetPeer(text) ? 0n : FAILED;
};

/**
 * schedule_bgp_message(type, struct bgp_message *, peer_ip): the body (buf_len bytes at buf) queued to the
 * Established session of the peer at peer_ip, sent after the point's call with the header xbgpd adds.
 * -1 for a type xbgpd builds itself (1..5) or outside 0..255, no such Established peer, or a message
 * longer than the session allows. The struct's own type field is not read (the argument is the type).
 */
const schedule_bgp_message: HelperFn = (type, msg, peerIp, _4, _5, ctx) => {
  const call = callOf(ctx);
  const router = call.services(call.pluglet!.plugin).router?.();
  const head = readIn(ctx, msg, BGP_MESSAGE.size);
  if (head instanceof VmFault) return head;
  const view = new DataView(head.buffer);
  const len = view.getBigUint64(BGP_MESSAGE.fields.buf_len.offset, true);
  const buf = view.getBigUint64(BGP_MESSAGE.fields.buf.offset, true);
  const text = ctx.mem.readCString(peerIp, 64);
  if (text instanceof VmFault) return text;
  if (len > BigInt(MAX_EXTENDED_MESSAGE_LENGTH)) return FAILED;
  const body = readIn(ctx, buf, Number(len));
  if (body instanceof VmFault) return body;
  if (router === undefined) return FAILED;
  return router.sendMessage(text, asInt32(type), body) ? 0n : FAILED;
};

/** uptime and selection reason are not tracked per route: 0 and bgp_selection_none; type BGP. */
const get_route_info: HelperFn = (_1, _2, _3, _4, _5, ctx) => {
  if (callOf(ctx).route === undefined) return NULL;
  const m = memoryOf(ctx);
  const at = m.alloc(BGP_RTE_INFO.size, true);
  if (at < 0) return NULL;
  new DataView(m.heap.buffer, m.heap.byteOffset).setUint32(
    at + BGP_RTE_INFO.fields.type.offset,
    ROUTE_TYPE_BGP,
    true,
  );
  return heapAddress(ctx, at);
};

/** A ubpf_prefix and a ubpf_peer_info read from the pluglet's memory. */
function readLookup(
  ctx: HelperContext,
  pfx: bigint,
  peer: bigint,
): { prefix: PrefixValue; peer: PeerSelector } | VmFault {
  const p = readIn(ctx, pfx, UBPF_PREFIX.size);
  if (p instanceof VmFault) return p;
  const q = readIn(ctx, peer, UBPF_PEER_INFO.size);
  if (q instanceof VmFault) return q;
  const L = UBPF_PEER_INFO.fields;
  const view = new DataView(q.buffer);
  const af = q[L['addr.af'].offset];
  const at = L['addr.addr'].offset;
  const address = af === 2 ? q.slice(at, at + 4) : af === 10 ? q.slice(at, at + 16) : undefined;
  return { prefix: readPrefix(p, 0), peer: { routerId: view.getUint32(L.router_id.offset, true), address } };
}

function routerOf(ctx: HelperContext): RouterAccess | undefined {
  const call = callOf(ctx);
  return call.services(call.pluglet!.plugin).router?.();
}

/** A route the router returned, as a heap bgp_route. */
function copyRoute(ctx: HelperContext, router: RouterAccess, route: RibRoute | undefined): bigint {
  if (route === undefined) return NULL;
  const state = new RouteState();
  state.reset(route.set, route.ipv6, router.store);
  return routeCopy(ctx, route.prefix, state, route.peer);
}

const get_rib_out_entry: HelperFn = (_af, pfx, pinfo, _4, _5, ctx) => {
  const l = readLookup(ctx, pfx, pinfo);
  if (l instanceof VmFault) return l;
  const router = routerOf(ctx);
  return router === undefined ? NULL : copyRoute(ctx, router, router.receivedRoute(l.prefix, l.peer));
};

const get_route_sent_to_peer: HelperFn = (pfx, peer, _3, _4, _5, ctx) => {
  const l = readLookup(ctx, pfx, peer);
  if (l instanceof VmFault) return l;
  const router = routerOf(ctx);
  return router === undefined ? NULL : copyRoute(ctx, router, router.sentRoute(l.prefix, l.peer));
};

const remove_route_from_rib: HelperFn = (pfx, peer, _3, _4, _5, ctx) => {
  const l = readLookup(ctx, pfx, peer);
  if (l instanceof VmFault) return l;
  const router = routerOf(ctx);
  return router !== undefined && router.removeRoute(l.prefix, l.peer) ? 0n : FAILED;
};

export const ribHelpers: HelperImpls = {
  get_rib_out_entry,
  get_route_sent_to_peer,
  remove_route_from_rib,
  new_rib_iterator,
  rib_has_route,
  rib_iterator_clean,
  next_rib_route,
  peer_session_reset,
  schedule_bgp_message,
  get_route_info,
};
