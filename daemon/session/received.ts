// The per-peer table of received prefixes for a Session without a route decision engine (with one, the
// RDE's Adj-RIB-In is the table, see daemon/rde): which prefixes a peer currently announces, with a
// short summary of their attributes. Tests and the lab read it through
// `xbgpd --dump-received FILE` / SIGUSR1 (JSON, see daemon/session/README.md). RFC 7606 outcomes are
// applied here: treat-as-withdraw removes what the UPDATE announced.
import type { PathAttribute, UpdateMessage } from '../wire/index.js';
import { forEachAnnounced, forEachWithdrawn } from '../wire/index.js';
import { formatPrefix, formatIpv4 } from '../wire/index.js';
import { familyName } from '../wire/index.js';
import { effectivePath, formatAsPath } from '../wire/index.js';
import { formatMpNextHop } from '../wire/index.js';
import { formatCommunities, formatLargeCommunities } from '../wire/index.js';

export interface ReceivedRoute {
  prefix: string;
  /** RFC 7911 path identifier, when ADD-PATH is received for the family. */
  pathId?: number;
  nextHop?: string;
  asPath: string;
  origin?: 'igp' | 'egp' | 'incomplete';
  med?: number;
  localPref?: number;
  communities?: string;
  largeCommunities?: string;
}

export interface UpdateSummary {
  /** "10.0.0.0/24" (or "10.0.0.0/24#7" with ADD-PATH path id 7). */
  announced: string[];
  withdrawn: string[];
  /** The family of an End-of-RIB marker. */
  endOfRib?: string;
}

const originNames = ['igp', 'egp', 'incomplete'] as const;

/** The read side of a received-prefix table (ReceivedTable, or the RDE's Adj-RIB-In of a peer). */
export interface ReceivedView {
  readonly size: number;
  toJSON(): Record<string, ReceivedRoute[]>;
  clear(): void;
}

/** The prefixes an UPDATE announces and withdraws, as text (for the log). Allocates: small UPDATEs only. */
export function summarizeUpdate(update: UpdateMessage, treatAsWithdraw: boolean): UpdateSummary {
  const summary: UpdateSummary = { announced: [], withdrawn: [] };
  const text = (afi: number, length: number, bytes: Uint8Array, offset: number, pathId: number): string => {
    const prefix = formatPrefix(afi, length, bytes, offset);
    return pathId === 0 ? prefix : `${prefix}#${pathId}`;
  };
  forEachWithdrawn(update, (afi, _safi, l, b, o, p) => summary.withdrawn.push(text(afi, l, b, o, p)));
  forEachAnnounced(update, (afi, _safi, l, b, o, p) =>
    (treatAsWithdraw ? summary.withdrawn : summary.announced).push(text(afi, l, b, o, p)),
  );
  return summary;
}

export class ReceivedTable implements ReceivedView {
  /** family name -> route key -> route */
  private readonly families = new Map<string, Map<string, ReceivedRoute>>();

  /** Apply one UPDATE; `treatAsWithdraw` (RFC 7606) withdraws what it announces instead. */
  apply(update: UpdateMessage, asn4: boolean, treatAsWithdraw: boolean): UpdateSummary {
    const summary: UpdateSummary = { announced: [], withdrawn: [] };
    forEachWithdrawn(update, (afi, safi, length, bytes, offset, pathId) => {
      const prefix = formatPrefix(afi, length, bytes, offset);
      const key = pathId === 0 ? prefix : `${prefix}#${pathId}`;
      this.family(familyKeyName(afi, safi)).delete(key);
      summary.withdrawn.push(key);
    });
    let attrs: Omit<ReceivedRoute, 'prefix'> | undefined;
    forEachAnnounced(update, (afi, safi, length, bytes, offset, pathId) => {
      const prefix = formatPrefix(afi, length, bytes, offset);
      const key = pathId === 0 ? prefix : `${prefix}#${pathId}`;
      const table = this.family(familyKeyName(afi, safi));
      if (treatAsWithdraw) {
        table.delete(key);
        summary.withdrawn.push(key);
        return;
      }
      attrs ??= summarize(update, asn4);
      const route: ReceivedRoute = { prefix, ...attrs };
      if (pathId !== 0) route.pathId = pathId;
      table.set(key, route);
      summary.announced.push(key);
    });
    return summary;
  }

  clear(): void {
    this.families.clear();
  }

  get size(): number {
    let n = 0;
    for (const t of this.families.values()) n += t.size;
    return n;
  }

  /** { "ipv4-unicast": [route, ...], ... } sorted by prefix. */
  toJSON(): Record<string, ReceivedRoute[]> {
    const out: Record<string, ReceivedRoute[]> = {};
    for (const [family, table] of this.families) {
      if (table.size === 0) continue;
      out[family] = [...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
    }
    return out;
  }

  private family(name: string): Map<string, ReceivedRoute> {
    let t = this.families.get(name);
    if (!t) {
      t = new Map();
      this.families.set(name, t);
    }
    return t;
  }
}

function summarize(update: UpdateMessage, asn4: boolean): Omit<ReceivedRoute, 'prefix'> {
  const out: Omit<ReceivedRoute, 'prefix'> = {
    asPath: formatAsPath(effectivePath(update.attributes, asn4).segments),
  };
  describeAttributes(update.attributes, out);
  return out;
}

/** Fill the dump form's attribute fields (next hop, origin, MED, LOCAL_PREF, communities) of `out` from
 *  `attributes`; a next hop already in `out` is kept over NEXT_HOP, MP_REACH_NLRI's replaces it. Shared
 *  with the RDE's Adj-RIB-In view so both dumps describe a route alike. */
export function describeAttributes(
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

/** "ipv4-unicast" style family names, as in the configuration. */
export function familyKeyName(afi: number, safi: number): string {
  return familyName(afi, safi).replace(/ /g, '-');
}
