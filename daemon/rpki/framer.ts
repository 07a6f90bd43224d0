// Cuts the TCP byte stream from an RPKI cache into PDUs (RFC 8210 5.1: every PDU carries its Length).
// Chunks are merged, each whole PDU is decoded (pdu.ts) and handed on; a partial one waits for more. A
// Length under the header or over MAX_PDU_LENGTH cannot be framed past: the framer reports Corrupt Data
// and stops (the session is dropped). Pure: no sockets.
import {
  decodePdu,
  HEADER_LENGTH,
  MAX_PDU_LENGTH,
  pduLength,
  RtrErrorCode,
  type DecodeResult,
} from './pdu.js';

/** One framed PDU: its decode result and its octets (an Error Report encapsulates them). */
export interface Framed {
  readonly result: DecodeResult;
  readonly bytes: Uint8Array;
}

export class RtrFramer {
  private buffer: Uint8Array = new Uint8Array(0);
  private broken = false;

  /** Add a chunk; returns every PDU it completes, in order (nothing once the stream is broken). */
  push(chunk: Uint8Array): Framed[] {
    if (this.broken) return [];
    this.buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    const out: Framed[] = [];
    let at = 0;
    while (this.buffer.length - at >= HEADER_LENGTH) {
      const length = pduLength(this.buffer.subarray(at));
      if (length < HEADER_LENGTH || length > MAX_PDU_LENGTH) {
        this.broken = true;
        const bytes = this.buffer.slice(at, at + HEADER_LENGTH);
        const message = `PDU Length ${length} outside ${HEADER_LENGTH}..${MAX_PDU_LENGTH}`;
        out.push({ result: { ok: false, error: { code: RtrErrorCode.corruptData, message } }, bytes });
        this.buffer = new Uint8Array(0);
        return out;
      }
      if (this.buffer.length - at < length) break;
      const bytes = this.buffer.subarray(at, at + length);
      out.push({ result: decodePdu(bytes), bytes });
      at += length;
    }
    this.buffer = at === this.buffer.length ? new Uint8Array(0) : this.buffer.slice(at);
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
