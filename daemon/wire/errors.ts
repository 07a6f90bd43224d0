// Decode errors of the BGP codec: one union (`DecodeError`) discriminated by the message part that failed,
// the RFC 7606 outcome each error resolves to, the strength ordering used to keep the strongest outcome,
// and the single mapping to the NOTIFICATION to send (`toNotification`). Peer input never throws: decoders
// return these values. Stable `code` strings (`ERR_BGP_*`) are for logs, metrics and tests.
import { ErrorCode } from './iana.js';
import { EMPTY } from './reader.js';

// ===== Outcomes (RFC 7606 section 2) =====

/**
 * What the receiver does about an error, weakest first:
 * - `attribute-discard`: drop the attribute, keep processing the UPDATE;
 * - `treat-as-withdraw`: withdraw every prefix the UPDATE carries (NLRI and MP_REACH_NLRI);
 * - `afisafi-disable`: stop using the AFI/SAFI of the failed MP attribute (RFC 4760 section 7);
 * - `session-reset`: send the NOTIFICATION (see `toNotification`) and close the session.
 */
export type ErrorAction = 'attribute-discard' | 'treat-as-withdraw' | 'afisafi-disable' | 'session-reset';

export const ACTION_STRENGTH: Readonly<Record<ErrorAction, number>> = {
  'attribute-discard': 1,
  'treat-as-withdraw': 2,
  'afisafi-disable': 3,
  'session-reset': 4,
};

/** RFC 7606 section 3: "the approach with the strongest effect" wins when several apply. */
export function strongerAction(a: ErrorAction, b: ErrorAction): ErrorAction {
  return ACTION_STRENGTH[a] >= ACTION_STRENGTH[b] ? a : b;
}

/** The strongest action among `errors`, or 'none'. */
export function strongestAction(errors: readonly { action: ErrorAction }[]): ErrorAction | 'none' {
  let best: ErrorAction | 'none' = 'none';
  for (const e of errors) best = best === 'none' ? e.action : strongerAction(best, e.action);
  return best;
}

// ===== Stable error codes =====

export type BgpErrorCode =
  // header (RFC 4271 6.1)
  | 'ERR_BGP_HEADER_MARKER'
  | 'ERR_BGP_HEADER_LENGTH'
  | 'ERR_BGP_HEADER_TYPE'
  // OPEN (RFC 4271 6.2, RFC 5492, RFC 9072)
  | 'ERR_BGP_OPEN_VERSION'
  | 'ERR_BGP_OPEN_PEER_AS'
  | 'ERR_BGP_OPEN_HOLD_TIME'
  | 'ERR_BGP_OPEN_BGP_ID'
  | 'ERR_BGP_OPEN_OPT_PARAM'
  | 'ERR_BGP_OPEN_MALFORMED'
  // UPDATE (RFC 4271 6.3, RFC 7606)
  | 'ERR_BGP_UPDATE_LENGTHS'
  | 'ERR_BGP_ATTR_OVERRUN'
  | 'ERR_BGP_ATTR_FLAGS'
  | 'ERR_BGP_ATTR_LENGTH'
  | 'ERR_BGP_ATTR_DUPLICATE'
  | 'ERR_BGP_ATTR_MP_DUPLICATE'
  | 'ERR_BGP_ATTR_MISSING'
  | 'ERR_BGP_ATTR_UNRECOGNIZED_WELL_KNOWN'
  | 'ERR_BGP_ATTR_EBGP_ONLY_IBGP'
  | 'ERR_BGP_ORIGIN_VALUE'
  | 'ERR_BGP_AS_PATH_MALFORMED'
  | 'ERR_BGP_AS_PATH_CONFED'
  | 'ERR_BGP_AS4_PATH_MALFORMED'
  | 'ERR_BGP_AIGP_MALFORMED'
  | 'ERR_BGP_MP_MALFORMED'
  | 'ERR_BGP_MP_NEXT_HOP_LENGTH'
  | 'ERR_BGP_NLRI_INVALID'
  | 'ERR_BGP_MP_NLRI_INVALID'
  // NOTIFICATION / KEEPALIVE / ROUTE-REFRESH bodies
  | 'ERR_BGP_NOTIFICATION_LENGTH'
  | 'ERR_BGP_KEEPALIVE_LENGTH'
  | 'ERR_BGP_ROUTE_REFRESH_LENGTH';

// ===== The union =====

interface DecodeErrorBase {
  /** Stable code for logs and tests. */
  code: BgpErrorCode;
  /** What to do about it (RFC 7606 section 2). */
  action: ErrorAction;
  /** NOTIFICATION error subcode for this part (RFC 4271 section 4.5). */
  subcode: number;
  /** NOTIFICATION data field. */
  data: Uint8Array;
  /** Human-readable detail for logs. */
  reason: string;
}

/** RFC 4271 6.1 Message Header Error (always a session reset). */
export interface HeaderError extends DecodeErrorBase {
  kind: 'header';
}

/** RFC 4271 6.2 OPEN Message Error (always a session reset). */
export interface OpenError extends DecodeErrorBase {
  kind: 'open';
}

/** RFC 4271 6.3 UPDATE Message Error, resolved per RFC 7606. */
export interface UpdateError extends DecodeErrorBase {
  kind: 'update';
  /** The attribute type code the error is about, when there is one. */
  attrType?: number;
  /** The AFI/SAFI to disable when `action` is 'afisafi-disable'. */
  afi?: number;
  safi?: number;
  /**
   * Set when RFC 7606 5.2 raised this error to 'session-reset': the action the error alone calls for
   * (the UPDATE carried no reachable NLRI that it could have been applied to).
   */
  escalatedFrom?: ErrorAction;
}

/** RFC 7313 ROUTE-REFRESH Message Error. */
export interface RouteRefreshError extends DecodeErrorBase {
  kind: 'route-refresh';
}

export type DecodeError = HeaderError | OpenError | UpdateError | RouteRefreshError;

// ===== Constructors =====

export function headerError(
  code: BgpErrorCode,
  subcode: number,
  reason: string,
  data: Uint8Array = EMPTY,
): HeaderError {
  return { kind: 'header', code, action: 'session-reset', subcode, data, reason };
}

export function openError(
  code: BgpErrorCode,
  subcode: number,
  reason: string,
  data: Uint8Array = EMPTY,
): OpenError {
  return { kind: 'open', code, action: 'session-reset', subcode, data, reason };
}

export function updateError(
  code: BgpErrorCode,
  action: ErrorAction,
  subcode: number,
  reason: string,
  extra?: { attrType?: number; afi?: number; safi?: number; data?: Uint8Array },
): UpdateError {
  const e: UpdateError = { kind: 'update', code, action, subcode, data: extra?.data ?? EMPTY, reason };
  if (extra?.attrType !== undefined) e.attrType = extra.attrType;
  if (extra?.afi !== undefined) e.afi = extra.afi;
  if (extra?.safi !== undefined) e.safi = extra.safi;
  return e;
}

export function routeRefreshError(reason: string, data: Uint8Array): RouteRefreshError {
  return {
    kind: 'route-refresh',
    code: 'ERR_BGP_ROUTE_REFRESH_LENGTH',
    action: 'session-reset',
    subcode: 1,
    data,
    reason,
  };
}

// ===== NOTIFICATION mapping =====

export interface NotificationFields {
  code: number;
  subcode: number;
  data: Uint8Array;
}

const KIND_TO_CODE: Readonly<Record<DecodeError['kind'], number>> = {
  header: ErrorCode.MessageHeader,
  open: ErrorCode.OpenMessage,
  update: ErrorCode.UpdateMessage,
  'route-refresh': ErrorCode.RouteRefreshMessage,
};

/** The NOTIFICATION (code, subcode, data) to send for an error whose action is 'session-reset'. */
export function toNotification(e: DecodeError): NotificationFields {
  return { code: KIND_TO_CODE[e.kind], subcode: e.subcode, data: e.data };
}
