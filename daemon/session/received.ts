// What the session reports about received routes: the row of the --dump-received JSON form (see
// daemon/session/README.md; the RDE's Adj-RIB-In fills it, daemon/rde/views.ts), the read side a Session
// offers as `session.received`, and the short text summary of one UPDATE for the log.
import type { UpdateMessage } from '../wire/index.js';
import { familyName, forEachAnnounced, forEachWithdrawn, formatPrefix } from '../wire/index.js';

/** One route of the --dump-received JSON form. */
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

/** The read side of a peer's received routes (the RDE's Adj-RIB-In of the peer). */
export interface ReceivedView {
  readonly size: number;
  toJSON(): Record<string, ReceivedRoute[]>;
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

/** "ipv4-unicast" style family names, as in the configuration. */
export function familyKeyName(afi: number, safi: number): string {
  return familyName(afi, safi).replace(/ /g, '-');
}
