// The route decision engine: owns the attribute store, the per-family RIBs (Adj-RIB-In + Loc-RIB), the peer
// groups with their Adj-RIB-Out, and drives the pipeline stages (pipeline.ts). Sessions talk to it through
// a small message-like API: peerUp / receive / routeRefresh / peerDown in, and `pull(name)` out (a lazy
// UPDATE producer the session drains only when its socket can take more). Incoming UPDATEs update the
// Adj-RIB-In at once; the decision runs later on the coalesced set of changed destinations, in slices
// of DECISION_SLICE destinations deferred through the clock (setImmediate) so KEEPALIVEs keep flowing.
// Time, deferred work and the MRAI timers all go through the injected Clock (daemon/clock.ts).
import type { UpdateMessage } from '../wire/index.js';
import { AttrStore, nextHopKeyOf, type AttrSet, nextHopUnspecified } from './attr-store.js';
import type { HookPeer, RdeDecisionHook, RdePlugins } from './plugin-hook.js';
import type { DecisionContext } from './decision.js';
import {
  FamilyRib,
  addressOrderKey,
  newRibPath,
  pathIdOf,
  prefixKey,
  type Destination,
  type RibPath,
  type PrefixKey,
  type RdePeer,
} from './rib.js';
import { decision, decode, encode, inboundFilter, outboundFilter, type InboundContext } from './pipeline.js';
import { IdArray } from './id-array.js';
import { IdFifo, SendQueue } from './queues.js';
import {
  familyOf,
  familySets,
  localPeerState,
  hookPeerOf,
  joinGroup,
  leaveGroup,
  type Group,
  type PeerOut,
  type PeerState,
} from './peer-state.js';
import { reapplyImport, reimportWhere, requeueExport } from './reconfigure.js';
import { candidateInput, dryRun, type DryRunReport } from './dry-run.js';
import { PipelineContexts } from './contexts.js';
import { adjRibInOf, type AdjRibInRoute } from './views.js';
import {
  adjRibOutOf,
  explainDestination,
  prefixCountsOf,
  type AdjRibOutEntry,
  type ExplainedPath,
  type PrefixCounts,
} from './inspect.js';

export type { AdjRibInRoute } from './views.js';
export type { DryRunChange, DryRunReport } from './dry-run.js';
import type { PolicyCompiler } from './policy-hook.js';
import type { DecisionConfig, Family, OriginatedPrefix } from '../config/types.js';
import { allFamilies } from '../config/types.js';
import { addressBytes } from '../net/address.js';
import { familyAfi } from '../net/family.js';
import { realClock, type Clock } from '../clock.js';
import { makeAsPath, makeEndOfRib, makeOrigin, Origin } from '../wire/index.js';
import type { PeerSessionInfo, PeerSink, PeerSpec, RdePort } from '../session/rde-port.js';

// The session port's messages, for the RDE's own callers (tests, benchmarks).
export type { PeerSessionInfo, PeerSink, PeerSpec } from '../session/rde-port.js';

/** Destinations decided per turn of the event loop. */
export const DECISION_SLICE = 4096;
/** Withdrawals of more prefixes than this in one UPDATE look their prefixes up as a batch (FamilyRib.idsOf). */
const WARM_BATCH = 16;
/** Prefixes taken from a peer's pending set per batch of UPDATEs. */
const ENCODE_SLICE = 2048;

export interface RdeOptions {
  localAsn: number;
  /** Our BGP Identifier as a u32. */
  routerId: number;
  decision: DecisionConfig;
  ebgpRequiresPolicy: boolean;
  compilePolicy?: PolicyCompiler | undefined;
  /** Time, deferred decision slices and MRAI timers (default: the real clock). */
  clock?: Clock;
  /** The plugin host's filter hooks, built on the RDE's attribute store (none: native paths only). */
  pluginHooks?: ((store: AttrStore) => RdePlugins) | undefined;
}

/** What replacePlugins re-evaluated: paths whose import outcome changed, destinations sent to the
 *  decision, peers sent their whole Adj-RIB-Out again (encode pluglets). */
export interface PluginSwapCounts {
  reimported: number;
  redecided: number;
  resent: number;
}

export class Rde implements RdePort {
  readonly store = new AttrStore();
  readonly ribs: Record<Family, FamilyRib> = {
    'ipv4-unicast': new FamilyRib('ipv4-unicast'),
    'ipv6-unicast': new FamilyRib('ipv6-unicast'),
  };
  private readonly clock: Clock;
  /** The plugin hooks this RDE calls (replaced in place by replacePlugins). */
  plugins: RdePlugins | undefined;
  private decisionHook: RdeDecisionHook | undefined;
  private readonly peers = new Map<string, PeerState>();
  private readonly groups = new Map<string, Group>();
  /** `groups` as an array, for the per-destination export loop. */
  private groupList: Group[] = [];
  /** Ids of the destinations whose paths changed since the last decision (coalesced: `FamilyRib.queued`). */
  private readonly pending = familySets(() => new IdFifo());
  private decisionCtx: DecisionContext;
  private readonly contexts: PipelineContexts;
  private readonly localPeer: PeerState;
  private nextPeerId = 1;
  private decisionScheduled = false;
  /** withdrawnIdsOf's scratch: the destination ids of one withdrawal's prefixes. */
  private withdrawnIds = new Int32Array(1024);
  /** Our IPv4 next hops (latin1 octet strings, as AttrSet.nextHopKey): a route pointing at us is unusable. */
  private readonly ownAddresses = new Set<string>();
  /**
   * `reachable`'s answer for the last next hop asked (a nextHopKey string: one per distinct next hop, so
   * the routes of a peer mostly share it), forgotten when ownAddresses changes.
   */
  private reachableHop: string | undefined = undefined;
  private reachableAnswer = true;
  /** Destinations decided so far (for benchmarks and tests). */
  decisions = 0;
  /** Told each best path that changed, while set (the admin API's event stream asks; unset otherwise). */
  onBestChange: ((family: Family, d: Destination) => void) | undefined;

  constructor(options: RdeOptions) {
    this.clock = options.clock ?? realClock;
    this.contexts = new PipelineContexts(options, this.store);
    this.plugins = options.pluginHooks?.(this.store);
    this.decisionHook = this.plugins?.decision();
    this.decisionCtx = {
      options: options.decision,
      reachable: (attrs) => this.reachable(attrs),
      plugin: this.decisionHook,
    };
    this.localPeer = localPeerState(options.localAsn, options.routerId);
  }

  // ===== peers =====

  /** A session reached Established: create the peer's RIB state and send it the Adj-RIB-Out. */
  peerUp(spec: PeerSpec, info: PeerSessionInfo, sink: PeerSink): void {
    this.peerDown(spec.name);
    const peer: RdePeer = {
      id: this.nextPeerId++,
      name: spec.name,
      asn: spec.asn,
      address: spec.address,
      local: false,
      ibgp: info.ibgp,
      routerId: info.routerId,
      addressKey: addressOrderKey(spec.address),
    };
    this.ownAddresses.add(nextHopKeyOf(addressBytes(info.nextHopIpv4)));
    this.reachableHop = undefined;
    const hookPeer = hookPeerOf(spec, info);
    const state: PeerState = {
      peer,
      hookPeer,
      spec,
      inbound: this.contexts.inbound(spec, info, this.plugins),
      decode: this.plugins?.decodeAttributes?.(hookPeer),
      out: undefined,
      paths: 0,
      dests: familySets(() => new IdFifo()),
      accepts: {
        'ipv4-unicast': info.families.includes('ipv4-unicast'),
        'ipv6-unicast': info.families.includes('ipv6-unicast'),
      },
    };
    this.peers.set(spec.name, state);
    const group = this.groupFor(spec, info, hookPeer);
    const out: PeerOut = {
      group,
      info,
      sink,
      dirty: {
        'ipv4-unicast': new SendQueue(this.ribs['ipv4-unicast']),
        'ipv6-unicast': new SendQueue(this.ribs['ipv6-unicast']),
      },
      wants: {
        'ipv4-unicast': info.families.includes('ipv4-unicast'),
        'ipv6-unicast': info.families.includes('ipv6-unicast'),
      },
      encode: this.plugins?.encodeAttributes?.(hookPeer),
      eorPending: new Set(info.families),
      pulling: false,
      nextAllowed: 0,
      mraiTimer: undefined,
    };
    state.out = out;
    joinGroup(group, state);
    // The initial dump: everything in the group's Adj-RIB-Out.
    for (const f of info.families) this.queueAll(state, f);
    this.kick(state);
  }

  /** The session left Established: withdraw everything it announced, forget what it was sent. */
  peerDown(name: string): void {
    const state = this.peers.get(name);
    if (!state) return;
    this.peers.delete(name);
    if (state.out) {
      if (state.out.mraiTimer) this.clock.clearTimer(state.out.mraiTimer);
      for (const f of allFamilies) {
        const queue = state.out.dirty[f];
        // Let go of the ids without sending them.
        for (let id = queue.take(); id >= 0; id = queue.take()) this.ribs[f].unmark(id);
      }
      const group = state.out.group;
      if (!leaveGroup(group, state)) this.dropGroup(group);
      state.out = undefined;
    }
    this.dropPaths(state, allFamilies);
  }

  /**
   * RFC 4760 7 (the "AFI/SAFI disable" approach of RFC 7606 2): "the speaker MUST delete all the BGP
   * routes received from that neighbor whose AFI/SAFI is the same as the one carried in the incorrect
   * MP_REACH_NLRI or MP_UNREACH_NLRI attribute. For the duration of the BGP session over which the UPDATE
   * message was received, the speaker then SHOULD ignore all the subsequent routes with that AFI/SAFI
   * received over that session." Routes of the family are still sent to the peer.
   */
  disableFamily(name: string, family: Family): void {
    const state = this.peers.get(name);
    if (!state) return;
    state.accepts[family] = false;
    this.dropPaths(state, [family]);
  }

  /**
   * Remove every path the peer holds in these families: a visit to each destination where it added one
   * (`PeerState.dests`), not a walk of the RIB.
   */
  private dropPaths(state: PeerState, families: readonly Family[]): void {
    if (state.paths === 0) return;
    for (const f of families) {
      const rib = this.ribs[f];
      const dests = state.dests[f];
      state.dests[f] = new IdFifo();
      // An id may have been dropped and reused since: only the peer's own paths are removed, wherever.
      for (let id = dests.shift(); id >= 0; id = dests.shift()) {
        let prev: RibPath | undefined;
        for (let p = rib.firstOf(id); p !== undefined;) {
          const next = p.next;
          if (p.peer !== state.peer) {
            prev = p;
          } else {
            this.releasePath(p);
            rib.unlink(id, prev, p);
            state.paths--;
            this.queueDecision(f, id);
          }
          p = next;
        }
      }
    }
    this.scheduleDecision();
  }

  /** Note that the peer added a path at destination `id`; rebuild the list when stale entries dominate it. */
  private notePeerDestination(state: PeerState, rib: FamilyRib, id: number): void {
    const dests = state.dests[rib.family];
    dests.push(id);
    if (dests.size <= 2 * state.paths + 4096) return;
    const live = new Set<number>();
    for (let x = dests.shift(); x >= 0; x = dests.shift()) {
      for (let p = rib.firstOf(x); p !== undefined; p = p.next)
        if (p.peer === state.peer) {
          live.add(x);
          break;
        }
    }
    for (const x of live) dests.push(x);
  }

  // ===== input =====

  /** One UPDATE from a peer (RFC 7606 treat-as-withdraw applied). */
  receive(name: string, update: UpdateMessage, asn4: boolean, treatAsWithdraw: boolean): void {
    const state = this.peers.get(name);
    if (!state) return;
    const decoded = decode(update, asn4, treatAsWithdraw, this.store, state.decode);
    for (let r = 0; r < decoded.length; r++) {
      const routes = decoded[r]!;
      const family = familyOf(routes.ipv6);
      if (!state.accepts[family]) {
        // A family not negotiated (RFC 4760 6) or disabled (RFC 4760 7): its routes are ignored.
        if (routes.attrs) this.store.release(routes.attrs);
        continue;
      }
      const rib = this.ribs[family];
      const w = routes.withdrawn;
      const nw = routes.withdrawnCount;
      if (routes.withdrawnWire !== undefined) {
        const ids = this.withdrawnIdsOfWire(rib, routes.withdrawnWire, routes.withdrawnAt, nw);
        for (let i = 0; i < nw; i++) this.withdrawAt(state, rib, ids[i]!, routes.withdrawnIds[i]!);
      } else if (nw > WARM_BATCH) {
        const ids = this.withdrawnIdsOf(rib, w, nw);
        for (let i = 0; i < nw; i++) this.withdrawAt(state, rib, ids[i]!, routes.withdrawnIds[i]!);
      } else for (let i = 0; i < nw; i++) this.withdrawPath(state, rib, w[i]!, routes.withdrawnIds[i]!);
      const a = routes.announced;
      const na = routes.announcedCount;
      if (na > 0) {
        const attrs = routes.attrs!;
        for (let i = 0; i < na; i++)
          this.announcePath(state, rib, routes.ipv6, a[i]!, routes.announcedIds[i]!, attrs);
        this.store.release(attrs);
      }
    }
    this.scheduleDecision();
  }

  /** RFC 2918: re-send the Adj-RIB-Out of one family to the peer. */
  routeRefresh(name: string, family: Family): void {
    const state = this.peers.get(name);
    const out = state?.out;
    if (!state || !out || !out.info.families.includes(family)) return;
    this.queueAll(state, family);
    this.kick(state);
  }

  /** Originate prefixes (from `originate`, or an MRT file) as routes of the local pseudo-peer. */
  originate(prefixes: readonly OriginatedPrefix[]): void {
    const attrs = this.store.intern([makeOrigin(Origin.Igp), makeAsPath([], true)], undefined);
    for (const p of prefixes) {
      const rib = this.ribs[p.family];
      const bytes = addressBytes(p.address);
      const key = keyOf(familyAfi(p.family), p.length, bytes);
      this.announcePath(this.localPeer, rib, p.family === 'ipv6-unicast', key, 0, attrs);
    }
    this.store.release(attrs);
    this.scheduleDecision();
  }

  /** Withdraw originated prefixes. */
  withdrawOriginated(prefixes: readonly OriginatedPrefix[]): void {
    for (const p of prefixes) {
      const key = keyOf(familyAfi(p.family), p.length, addressBytes(p.address));
      this.withdrawPath(this.localPeer, this.ribs[p.family], key, 0);
    }
    this.scheduleDecision();
  }

  /** Originate a route with given attributes (the MRT origination path). `attrs` is not consumed. */
  originateRoute(family: Family, key: PrefixKey, attrs: AttrSet): void {
    this.announcePath(this.localPeer, this.ribs[family], family === 'ipv6-unicast', key, 0, attrs);
    this.scheduleDecision();
  }

  /**
   * A peer that is up got a new import policy and/or new export settings (export policy, next-hop-self,
   * send-med, MRAI), applied without a session reset: the import policy runs again on the pre-policy
   * copies kept in the Adj-RIB-In (changed destinations go to the decision), and the peer moves to the
   * group of its new export settings and is sent what differs between the two Adj-RIB-Outs. Anything else
   * in `spec` must be unchanged. Returns false when the peer is not up (peerUp then uses the new spec).
   */
  updatePeerPolicy(spec: PeerSpec): boolean {
    const state = this.peers.get(spec.name);
    const out = state?.out;
    if (!state || !out) return false;
    if (JSON.stringify(spec.importPolicy) !== JSON.stringify(state.spec.importPolicy))
      this.reimport(state, out, spec);
    this.regroup(state, out, spec);
    state.spec = spec;
    this.kick(state);
    return true;
  }

  /**
   * Soft reset in (the admin API): the import side of `spec` (the running one when omitted) runs again
   * on the kept pre-policy routes, whether or not it changed; the peer is asked for nothing. Returns
   * the number of paths whose outcome changed, or undefined when the peer is not up.
   */
  softResetIn(name: string, spec?: PeerSpec): number | undefined {
    const state = this.peers.get(name);
    const out = state?.out;
    if (!state || !out) return undefined;
    const next: PeerSpec = { ...state.spec };
    if (spec?.importPolicy !== undefined) next.importPolicy = spec.importPolicy;
    else if (spec !== undefined) delete next.importPolicy;
    const changed = this.reimport(state, out, next);
    state.spec = next;
    return changed;
  }

  /**
   * Soft reset out (the admin API): the peer takes the export settings of `spec` (the running ones when
   * omitted) and is sent its whole Adj-RIB-Out again, as after a ROUTE-REFRESH. Returns the number of
   * prefixes queued, or undefined when the peer is not up.
   */
  softResetOut(name: string, spec?: PeerSpec): number | undefined {
    const state = this.peers.get(name);
    const out = state?.out;
    if (!state || !out) return undefined;
    const next: PeerSpec =
      spec === undefined ? state.spec : { ...spec, importPolicy: state.spec.importPolicy };
    if (next.importPolicy === undefined) delete next.importPolicy;
    this.regroup(state, out, next);
    state.spec = next;
    let queued = 0;
    for (const f of out.info.families) queued += this.queueAll(state, f);
    this.kick(state);
    return queued;
  }

  /** A new InboundContext from `spec` and the import policy re-run on the peer's kept pre-policy routes. */
  private reimport(state: PeerState, out: PeerOut, spec: PeerSpec): number {
    state.inbound = this.contexts.inbound(spec, out.info, this.plugins);
    const changed = reapplyImport(this.ribs, state.peer, state.inbound, this.store, (f, d) =>
      this.queueDecision(f, d.id),
    );
    this.scheduleDecision();
    return changed;
  }

  /** Move the peer to the group of `spec`'s export settings (sent the difference); drop an emptied group. */
  private regroup(state: PeerState, out: PeerOut, spec: PeerSpec): void {
    const old = out.group;
    const group = this.groupFor(spec, out.info, state.hookPeer);
    if (group === old) return;
    this.moveToGroup(state, group);
    if (old.members.length === 0) this.dropGroup(old);
  }

  /**
   * Re-run the import (plugins, then policy) on the kept pre-policy paths of the prefixes of `family` that
   * `select` picks, for every peer that is up; changed destinations go to the decision. For inputs of the
   * import other than the route itself (origin validation: the VRPs covering these prefixes changed). A
   * generator: each step handles DECISION_SLICE destinations, so the caller can let KEEPALIVEs flow
   * between steps; it returns the number of paths whose outcome changed.
   */
  *reimportPrefixes(family: Family, select: (key: PrefixKey) => boolean): Generator<void, number, void> {
    const inboundOf = (peer: RdePeer): InboundContext | undefined =>
      peer.local ? undefined : this.peers.get(peer.name)?.inbound;
    const queue = (d: Destination): void => {
      this.queueDecision(family, d.id);
      this.scheduleDecision();
    };
    return yield* reimportWhere(this.ribs[family], select, inboundOf, this.store, queue, DECISION_SLICE);
  }

  /**
   * Other plugin hooks (a plugin loaded, unloaded, re-attached, re-ordered, disabled or reloaded),
   * applied without a session reset, as a policy change is: every peer's import runs again on its kept
   * pre-policy routes where an inbound pluglet was or is attached; every destination goes to the decision
   * when a decision pluglet was or is attached; every peer joins a new group built with the new outbound
   * pluglets and is sent what differs between its old and new Adj-RIB-Out; a peer whose encode pluglets
   * were or are attached is sent its whole Adj-RIB-Out again (the encoding may differ where the sets do
   * not). Decode pluglets apply to UPDATEs received from now on (the Adj-RIB-In keeps what the old ones
   * made of the routes until the peer sends them again).
   */
  replacePlugins(pluginHooks: ((store: AttrStore) => RdePlugins) | undefined): PluginSwapCounts {
    this.plugins = pluginHooks?.(this.store);
    const decisionBefore = this.decisionHook;
    this.decisionHook = this.plugins?.decision();
    this.decisionCtx = { ...this.decisionCtx, plugin: this.decisionHook };
    const counts: PluginSwapCounts = { reimported: 0, redecided: 0, resent: 0 };
    const live = [...this.peers.values()].filter((s) => s.out !== undefined);
    for (const state of live) {
      const inboundBefore = state.inbound.plugin;
      state.inbound = this.contexts.inbound(state.spec, state.out!.info, this.plugins);
      state.decode = this.plugins?.decodeAttributes?.(state.hookPeer);
      if (inboundBefore === undefined && state.inbound.plugin === undefined) continue;
      counts.reimported += reapplyImport(this.ribs, state.peer, state.inbound, this.store, (f, d) =>
        this.queueDecision(f, d.id),
      );
    }
    if (decisionBefore !== undefined || this.decisionHook !== undefined)
      for (const f of allFamilies) {
        const rib = this.ribs[f];
        for (const id of rib.liveIds())
          if (rib.firstOf(id) !== undefined) {
            this.queueDecision(f, id);
            counts.redecided++;
          }
      }
    // New groups from the new hooks (a group's key may stay the same while its plugins changed).
    const oldGroups = [...this.groups.values()];
    this.groups.clear();
    this.groupList = [];
    for (const state of live)
      this.moveToGroup(state, this.groupFor(state.spec, state.out!.info, state.hookPeer));
    for (const g of oldGroups) this.releaseGroupOut(g);
    for (const state of live) {
      const out = state.out!;
      const encodeBefore = out.encode;
      out.encode = this.plugins?.encodeAttributes?.(state.hookPeer);
      if (encodeBefore !== undefined || out.encode !== undefined) {
        for (const f of out.info.families) this.queueAll(state, f);
        counts.resent++;
      }
      this.kick(state);
    }
    this.scheduleDecision();
    return counts;
  }

  /**
   * What replacePlugins(pluginHooks) would change, found without changing anything (dry-run.ts): a
   * generator that yields between slices of destinations and returns the report (`limit` differences
   * listed). The candidate hooks run on copies of the paths; the live plugins are not called.
   */
  dryRunPlugins(
    pluginHooks: ((store: AttrStore) => RdePlugins) | undefined,
    limit = 1000,
  ): Generator<void, DryRunReport, void> {
    const live = [...this.peers.values()].filter((s) => s.out !== undefined);
    const running = {
      ribs: this.ribs,
      store: this.store,
      decision: this.decisionCtx,
      decisionHook: this.decisionHook,
    };
    return dryRun(candidateInput(running, live, this.contexts, pluginHooks?.(this.store)), limit);
  }

  /** Move a member to another group: it is owed what differs between the two Adj-RIB-Outs. */
  private moveToGroup(state: PeerState, group: Group): void {
    const out = state.out!;
    const old = out.group;
    for (const f of out.info.families)
      requeueExport(this.ribs[f], old.out[f], group.out[f], out.dirty[f], state.peer);
    leaveGroup(old, state);
    out.group = group;
    joinGroup(group, state);
  }

  // ===== output =====

  /**
   * The UPDATEs waiting for a peer, built lazily: the session pulls the next one only when its socket
   * can take it. Ends when nothing is pending; the RDE calls `sink.kick()` when there is more.
   */
  *pull(name: string): Generator<UpdateMessage, void, undefined> {
    const state = this.peers.get(name);
    const out = state?.out;
    if (!state || !out) return;
    out.pulling = true;
    try {
      const initial = out.eorPending.size > 0;
      if (!initial && this.mraiWait(state)) return;
      let sent = false;
      for (;;) {
        let any = false;
        for (const f of out.info.families) {
          const dirty = out.dirty[f];
          if (dirty.size === 0) continue;
          any = true;
          const withdrawn: PrefixKey[] = [];
          const announced = new Map<AttrSet, PrefixKey[]>();
          // Read per slice: updatePeerPolicy may move the peer to another group while this producer waits.
          const table = out.group.out[f];
          const rib = this.ribs[f];
          // A peer that holds no path (a monitor) is the source of no best path: no split horizon to check.
          const source = state.paths > 0;
          for (let n = 0; n < ENCODE_SLICE; n++) {
            const id = dirty.take();
            if (id < 0) break;
            const e = table.get(id);
            // Split horizon: never send a route back to the peer it came from.
            if (e === undefined || (source && rib.bestOf(id)?.peer === state.peer)) {
              if (dirty.lastHeld) withdrawn.push(rib.keyAt(id));
            } else {
              const list = announced.get(e);
              if (list) list.push(rib.keyAt(id));
              else announced.set(e, [rib.keyAt(id)]);
            }
            rib.unmark(id);
          }
          const ipv6 = f === 'ipv6-unicast';
          sent = true;
          yield* encode(withdrawn, announced, {
            ipv6,
            asn4: out.info.asn4,
            addPath: out.info.addPathSend.has(f),
            maxMessageLength: out.info.maxMessageLength,
            plugin: out.encode,
          });
        }
        if (!any) break;
      }
      // RFC 4724 2: End-of-RIB once the initial update of a family has been sent.
      for (const f of out.eorPending) yield makeEndOfRib(familyAfi(f));
      out.eorPending.clear();
      if (sent && !initial && state.spec.minRouteAdvertisementInterval > 0)
        out.nextAllowed = this.now() + state.spec.minRouteAdvertisementInterval * 1000;
    } finally {
      out.pulling = false;
    }
  }

  /** Whether a peer has UPDATEs waiting. */
  hasPending(name: string): boolean {
    const out = this.peers.get(name)?.out;
    if (!out) return false;
    return out.eorPending.size > 0 || allFamilies.some((f) => out.dirty[f].size > 0);
  }

  /** Whether decisions are still pending. */
  get busy(): boolean {
    return this.decisionScheduled || allFamilies.some((f) => this.pending[f].size > 0);
  }

  // ===== views (dumps, tests) =====

  /** Adj-RIB-In paths held for a peer. */
  adjRibInCount(name: string): number {
    return this.peers.get(name)?.paths ?? 0;
  }

  /** A peer's Adj-RIB-In (pre-policy attributes), per family, sorted by prefix text. */
  adjRibIn(name: string): Record<string, AdjRibInRoute[]> {
    const state = this.peers.get(name);
    return !state || state.paths === 0 ? {} : adjRibInOf(this.ribs, state.peer);
  }

  /** The Loc-RIB entry of a prefix ("10.0.0.0/8"): the best path's peer, attributes and deciding step. */
  locRib(family: Family, key: PrefixKey): { peer: string; attrs: AttrSet; reason: string } | undefined {
    const rib = this.ribs[family];
    const id = rib.idOf(key);
    const best = id < 0 ? undefined : rib.bestOf(id);
    if (!best?.attrs) return undefined;
    return { peer: best.peer.name, attrs: best.attrs, reason: rib.reasonAt(id) ?? '' };
  }

  /** Every Loc-RIB entry (for MRT dumps): family, key, best path. */
  *locRibEntries(): Generator<{ family: Family; key: PrefixKey; best: RibPath & { attrs: AttrSet } }> {
    for (const f of allFamilies) {
      const rib = this.ribs[f];
      for (const d of rib.values())
        if (d.best?.attrs)
          yield { family: f, key: rib.keyOf(d), best: d.best as RibPath & { attrs: AttrSet } };
    }
  }

  /** The post-policy route for `key` received from the peer `match` selects (the plugins' RIB helpers). */
  receivedRoute(family: Family, key: PrefixKey, match: (peer: RdePeer) => boolean): RibPath | undefined {
    const rib = this.ribs[family];
    const id = rib.idOf(key);
    for (let p = id < 0 ? undefined : rib.firstOf(id); p !== undefined; p = p.next)
      if (!p.peer.local && match(p.peer) && p.attrs !== null) return p;
    return undefined;
  }

  /** What the peer `name` was last given for `key` in its group's Adj-RIB-Out, or undefined. */
  sentRoute(name: string, family: Family, key: PrefixKey): AttrSet | undefined {
    const out = this.peers.get(name)?.out;
    const rib = this.ribs[family];
    const id = rib.idOf(key);
    if (out === undefined || id < 0 || rib.bestOf(id)?.peer.name === name) return undefined;
    return out.group.out[family].get(id);
  }

  /** As if the peer `match` selects had withdrawn its route for `key`; false when it had none. */
  removeReceived(family: Family, key: PrefixKey, match: (peer: RdePeer) => boolean): boolean {
    const path = this.receivedRoute(family, key, match);
    const state = path && this.peers.get(path.peer.name);
    if (path === undefined || state === undefined) return false;
    this.withdrawPath(state, this.ribs[family], key, pathIdOf(path));
    this.scheduleDecision();
    return true;
  }

  /** The configured peers that are up, with their RIB ids (for the MRT peer index table). */
  rdePeers(): RdePeer[] {
    return [...this.peers.values()].map((s) => s.peer);
  }

  /** Per peer that is up, per family: paths received, accepted, best and advertised (a walk: admin API). */
  prefixCounts(): Map<string, Record<Family, PrefixCounts>> {
    return prefixCountsOf(this.ribs, this.peers.values());
  }

  /** Every path for `key`, with why each is not the best (admin API; undefined: no such destination). */
  explain(family: Family, key: PrefixKey): ExplainedPath[] | undefined {
    const rib = this.ribs[family];
    const d = rib.get(key);
    return d === undefined ? undefined : explainDestination(rib, d, this.decisionCtx);
  }

  /** What the peer `name` is given, per prefix (its group's Adj-RIB-Out less its own routes); undefined: not up. */
  adjRibOut(name: string, family: Family): AdjRibOutEntry[] | undefined {
    const state = this.peers.get(name);
    return state?.out === undefined ? undefined : adjRibOutOf(this.ribs[family], state, family);
  }

  /** Run every pending decision now (tests, benchmarks). */
  flush(): void {
    while (this.runDecisionSlice(Infinity));
  }

  // ===== internals: Adj-RIB-In =====

  private announcePath(
    state: PeerState,
    rib: FamilyRib,
    ipv6: boolean,
    key: PrefixKey,
    pathId: number,
    attrs: AttrSet,
  ): void {
    const id = rib.idFor(key);
    let path: RibPath | undefined;
    let last: RibPath | undefined;
    for (let p = rib.firstOf(id); p !== undefined; p = p.next) {
      if (p.peer === state.peer && pathIdOf(p) === pathId) {
        path = p;
        break;
      }
      last = p;
    }
    if (path) {
      // An unchanged re-announcement changes nothing, unless the import filter may answer differently now.
      if (path.pre === attrs && state.inbound.policy?.dependsOn !== 'anything') return;
      this.releasePath(path);
      path.pre = this.store.acquire(attrs);
    } else {
      path = newRibPath(state.peer, pathId, this.store.acquire(attrs));
      // Appended: the list keeps arrival order.
      if (last === undefined) rib.setFirst(id, path);
      else last.next = path;
      state.paths++;
      this.notePeerDestination(state, rib, id);
    }
    inboundFilter(path, ipv6, key, state.inbound, this.store);
    this.queueDecision(rib.family, id);
  }

  /** The destination ids of a withdrawal's keys[0, n), looked up as a batch (FamilyRib.idsOf). */
  private withdrawnIdsOf(rib: FamilyRib, keys: readonly PrefixKey[], n: number): Int32Array {
    const ids = this.withdrawnIdsFor(n);
    rib.idsOf(keys, n, ids);
    return ids;
  }

  /** withdrawnIdsOf for IPv6 prefixes in wire form, at offsets at[0, n) of `bytes` (FamilyRib.idsOfWire). */
  private withdrawnIdsOfWire(rib: FamilyRib, bytes: Uint8Array, at: Int32Array, n: number): Int32Array {
    const ids = this.withdrawnIdsFor(n);
    rib.idsOfWire(bytes, at, n, ids);
    return ids;
  }

  /** The withdrawal ids scratch, with room for n. */
  private withdrawnIdsFor(n: number): Int32Array {
    if (this.withdrawnIds.length < n) this.withdrawnIds = new Int32Array(2 * n);
    return this.withdrawnIds;
  }

  private withdrawPath(state: PeerState, rib: FamilyRib, key: PrefixKey, pathId: number): void {
    this.withdrawAt(state, rib, rib.idOf(key), pathId);
  }

  /** Withdraw the peer's path `pathId` at destination `id` (-1: the prefix is not held). */
  private withdrawAt(state: PeerState, rib: FamilyRib, id: number, pathId: number): void {
    if (id < 0) return;
    let prev: RibPath | undefined;
    for (let p = rib.firstOf(id); p !== undefined; prev = p, p = p.next) {
      if (p.peer !== state.peer || pathIdOf(p) !== pathId) continue;
      this.releasePath(p);
      rib.unlink(id, prev, p);
      state.paths--;
      this.queueDecision(rib.family, id);
      return;
    }
  }

  private releasePath(p: RibPath): void {
    this.store.release(p.pre);
    if (p.attrs) this.store.release(p.attrs);
    p.attrs = null;
  }

  // ===== internals: decision and Adj-RIB-Out =====

  private scheduleDecision(): void {
    if (this.decisionScheduled) return;
    this.decisionScheduled = true;
    this.clock.defer(() => {
      this.decisionScheduled = false;
      if (this.runDecisionSlice(DECISION_SLICE)) this.scheduleDecision();
    });
  }

  private queueDecision(family: Family, id: number): void {
    const rib = this.ribs[family];
    if (rib.queued(id)) return;
    rib.setQueued(id, true);
    this.pending[family].push(id);
  }

  /** Decide up to `limit` pending destinations; returns whether more are pending. */
  private runDecisionSlice(limit: number): boolean {
    const touched = new Set<PeerState>();
    let n = 0;
    for (const f of allFamilies) {
      const pending = this.pending[f];
      const rib = this.ribs[f];
      const ipv6 = f === 'ipv6-unicast';
      for (; n < limit; n++) {
        const id = pending.shift();
        if (id < 0) break;
        // Still there: a queued destination is not dropped.
        rib.setQueued(id, false);
        this.decide(rib, id, f, ipv6, touched);
        rib.prune(id);
      }
    }
    this.decisions += n;
    for (const s of touched) this.kick(s);
    return allFamilies.some((f) => this.pending[f].size > 0);
  }

  private decide(rib: FamilyRib, id: number, family: Family, ipv6: boolean, touched: Set<PeerState>): void {
    const key = rib.keyAt(id);
    this.decisionHook?.destination(key, ipv6);
    const result = decision(rib.firstOf(id), this.decisionCtx);
    const prev = rib.bestOf(id);
    const prevAttrs = prev?.attrs;
    const best = result?.winner;
    rib.setBest(id, best);
    rib.setReason(id, result?.reason);
    for (const group of this.groupList)
      this.exportTo(group, family, ipv6, id, best, key, prev?.peer.id, touched);
    if (this.onBestChange !== undefined && (best !== prev || best?.attrs !== prevAttrs))
      this.onBestChange(family, rib.at(id)!);
  }

  /** Re-run outboundFilter for one destination and one group; mark members when the Adj-RIB-Out changed. */
  private exportTo(
    group: Group,
    family: Family,
    ipv6: boolean,
    id: number,
    bestPath: RibPath | undefined,
    key: PrefixKey,
    prevSource: number | undefined,
    touched: Set<PeerState> | undefined,
  ): void {
    const best = bestPath as (RibPath & { attrs: AttrSet }) | undefined;
    const table = group.out[family];
    const prev = table.get(id);
    const next = best ? outboundFilter(best, ipv6, key, group.ctx, this.store) : null;
    if (next === null) {
      if (prev === undefined) return;
      this.store.release(prev);
      table.set(id, undefined);
    } else {
      if (prev !== undefined) {
        // The same attributes (the exporter's sets are not shared: compared by key) from the same source.
        if ((prev === next || prev.key === next.key) && prevSource === best!.peer.id) {
          this.store.release(next);
          return;
        }
        this.store.release(prev);
      }
      table.set(id, next);
    }
    // Whether a member may hold an announcement: there was an entry, and it did not come from the member.
    const had = prev !== undefined;
    const source = next === null ? undefined : best!.peer.id;
    const members = group.members;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (!m.out || !m.out.wants[family]) continue;
      const dirty = m.out.dirty[family];
      if (dirty.has(id)) {
        touched?.add(m);
        continue;
      }
      const mayHold = had && prevSource !== m.peer.id;
      // Nothing to tell a member that holds nothing and would be sent nothing (its own route: split horizon).
      if (!mayHold && (source === undefined || source === m.peer.id)) continue;
      dirty.add(id, mayHold);
      touched?.add(m);
    }
  }

  /** Queue every Adj-RIB-Out entry of a family for a member (initial dump, route refresh); returns how many. */
  private queueAll(state: PeerState, family: Family): number {
    const out = state.out!;
    const table = out.group.out[family];
    const dirty = out.dirty[family];
    const rib = this.ribs[family];
    let queued = 0;
    for (let id = 0; id < table.limit; id++) {
      if (table.get(id) === undefined || dirty.has(id)) continue;
      dirty.add(id, false);
      // Counted when it will be sent (split horizon skips the peer's own routes in `pull`).
      if (rib.bestOf(id)?.peer !== state.peer) queued++;
    }
    return queued;
  }

  /**
   * The group of `spec`'s export settings, made when there is none. `member` is the peer joining it: a new
   * group's outbound plugins see it among the destinations (get_peer_info) from its first export.
   */
  private groupFor(spec: PeerSpec, info: PeerSessionInfo, member: HookPeer): Group {
    const key = this.contexts.groupKey(spec, info, this.plugins);
    const existing = this.groups.get(key);
    if (existing) return existing;
    const hookPeers = new Set<HookPeer>([member]);
    const group: Group = {
      key,
      hookPeers,
      out: familySets(() => new IdArray<AttrSet>()),
      ctx: this.contexts.outbound(spec, info, this.plugins, hookPeers),
      members: [],
    };
    this.groups.set(key, group);
    this.groupList = [...this.groups.values()];
    // A new group starts from the whole Loc-RIB.
    for (const f of allFamilies) {
      const rib = this.ribs[f];
      for (const id of rib.liveIds()) {
        const best = rib.bestOf(id);
        // A best path whose attributes were released (peer down, withdrawn) awaits its decision, which exports it.
        if (best?.attrs)
          this.exportTo(group, f, f === 'ipv6-unicast', id, best, rib.keyAt(id), undefined, undefined);
      }
    }
    return group;
  }

  private dropGroup(group: Group): void {
    this.releaseGroupOut(group);
    this.groups.delete(group.key);
    this.groupList = [...this.groups.values()];
  }

  private releaseGroupOut(group: Group): void {
    for (const f of allFamilies) {
      group.out[f].forEach((e) => this.store.release(e));
      group.out[f].clear();
    }
  }

  private kick(state: PeerState): void {
    const out = state.out;
    if (!out || out.pulling) return;
    out.sink.kick();
  }

  /** RFC 4271 9.2.1.1 MinRouteAdvertisementIntervalTimer (per peer, not per destination): true = wait. */
  private mraiWait(state: PeerState): boolean {
    const out = state.out!;
    const wait = out.nextAllowed - this.now();
    if (wait <= 0) return false;
    if (!out.mraiTimer) {
      out.mraiTimer = this.clock.setTimer(wait, () => {
        out.mraiTimer = undefined;
        this.kick(state);
      });
    }
    return true;
  }

  private now(): number {
    return this.clock.now();
  }

  /** RFC 4271 9.1.2.1 (no IGP yet): everything resolves except unspecified and our own addresses. */
  private reachable(attrs: AttrSet): boolean {
    const nh = attrs.nextHopKey;
    if (nh === this.reachableHop) return this.reachableAnswer;
    this.reachableHop = nh;
    // '': our own routes.
    this.reachableAnswer =
      nh === '' || (!nextHopUnspecified(attrs) && (nh.length !== 4 || !this.ownAddresses.has(nh)));
    return this.reachableAnswer;
  }
}

function keyOf(afi: number, length: number, bytes: Uint8Array): PrefixKey {
  return prefixKey(afi, length, bytes, 0);
}
