// Read-only views of the RIB for operators and tests: a peer's Adj-RIB-In in the --dump-received JSON form
// (daemon/session/README.md), with why a path is not a candidate. Not on any hot path (allocates freely).
import type { ReceivedRoute } from '../session/received.js';
import {
  formatAsPath,
  formatCommunities,
  formatIpv4,
  formatLargeCommunities,
  formatMpNextHop,
  formatNextHop,
  type PathAttribute,
} from '../wire/index.js';
import { type AttrSet, asPathIn, attributesOf, nextHopOf } from './attr-store.js';
import { formatKey, pathIdOf, rejectionOf, type FamilyRib, type RdePeer } from './rib.js';
import { allFamilies, type Family } from '../config/types.js';

/** An Adj-RIB-In row of the --dump-received JSON form (daemon/session/README.md). */
export interface AdjRibInRoute extends ReceivedRoute {
  /** Why the route is not a candidate (AS loop, import policy, RFC 8212). */
  rejected?: string;
}

/** A peer's Adj-RIB-In (pre-policy attributes), per family, sorted by prefix text (then path id). */
export function adjRibInOf(ribs: Record<Family, FamilyRib>, peer: RdePeer): Record<string, AdjRibInRoute[]> {
  const out: Record<string, AdjRibInRoute[]> = {};
  for (const f of allFamilies) {
    const rows: [string, AdjRibInRoute][] = [];
    const rib = ribs[f];
    for (const d of rib.all()) {
      for (let p = d.first; p !== undefined; p = p.next) {
        if (p.peer !== peer) continue;
        const route = describe(formatKey(rib.keyOf(d)), p.pre);
        const pathId = pathIdOf(p);
        const rejected = rejectionOf(p);
        if (pathId !== 0) route.pathId = pathId;
        if (rejected) route.rejected = rejected;
        rows.push([pathId === 0 ? route.prefix : `${route.prefix}#${pathId}`, route]);
      }
    }
    if (rows.length > 0) out[f] = rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  }
  return out;
}

/** One row: the attributes of a set in the --dump-received JSON form. */
function describe(prefix: string, set: AttrSet): AdjRibInRoute {
  const attributes = attributesOf(set);
  const route: AdjRibInRoute = { prefix, asPath: formatAsPath(asPathIn(attributes)) };
  const nh = nextHopOf(set);
  if (nh !== undefined) route.nextHop = formatNextHop(nh);
  describeAttributes(attributes, route);
  return route;
}

const originNames = ['igp', 'egp', 'incomplete'] as const;

/** Fill the dump form's attribute fields (next hop, origin, MED, LOCAL_PREF, communities) of `out` from
 *  `attributes`; a next hop already in `out` is kept over NEXT_HOP, MP_REACH_NLRI's replaces it. */
function describeAttributes(
  attributes: readonly PathAttribute[],
  out: Omit<ReceivedRoute, 'prefix' | 'asPath'>,
): void {
  for (const a of attributes) {
    switch (a.type) {
      case 'origin':
        out.origin = originNames[a.origin];
        break;
      case 'next-hop':
        out.nextHop ??= formatIpv4(a.nextHop);
        break;
      case 'mp-reach':
        out.nextHop = formatMpNextHop(a);
        break;
      case 'med':
        out.med = a.med;
        break;
      case 'local-pref':
        out.localPref = a.localPref;
        break;
      case 'communities':
        out.communities = formatCommunities(a.values);
        break;
      case 'large-communities':
        out.largeCommunities = formatLargeCommunities(a.values);
        break;
      default:
        break;
    }
  }
}
