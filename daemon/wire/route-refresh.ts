// ROUTE-REFRESH message (type 5): RFC 2918, with the RFC 7313 message subtypes (0 normal route refresh,
// 1 Beginning-of-RR, 2 End-of-RR) in the former Reserved octet. Octets after the 4-octet body (RFC 5291
// ORF entries) are kept opaque.
//
// RFC 7313 3:
//    0       7      15      23      31
//   +-------+-------+-------+-------+
//   |      AFI      | Subtype| SAFI |
//   +-------+-------+-------+-------+
import { routeRefreshError } from './errors.js';
import { EMPTY, getU16 } from './reader.js';
import { decoded, failed, type DecodeResult } from './result.js';
import type { WireWriter } from './writer.js';

export interface RouteRefreshMessage {
  type: 'route-refresh';
  afi: number;
  safi: number;
  /** RFC 7313: 0 normal, 1 Beginning-of-RR (BoRR), 2 End-of-RR (EoRR); other values are kept. */
  subtype: number;
  /** Octets after the fixed body (ORF entries, RFC 5291); empty otherwise. */
  orf: Uint8Array;
}

/** Decode a ROUTE-REFRESH body (header removed; the header check guarantees at least 4 octets). */
export function decodeRouteRefresh(body: Uint8Array): DecodeResult<RouteRefreshMessage> {
  const subtype = body[2] ?? 0;
  // RFC 7313 5: "If the length, excluding the fixed-size message header, of the received ROUTE-REFRESH
  // message with Message Subtype 1 and 2 is not 4, then the BGP speaker MUST send a NOTIFICATION message
  // with the Error Code of "ROUTE-REFRESH Message Error" and the subcode of "Invalid Message Length". The
  // Data field of the NOTIFICATION message MUST contain the complete ROUTE-REFRESH message."
  if (body.length < 4 || ((subtype === 1 || subtype === 2) && body.length !== 4)) {
    return failed(
      routeRefreshError(`ROUTE-REFRESH subtype ${subtype} body of ${body.length} octets`, body.slice()),
    );
  }
  // RFC 7313 3: "When the BGP speaker receives a ROUTE-REFRESH message with a "Message Subtype" field other
  // than 0, 1, or 2, it MUST ignore the received ROUTE-REFRESH message." (The session layer ignores it.)
  return decoded({
    type: 'route-refresh',
    afi: getU16(body, 0),
    subtype,
    safi: body[3]!,
    orf: body.length > 4 ? body.subarray(4) : EMPTY,
  });
}

export function writeRouteRefreshBody(w: WireWriter, msg: RouteRefreshMessage): void {
  w.u16(msg.afi).u8(msg.subtype).u8(msg.safi).bytes(msg.orf);
}

/** Build a ROUTE-REFRESH (subtype 0 by default). */
export function makeRouteRefresh(afi: number, safi: number, subtype = 0): RouteRefreshMessage {
  return { type: 'route-refresh', afi, safi, subtype, orf: EMPTY };
}
