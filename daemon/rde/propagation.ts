// Propagation rules: which Loc-RIB routes go to which peer, and with which attributes. `propagationVerdict`
// is the table of rules (iBGP split horizon, RFC 8212, well-known communities); `exportAttributes` the
// attribute rewriting (AS_PATH prepend, NEXT_HOP, LOCAL_PREF, MED, RFC 4456 attributes). Both work on a
// peer GROUP's export settings: peers with identical settings share one Adj-RIB-Out (see rde.ts).
// Split horizon (never back to the peer a route came from) is per member, applied by `Rde.pull`.
import {
  AttrType,
  AsPathSegmentType,
  makeAsPath,
  makeLocalPref,
  makeNextHop,
  type AsPathSegment,
  type PathAttribute,
} from '../wire/index.js';
import {
  DEFAULT_LOCAL_PREF,
  WellKnown,
  type AttrSet,
  attributesOf,
  nextHopOf,
  wellKnownOf,
} from './attr-store.js';

/** The export settings of a peer group (everything that changes what the group is sent). */
export interface ExportSettings {
  localAsn: number;
  /** The group's peers are in our AS. */
  ibgp: boolean;
  /** YAML `next-hop-self` (eBGP peers always get our address, RFC 4271 5.1.3). */
  nextHopSelf: boolean;
  /** YAML `send-med`: pass MULTI_EXIT_DISC on to eBGP peers. */
  sendMed: boolean;
  /** Our next hop for IPv4 routes (4 octets) and IPv6 routes (16 octets). */
  nextHopIpv4: Uint8Array;
  nextHopIpv6: Uint8Array;
  /** RFC 8212 applies and no export policy is configured: send nothing to this eBGP group. */
  denyAllEbgp: boolean;
}

/** Where the route being exported was learned. */
export type SourceKind = 'local' | 'ebgp' | 'ibgp';

export type Verdict = 'send' | 'ibgp-to-ibgp' | 'rfc8212' | 'no-export' | 'no-advertise';

/** Whether a route from `source` with `attrs` may be sent to the group at all. */
export function propagationVerdict(source: SourceKind, attrs: AttrSet, group: ExportSettings): Verdict {
  // RFC 4271 9.2.1: "... a BGP speaker SHALL NOT advertise ... routes received from internal peers to
  // other internal peers" (route reflection, RFC 4456, will come as a plugin).
  if (source === 'ibgp' && group.ibgp) return 'ibgp-to-ibgp';
  // RFC 8212 3.2: "Routes MUST NOT be ... advertised to an EBGP peer ... unless explicitly configured".
  if (!group.ibgp && group.denyAllEbgp) return 'rfc8212';
  const w = wellKnownOf(attrs);
  // RFC 1997: NO_ADVERTISE "All routes received carrying a communities attribute containing this value
  // MUST NOT be advertised to other BGP peers."
  if ((w & WellKnown.NoAdvertise) !== 0) return 'no-advertise';
  // RFC 1997: NO_EXPORT / NO_EXPORT_SUBCONFED "MUST NOT be advertised outside a BGP confederation
  // boundary" (no confederations here: outside our AS).
  if (!group.ibgp && (w & (WellKnown.NoExport | WellKnown.NoExportSubconfed)) !== 0) return 'no-export';
  return 'send';
}

/**
 * The attributes of a route as sent to the group (before export policy): for IPv4 the next hop is the
 * NEXT_HOP attribute among them, for IPv6 it is `mpNextHop` (what `AttrStore.intern` takes).
 */
export function exportAttributes(
  source: SourceKind,
  attrs: AttrSet,
  ipv6: boolean,
  group: ExportSettings,
): { attributes: PathAttribute[]; mpNextHop: Uint8Array | undefined } {
  const out: PathAttribute[] = [];
  let hasLocalPref = false;
  for (const a of attributesOf(attrs)) {
    switch (a.code) {
      case AttrType.AsPath:
        if (group.ibgp) out.push(a);
        // RFC 4271 5.1.2 b): to an external peer "the advertising speaker ... prepend[s] its own AS number
        // as the last element of the sequence (put it in the leftmost position ...)".
        // (The attribute in hand is the path: codes are unique in a set, so asPathOf would find this one.)
        else out.push(makeAsPath(prepend(a.type === 'as-path' ? a.segments : [], group.localAsn), true));
        break;
      case AttrType.NextHop:
        break; // rewritten below
      case AttrType.Med:
        // RFC 4271 5.1.4: "The MULTI_EXIT_DISC attribute received from a neighboring AS MUST NOT be
        // propagated to other neighboring ASes." (Unless `send-med`.) Kept inside the AS.
        if (group.ibgp || group.sendMed) out.push(a);
        break;
      case AttrType.LocalPref:
        // RFC 4271 5.1.5: "A BGP speaker MUST NOT include this attribute in UPDATE messages it sends to
        // external peers".
        if (group.ibgp) {
          out.push(a);
          hasLocalPref = true;
        }
        break;
      case AttrType.OriginatorId:
      case AttrType.ClusterList:
        // RFC 4456 8: these "SHALL NOT" leave the AS (optional non-transitive, meaningful only inside).
        if (group.ibgp) out.push(a);
        break;
      default:
        out.push(a);
    }
  }
  if (!out.some((a) => a.code === AttrType.AsPath)) {
    out.push(
      makeAsPath(group.ibgp ? [] : [{ type: AsPathSegmentType.Sequence, asns: [group.localAsn] }], true),
    );
  }
  // RFC 4271 5.1.5: "A BGP speaker MUST include this attribute in UPDATE messages it sends to the other
  // internal peers" (the default when the route came from outside).
  if (group.ibgp && !hasLocalPref) out.push(makeLocalPref(DEFAULT_LOCAL_PREF));
  // RFC 4271 5.1.3: to an external peer the NEXT_HOP is our own address (same-subnet third party next hop
  // not done); to an internal peer it is passed unchanged unless next-hop-self, or ours for our own routes.
  const self = ipv6 ? group.nextHopIpv6 : group.nextHopIpv4;
  const received = nextHopOf(attrs);
  let nextHop: Uint8Array;
  if (!group.ibgp || group.nextHopSelf || received === undefined || source === 'local') nextHop = self;
  else if (ipv6 ? received.length >= 16 : received.length === 4) nextHop = received;
  else nextHop = self;
  if (ipv6) return { attributes: out, mpNextHop: nextHop };
  out.push(makeNextHop(((nextHop[0]! << 24) | (nextHop[1]! << 16) | (nextHop[2]! << 8) | nextHop[3]!) >>> 0));
  return { attributes: out, mpNextHop: undefined };
}

/** `path` with `asn` prepended to the leading AS_SEQUENCE (a new one when absent or full). */
export function prepend(path: readonly AsPathSegment[], asn: number, count = 1): AsPathSegment[] {
  const first = path[0];
  const asns = new Array<number>(count).fill(asn);
  if (first && first.type === AsPathSegmentType.Sequence && first.asns.length + count <= 255) {
    return [{ type: AsPathSegmentType.Sequence, asns: [...asns, ...first.asns] }, ...path.slice(1)];
  }
  return [{ type: AsPathSegmentType.Sequence, asns }, ...path];
}
