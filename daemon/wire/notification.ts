// NOTIFICATION message (type 3): RFC 4271 4.5, with every code/subcode name (RFC 4271, 4486, 6608, 7313,
// 8538) for logging and the RFC 9003 Shutdown Communication of Cease subcodes 2 and 4.
//
// RFC 4271 4.5:
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Error code    | Error subcode |   Data (variable)             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// RFC 9003 2 (Cease, subcode 2 Administrative Shutdown or 4 Administrative Reset):
//   | Error code 6  |    Subcode    |    Length     | Shutdown Communication (UTF-8, Length octets) ...
import type { NotificationFields } from './errors.js';
import { CeaseSubcode, ErrorCode, errorCodeName, errorSubcodeName } from './iana.js';
import { EMPTY } from './reader.js';
import { decoded, type DecodeResult } from './result.js';
import type { WireWriter } from './writer.js';

export interface NotificationMessage {
  type: 'notification';
  code: number;
  subcode: number;
  data: Uint8Array;
  /** RFC 9003 Shutdown Communication, when the data carries a valid one. */
  shutdownCommunication?: string;
  /** Set when Cease 2/4 data is present but its length or UTF-8 is invalid (RFC 9003 says: log it). */
  shutdownCommunicationInvalid?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** RFC 9003: "the maximum length of the Shutdown Communication ... 255 octets". */
export const MAX_SHUTDOWN_COMMUNICATION = 255;

function carriesShutdownCommunication(code: number, subcode: number): boolean {
  return (
    code === ErrorCode.Cease &&
    (subcode === CeaseSubcode.AdministrativeShutdown || subcode === CeaseSubcode.AdministrativeReset)
  );
}

/** Decode a NOTIFICATION body (the header check guarantees at least 2 octets). Never fails. */
export function decodeNotification(body: Uint8Array): DecodeResult<NotificationMessage> {
  const code = body[0] ?? 0;
  const subcode = body[1] ?? 0;
  const data = body.length > 2 ? body.subarray(2) : EMPTY;
  const msg: NotificationMessage = { type: 'notification', code, subcode, data };
  if (carriesShutdownCommunication(code, subcode) && data.length > 0) {
    // RFC 9003 2: "If a Shutdown Communication with an invalid Length value, or an invalid UTF-8 sequence is
    // received, a message indicating this event SHOULD be logged for the attention of the operator. An
    // erroneous or malformed Shutdown Communication itself MUST NOT be logged verbatim."
    const length = data[0]!;
    if (length + 1 > data.length) {
      msg.shutdownCommunicationInvalid = true;
    } else if (length > 0) {
      try {
        msg.shutdownCommunication = utf8.decode(data.subarray(1, 1 + length));
      } catch {
        msg.shutdownCommunicationInvalid = true;
      }
    }
  }
  return decoded(msg);
}

export function writeNotificationBody(w: WireWriter, msg: NotificationMessage): void {
  w.u8(msg.code).u8(msg.subcode).bytes(msg.data);
}

export function makeNotification(fields: NotificationFields): NotificationMessage {
  return { type: 'notification', code: fields.code, subcode: fields.subcode, data: fields.data };
}

/**
 * Cease with a Shutdown Communication (RFC 9003): subcode 2 (Administrative Shutdown) or 4 (Administrative
 * Reset). The text is cut to 255 octets on a UTF-8 character boundary.
 */
export function makeShutdownNotification(subcode: 2 | 4, text: string): NotificationMessage {
  let bytes = utf8Encoder.encode(text);
  if (bytes.length > MAX_SHUTDOWN_COMMUNICATION) {
    let cut = MAX_SHUTDOWN_COMMUNICATION;
    while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
    bytes = bytes.subarray(0, cut);
  }
  const data = new Uint8Array(1 + bytes.length);
  data[0] = bytes.length;
  data.set(bytes, 1);
  const msg: NotificationMessage = { type: 'notification', code: ErrorCode.Cease, subcode, data };
  if (bytes.length > 0) msg.shutdownCommunication = new TextDecoder().decode(bytes);
  return msg;
}

/** "Cease / Administrative Shutdown" style name for logs. */
export function notificationName(code: number, subcode: number): string {
  return `${errorCodeName(code)} / ${errorSubcodeName(code, subcode)}`;
}
