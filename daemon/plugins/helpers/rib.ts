// The RIB and control helpers of the xBGP API that reach the running router: iterating the Loc-RIB
// (new_rib_iterator, rib_has_route, next_rib_route, rib_iterator_clean; at most MAX_RIB_ITERATORS open,
// all closed when the run ends), peer_session_reset (deferred: the session resets after the point's
// call), and get_route_info. Outside a daemon (xbgpctl, tests without a router) they return -1 / NULL.
import {
  BGP_RTE_INFO,
  MAX_RIB_ITERATORS,
  ROUTE_TYPE_BGP,
  XBGP_AFI_IPV4,
  XBGP_AFI_IPV6,
  XBGP_SAFI_UNICAST,
} from '../../../xbgp-api/index.js';
import { VmFault, type HelperFn } from '../../../vm/index.js';
import { asInt32, callOf, heapAddress, intResult, memoryOf } from '../call.js';
import { RouteState } from '../route.js';
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

export const ribHelpers: HelperImpls = {
  new_rib_iterator,
  rib_has_route,
  rib_iterator_clean,
  next_rib_route,
  peer_session_reset,
  get_route_info,
};
