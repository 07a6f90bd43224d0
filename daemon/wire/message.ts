// Whole-message codec: header check + per-type body decoder, and the encoder for any message. This is the
// entry point the session uses for every framed message (`MessageFramer` output).
import type { DecodeContext } from './context.js';
import { headerLength, headerProblem, writeHeader } from './header.js';
import { headerError } from './errors.js';
import {
  HEADER_LENGTH,
  HeaderSubcode,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
} from './iana.js';
import { KEEPALIVE, type KeepaliveMessage } from './keepalive.js';
import { decodeNotification, writeNotificationBody, type NotificationMessage } from './notification.js';
import { decodeOpen, writeOpenBody, type OpenMessage } from './open.js';
import { failed, type DecodeResult, decoded } from './result.js';
import { decodeRouteRefresh, writeRouteRefreshBody, type RouteRefreshMessage } from './route-refresh.js';
import { decodeUpdate, updateBodyLength, writeUpdateBodyAt, type UpdateMessage } from './update.js';
import { WireWriter } from './writer.js';

export type Message =
  OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/**
 * Decode one whole message (header included), e.g. from `MessageFramer.next()` or an MRT BGP4MP record.
 * Never throws: errors come back as `{ ok: false, error }` (session reset) or, for UPDATE, as soft
 * `errors` with the strongest `action`.
 */
export function decodeMessage(bytes: Uint8Array, ctx: DecodeContext): DecodeResult<Message> {
  if (bytes.length < HEADER_LENGTH) {
    return failed(
      headerError(
        'ERR_BGP_HEADER_LENGTH',
        HeaderSubcode.BadMessageLength,
        `${bytes.length} octets, less than a header`,
        bytes.slice(16, 18),
      ),
    );
  }
  const problem = headerProblem(bytes, 0, ctx.extendedMessage === true);
  if (problem !== undefined) return failed(problem);
  // The Length field must match the bytes we were given (the framer guarantees it; MRT records may not).
  const length = headerLength(bytes, 0);
  if (length !== bytes.length) {
    return failed(
      headerError(
        'ERR_BGP_HEADER_LENGTH',
        HeaderSubcode.BadMessageLength,
        `length field ${length} but ${bytes.length} octets`,
        bytes.slice(16, 18),
      ),
    );
  }
  // An UPDATE is read in place (no view of its body: one per message of a full table).
  if (bytes[18] === MessageType.Update) return decodeUpdate(bytes, ctx, HEADER_LENGTH);
  const body = bytes.subarray(HEADER_LENGTH);
  switch (bytes[18]) {
    case MessageType.Open:
      return decodeOpen(body);
    case MessageType.Notification:
      return decodeNotification(body);
    case MessageType.Keepalive:
      return decoded(KEEPALIVE);
    default:
      return decodeRouteRefresh(body);
  }
}

/** Encode a message with its header. Throws only on caller bugs (a message too long for the session). */
export function encodeMessage(msg: Message, ctx?: { extendedMessage?: boolean }): Uint8Array {
  if (msg.type === 'update') return encodeUpdateMessage(msg, ctx?.extendedMessage === true);
  const w = new WireWriter(msg.type === 'keepalive' ? HEADER_LENGTH : 256);
  w.bytes(HEADER_PLACEHOLDER);
  let type: number;
  switch (msg.type) {
    case 'open':
      type = MessageType.Open;
      writeOpenBody(w, msg);
      break;
    case 'notification':
      type = MessageType.Notification;
      writeNotificationBody(w, msg);
      break;
    case 'keepalive':
      type = MessageType.Keepalive;
      break;
    case 'route-refresh':
      type = MessageType.RouteRefresh;
      writeRouteRefreshBody(w, msg);
      break;
  }
  const out = w.finish();
  const max =
    ctx?.extendedMessage === true && type !== MessageType.Open && type !== MessageType.Keepalive
      ? MAX_EXTENDED_MESSAGE_LENGTH
      : MAX_MESSAGE_LENGTH;
  if (out.length > max) throw new RangeError(`${msg.type} of ${out.length} octets exceeds ${max}`);
  writeHeader(out, 0, out.length, type);
  return out;
}

const HEADER_PLACEHOLDER = new Uint8Array(HEADER_LENGTH);

/** UPDATE encoding, the hot path: size computed first, one allocation, no copying of a growing buffer. */
function encodeUpdateMessage(msg: UpdateMessage, extendedMessage: boolean): Uint8Array {
  const max = extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
  const wire = msg.wire;
  if (wire !== undefined) {
    if (wire.length > max) throw new RangeError(`update of ${wire.length} octets exceeds ${max}`);
    return wire;
  }
  const length = HEADER_LENGTH + updateBodyLength(msg);
  if (length > max) throw new RangeError(`update of ${length} octets exceeds ${max}`);
  const out = new Uint8Array(length);
  writeHeader(out, 0, length, MessageType.Update);
  writeUpdateBodyAt(out, HEADER_LENGTH, msg);
  return out;
}
