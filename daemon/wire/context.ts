// The negotiated state a decoder or encoder needs, passed explicitly (Holo `DecodeCxt`): the codec keeps no
// session state of its own. `session/negotiate.ts` builds it from the two OPENs; the MRT reader builds it
// from the record type.
import { familyKey } from './iana.js';

export interface DecodeContext {
  /** RFC 6793: both sides sent the 4-octet AS capability, so AS_PATH and AGGREGATOR carry 4-octet ASNs. */
  asn4: boolean;
  /** RFC 7911: families (as `familyKey(afi, safi)`) for which we receive path identifiers. */
  addPath?: ReadonlySet<number>;
  /** RFC 8654: both sides sent the Extended Message capability (messages up to 65535 octets). */
  extendedMessage?: boolean;
  /** The kind of peer; eBGP/iBGP-specific RFC 7606 checks are skipped when undefined (e.g. MRT input). */
  peerType?: 'ebgp' | 'ibgp';
  /** RFC 5065: the eBGP peer is a member of our confederation (AS_CONFED_* segments are then allowed). */
  confedPeer?: boolean;
  /**
   * RFC 6396 4.3.4: decoding the attributes of a TABLE_DUMP_V2 RIB entry. AS_PATH is always 4-octet
   * (set `asn4: true` too), MP_REACH_NLRI may be the abbreviated form (next-hop length + next hop only),
   * and the mandatory-attribute checks do not apply.
   */
  mrtRib?: boolean;
  /**
   * With `mrtRib`: the AFI/SAFI of the RIB record (RIB_IPV6_UNICAST -> { afi: 2, safi: 1 }), given to an
   * abbreviated MP_REACH_NLRI, which carries none. Without it the family is guessed from the next-hop length
   * (4 octets IPv4, else IPv6), which is wrong for IPv4 routes with IPv6 next hops (RFC 8950).
   */
  mrtFamily?: { afi: number; safi: number };
}

/** The context for a session where nothing optional was negotiated (2-octet AS, no ADD-PATH). */
export const PLAIN_CONTEXT: DecodeContext = { asn4: false };

/** True when path identifiers are received for this family (asked per UPDATE: the empty set answers first). */
export function hasAddPath(ctx: DecodeContext, afi: number, safi: number): boolean {
  const families = ctx.addPath;
  return families !== undefined && families.size !== 0 && families.has(familyKey(afi, safi));
}
