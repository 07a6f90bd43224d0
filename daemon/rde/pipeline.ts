// The five stages of the route pipeline, each one function named after the xBGP insertion point that will
// be placed exactly there (aesthetics.md principle 11), with its native behaviour documented:
//   decode          wire UPDATE -> announced / withdrawn routes per family, attributes interned
//   inboundFilter   Adj-RIB-In pre-policy -> post-policy (AS loop, RFC 8212, import policy)
//   decision        a destination's candidate paths -> the best path and the deciding step
//   outboundFilter  the best path -> what a peer group is sent (propagation rules + export policy)
//   encode          Adj-RIB-Out changes -> UPDATE messages (update-builder.ts)
// rde.ts drives them; they keep no state of their own.
import {
  Afi,
  AttrType,
  attributesForForwarding,
  checkMandatory,
  effectivePath,
  forEachPrefix,
  forEachPrefixIn,
  makeAsPath,
  makeNextHop,
  type PathAttribute,
  type StorableIpv4,
  type StorableIpv6,
  type UpdateMessage,
} from '../wire/index.js';
import {
  type AttrSet,
  type AttrStore,
  asPathContains,
  attributesOf,
  mpNextHopOf,
  nextHopOf,
} from './attr-store.js';
import { selectBest, type DecisionContext, type DecisionResult } from './decision.js';
import { exportAttributes, propagationVerdict, type ExportSettings, type SourceKind } from './propagation.js';
import { prefixKey, setRejection, writePrefix, type PrefixKey, type RdePeer, type RibPath } from './rib.js';
import { buildUpdates, type EncodeOptions } from './update-builder.js';
import type { ExportKeyWriter } from './export-key.js';
import type { CompiledPolicyLike, PolicyResultLike } from './policy-hook.js';
import type { AttributeDecodeHook, RouteFilterHook } from './plugin-hook.js';

// ===== decode =====

/**
 * The routes of one UPDATE for one family: the first `announcedCount` entries of `announced` (the arrays
 * may be longer: reused ones are not shrunk, which would give up their storage), which share `attrs`
 * (one reference per key), and the first `withdrawnCount` of `withdrawn`.
 */
export interface DecodedRoutes {
  ipv6: boolean;
  announced: PrefixKey[];
  /** RFC 7911 path identifier of each announced key (0 without ADD-PATH). Kept apart from the keys so
   *  that both arrays keep their compact element kinds and a stored path id stays a small integer. */
  announcedIds: number[];
  announcedCount: number;
  withdrawn: PrefixKey[];
  withdrawnIds: number[];
  withdrawnCount: number;
  /**
   * Withdrawn prefixes left in wire form (the fast path's IPv6 ones): when set, the withdrawn prefixes
   * are those at `withdrawnAt[0, withdrawnCount)` in it (each offset that of the prefix's length octet)
   * and `withdrawn` is unused. The RDE finds their destinations from the octets (FamilyRib.idsOfWire):
   * no key string per withdrawn prefix.
   */
  withdrawnWire: Uint8Array | undefined;
  withdrawnAt: Int32Array;
  /** The interned set of the announced routes (one reference held for all of them), if any. */
  attrs: AttrSet | undefined;
}

/**
 * decode: an UPDATE from a peer -> per family the withdrawn and announced prefixes and the interned
 * attribute set. Native behaviour: AS_PATH/AS4_PATH merged into one 4-octet AS_PATH (RFC 6793 4.2.3),
 * unrecognised non-transitive attributes dropped and transitive ones marked Partial (RFC 4271 5), the
 * next hop from NEXT_HOP (IPv4; from a 4-octet MP_REACH_NLRI next hop when IPv4 routes come in
 * MP_REACH_NLRI without NEXT_HOP) or MP_REACH_NLRI (IPv6; global + link-local kept). `treatAsWithdraw`
 * (RFC 7606) turns every announcement into a withdrawal.
 * The bgp_decode_attr point (`plugin`, the peer's pluglets) runs first on the attributes of an UPDATE
 * that announces routes: it may treat the UPDATE as a withdrawal, or consume attributes and store others
 * (normaliseAttributes); an UPDATE left without a mandatory attribute is then treated as a withdrawal
 * (RFC 7606 3 d). Without a plugin nothing of this runs. The result is consumed before the next call,
 * which may reuse it.
 */
export function decode(
  update: UpdateMessage,
  asn4: boolean,
  treatAsWithdraw: boolean,
  store: AttrStore,
  plugin?: AttributeDecodeHook,
): DecodedRoutes[] {
  if (plugin === undefined && !treatAsWithdraw) {
    const ipv4 = update.storableIpv4;
    if (ipv4 !== undefined) return decodeStorable(ipv4, store);
    const ipv6 = update.storableIpv6;
    if (ipv6 !== undefined) return decodeStorableIpv6(ipv6, store);
  }
  const v4 = emptyRoutes(false);
  const v6 = emptyRoutes(true);
  const addWithdrawn = (
    afi: number,
    length: number,
    bytes: Uint8Array,
    offset: number,
    pathId: number,
  ): void => {
    const target = afi === Afi.Ipv6 ? v6 : v4;
    target.withdrawn.push(prefixKey(afi, length, bytes, offset));
    target.withdrawnIds.push(pathId);
  };
  if (update.withdrawn.count > 0)
    forEachPrefix(update.withdrawn, (l, b, o, p) => addWithdrawn(Afi.Ipv4, l, b, o, p));
  let attributes: readonly PathAttribute[] = update.attributes;
  let stored: readonly PathAttribute[] | undefined;
  if (plugin !== undefined && !treatAsWithdraw && announces(update)) {
    const outcome = plugin.run(attributes);
    if (outcome === 'withdraw') treatAsWithdraw = true;
    else if (outcome !== undefined) {
      attributes = outcome.native;
      stored = outcome.stored;
      const all = [...attributes, ...stored];
      const message: UpdateMessage = {
        type: 'update',
        withdrawn: update.withdrawn,
        nlri: update.nlri,
        attributes: all,
      };
      if (checkMandatory(message) !== undefined) treatAsWithdraw = true;
    }
  }
  let mpNextHop: Uint8Array | undefined;
  let mpIpv4NextHop: Uint8Array | undefined;
  let hasNextHop = stored?.some((a) => a.code === AttrType.NextHop) ?? false;
  for (const a of attributes) {
    if (a.type === 'mp-unreach' && a.safi === 1 && a.withdrawn.count > 0) {
      const afi = a.afi;
      forEachPrefix(a.withdrawn, (l, b, o, p) => addWithdrawn(afi, l, b, o, p));
    } else if (a.type === 'mp-reach' && a.safi === 1 && a.nlri.count > 0) {
      const afi = a.afi;
      const target = afi === Afi.Ipv6 ? v6 : v4;
      if (afi === Afi.Ipv6) mpNextHop = a.nextHop;
      else mpIpv4NextHop = a.nextHop;
      forEachPrefix(a.nlri, (l, b, o, p) => addRoute(target, treatAsWithdraw, prefixKey(afi, l, b, o), p));
    } else if (a.type === 'next-hop') hasNextHop = true;
  }
  if (update.nlri.count > 0) {
    forEachPrefix(update.nlri, (l, b, o, p) =>
      addRoute(v4, treatAsWithdraw, prefixKey(Afi.Ipv4, l, b, o), p),
    );
  }
  if (v4.announced.length > 0 || v6.announced.length > 0) {
    const attrs = normaliseAttributes(attributes, asn4, stored);
    if (v4.announced.length > 0) {
      // An IPv4 route's next hop is its NEXT_HOP attribute (the store keeps it there, and only there).
      const v4attrs =
        !hasNextHop && mpIpv4NextHop?.length === 4 ? [...attrs, makeNextHop(bytesU32(mpIpv4NextHop))] : attrs;
      v4.attrs = store.intern(v4attrs);
    }
    // IPv6: the MP_REACH_NLRI next hop; the store leaves NEXT_HOP out (RFC 4760 3).
    if (v6.announced.length > 0) v6.attrs = store.intern(attrs, mpNextHop);
  }
  const out: DecodedRoutes[] = [];
  for (const r of [v4, v6]) {
    r.announcedCount = r.announced.length;
    r.withdrawnCount = r.withdrawn.length;
    if (r.announcedCount > 0 || r.withdrawnCount > 0) out.push(r);
  }
  return out;
}

/**
 * decode of an UPDATE whose section the decoder found clean (UpdateMessage.storableSection) with IPv4
 * routes: body NLRI and withdrawals only, the set interned from the section's octets (the same set the
 * decoded attributes would give: test/rde/storable.test.ts). The result is valid until the next decode.
 */
function decodeStorable(at: StorableIpv4, store: AttrStore): DecodedRoutes[] {
  // One result reused from UPDATE to UPDATE (rde.ts consumes it before the next decode): no arrays per UPDATE.
  const v4 = storableTarget(STORABLE_ROUTES, Afi.Ipv4);
  if (at.withdrawnEnd > at.withdrawnAt)
    forEachPrefixIn(at.body, at.withdrawnAt, at.withdrawnEnd, at.addPath, addStorableWithdrawn);
  forEachPrefixIn(at.body, at.nlriAt, at.nlriEnd, at.addPath, addStorableAnnounced);
  if (v4.announcedCount > 0) v4.attrs = store.internSection(at.body, at.sectionAt, at.sectionEnd);
  return v4.announcedCount > 0 || v4.withdrawnCount > 0 ? STORABLE_RESULT : NO_ROUTES;
}

/**
 * decodeStorable for a clean UPDATE with IPv6 unicast routes alone (UpdateMessage.storableIpv6): the
 * prefixes of MP_UNREACH_NLRI and MP_REACH_NLRI, the set interned from the section's octets with the MP
 * next hop (as intern(normaliseAttributes(...), mpNextHop) would give: no MP attributes, no NEXT_HOP).
 */
function decodeStorableIpv6(at: StorableIpv6, store: AttrStore): DecodedRoutes[] {
  const v6 = storableTarget(STORABLE_ROUTES6, Afi.Ipv6);
  const body = at.body;
  if (at.mpWithdrawn >= 0) {
    v6.withdrawnWire = body;
    forEachPrefixIn(body, at.mpWithdrawn, at.mpWithdrawnEnd, at.addPath, addWireWithdrawn);
  }
  if (at.mpNlri >= 0) {
    forEachPrefixIn(body, at.mpNlri, at.mpNlriEnd, at.addPath, addStorableAnnounced);
    v6.attrs = store.internSection(body, at.sectionAt, at.sectionEnd, at.mpNextHop, at.mpNextHopEnd);
  }
  // The decoder serves only UPDATEs with at least one prefix.
  return STORABLE_RESULT6;
}

/** withdrawnAt of the routes that never hold prefixes in wire form (no array per UPDATE of the slow path). */
const NO_OFFSETS = new Int32Array(0);

const STORABLE_ROUTES = emptyRoutes(false);
const STORABLE_RESULT: DecodedRoutes[] = [STORABLE_ROUTES];
const STORABLE_ROUTES6 = emptyRoutes(true, true);
const STORABLE_RESULT6: DecodedRoutes[] = [STORABLE_ROUTES6];
const NO_ROUTES: DecodedRoutes[] = [];
/** Where addStorableWithdrawn / addStorableAnnounced put prefixes of family `storableAfi`. */
let storableInto = STORABLE_ROUTES;
let storableAfi: number = Afi.Ipv4;

/** Empty `routes` (by count: the arrays keep their storage) and make it the target of the visitors below. */
function storableTarget(routes: DecodedRoutes, afi: number): DecodedRoutes {
  routes.announcedCount = 0;
  routes.withdrawnCount = 0;
  routes.withdrawnWire = undefined;
  routes.attrs = undefined;
  storableInto = routes;
  storableAfi = afi;
  return routes;
}

function addStorableWithdrawn(length: number, bytes: Uint8Array, offset: number, pathId: number): void {
  const r = storableInto;
  const i = r.withdrawnCount++;
  r.withdrawn[i] = prefixKey(storableAfi, length, bytes, offset);
  r.withdrawnIds[i] = pathId;
}

/** A withdrawn prefix kept in wire form (DecodedRoutes.withdrawnWire): where its length octet is. */
function addWireWithdrawn(_length: number, _bytes: Uint8Array, offset: number, pathId: number): void {
  const r = storableInto;
  const i = r.withdrawnCount++;
  if (i === r.withdrawnAt.length) {
    const grown = new Int32Array(Math.max(256, 2 * i));
    grown.set(r.withdrawnAt);
    r.withdrawnAt = grown;
  }
  r.withdrawnAt[i] = offset - 1;
  r.withdrawnIds[i] = pathId;
}

function addStorableAnnounced(length: number, bytes: Uint8Array, offset: number, pathId: number): void {
  const r = storableInto;
  const i = r.announcedCount++;
  r.announced[i] = prefixKey(storableAfi, length, bytes, offset);
  r.announcedIds[i] = pathId;
}

function bytesU32(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** Whether an UPDATE announces routes (bgp_decode_attr runs only then). */
function announces(update: UpdateMessage): boolean {
  if (update.nlri.count > 0) return true;
  for (const a of update.attributes) if (a.type === 'mp-reach' && a.nlri.count > 0) return true;
  return false;
}

/** Empty routes of a family; `wire`: the fast path's IPv6 routes, which keep withdrawals in wire form. */
function emptyRoutes(ipv6: boolean, wire = false): DecodedRoutes {
  return {
    ipv6,
    announced: [],
    announcedIds: [],
    announcedCount: 0,
    withdrawn: [],
    withdrawnIds: [],
    withdrawnCount: 0,
    withdrawnWire: undefined,
    withdrawnAt: wire ? new Int32Array(256) : NO_OFFSETS,
    attrs: undefined,
  };
}

/** An announced prefix, or a withdrawn one under RFC 7606 treat-as-withdraw. */
function addRoute(target: DecodedRoutes, asWithdrawal: boolean, key: PrefixKey, pathId: number): void {
  if (asWithdrawal) {
    target.withdrawn.push(key);
    target.withdrawnIds.push(pathId);
  } else {
    target.announced.push(key);
    target.announcedIds.push(pathId);
  }
}

/**
 * The attributes of a received UPDATE in the form the RIB stores (4-octet AS_PATH, no AS4_*). `stored`:
 * what bgp_decode_attr pluglets stored, put in as they are, each in place of a native attribute of its
 * code (AS4_PATH / AS4_AGGREGATOR excepted: the RIB never holds them).
 */
export function normaliseAttributes(
  attributes: readonly PathAttribute[],
  asn4: boolean,
  stored?: readonly PathAttribute[],
): PathAttribute[] {
  const forwarded = attributesForForwarding(attributes);
  const out: PathAttribute[] = [];
  let asPath: PathAttribute | undefined;
  for (const a of forwarded) {
    if (
      a.type === 'as4-path' ||
      a.type === 'as4-aggregator' ||
      a.type === 'mp-reach' ||
      a.type === 'mp-unreach'
    )
      continue;
    if (a.type === 'as-path') {
      asPath = asn4 || a.asn4 ? a : makeAsPath(effectivePath(attributes, false).segments, true);
      out.push(asPath);
      continue;
    }
    if (a.type === 'aggregator' && !a.asn4) {
      const agg = effectivePath(attributes, asn4).aggregator;
      const raw = new Uint8Array(8);
      const asn = agg?.asn ?? a.asn;
      const addr = agg?.address ?? a.address;
      raw.set([
        asn >>> 24,
        (asn >>> 16) & 255,
        (asn >>> 8) & 255,
        asn & 255,
        addr >>> 24,
        (addr >>> 16) & 255,
        (addr >>> 8) & 255,
        addr & 255,
      ]);
      out.push({ ...a, raw, asn, address: addr, asn4: true });
      continue;
    }
    out.push(a);
  }
  if (stored === undefined) return out;
  for (const a of stored) {
    if (a.code === AttrType.As4Path || a.code === AttrType.As4Aggregator) continue;
    const at = out.findIndex((b) => b.code === a.code);
    if (at >= 0) out[at] = a;
    else out.push(a);
  }
  return out;
}

// ===== inboundFilter =====

export interface InboundContext {
  localAsn: number;
  /** RFC 8212 applies to this peer and it has no import policy. */
  denyAllEbgp: boolean;
  policy: CompiledPolicyLike | undefined;
  /** The peer's own address per family ([IPv4, IPv6]): what `next-hop: self` sets on import. */
  selfNextHop: readonly [Uint8Array | undefined, Uint8Array | undefined];
  /** Per pre-policy set: the post-policy set (or null), while the policy depends on the set alone. */
  cache: SetCache;
  /** bgp_pre_inbound_filter pluglets attached to this peer, if any. */
  plugin: RouteFilterHook | undefined;
  /** Per pre-policy set: the final result (plugin, then native), while both depend on the set alone. */
  pluginCache: SetCache;
}

/** The most slots a SetCache grows to (a power of two), and its first size. */
export const SET_CACHE_SLOTS = 32768;
const SET_CACHE_FIRST_SLOTS = 256;

/**
 * A filter's results per attribute set (by identity: the inbound pluglets', the import policy's, the
 * export's per source kind), in a direct-mapped table: a set's slot is its slot in the store's table
 * (`AttrSet.slot`, a position by its key's hash) modulo the size, and a set that takes a slot replaces
 * whatever was there (after the store's table is rebuilt, a set is found in its new slot or computed
 * again). A set mostly comes back soon
 * if at all, so recent entries give nearly all the hits a complete map would (rde-ingest --plugin rr:
 * 397,700 of 497,300 routes; a WeakMap of every live set 418,600). A WeakMap cost about three times as
 * much in pluginInbound (each new set entered an ephemeron table, which grew and which the garbage
 * collector revisits), and two generations of Maps cost their inserts and growth (in the DUT's profile
 * on the IPv4 table, 71 ms of get and set). The table doubles, up to SET_CACHE_SLOTS, each time it has
 * taken as many sets as it has slots: a cache of a peer with a few routes stays small. The strong
 * references keep at most SET_CACHE_SLOTS sets that have left the store alive (not in it): a released
 * result is interned again by AttrStore.acquire.
 */
export class SetCache {
  /** Per slot i: the set at 2i, its result at 2i + 1 (side by side: one cache line per lookup). One empty
   *  slot until the first `set`. */
  private entries: (AttrSet | null | undefined)[] = [undefined, null];
  private mask = 0;
  /** Sets taken since the table last grew. */
  private taken = 0;

  get(set: AttrSet): AttrSet | null | undefined {
    const i = (set.slot & this.mask) << 1;
    const entries = this.entries;
    return entries[i] === set ? entries[i + 1] : undefined;
  }

  set(set: AttrSet, result: AttrSet | null): void {
    if (++this.taken > this.mask && this.mask + 1 < SET_CACHE_SLOTS) this.grow();
    const i = (set.slot & this.mask) << 1;
    this.entries[i] = set;
    this.entries[i + 1] = result;
  }

  /** Twice the slots (SET_CACHE_FIRST_SLOTS at first), the entries kept. */
  private grow(): void {
    const old = this.entries;
    const slots = old.length === 2 ? SET_CACHE_FIRST_SLOTS : old.length;
    const entries = new Array<AttrSet | null | undefined>(2 * slots).fill(undefined);
    this.mask = slots - 1;
    this.taken = 0;
    for (let i = 0; i < old.length; i += 2) {
      const input = old[i];
      if (input === undefined || input === null) continue;
      const at = (input.slot & this.mask) << 1;
      entries[at] = input;
      entries[at + 1] = old[i + 1];
    }
    this.entries = entries;
  }
}

/**
 * Whether a filter's answers may be cached per attribute set (in the caches of its context: the peer's
 * for import, the group's for export): only when it declares that its result depends on the set alone.
 */
export function cachedPerSet(policy: CompiledPolicyLike | undefined): boolean {
  return policy === undefined || policy.dependsOn === 'attributes';
}

/**
 * inboundFilter: Adj-RIB-In pre-policy -> post-policy for one path. Native behaviour, in order:
 * AS loop detection, RFC 8212 default deny, the import policy. Sets `path.attrs` (a new reference, or
 * null) and `path.rejected`.
 */
export function inboundFilter(
  path: RibPath,
  ipv6: boolean,
  key: PrefixKey,
  ctx: InboundContext,
  store: AttrStore,
): void {
  if (ctx.plugin === undefined) nativeInbound(path, path.pre, ipv6, key, ctx, store);
  else pluginInbound(path, ctx.plugin, ipv6, key, ctx, store);
}

/**
 * The bgp_pre_inbound_filter point, then the native filters on the route as the pluglets left it.
 * Cached per pre-policy set when the pluglets and the policy depend on the set alone.
 */
function pluginInbound(
  path: RibPath,
  plugin: RouteFilterHook,
  ipv6: boolean,
  key: PrefixKey,
  ctx: InboundContext,
  store: AttrStore,
): void {
  const pre = path.pre;
  const cacheable = plugin.dependsOn === 'attributes' && cachedPerSet(ctx.policy);
  const cached = cacheable ? ctx.pluginCache.get(pre) : undefined;
  if (cached !== undefined) {
    path.attrs = cached === null ? null : store.acquire(cached);
    setRejection(path, cached === null ? 'plugin' : undefined);
    return;
  }
  if (plugin.run(pre, ipv6, key) === 'reject') {
    path.attrs = null;
    setRejection(path, 'plugin');
  } else {
    const current = plugin.take(pre);
    nativeInbound(path, current, ipv6, key, ctx, store);
    store.release(current);
  }
  if (cacheable) ctx.pluginCache.set(pre, path.attrs);
}

/** The native inbound filters on `pre` (the received set, or the set a plugin left). */
/** asLoop's answer for the last set asked (the prefixes of an UPDATE share one set and come in a row). */
let loopSet: AttrSet | undefined;
let loopAsn = -1;
let loopFound = false;

/** Whether `asn` is in the AS_PATH of `set` (RFC 4271 9.1.2 loop check). */
function asLoop(set: AttrSet, asn: number): boolean {
  if (set !== loopSet || asn !== loopAsn) {
    loopSet = set;
    loopAsn = asn;
    loopFound = asPathContains(set, asn);
  }
  return loopFound;
}

function nativeInbound(
  path: RibPath,
  pre: AttrSet,
  ipv6: boolean,
  key: PrefixKey,
  ctx: InboundContext,
  store: AttrStore,
): void {
  // RFC 4271 9.1.2: "If the AS_PATH attribute of a BGP route contains an AS loop, the BGP route should be
  // excluded from the Phase 2 decision function." RFC 4271 9.1.2 also: a route with our AS in its path is
  // an AS loop. It stays in Adj-RIB-In, visible as rejected.
  if (asLoop(pre, ctx.localAsn) && !path.peer.local) {
    path.attrs = null;
    setRejection(path, 'as-loop');
    return;
  }
  // RFC 8212 3.1: "Routes MUST NOT be accepted from an EBGP peer ... unless explicitly configured".
  if (ctx.denyAllEbgp) {
    path.attrs = null;
    setRejection(path, 'no-policy');
    return;
  }
  if (ctx.policy === undefined) {
    path.attrs = store.acquire(pre);
    setRejection(path, undefined);
    return;
  }
  const nextHops: PolicyNextHops = { self: ctx.selfNextHop[ipv6 ? 1 : 0], original: undefined };
  const post = applyPolicy(
    ctx.policy,
    pre,
    ipv6,
    key,
    nextHops,
    cachedPerSet(ctx.policy) ? ctx.cache : undefined,
    store,
  );
  path.attrs = post;
  setRejection(path, post === null ? 'policy' : undefined);
}

/** The prefix handed to a policy in wire form (length octet + address), reused: policies must not keep it. */
const policyPrefix = new Uint8Array(17);

/** The next hops a policy's `next-hop: self` and `next-hop: unchanged` stand for. */
export interface PolicyNextHops {
  /** `next-hop: self`: the peer's address (import) or ours towards the group (export), of the route's family. */
  self: Uint8Array | undefined;
  /** Export: the next hop the route has in the Loc-RIB, before the propagation rules replaced it. */
  original: Uint8Array | undefined;
}

/** Run a policy on a set; returns a referenced result set or null. */
export function applyPolicy(
  policy: CompiledPolicyLike,
  set: AttrSet,
  ipv6: boolean,
  key: PrefixKey,
  nextHops: PolicyNextHops,
  cache: SetCache | undefined,
  store: AttrStore,
): AttrSet | null {
  const cached = cache?.get(set);
  if (cached !== undefined) return cached === null ? null : store.acquire(cached);
  writePrefix(key, policyPrefix, 0);
  const attributes = attributesOf(set);
  const result = policy.evaluate({
    afi: ipv6 ? 2 : 1,
    prefix: policyPrefix,
    prefixOffset: 1,
    prefixLength: policyPrefix[0]!,
    attributes,
    nextHop: nextHopOf(set),
    selfNextHop: nextHops.self,
    originalNextHop: nextHops.original,
  });
  const out = result.accept ? internResult(result, attributes, set, ipv6, store) : null;
  if (cache) cache.set(set, out);
  return out;
}

/** The set a policy accepted: `set` itself when nothing changed, else the result interned. */
function internResult(
  result: PolicyResultLike & { accept: true },
  attributes: readonly PathAttribute[],
  set: AttrSet,
  ipv6: boolean,
  store: AttrStore,
): AttrSet {
  if (result.attributes === attributes && result.nextHop === undefined) return store.acquire(set);
  // An IPv4 route's next hop is its NEXT_HOP attribute, in `result.attributes` as the policy left it;
  // an IPv6 route's is the MP next hop, the policy's when it set one.
  if (!ipv6) return store.intern(result.attributes);
  return store.intern(result.attributes, result.nextHop ?? mpNextHopOf(set));
}

// ===== decision =====

/** decision's result for a destination with one path: one object, reused (read before the next call). */
const ONLY_PATH: DecisionResult<RibPath & { attrs: AttrSet }> = { winner: undefined!, reason: 'only-path' };

/**
 * decision: the candidate paths of one destination (its path list) -> the best one and the step that decided (RFC 4271
 * 9.1 + RFC 4456, decision.ts). Native behaviour: rejected paths are not candidates. The result is read
 * before the next call, which may reuse it.
 */
export function decision(
  first: RibPath | undefined,
  ctx: DecisionContext,
): DecisionResult<RibPath & { attrs: AttrSet }> | undefined {
  if (first === undefined) return undefined;
  // Fast path, most destinations of a full table: one path, no rival (one result object, reused).
  if (first.next === undefined) {
    if (first.attrs === null || !ctx.reachable(first.attrs)) return undefined;
    ONLY_PATH.winner = first as RibPath & { attrs: AttrSet };
    return ONLY_PATH;
  }
  const candidates: (RibPath & { attrs: AttrSet })[] = [];
  for (let p: RibPath | undefined = first; p !== undefined; p = p.next)
    if (p.attrs !== null) candidates.push(p as RibPath & { attrs: AttrSet });
  return selectBest(candidates, ctx);
}

// ===== outboundFilter =====

export interface OutboundContext {
  settings: ExportSettings;
  policy: CompiledPolicyLike | undefined;
  /** Writes exported keys from source keys (no export policy). */
  exporter: ExportKeyWriter;
  /** bgp_pre_outbound_filter pluglets attached to the group's peers, if any. */
  plugin: RouteFilterHook | undefined;
  /**
   * Per family ([IPv4, IPv6]), source kind and post-policy set: the exported set (or null). Used while
   * the policy depends on the set alone (`cachedPerSet`).
   */
  cache: [Record<SourceKind, SetCache>, Record<SourceKind, SetCache>];
  /**
   * Per source peer, per family and post-policy set: the exported set (or null), while the plugin's
   * verdict depends on the set and the source peer (`dependsOn` 'source'); made on first use.
   */
  bySource?: WeakMap<RdePeer, [SetCache, SetCache]>;
  /** The last cache lookup (input set, source kind, source peer when cached per peer, family) and its result. */
  memo: {
    input: AttrSet | undefined;
    kind: SourceKind;
    source?: RdePeer | undefined;
    ipv6: boolean;
    output: AttrSet | null;
  };
}

export function sourceKind(path: RibPath): SourceKind {
  return path.peer.local ? 'local' : path.peer.ibgp ? 'ibgp' : 'ebgp';
}

/**
 * outboundFilter: the best path of a destination -> the set a peer group is sent (a new reference), or
 * null to send nothing. Native behaviour: the propagation rules (propagation.ts), then the export policy.
 */
export function outboundFilter(
  best: RibPath & { attrs: AttrSet },
  ipv6: boolean,
  key: PrefixKey,
  ctx: OutboundContext,
  store: AttrStore,
): AttrSet | null {
  const kind = sourceKind(best);
  const plugin = ctx.plugin;
  const dependsOn = plugin?.dependsOn ?? 'attributes';
  const cacheable = cachedPerSet(ctx.policy) && (dependsOn === 'attributes' || dependsOn === 'source');
  // A verdict that depends on the source peer is cached per peer (the peer determines the kind).
  const source = dependsOn === 'source' ? best.peer : undefined;
  const memo = ctx.memo;
  let cache: SetCache | undefined;
  if (cacheable) {
    // Consecutive destinations usually share a set (they came in one UPDATE): a one-entry memo first.
    if (memo.input === best.attrs && memo.kind === kind && memo.source === source && memo.ipv6 === ipv6)
      return memo.output === null ? null : store.acquire(memo.output);
    cache = source === undefined ? ctx.cache[ipv6 ? 1 : 0][kind] : bySource(ctx, source)[ipv6 ? 1 : 0];
    const hit = cache.get(best.attrs);
    if (hit !== undefined) {
      memo.input = best.attrs;
      memo.kind = kind;
      memo.source = source;
      memo.ipv6 = ipv6;
      memo.output = hit;
      return hit === null ? null : store.acquire(hit);
    }
  }
  const out =
    plugin === undefined
      ? nativeOutbound(best, kind, ipv6, key, ctx, store, undefined)
      : pluginOutbound(best, kind, plugin, ipv6, key, ctx, store, !cacheable && cachedPerSet(ctx.policy));
  if (cache !== undefined) {
    cache.set(best.attrs, out);
    memo.input = best.attrs;
    memo.kind = kind;
    memo.source = source;
    memo.ipv6 = ipv6;
    memo.output = out;
  }
  return out;
}

/** The per-family caches of the sets exported for routes from `source` (made on first use). */
function bySource(ctx: OutboundContext, source: RdePeer): [SetCache, SetCache] {
  ctx.bySource ??= new WeakMap();
  let caches = ctx.bySource.get(source);
  if (caches === undefined) ctx.bySource.set(source, (caches = [new SetCache(), new SetCache()]));
  return caches;
}

/**
 * The bgp_pre_outbound_filter point: REJECT sends nothing; ACCEPT sends the route even where the native
 * propagation rules would not (iBGP to iBGP, NO_EXPORT: what a route reflector decides); the pluglets'
 * attribute changes are applied to the route as the native rules rewrote it, before the export policy.
 */
function pluginOutbound(
  best: RibPath & { attrs: AttrSet },
  kind: SourceKind,
  plugin: RouteFilterHook,
  ipv6: boolean,
  key: PrefixKey,
  ctx: OutboundContext,
  store: AttrStore,
  nativeCacheable: boolean,
): AttrSet | null {
  const verdict = plugin.run(best.attrs, ipv6, key, best.peer);
  if (verdict === 'reject') return null;
  if (nativeCacheable && !plugin.changed) {
    // The pluglets changed nothing: what the native rules make of the set, cached per set as without a
    // plugin (ctx.cache is free: the plugin's own verdicts are not cached). ACCEPT of a route the
    // propagation rules refuse is not the native result: computed below.
    const native = cachedNativeOutbound(best, kind, ipv6, key, ctx, store);
    if (native !== null || verdict !== 'accept') return native;
  }
  return nativeOutbound(best, kind, ipv6, key, ctx, store, plugin, verdict === 'accept');
}

/** nativeOutbound without a plugin, through the per-set cache (a new reference, or null). */
function cachedNativeOutbound(
  best: RibPath & { attrs: AttrSet },
  kind: SourceKind,
  ipv6: boolean,
  key: PrefixKey,
  ctx: OutboundContext,
  store: AttrStore,
): AttrSet | null {
  const cache = ctx.cache[ipv6 ? 1 : 0][kind];
  const hit = cache.get(best.attrs);
  if (hit !== undefined) return hit === null ? null : store.acquire(hit);
  const out = nativeOutbound(best, kind, ipv6, key, ctx, store, undefined);
  cache.set(best.attrs, out);
  return out;
}

/** The native propagation rules, attribute rewriting and export policy (with a plugin's changes). */
function nativeOutbound(
  best: RibPath & { attrs: AttrSet },
  kind: SourceKind,
  ipv6: boolean,
  key: PrefixKey,
  ctx: OutboundContext,
  store: AttrStore,
  plugin: RouteFilterHook | undefined,
  accepted = false,
): AttrSet | null {
  if (!accepted && propagationVerdict(kind, best.attrs, ctx.settings) !== 'send') return null;
  let set: AttrSet;
  // Without an export policy the exported key is written from the source key's bytes directly (and a
  // pluglet's changes applied to that key before it is stored).
  if (ctx.policy === undefined && plugin !== undefined) {
    ctx.exporter.write(kind, best.attrs, ipv6, ctx.settings);
    return plugin.takeWritten();
  }
  if (ctx.policy === undefined) set = ctx.exporter.exported(kind, best.attrs, ipv6, ctx.settings);
  else {
    const exported = exportAttributes(kind, best.attrs, ipv6, ctx.settings);
    set = store.intern(exported.attributes, exported.mpNextHop);
  }
  if (plugin !== undefined) {
    const edited = plugin.take(set);
    store.release(set);
    set = edited;
  }
  if (ctx.policy === undefined) return set;
  const s = ctx.settings;
  const nextHops = { self: ipv6 ? s.nextHopIpv6 : s.nextHopIpv4, original: nextHopOf(best.attrs) };
  const out = applyPolicy(ctx.policy, set, ipv6, key, nextHops, undefined, store);
  store.release(set);
  return out;
}

// ===== encode =====

/**
 * encode: a batch of Adj-RIB-Out changes for one peer and family -> UPDATE messages (update-builder.ts).
 * Native behaviour: withdrawals batched, prefixes sharing a set packed up to the message size.
 */
export function encode(
  withdrawn: readonly PrefixKey[],
  announced: ReadonlyMap<AttrSet, PrefixKey[]>,
  options: EncodeOptions,
): Generator<UpdateMessage> {
  return buildUpdates(withdrawn, announced, options);
}
