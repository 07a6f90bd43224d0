// Adapter between MRT and the BGP codec: decodes one path attribute section with daemon/wire's
// `decodeAttributes`, in the context an MRT record implies: TABLE_DUMP_V2 RIB entries have 4-octet AS_PATH
// and may have the abbreviated MP_REACH_NLRI (RFC 6396 §4.3.4); BGP4MP uses 2- or 4-octet ASNs by subtype
// (RFC 6396 §4.4) and path identifiers in the ADDPATH subtypes (RFC 8050 §3). Attributes with errors are
// left as the codec reports them (discarded or 'malformed'): the dump prints what remains, as bgpdump does.
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

const CONTEXTS: DecodeContext[] = [];
for (let i = 0; i < 8; i++) {
  const ctx: DecodeContext = { asn4: (i & 1) !== 0 };
  if (i & 2) ctx.mrtRib = true;
  if (i & 4) ctx.addPath = ADDPATH_FAMILIES;
  CONTEXTS.push(ctx);
}

/** Decode the attribute section `raw` (exactly the attributes) of an MRT RIB entry or BGP4MP UPDATE. */
export function decodeAttributeList(
  raw: Uint8Array,
  asn4: boolean,
  mrtRib: boolean,
  addPath = false,
): PathAttribute[] {
  const ctx = CONTEXTS[(asn4 ? 1 : 0) | (mrtRib ? 2 : 0) | (addPath ? 4 : 0)]!;
  return decodeAttributes(raw, ctx).attributes;
}
