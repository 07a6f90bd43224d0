// What running other plugins would change, found without changing anything (Rde.dryRunPlugins, the admin
// API's plugin dry-run): the pipeline's own stages (inboundFilter, decision, outboundFilter) run with the
// candidate hooks on copies of every path, and their results are compared with what the RIB holds: paths
// rejected, accepted again or modified at import, best paths changed, and per peer the prefixes that would
// be announced, withdrawn or sent with other attributes. These are exactly the differences
// Rde.replacePlugins would send. Sets are compared by key (a set the dry run made and released may be
// interned again as another object). The run is a generator that yields between slices of destinations,
// so the caller keeps the event loop turning on a full table. Encode and decode pluglets are not
// simulated (their effect is on the wire, not in the RIB): the report names them.
import type { AttrSet, AttrStore } from './attr-store.js';
import type { DecisionContext } from './decision.js';
import {
  decision,
  inboundFilter,
  outboundFilter,
  type InboundContext,
  type OutboundContext,
} from './pipeline.js';
import type { PeerState } from './peer-state.js';
import type { HookPeer, RdeDecisionHook, RdePlugins } from './plugin-hook.js';
import type { PipelineContexts } from './contexts.js';
import {
  copyPath,
  formatKey,
  pathIdOf,
  setRejection,
  type Destination,
  type FamilyRib,
  type RdePeer,
  type RibPath,
} from './rib.js';
import { allFamilies, type Family } from '../config/types.js';

/** Destinations examined between two yields. */
export const DRY_RUN_SLICE = 4096;

/** One difference, for the operator: where, and what it was and would be. */
export interface DryRunChange {
  readonly stage: 'import' | 'decision' | 'export';
  readonly family: Family;
  readonly prefix: string;
  /** import: the peer the path came from; export: the peer it is sent to. */
  readonly peer?: string;
  /** import: 'rejected' | 'accepted' | 'modified'; decision: 'best a -> b'; export: 'announce' |
   *  'withdraw' | 'modify'. */
  readonly change: string;
}

export interface PeerExportChanges {
  announced: number;
  withdrawn: number;
  modified: number;
}

export interface DryRunReport {
  /** Destinations examined. */
  destinations: number;
  /** Paths whose import outcome would change. */
  imported: { rejected: number; accepted: number; modified: number };
  /** Destinations whose best path would change (source, path id or attributes). */
  bestChanged: number;
  /** Per peer that is up: what it would be sent. */
  exported: Record<string, PeerExportChanges>;
  /** The first `limit` differences, in RIB order. */
  changes: DryRunChange[];
  /** More differences than `changes` holds. */
  truncated: boolean;
  /** Points whose pluglets the dry run does not run (their effect is only on the wire). */
  notSimulated: string[];
}

/** What the dry run needs from the RDE: its RIB, and the candidate contexts built with the new hooks. */
export interface DryRunInput {
  readonly ribs: Record<Family, FamilyRib>;
  readonly store: AttrStore;
  /** The peers that are up (their `out` set). */
  readonly peers: readonly PeerState[];
  /** The candidate import side of a peer, or undefined when it stays as it is (no plugin before or after). */
  readonly inbound: ReadonlyMap<PeerState, InboundContext>;
  /** The candidate decision (the live one when no decision pluglet was or will be attached). */
  readonly decision: DecisionContext;
  readonly decisionHook: RdeDecisionHook | undefined;
  /** A decision pluglet was or will be attached: every destination is decided again. */
  readonly decisionChanged: boolean;
  /** The candidate export side of each peer (peers of one group share it; fresh caches). */
  readonly outbound: ReadonlyMap<PeerState, OutboundContext>;
  /** An outbound pluglet was or will be attached: every destination's export is compared. */
  readonly outboundChanged: boolean;
  readonly notSimulated: string[];
}

/**
 * The dry run's input for `plugins` (the candidate hooks) on a running RDE: per peer that is up, its
 * candidate import context (where an inbound pluglet was or will be attached) and export context (one per
 * candidate group), and the candidate decision.
 */
export function candidateInput(
  running: {
    ribs: Record<Family, FamilyRib>;
    store: AttrStore;
    decision: DecisionContext;
    decisionHook: RdeDecisionHook | undefined;
  },
  live: readonly PeerState[],
  contexts: PipelineContexts,
  plugins: RdePlugins | undefined,
): DryRunInput {
  const inbound = new Map<PeerState, InboundContext>();
  const outbound = new Map<PeerState, OutboundContext>();
  const groups = new Map<string, { ctx: OutboundContext; members: Set<HookPeer> }>();
  let outboundChanged = false;
  const notSimulated = new Set<string>();
  for (const s of live) {
    const info = s.out!.info;
    const ctx = contexts.inbound(s.spec, info, plugins);
    if (s.inbound.plugin !== undefined || ctx.plugin !== undefined) inbound.set(s, ctx);
    const key = contexts.groupKey(s.spec, info, plugins);
    let group = groups.get(key);
    if (group === undefined) {
      const members = new Set<HookPeer>();
      group = { ctx: contexts.outbound(s.spec, info, plugins, members), members };
      groups.set(key, group);
    }
    group.members.add(s.hookPeer);
    outbound.set(s, group.ctx);
    outboundChanged ||= s.out!.group.ctx.plugin !== undefined || group.ctx.plugin !== undefined;
    if (s.decode !== undefined || plugins?.decodeAttributes?.(s.hookPeer))
      notSimulated.add('bgp_decode_attr');
    if (s.out!.encode !== undefined || plugins?.encodeAttributes?.(s.hookPeer))
      notSimulated.add('bgp_encode_attr');
  }
  const hook = plugins?.decision();
  return {
    ribs: running.ribs,
    store: running.store,
    peers: live,
    inbound,
    decision: { ...running.decision, plugin: hook },
    decisionHook: hook,
    decisionChanged: hook !== undefined || running.decisionHook !== undefined,
    outbound,
    outboundChanged,
    notSimulated: [...notSimulated],
  };
}

export function* dryRun(input: DryRunInput, limit: number): Generator<void, DryRunReport, void> {
  const report: DryRunReport = {
    destinations: 0,
    imported: { rejected: 0, accepted: 0, modified: 0 },
    bestChanged: 0,
    exported: Object.fromEntries(
      input.peers.map((s) => [s.peer.name, { announced: 0, withdrawn: 0, modified: 0 }]),
    ),
    changes: [],
    truncated: false,
    notSimulated: input.notSimulated,
  };
  const note = (change: DryRunChange): void => {
    if (report.changes.length < limit) report.changes.push(change);
    else report.truncated = true;
  };
  const byPeer = new Map<RdePeer, PeerState>(input.peers.map((s) => [s.peer, s]));
  for (const family of allFamilies) {
    let n = 0;
    for (const d of input.ribs[family].all()) {
      if (d.first === undefined) continue;
      report.destinations++;
      examine(input, byPeer, family, d, report, note);
      if (++n % DRY_RUN_SLICE === 0) yield;
    }
  }
  return report;
}

/** One destination through the candidate import, decision and export; every set it acquires released. */
function examine(
  input: DryRunInput,
  byPeer: ReadonlyMap<RdePeer, PeerState>,
  family: Family,
  d: Destination,
  report: DryRunReport,
  note: (c: DryRunChange) => void,
): void {
  const { store } = input;
  const ipv6 = family === 'ipv6-unicast';
  const key = input.ribs[family].keyOf(d);
  const prefix = (): string => formatKey(key);
  const acquired: AttrSet[] = [];
  let first: RibPath | undefined;
  let last: RibPath | undefined;
  let oldBestCopy: RibPath | undefined;
  let importChanged = false;
  for (let p = d.first; p !== undefined; p = p.next) {
    const state = byPeer.get(p.peer);
    const ctx = state && input.inbound.get(state);
    const copy = copyPath(p);
    if (ctx !== undefined) {
      copy.attrs = null;
      setRejection(copy, undefined);
      inboundFilter(copy, ipv6, key, ctx, store);
      if (copy.attrs !== null) acquired.push(copy.attrs);
      const change = importChange(p, copy);
      if (change !== undefined) {
        importChanged = true;
        report.imported[change]++;
        note({ stage: 'import', family, prefix: prefix(), peer: p.peer.name, change });
      }
    }
    if (p === d.best) oldBestCopy = copy;
    if (last === undefined) first = copy;
    else last.next = copy;
    last = copy;
  }
  let best: RibPath | undefined = oldBestCopy;
  if (importChanged || input.decisionChanged) {
    input.decisionHook?.destination(key, ipv6);
    best = decision(first, input.decision)?.winner;
  }
  const bestChanged = !sameRoute(d.best, best);
  if (bestChanged) {
    report.bestChanged++;
    note({
      stage: 'decision',
      family,
      prefix: prefix(),
      change: `best ${routeName(d.best)} -> ${routeName(best)}`,
    });
  }
  if (bestChanged || importChanged || input.outboundChanged)
    exportChanges(input, family, d, best, acquired, report, (peer, change) =>
      note({ stage: 'export', family, prefix: prefix(), peer, change }),
    );
  for (const set of acquired) store.release(set);
}

function importChange(was: RibPath, now: RibPath): 'rejected' | 'accepted' | 'modified' | undefined {
  if (was.attrs === null && now.attrs === null) return undefined;
  if (now.attrs === null) return 'rejected';
  if (was.attrs === null) return 'accepted';
  return was.attrs.key === now.attrs.key ? undefined : 'modified';
}

function sameRoute(a: RibPath | undefined, b: RibPath | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.peer === b.peer && pathIdOf(a) === pathIdOf(b) && a.attrs?.key === b.attrs?.key;
}

function routeName(p: RibPath | undefined): string {
  if (p === undefined) return '(none)';
  const pathId = pathIdOf(p);
  return pathId === 0 ? p.peer.name : `${p.peer.name}#${pathId}`;
}

/** Per peer that is up: what it holds (its group's entry) against what the candidate export gives it. */
function exportChanges(
  input: DryRunInput,
  family: Family,
  d: Destination,
  best: RibPath | undefined,
  acquired: AttrSet[],
  report: DryRunReport,
  note: (peer: string, change: string) => void,
): void {
  const ipv6 = family === 'ipv6-unicast';
  const key = input.ribs[family].keyOf(d);
  const results = new Map<OutboundContext, AttrSet | null>();
  for (const state of input.peers) {
    const out = state.out!;
    if (!out.wants[family]) continue;
    const held = d.best?.peer === state.peer ? undefined : out.group.out[family].get(d.id);
    const ctx = input.outbound.get(state)!;
    let sent: AttrSet | null = null;
    if (best?.attrs && best.peer !== state.peer) {
      let result = results.get(ctx);
      if (result === undefined) {
        result = outboundFilter(best as RibPath & { attrs: AttrSet }, ipv6, key, ctx, input.store);
        if (result !== null) acquired.push(result);
        results.set(ctx, result);
      }
      sent = result;
    }
    const counts = report.exported[state.peer.name]!;
    if (held === undefined && sent !== null) {
      counts.announced++;
      note(state.peer.name, 'announce');
    } else if (held !== undefined && sent === null) {
      counts.withdrawn++;
      note(state.peer.name, 'withdraw');
    } else if (held !== undefined && sent !== null && held.key !== sent.key) {
      counts.modified++;
      note(state.peer.name, 'modify');
    }
  }
}
