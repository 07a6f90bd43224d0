// Read-only views of the RIB for the admin API (daemon/admin): per-peer prefix counts, every candidate
// path of a destination with why each lost, and a peer's Adj-RIB-Out. Computed only when an operator
// asks (each is a walk of a table); nothing here runs on the route pipeline.
import { allFamilies, type Family } from '../config/types.js';
import type { AttrSet } from './attr-store.js';
import {
  PLUGIN_STEP,
  compareCandidates,
  decisionSteps,
  type DecisionContext,
  type DecisionReason,
} from './decision.js';
import type { PeerState } from './peer-state.js';
import {
  rejectionOf,
  type Destination,
  type FamilyRib,
  type PrefixKey,
  type Rejection,
  type RibPath,
} from './rib.js';

/** A peer's prefixes in one family. */
export interface PrefixCounts {
  /** Paths held in the Adj-RIB-In (pre-policy). */
  received: number;
  /** Of those, accepted by import (post-policy). */
  accepted: number;
  /** Of those, the best path of their destination. */
  best: number;
  /** Prefixes in the peer's Adj-RIB-Out (what it is, or is about to be, sent). */
  advertised: number;
}

/** Why a candidate is not the best, or that it is. */
export type PathVerdict =
  | { best: true; reason: DecisionReason }
  | { best: false; rejected: Rejection }
  | { best: false; lostAt: DecisionReason | 'unreachable' | 'not-selected' };

export interface ExplainedPath {
  readonly path: RibPath;
  readonly verdict: PathVerdict;
}

export interface AdjRibOutEntry {
  readonly key: PrefixKey;
  /** The attributes the peer's group exports (before per-peer encoding: 2-octet AS, ADD-PATH). */
  readonly attrs: AttrSet;
}

/** One walk of both RIBs and of each peer's Adj-RIB-Out. */
export function prefixCountsOf(
  ribs: Record<Family, FamilyRib>,
  peers: Iterable<PeerState>,
): Map<string, Record<Family, PrefixCounts>> {
  const byId = new Map<number, Record<Family, PrefixCounts>>();
  const result = new Map<string, Record<Family, PrefixCounts>>();
  const states = [...peers];
  for (const s of states) {
    const counts = {
      'ipv4-unicast': { received: 0, accepted: 0, best: 0, advertised: 0 },
      'ipv6-unicast': { received: 0, accepted: 0, best: 0, advertised: 0 },
    };
    byId.set(s.peer.id, counts);
    result.set(s.peer.name, counts);
  }
  for (const f of allFamilies) {
    for (const d of ribs[f].all()) {
      for (let p = d.first; p !== undefined; p = p.next) {
        const c = byId.get(p.peer.id)?.[f];
        if (c === undefined) continue;
        c.received++;
        if (p.attrs !== null) c.accepted++;
        if (d.best === p) c.best++;
      }
    }
    for (const s of states) {
      const out = s.out;
      if (out === undefined || !out.wants[f]) continue;
      const table = out.group.out[f];
      let n = 0;
      table.forEach((_, id) => {
        if (ribs[f].bestOf(id)?.peer !== s.peer) n++;
      });
      result.get(s.peer.name)![f].advertised = n;
    }
  }
  return result;
}

/**
 * Every path of `d` in arrival order: the best with the step that chose it; a rejected path with why;
 * an unreachable one; every other with the decision step at which the best beat it. Decision plugins
 * are asked for verdicts only (`quiet`, as selectBest does when it names the deciding step).
 */
export function explainDestination(rib: FamilyRib, d: Destination, ctx: DecisionContext): ExplainedPath[] {
  const out: ExplainedPath[] = [];
  const best = d.best?.attrs ? (d.best as RibPath & { attrs: AttrSet }) : undefined;
  if (ctx.plugin) ctx.plugin.quiet = true;
  try {
    for (let p = d.first; p !== undefined; p = p.next) {
      if (p === best) out.push({ path: p, verdict: { best: true, reason: rib.reasonOf(d) ?? 'only-path' } });
      else if (p.attrs === null)
        out.push({ path: p, verdict: { best: false, rejected: rejectionOf(p) ?? 'policy' } });
      else if (!ctx.reachable(p.attrs))
        out.push({ path: p, verdict: { best: false, lostAt: 'unreachable' } });
      else if (best === undefined) out.push({ path: p, verdict: { best: false, lostAt: 'not-selected' } });
      else {
        const [order, step] = compareCandidates(best, { attrs: p.attrs, peer: p.peer }, ctx);
        // With deterministic MED a path can beat the best pairwise yet have lost to its own neighbouring
        // AS's winner at the MED step.
        const lostAt: DecisionReason =
          order > 0
            ? 'med'
            : step === PLUGIN_STEP
              ? 'plugin'
              : step < 0
                ? 'peer-address'
                : decisionSteps[step]!.step;
        out.push({ path: p, verdict: { best: false, lostAt } });
      }
    }
  } finally {
    if (ctx.plugin) ctx.plugin.quiet = false;
  }
  return out;
}

/** The entries of the peer's group's Adj-RIB-Out in `family`, less what came from the peer (split horizon). */
export function adjRibOutOf(rib: FamilyRib, state: PeerState, family: Family): AdjRibOutEntry[] {
  const out = state.out;
  if (out === undefined || !out.wants[family]) return [];
  const table = out.group.out[family];
  const entries: AdjRibOutEntry[] = [];
  table.forEach((attrs, id) => {
    if (rib.isLive(id) && rib.bestOf(id)?.peer !== state.peer) entries.push({ key: rib.keyAt(id), attrs });
  });
  return entries;
}
