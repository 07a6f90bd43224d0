// MRT record framing (RFC 6396 §2-3): cuts a byte stream, arriving in chunks of any size, into records.
// No I/O and no decoding of bodies: push() chunks in, get one callback per complete record, with the body
// as a range of a Buffer (no copy when the record lies inside one chunk). end() says whether the input
// stopped inside a record.
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                           Timestamp                           |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |             Type              |            Subtype            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                             Length                            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                      Message... (variable)
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import {
  isBgp4mpAs4Subtype,
  isBgp4mpMessageSubtype,
  MRT_BGP4MP_ET,
  MRT_ET_EXTRA_LENGTH,
  MRT_HEADER_LENGTH,
  MRT_MAX_RECORD_LENGTH,
} from './constants.js';
import type { MrtWarning } from './errors.js';

/** The common header of one record. The framer reuses one object: copy fields you keep past the callback. */
export interface MrtHeader {
  /** Seconds since the Unix epoch. */
  timestamp: number;
  /** BGP4MP_ET Microsecond Timestamp (RFC 6396 §3); 0 for other types. */
  microseconds: number;
  type: number;
  subtype: number;
  /** Body length in octets, without the ET microseconds field. */
  length: number;
}

/** Called once per complete record; the body is `data[start, end)`, valid only during the call. */
export type MrtRecordHandler = (header: MrtHeader, data: Buffer, start: number, end: number) => void;

export class MrtFramer {
  private readonly header: MrtHeader = { timestamp: 0, microseconds: 0, type: 0, subtype: 0, length: 0 };
  /** Bytes of an incomplete record carried over from earlier chunks. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Total size (header + body) of the pending record once its header is known, else 0. */
  private pendingNeed = 0;
  private stopped: MrtWarning | undefined;
  /** Complete records delivered so far. */
  records = 0;

  constructor(private readonly onRecord: MrtRecordHandler) {}

  /** Feed the next chunk of the stream. Returns false once framing stopped (a record too large to hold). */
  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    let data = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingNeed === 0 && this.pendingBytes >= MRT_HEADER_LENGTH) {
        const head = Buffer.concat(this.pending, this.pendingBytes);
        this.pending = [head];
        this.pendingNeed = this.recordSize(head, 0);
        if (this.pendingNeed < 0) return false;
      }
      // Wait until the carried-over record is complete, then parse it and the rest of this chunk in one buffer.
      if (this.pendingNeed === 0 || this.pendingBytes < this.pendingNeed) return true;
      data = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.pendingNeed = 0;
    }
    const len = data.length;
    let off = 0;
    while (len - off >= MRT_HEADER_LENGTH) {
      const size = this.recordSize(data, off);
      if (size < 0) return false;
      if (size === 0 || len - off < size) break;
      this.deliver(data, off, size);
      off += size;
    }
    if (off < len) {
      const rest = data.subarray(off);
      this.pending.push(rest);
      this.pendingBytes = rest.length;
      this.pendingNeed = rest.length >= MRT_HEADER_LENGTH ? this.recordSize(rest, 0) : 0;
      if (this.pendingNeed < 0) return false;
    }
    return true;
  }

  /** The input is over: a warning if it stopped inside a record or framing was stopped, else undefined. */
  end(): MrtWarning | undefined {
    if (this.stopped) return this.stopped;
    if (this.pendingBytes === 0) return undefined;
    const need = this.pendingNeed > 0 ? `${this.pendingNeed} octets` : `a ${MRT_HEADER_LENGTH}-octet header`;
    return {
      code: 'ERR_MRT_TRUNCATED_RECORD',
      message: `input ends inside record ${this.records + 1}: ${this.pendingBytes} octets of ${need}`,
      records: this.records,
    };
  }

  /** Header + body size of the record at `off`; 0 when more octets of the body are needed to tell; -1 (and
   *  framing stops) when it is unacceptably large. */
  private recordSize(data: Buffer, off: number): number {
    const type = data.readUInt16BE(off + 4);
    const length = data.readUInt32BE(off + 8);
    // RFC 6396 §3: "The Microsecond Timestamp is included in the computation of the Length field value."
    // An ET record shorter than that field is framed as is and rejected by the decoder.
    if (length > MRT_MAX_RECORD_LENGTH) {
      this.stopped = {
        code: 'ERR_MRT_RECORD_TOO_LARGE',
        message: `record ${this.records + 1} announces ${length} octets (type ${type}), more than ${MRT_MAX_RECORD_LENGTH}: input is corrupt`,
        records: this.records,
      };
      return -1;
    }
    if (type === MRT_BGP4MP_ET) {
      const extra = legacyEtExtra(data, off, length);
      if (extra === undefined) return 0; // the body's first octets decide: wait for them
      return MRT_HEADER_LENGTH + length + extra;
    }
    return MRT_HEADER_LENGTH + length;
  }

  private deliver(data: Buffer, off: number, size: number): void {
    const h = this.header;
    h.timestamp = data.readUInt32BE(off);
    h.type = data.readUInt16BE(off + 4);
    h.subtype = data.readUInt16BE(off + 6);
    let start = off + MRT_HEADER_LENGTH;
    const end = off + size;
    if (h.type === MRT_BGP4MP_ET && end - start >= MRT_ET_EXTRA_LENGTH) {
      h.microseconds = data.readUInt32BE(start);
      start += MRT_ET_EXTRA_LENGTH;
    } else {
      h.microseconds = 0;
    }
    h.length = end - start;
    this.records++;
    this.onRecord(h, data, start, end);
  }
}

// ===== early BGP4MP_ET writers =====

/**
 * RFC 6396 §3: "The Microsecond Timestamp is included in the computation of the Length field value."
 * Early writers (bgpdump's own et-header sample among them) left it out, so their records end 4 octets
 * after their Length says. For a BGP4MP_ET MESSAGE record the BGP message's own length tells which form
 * it is: 4 when the message ends exactly 4 octets past the Length, else 0; undefined while the octets
 * needed to tell are not in `data` yet. Anything else (state changes, short or odd records) counts as
 * conforming and is left to the decoder.
 */
function legacyEtExtra(data: Buffer, off: number, length: number): number | undefined {
  const subtype = data.readUInt16BE(off + 6);
  if (!isBgp4mpMessageSubtype(subtype)) return 0;
  // Peer AS and local AS (2 or 4 octets each), interface index, AFI; the two IP addresses follow.
  const prefix = isBgp4mpAs4Subtype(subtype) ? 12 : 8;
  const body = off + MRT_HEADER_LENGTH + MRT_ET_EXTRA_LENGTH;
  if (length < MRT_ET_EXTRA_LENGTH + prefix) return 0;
  if (data.length < body + prefix) return undefined;
  const afi = data.readUInt16BE(body + prefix - 2);
  const bgp = body + prefix + (afi === 2 ? 32 : 8);
  const bgpEnd = off + MRT_HEADER_LENGTH + length; // where a conforming record ends
  if (bgp + 18 > bgpEnd + MRT_ET_EXTRA_LENGTH) return 0;
  if (data.length < bgp + 18) return undefined;
  const bgpLength = data.readUInt16BE(bgp + 16);
  return bgp + bgpLength === bgpEnd + MRT_ET_EXTRA_LENGTH ? MRT_ET_EXTRA_LENGTH : 0;
}
