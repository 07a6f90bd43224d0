// Message header checks (RFC 4271 4.1 / 6.1, RFC 8654) and `MessageFramer`, which cuts a TCP byte stream
// into whole messages whatever the chunk boundaries. No I/O: the session's transport pushes chunks in.
//
// RFC 4271 4.1:
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                                                               |
//   +                                                               +
//   |                           Marker                              |
//   +                                                               +
//   |                                                               |
//   +                                                               +
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          Length               |      Type     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { headerError, type HeaderError } from './errors.js';
import {
  HEADER_LENGTH,
  HeaderSubcode,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
} from './iana.js';

export interface MessageHeader {
  /** Whole message length, header included. */
  length: number;
  type: number;
}

/** Minimum whole-message length per type (RFC 4271 4.2-4.5, RFC 2918 3). */
const MIN_LENGTH: readonly number[] = [0, 29, 23, 21, 19, 23];

function lengthData(buf: Uint8Array, off: number): Uint8Array {
  return buf.slice(off + 16, off + 18);
}

/**
 * Check the 19-octet header at buf[off..off+19) (caller ensures 19 octets are there).
 * `extendedMessage`: RFC 8654 negotiated, so UPDATE/NOTIFICATION/ROUTE-REFRESH may reach 65535 octets.
 * `unknownTypes`: a type other than 1..5 is not an error here (its length is checked as for an UPDATE);
 * the receiver decides (a plugin may handle it, daemon/session/connection.ts).
 */
export function checkHeader(
  buf: Uint8Array,
  off: number,
  extendedMessage = false,
  unknownTypes = false,
): MessageHeader | HeaderError {
  return (
    headerProblem(buf, off, extendedMessage, unknownTypes) ?? {
      length: headerLength(buf, off),
      type: buf[off + 18]!,
    }
  );
}

/**
 * checkHeader without a header object: the error, or undefined when the header is good (its length is
 * then `headerLength(buf, off)`, its type buf[off + 18]). For the per-message paths (framer, decoder).
 */
export function headerProblem(
  buf: Uint8Array,
  off: number,
  extendedMessage = false,
  unknownTypes = false,
): HeaderError | undefined {
  // RFC 4271 6.1: "If at least one of the following is true: - if the Marker field of the message header is
  // not as expected ... then the Error Subcode MUST be set to Connection Not Synchronized."
  for (let i = 0; i < 16; i++) {
    if (buf[off + i] !== 0xff)
      return headerError(
        'ERR_BGP_HEADER_MARKER',
        HeaderSubcode.ConnectionNotSynchronized,
        'marker is not all ones',
      );
  }
  const length = headerLength(buf, off);
  const type = buf[off + 18]!;
  // RFC 4271 6.1: "if the message Length field is less than 19 or greater than 4096, or ... then the Error
  // Subcode MUST be set to Bad Message Length. The Data field MUST contain the erroneous Length field."
  // RFC 8654 (paraphrased): once the Extended Message capability is exchanged, messages other than OPEN and
  // KEEPALIVE may be up to 65535 octets; OPEN and KEEPALIVE keep the 4096-octet limit.
  const max =
    extendedMessage && type !== MessageType.Open && type !== MessageType.Keepalive
      ? MAX_EXTENDED_MESSAGE_LENGTH
      : MAX_MESSAGE_LENGTH;
  if (length < HEADER_LENGTH || length > max) {
    return headerError(
      'ERR_BGP_HEADER_LENGTH',
      HeaderSubcode.BadMessageLength,
      `length ${length}`,
      lengthData(buf, off),
    );
  }
  // RFC 4271 6.1: "If the Type field of the message header is not recognized, then the Error Subcode MUST
  // be set to Bad Message Type. The Data field MUST contain the erroneous Type field."
  const known = type >= MessageType.Open && type <= MessageType.RouteRefresh;
  if (!known && unknownTypes) return undefined;
  if (!known) {
    return headerError(
      'ERR_BGP_HEADER_TYPE',
      HeaderSubcode.BadMessageType,
      `type ${type}`,
      Uint8Array.of(type),
    );
  }
  // RFC 4271 6.1: "- if the Length field of an OPEN message is less than the minimum length of the OPEN
  // message, or - if the Length field of an UPDATE message is less than the minimum length of the UPDATE
  // message, or - if the Length field of a KEEPALIVE message is not equal to 19, or - if the Length field
  // of a NOTIFICATION message is less than the minimum length of the NOTIFICATION message, then the Error
  // Subcode MUST be set to Bad Message Length."
  if (length < MIN_LENGTH[type]! || (type === MessageType.Keepalive && length !== HEADER_LENGTH)) {
    return headerError(
      'ERR_BGP_HEADER_LENGTH',
      HeaderSubcode.BadMessageLength,
      `length ${length} for type ${type}`,
      lengthData(buf, off),
    );
  }
  return undefined;
}

/** The Length field of the header at buf[off]. */
export function headerLength(buf: Uint8Array, off: number): number {
  return (buf[off + 16]! << 8) | buf[off + 17]!;
}

export function isHeaderError(h: MessageHeader | HeaderError): h is HeaderError {
  return (h as HeaderError).kind === 'header';
}

/** Write a header for a message of `length` octets (header included) at buf[off..]. */
export function writeHeader(buf: Uint8Array, off: number, length: number, type: number): void {
  buf.fill(0xff, off, off + 16);
  buf[off + 16] = length >>> 8;
  buf[off + 17] = length & 255;
  buf[off + 18] = type;
}

// ===== Framing =====

/**
 * Cuts a byte stream into whole messages (header included). Push chunks as they arrive, then pull with
 * `next()` until it returns undefined. A header error is sticky: the stream cannot be resynchronised, the
 * session must send the NOTIFICATION and close. Returned messages are subarrays of the pushed chunks (or of
 * an internal copy when a message spans chunks); they stay valid, the framer never writes into them.
 */
export class MessageFramer {
  /** Bytes [start, end) of `buf` are received but not yet returned. */
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Whether `buf` is our own copy (appendable); otherwise it is the caller's chunk. */
  private owned = false;
  private error: HeaderError | undefined;

  private unknownTypes = false;

  constructor(private extendedMessage = false) {}

  /** RFC 8654: call once the Extended Message capability is negotiated. */
  setExtendedMessage(on: boolean): void {
    this.extendedMessage = on;
  }

  /** Return messages of types other than 1..5 instead of a Bad Message Type error (checkHeader). */
  setUnknownTypes(on: boolean): void {
    this.unknownTypes = on;
  }

  /** Octets received but not yet returned as a message. */
  get pending(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const rest = this.end - this.start;
    // 1. Nothing pending: use the chunk itself (no copy). A Node Buffer is viewed as a plain Uint8Array,
    // so the many subarrays the decoder takes of a message are built-in views, not Buffer objects.
    if (rest === 0) {
      this.buf =
        Object.getPrototypeOf(chunk) === Uint8Array.prototype
          ? chunk
          : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    // 2. Room after the pending bytes of our own buffer: append. Bytes before `start` (messages already
    // returned) are never written, so returned subarrays stay valid.
    if (this.owned && this.end + chunk.length <= this.buf.length) {
      this.buf.set(chunk, this.end);
      this.end += chunk.length;
      return;
    }
    // 3. Otherwise copy the pending bytes and the chunk into a new buffer with room to grow, so a large
    // message arriving in small chunks costs linear, not quadratic, copying.
    const need = rest + chunk.length;
    const next = new Uint8Array(Math.max(need * 2, 4096));
    next.set(this.buf.subarray(this.start, this.end));
    next.set(chunk, rest);
    this.buf = next;
    this.start = 0;
    this.end = need;
    this.owned = true;
  }

  /** The next whole message, a header error (then always the same one), or undefined when more bytes are needed. */
  next(): Uint8Array | HeaderError | undefined {
    if (this.error) return this.error;
    const avail = this.end - this.start;
    if (avail < HEADER_LENGTH) return undefined;
    const problem = headerProblem(this.buf, this.start, this.extendedMessage, this.unknownTypes);
    if (problem !== undefined) {
      this.error = problem;
      return problem;
    }
    const length = headerLength(this.buf, this.start);
    if (avail < length) return undefined;
    const msg = this.buf.subarray(this.start, this.start + length);
    this.start += length;
    return msg;
  }

  /** Push a chunk and call `onMessage` for every whole message; returns the header error, if any. */
  feed(chunk: Uint8Array, onMessage: (msg: Uint8Array) => void): HeaderError | undefined {
    this.push(chunk);
    for (;;) {
      const m = this.next();
      if (m === undefined) return undefined;
      if (!(m instanceof Uint8Array)) return m;
      onMessage(m);
    }
  }
}
