// The BGP decision process (RFC 4271 9.1, with RFC 4456 9 for route reflection attributes) as an ordered
// list of NAMED pairwise comparators. `selectBest` returns the winner among the eligible paths of one
// destination and the step that decided (`reason`): the latest step at which the winner beat a rival.
// Every input the comparators read is cached on the interned AttrSet (attr-store.ts) or on the peer.
import {
  DEFAULT_LOCAL_PREF,
  type AttrSet,
  clusterListLengthOf,
  neighborAsOf,
  originOf,
  originatorIdOf,
} from './attr-store.js';
import type { DecisionConfig } from '../config/types.js';

/** The side of a path the decision needs to know about its sender. */
export interface DecisionPeer {
  /** Learned over iBGP (false for eBGP and for our own routes). */
  readonly ibgp: boolean;
  /** The peer's BGP Identifier as a u32 (ours for originated routes). */
  readonly routerId: number;
  /** The peer's address in a form that compares in address order (see rib.ts `addressOrderKey`). */
  readonly addressKey: string;
}

/** A candidate path: what the decision compares. Post-policy attributes only. */
export interface Candidate {
  readonly attrs: AttrSet;
  readonly peer: DecisionPeer;
}

export interface DecisionContext {
  readonly options: DecisionConfig;
  /** Whether the next hop of a set can be resolved (RFC 4271 9.1.2.1). */
  readonly reachable: (attrs: AttrSet) => boolean;
  /** Decision-step plugins (the xBGP decision points), when any is attached. */
  readonly plugin?: DecisionHook | undefined;
}

/**
 * The decision points as the decision process calls them (implemented by the plugin host). Results are
 * those of a comparator: < 0 when `a` (the new route) is better, > 0 when `b` (the old one) is, 0 when
 * the point gives no verdict and the native process goes on.
 */
export interface DecisionHook {
  /** Which steps (decisionSteps indices) have pluglets. */
  readonly steps: readonly boolean[];
  /**
   * Set while selectBest compares the winner again with its rivals to name the deciding step: only
   * the verdicts are wanted, so the pre and post anchors (which count and observe) do not run again.
   */
  quiet: boolean;
  /** bgp_initial_rte_decision, then bgp_pre_decision: before the first step. */
  before(a: Candidate, b: Candidate): number;
  /** The point of step `index`; `native` is the step's own comparison (run when the point gives no verdict). */
  step(index: number, a: Candidate, b: Candidate, native: number): number;
  /** bgp_post_decision: after every step tied. */
  after(a: Candidate, b: Candidate): number;
}

export type DecisionStep =
  | 'next-hop-reachable'
  | 'local-pref'
  | 'as-path-length'
  | 'origin'
  | 'med'
  | 'ebgp-over-ibgp'
  | 'igp-cost'
  | 'cluster-list-length'
  | 'router-id'
  | 'peer-address';

/** Why the winner won: a decision step, 'only-path' when there was no rival, 'plugin' when a plugin
 *  decided before or after the steps (bgp_pre_decision, bgp_post_decision...). */
export type DecisionReason = DecisionStep | 'only-path' | 'plugin';

/** compareCandidates' step index for a verdict given before or after the steps by a plugin. */
export const PLUGIN_STEP = -2;

interface Comparator {
  readonly step: DecisionStep;
  /** < 0 when `a` is better, > 0 when `b` is better, 0 when this step does not decide. */
  readonly compare: (a: Candidate, b: Candidate, ctx: DecisionContext) => number;
}

/** The ordered comparators. Index i is step i + 1. */
export const decisionSteps: readonly Comparator[] = [
  {
    // 1. RFC 4271 9.1.2.1: "If the NEXT_HOP attribute of a BGP route depicts an address that is not
    // resolvable, or if it would become unresolvable if the route was installed, then the BGP route MUST
    // be excluded from the Phase 2 decision function." (Everything resolves until an IGP exists; our own
    // and unspecified addresses do not.)
    step: 'next-hop-reachable',
    compare: (a, b, ctx) => Number(!ctx.reachable(a.attrs)) - Number(!ctx.reachable(b.attrs)),
  },
  {
    // 2. RFC 4271 9.1.1: "the local speaker ... calculates the degree of preference ... the value of the
    // LOCAL_PREF attribute"; 9.1.2: "the route with the highest degree of preference".
    step: 'local-pref',
    compare: (a, b) => (b.attrs.localPref ?? DEFAULT_LOCAL_PREF) - (a.attrs.localPref ?? DEFAULT_LOCAL_PREF),
  },
  {
    // 3. RFC 4271 9.1.2.2 a): "Remove from consideration all routes that are not tied for having the
    // smallest number of AS numbers present in their AS_PATH attributes. Note that when counting this
    // number, an AS_SET counts as 1, no matter how many ASes are in the set."
    step: 'as-path-length',
    compare: (a, b) => a.attrs.asPathLength - b.attrs.asPathLength,
  },
  {
    // 4. RFC 4271 9.1.2.2 b): "Remove from consideration all routes that are not tied for having the
    // lowest Origin number in their Origin attribute."
    step: 'origin',
    compare: (a, b) => originOf(a.attrs) - originOf(b.attrs),
  },
  {
    // 5. RFC 4271 9.1.2.2 c): "Remove from consideration routes with less-preferred MULTI_EXIT_DISC
    // attributes. MULTI_EXIT_DISC is only comparable between routes learned from the same neighboring
    // AS ... If a route does not have MED, it is assumed to be the lowest possible" (0).
    // always-compare-med compares MED between any two routes.
    step: 'med',
    compare: (a, b, ctx) => {
      if (!ctx.options.alwaysCompareMed && neighborAsOf(a.attrs) !== neighborAsOf(b.attrs)) return 0;
      return (a.attrs.med ?? 0) - (b.attrs.med ?? 0);
    },
  },
  {
    // 6. RFC 4271 9.1.2.2 d): "If at least one of the candidate routes was received via EBGP, remove from
    // consideration all routes that were received via IBGP."
    step: 'ebgp-over-ibgp',
    compare: (a, b) => Number(a.peer.ibgp) - Number(b.peer.ibgp),
  },
  {
    // 7. RFC 4271 9.1.2.2 e): "Remove from consideration any routes with less-preferred interior cost."
    // No IGP yet: every interior cost is 0.
    step: 'igp-cost',
    compare: () => 0,
  },
  {
    // 8. RFC 4456 9: "a BGP Speaker SHOULD prefer a route with the shorter CLUSTER_LIST length. The
    // CLUSTER_LIST length is zero if a route does not carry the CLUSTER_LIST attribute."
    step: 'cluster-list-length',
    compare: (a, b) => clusterListLengthOf(a.attrs) - clusterListLengthOf(b.attrs),
  },
  {
    // 9. RFC 4271 9.1.2.2 f): "Remove from consideration all routes other than the route that was
    // advertised by the BGP speaker with the lowest BGP Identifier value." RFC 4456 9: "If a route
    // carries the ORIGINATOR_ID attribute, then in Step f) ... the ORIGINATOR_ID SHOULD be treated as
    // the BGP Identifier of the BGP speaker that has advertised the route."
    step: 'router-id',
    compare: (a, b) =>
      (originatorIdOf(a.attrs) ?? a.peer.routerId) - (originatorIdOf(b.attrs) ?? b.peer.routerId),
  },
  {
    // 10. RFC 4271 9.1.2.2 g): "Prefer the route received from the lowest peer address."
    step: 'peer-address',
    compare: (a, b) =>
      a.peer.addressKey < b.peer.addressKey ? -1 : a.peer.addressKey > b.peer.addressKey ? 1 : 0,
  },
];

/** Every reason a winner can have. */
export const decisionReasons: readonly DecisionReason[] = [
  'only-path',
  'plugin',
  ...decisionSteps.map((c) => c.step),
];

/** Compare two candidates: [which is better (<0 a, >0 b, 0 equal), index of the deciding step or -1]. */
export function compareCandidates(a: Candidate, b: Candidate, ctx: DecisionContext): [number, number] {
  if (ctx.plugin !== undefined) return compareWithPlugins(a, b, ctx, ctx.plugin);
  for (let i = 0; i < decisionSteps.length; i++) {
    const r = decisionSteps[i]!.compare(a, b, ctx);
    if (r !== 0) return [r, i];
  }
  return [0, -1];
}

/** compareCandidates with the decision points: a plugin may decide before, at each step, or after. */
function compareWithPlugins(
  a: Candidate,
  b: Candidate,
  ctx: DecisionContext,
  hook: DecisionHook,
): [number, number] {
  const first = hook.before(a, b);
  if (first !== 0) return [first, PLUGIN_STEP];
  for (let i = 0; i < decisionSteps.length; i++) {
    const native = decisionSteps[i]!.compare(a, b, ctx);
    const r = hook.steps[i] ? hook.step(i, a, b, native) : native;
    if (r !== 0) return [r, i];
  }
  const last = hook.after(a, b);
  return last !== 0 ? [last, PLUGIN_STEP] : [0, -1];
}

export interface DecisionResult<C extends Candidate> {
  winner: C;
  reason: DecisionReason;
}

/**
 * The best of `candidates` (in arrival order), or undefined when none is eligible (next hop unreachable).
 * Without deterministic MED the candidates are compared pairwise in order, as most speakers do (the
 * result can then depend on the order when MED is involved). With deterministic MED the candidates are
 * first grouped by neighbouring AS, the best of each group chosen, then the group winners compared.
 */
export function selectBest<C extends Candidate>(
  candidates: readonly C[],
  ctx: DecisionContext,
): DecisionResult<C> | undefined {
  let eligible: C[] | undefined;
  for (const c of candidates) {
    if (!ctx.reachable(c.attrs)) continue;
    (eligible ??= []).push(c);
  }
  if (eligible === undefined) return undefined;
  if (eligible.length === 1) return { winner: eligible[0]!, reason: 'only-path' };
  let winner: C;
  if (ctx.options.deterministicMed && !ctx.options.alwaysCompareMed) {
    const groups = new Map<number, C>();
    for (const c of eligible) {
      const g = groups.get(neighborAsOf(c.attrs));
      if (g === undefined || compareCandidates(c, g, ctx)[0] < 0) groups.set(neighborAsOf(c.attrs), c);
    }
    winner = foldBest([...groups.values()], ctx);
  } else winner = foldBest(eligible, ctx);
  // The deciding step: the latest step at which the winner beat one of its rivals.
  let decided = -1;
  let byPlugin = false;
  if (ctx.plugin) ctx.plugin.quiet = true;
  for (const c of eligible) {
    if (c === winner) continue;
    const [, step] = compareCandidates(winner, c, ctx);
    if (step === PLUGIN_STEP) byPlugin = true;
    if (step > decided) decided = step;
  }
  if (ctx.plugin) ctx.plugin.quiet = false;
  if (decided < 0 && byPlugin) return { winner, reason: 'plugin' };
  return { winner, reason: decided < 0 ? 'peer-address' : decisionSteps[decided]!.step };
}

function foldBest<C extends Candidate>(list: readonly C[], ctx: DecisionContext): C {
  let best = list[0]!;
  for (let i = 1; i < list.length; i++) if (compareCandidates(list[i]!, best, ctx)[0] < 0) best = list[i]!;
  return best;
}
