// Adapter between MRT and the BGP codec: decodes one path attribute section with daemon/wire's
// `decodeAttributes`, in the context an MRT record implies: TABLE_DUMP_V2 RIB entries have 4-octet AS_PATH
// and may have the abbreviated MP_REACH_NLRI, whose family is the RIB record's (RFC 6396 §4.3.4); BGP4MP uses
// 2- or 4-octet ASNs by subtype (RFC 6396 §4.4) and path identifiers in the ADDPATH subtypes (RFC 8050 §3).
// Attributes with errors are left as the codec reports them (discarded or 'malformed').
import type { DecodeContext } from '../wire/context.js';
import { decodeAttributes, type PathAttribute } from '../wire/attributes/index.js';
import { familyKey } from '../wire/iana.js';

/** RFC 8050: ADD-PATH subtypes carry path identifiers for every prefix family they can hold. */
const ADDPATH_FAMILIES: ReadonlySet<number> = new Set([
  familyKey(1, 1),
  familyKey(1, 2),
  familyKey(1, 3),
  familyKey(2, 1),
  familyKey(2, 2),
  familyKey(2, 3),
]);

/** Contexts are few and immutable: build each once. */
const contexts = new Map<number, DecodeContext>();

function context(asn4: boolean, mrtRib: boolean, addPath: boolean, afi: number, safi: number): DecodeContext {
  const key = (asn4 ? 1 : 0) | (mrtRib ? 2 : 0) | (addPath ? 4 : 0) | (afi << 3) | (safi << 6);
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = { asn4 };
    if (mrtRib) ctx.mrtRib = true;
    if (mrtRib && afi !== 0) ctx.mrtFamily = { afi, safi };
    if (addPath) ctx.addPath = ADDPATH_FAMILIES;
    contexts.set(key, ctx);
  }
  return ctx;
}

/**
 * Decode the attribute section `raw` (exactly the attributes) of an MRT RIB entry or BGP4MP UPDATE.
 * `afi`/`safi`: the family of a TABLE_DUMP_V2 RIB record (RIB_IPV6_UNICAST: 2, 1), 0 when unknown.
 */
export function decodeAttributeList(
  raw: Uint8Array,
  asn4: boolean,
  mrtRib: boolean,
  addPath = false,
  afi = 0,
  safi = 0,
): PathAttribute[] {
  return decodeAttributes(raw, context(asn4, mrtRib, addPath, afi, safi)).attributes;
}
