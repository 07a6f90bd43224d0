// Builds the UPDATEs that announce the configured `originate` prefixes to one Established peer, until
// the RIB (next issue) takes over: ORIGIN IGP; AS_PATH [our AS] to eBGP peers, empty to iBGP peers;
// LOCAL_PREF 100 to iBGP peers; IPv4 next hop in NEXT_HOP, IPv6 next hop in MP_REACH_NLRI (RFC 4760).
// Also the End-of-RIB markers (RFC 4724 2). Messages are wire UpdateMessage values; the session
// encodes them with daemon/wire. Prefixes are packed so that every message fits the negotiated size.
import { makeOrigin } from '../wire/index.js';
import { makeAsPath, makeAs4Path } from '../wire/index.js';
import { makeLocalPref, makeNextHop } from '../wire/index.js';
import { makeMpReach, makeMpUnreach } from '../wire/index.js';
import type { PathAttribute } from '../wire/index.js';
import type { UpdateMessage } from '../wire/index.js';
import { buildNlri, type NlriBlock } from '../wire/index.js';
import { Afi, AS_TRANS, Origin, Safi, HEADER_LENGTH } from '../wire/index.js';
import { addressBytes } from '../net/address.js';
import type { Family, OriginatedPrefix } from '../config/types.js';

export interface AnnounceContext {
  localAsn: number;
  ibgp: boolean;
  /** Both sides sent the 4-octet AS capability (RFC 6793). */
  asn4: boolean;
  /** Families negotiated with the peer. */
  families: readonly Family[];
  /** Families for which we send ADD-PATH path identifiers (RFC 7911). */
  addPathSend: ReadonlySet<Family>;
  /** Next hop for IPv4 routes (dotted quad) and IPv6 routes (IPv6 text). */
  nextHopIpv4: string;
  nextHopIpv6: string;
  /** 4096, or 65535 with RFC 8654 extended messages. */
  maxMessageLength: number;
}

/** Path identifier we use for our own routes when ADD-PATH send is negotiated. */
const OWN_PATH_ID = 1;

const EMPTY_IPV4: NlriBlock = {
  afi: Afi.Ipv4,
  safi: Safi.Unicast,
  addPath: false,
  bytes: new Uint8Array(0),
  count: 0,
};

/** The common attributes of every announcement to this peer. */
function baseAttributes(ctx: AnnounceContext): PathAttribute[] {
  const attrs: PathAttribute[] = [makeOrigin(Origin.Igp)];
  if (ctx.ibgp) {
    // RFC 4271 5.1.2: "When a BGP speaker originates a route to an internal peer, ... the originating
    // speaker includes an empty AS_PATH attribute".
    attrs.push(makeAsPath([], ctx.asn4));
  } else if (ctx.asn4 || ctx.localAsn <= 0xffff) {
    // RFC 4271 5.1.2: "... to an external peer, the originating speaker includes its own AS number in
    // an AS_SEQUENCE segment".
    attrs.push(makeAsPath([{ type: 2, asns: [ctx.localAsn] }], ctx.asn4));
  } else {
    // RFC 6793 4.2.2: to a peer without the capability, a 4-octet AS goes as AS_TRANS in AS_PATH and
    // in full in AS4_PATH.
    attrs.push(makeAsPath([{ type: 2, asns: [AS_TRANS] }], false));
    attrs.push(makeAs4Path([{ type: 2, asns: [ctx.localAsn] }]));
  }
  return attrs;
}

function ipv4Number(text: string): number {
  const b = addressBytes(text);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** How many prefixes of `family` fit in one UPDATE next to the attributes. */
function prefixesPerMessage(ctx: AnnounceContext, family: Family): number {
  const worstPrefix = (family === 'ipv4-unicast' ? 5 : 17) + (ctx.addPathSend.has(family) ? 4 : 0);
  // Header, the two length fields, and a generous allowance for the attributes (< 100 octets).
  const room = ctx.maxMessageLength - HEADER_LENGTH - 4 - 100;
  return Math.max(1, Math.floor(room / worstPrefix));
}

/**
 * The UPDATEs announcing `prefixes` (those of families not negotiated are left out), built lazily:
 * the session pulls the next one only when the socket can take it.
 */
export function* buildAnnouncements(
  prefixes: readonly OriginatedPrefix[],
  ctx: AnnounceContext,
): Generator<UpdateMessage, void, undefined> {
  for (const family of ctx.families) {
    const mine = prefixes
      .filter((p) => p.family === family)
      .map((p) => ({ prefix: p.prefix, pathId: OWN_PATH_ID }));
    if (mine.length === 0) continue;
    const addPath = ctx.addPathSend.has(family);
    const step = prefixesPerMessage(ctx, family);
    for (let i = 0; i < mine.length; i += step) {
      const chunk = mine.slice(i, i + step);
      const attrs = baseAttributes(ctx);
      if (family === 'ipv4-unicast') {
        const nlri = buildNlri(Afi.Ipv4, Safi.Unicast, chunk, addPath);
        attrs.push(makeNextHop(ipv4Number(ctx.nextHopIpv4)));
        if (ctx.ibgp) attrs.push(makeLocalPref(100));
        yield {
          type: 'update',
          withdrawn: { ...EMPTY_IPV4, addPath },
          attributes: sortByCode(attrs),
          nlri,
        };
      } else {
        const nlri = buildNlri(Afi.Ipv6, Safi.Unicast, chunk, addPath);
        attrs.push(makeMpReach(addressBytes(ctx.nextHopIpv6), nlri));
        if (ctx.ibgp) attrs.push(makeLocalPref(100));
        yield { type: 'update', withdrawn: EMPTY_IPV4, attributes: sortByCode(attrs), nlri: EMPTY_IPV4 };
      }
    }
  }
}

/** The UPDATEs withdrawing `prefixes` (after a config reload removed them), built lazily. */
export function* buildWithdrawals(
  prefixes: readonly OriginatedPrefix[],
  ctx: AnnounceContext,
): Generator<UpdateMessage, void, undefined> {
  for (const family of ctx.families) {
    const mine = prefixes
      .filter((p) => p.family === family)
      .map((p) => ({ prefix: p.prefix, pathId: OWN_PATH_ID }));
    if (mine.length === 0) continue;
    const addPath = ctx.addPathSend.has(family);
    const step = prefixesPerMessage(ctx, family);
    for (let i = 0; i < mine.length; i += step) {
      const chunk = mine.slice(i, i + step);
      if (family === 'ipv4-unicast') {
        const withdrawn = buildNlri(Afi.Ipv4, Safi.Unicast, chunk, addPath);
        yield { type: 'update', withdrawn, attributes: [], nlri: { ...EMPTY_IPV4, addPath } };
      } else {
        const withdrawn = buildNlri(Afi.Ipv6, Safi.Unicast, chunk, addPath);
        yield {
          type: 'update',
          withdrawn: EMPTY_IPV4,
          attributes: [makeMpUnreach(withdrawn)],
          nlri: EMPTY_IPV4,
        };
      }
    }
  }
}

/** RFC 4271 5: attributes "SHOULD" be ordered by type code (some receivers are picky). */
function sortByCode(attrs: PathAttribute[]): PathAttribute[] {
  return attrs.sort((a, b) => a.code - b.code);
}
