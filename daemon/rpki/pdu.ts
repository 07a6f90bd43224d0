// The RPKI-to-Router protocol's PDUs (RFC 8210, version 1; RFC 6810, version 0): a pure codec. Bytes in,
// a typed PDU or a coded decode error out (never a throw), and a typed PDU to bytes. No sockets, timers or
// daemon state: the session (session.ts) decides what a PDU means; the framer (framer.ts) cuts a TCP
// stream into PDUs. Every PDU starts with the same 8-octet header (RFC 8210 5.1):
//
//   0          8          16         24        31
//   .-------------------------------------------.
//   | Protocol |   PDU    |                     |
//   | Version  |   Type   |    Session ID       |   (or zero, flags, or the error code)
//   +-------------------------------------------+
//   |                  Length                   |   (the whole PDU, header included)
//   `-------------------------------------------'

/** PDU type numbers (RFC 8210 5.2-5.11; type 5 is unassigned). */
export const PduType = {
  serialNotify: 0,
  serialQuery: 1,
  resetQuery: 2,
  cacheResponse: 3,
  ipv4Prefix: 4,
  ipv6Prefix: 6,
  endOfData: 7,
  cacheReset: 8,
  routerKey: 9,
  errorReport: 10,
} as const;

/** Error Report codes (RFC 8210 12); all are fatal to the session but No Data Available. */
export const RtrErrorCode = {
  corruptData: 0,
  internalError: 1,
  noDataAvailable: 2,
  invalidRequest: 3,
  unsupportedProtocolVersion: 4,
  unsupportedPduType: 5,
  withdrawalOfUnknownRecord: 6,
  duplicateAnnouncement: 7,
  unexpectedProtocolVersion: 8,
} as const;
export type RtrErrorCode = (typeof RtrErrorCode)[keyof typeof RtrErrorCode];

/** The protocol versions this client speaks: 1 (RFC 8210) and 0 (RFC 6810). */
export type RtrVersion = 0 | 1;

export const HEADER_LENGTH = 8;
/** The longest PDU accepted: Router Key and Error Report PDUs are the only ones of variable length. */
export const MAX_PDU_LENGTH = 65536;

/** RFC 8210 6: the timing parameters an End of Data PDU carries (version 1), in seconds. */
export interface RtrTimers {
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
}

/** A Validated ROA Payload: an address prefix, the longest length it may be announced with, an AS. */
export interface Vrp {
  readonly ipv6: boolean;
  /** 4 or 16 octets, bits past `length` zero. */
  readonly prefix: Uint8Array;
  readonly length: number;
  readonly maxLength: number;
  readonly asn: number;
}

export type Pdu =
  | {
      readonly type: 'serial-notify';
      readonly version: number;
      readonly sessionId: number;
      readonly serial: number;
    }
  | {
      readonly type: 'serial-query';
      readonly version: number;
      readonly sessionId: number;
      readonly serial: number;
    }
  | { readonly type: 'reset-query'; readonly version: number }
  | { readonly type: 'cache-response'; readonly version: number; readonly sessionId: number }
  | { readonly type: 'prefix'; readonly version: number; readonly announce: boolean; readonly vrp: Vrp }
  | {
      readonly type: 'end-of-data';
      readonly version: number;
      readonly sessionId: number;
      readonly serial: number;
      /** Version 1 only. */
      readonly timers: RtrTimers | undefined;
    }
  | { readonly type: 'cache-reset'; readonly version: number }
  | {
      readonly type: 'router-key';
      readonly version: number;
      readonly announce: boolean;
      readonly ski: Uint8Array;
      readonly asn: number;
      readonly spki: Uint8Array;
    }
  | {
      readonly type: 'error-report';
      readonly version: number;
      readonly code: number;
      /** The erroneous PDU it reports, as sent (may be empty). */
      readonly pdu: Uint8Array;
      readonly text: string;
    };

/** Why a PDU could not be decoded: the Error Report code to answer with, and a message for the log. */
export interface PduError {
  readonly code: RtrErrorCode;
  readonly message: string;
}

export type DecodeResult =
  { readonly ok: true; readonly pdu: Pdu } | { readonly ok: false; readonly error: PduError };

const fail = (code: RtrErrorCode, message: string): DecodeResult => ({ ok: false, error: { code, message } });
const corrupt = (message: string): DecodeResult => fail(RtrErrorCode.corruptData, message);

/** The Length field of the PDU header at `bytes[0..8)`. */
export function pduLength(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, HEADER_LENGTH).getUint32(4);
}

/**
 * Decode one whole PDU (`bytes` is exactly its Length octets; framer.ts cuts them). Versions 0 and 1;
 * another version is Unsupported Protocol Version, a type this version does not define Unsupported PDU
 * Type, a wrong length or field Corrupt Data.
 */
export function decodePdu(bytes: Uint8Array): DecodeResult {
  if (bytes.length < HEADER_LENGTH)
    return corrupt(`PDU of ${bytes.length} octets is shorter than its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = bytes[0]!;
  const type = bytes[1]!;
  const field = view.getUint16(2);
  const length = view.getUint32(4);
  if (length !== bytes.length) return corrupt(`Length ${length} but ${bytes.length} octets`);
  if (version > 1) return fail(RtrErrorCode.unsupportedProtocolVersion, `protocol version ${version}`);
  const exact = (n: number): boolean => length === n;
  switch (type) {
    case PduType.serialNotify:
    case PduType.serialQuery:
      if (!exact(12)) return corrupt(`Serial ${type === 0 ? 'Notify' : 'Query'} of length ${length}, not 12`);
      return {
        ok: true,
        pdu: {
          type: type === 0 ? 'serial-notify' : 'serial-query',
          version,
          sessionId: field,
          serial: view.getUint32(8),
        },
      };
    case PduType.resetQuery:
    case PduType.cacheReset:
      if (!exact(8)) return corrupt(`PDU type ${type} of length ${length}, not 8`);
      return { ok: true, pdu: { type: type === 2 ? 'reset-query' : 'cache-reset', version } };
    case PduType.cacheResponse:
      if (!exact(8)) return corrupt(`Cache Response of length ${length}, not 8`);
      return { ok: true, pdu: { type: 'cache-response', version, sessionId: field } };
    case PduType.ipv4Prefix:
    case PduType.ipv6Prefix:
      return decodePrefix(bytes, view, version, type === PduType.ipv6Prefix);
    case PduType.endOfData:
      return decodeEndOfData(view, version, field, length);
    case PduType.routerKey:
      // RFC 8210 5.10: version 1 only ("not used in version 0").
      if (version === 0) return fail(RtrErrorCode.unsupportedPduType, 'Router Key PDU in version 0');
      return decodeRouterKey(bytes, view, version);
    case PduType.errorReport:
      return decodeErrorReport(bytes, view, version, field);
    default:
      return fail(RtrErrorCode.unsupportedPduType, `PDU type ${type}`);
  }
}

//   | version  | type 4/6 |        zero         |
//   |               Length = 20 / 32              |
//   |  Flags   |  Prefix  |   Max    |   zero   |
//   |          |  Length  |  Length  |          |
//   |        IPv4 (4) / IPv6 (16) prefix          |
//   |         Autonomous System Number            |
function decodePrefix(bytes: Uint8Array, view: DataView, version: number, ipv6: boolean): DecodeResult {
  const size = ipv6 ? 16 : 4;
  if (bytes.length !== 16 + size)
    return corrupt(`IPv${ipv6 ? 6 : 4} Prefix of length ${bytes.length}, not ${16 + size}`);
  const flags = bytes[8]!;
  const length = bytes[9]!;
  const maxLength = bytes[10]!;
  const bits = size * 8;
  // RFC 8210 5.6: "the Max Length MUST NOT be less than the Prefix Length", both at most 32 / 128.
  if (length > bits || maxLength > bits || maxLength < length)
    return corrupt(`prefix length ${length}, max length ${maxLength} for IPv${ipv6 ? 6 : 4}`);
  const prefix = clearHostBits(bytes.slice(12, 12 + size), length);
  const vrp: Vrp = { ipv6, prefix, length, maxLength, asn: view.getUint32(12 + size) };
  // Flags: bit 0 set is an announcement, clear a withdrawal; the other bits are reserved.
  return { ok: true, pdu: { type: 'prefix', version, announce: (flags & 1) === 1, vrp } };
}

//   | version  |    7     |     Session ID      |
//   |          Length = 24 (v1) / 12 (v0)         |
//   |               Serial Number                 |
//   | Refresh Interval | Retry Interval | Expire Interval   (v1 only, 4 octets each)
function decodeEndOfData(view: DataView, version: number, sessionId: number, length: number): DecodeResult {
  const want = version === 0 ? 12 : 24;
  if (length !== want) return corrupt(`End of Data of length ${length}, not ${want} in version ${version}`);
  const serial = view.getUint32(8);
  const timers =
    version === 0
      ? undefined
      : { refresh: view.getUint32(12), retry: view.getUint32(16), expire: view.getUint32(20) };
  return { ok: true, pdu: { type: 'end-of-data', version, sessionId, serial, timers } };
}

//   | version  |    9     |  Flags   |   zero   |
//   |                   Length                    |
//   |      Subject Key Identifier (20 octets)     |
//   |             AS Number (4 octets)            |
//   |      Subject Public Key Info (the rest)     |
function decodeRouterKey(bytes: Uint8Array, view: DataView, version: number): DecodeResult {
  if (bytes.length < 32) return corrupt(`Router Key of length ${bytes.length}, under 32`);
  return {
    ok: true,
    pdu: {
      type: 'router-key',
      version,
      announce: (bytes[2]! & 1) === 1,
      ski: bytes.slice(8, 28),
      asn: view.getUint32(28),
      spki: bytes.slice(32),
    },
  };
}

//   | version  |    10    |     Error Code      |
//   |                   Length                    |
//   |       Length of Encapsulated PDU            |
//   |       Copy of Erroneous PDU (that long)     |
//   |       Length of Error Text                  |
//   |       Arbitrary Text of Error Diagnostic    |
function decodeErrorReport(bytes: Uint8Array, view: DataView, version: number, code: number): DecodeResult {
  if (bytes.length < 16) return corrupt(`Error Report of length ${bytes.length}, under 16`);
  const pduLen = view.getUint32(8);
  if (pduLen > bytes.length - 16)
    return corrupt(`Error Report encapsulates ${pduLen} octets, beyond its length`);
  const textAt = 12 + pduLen;
  const textLen = view.getUint32(textAt);
  if (textAt + 4 + textLen !== bytes.length)
    return corrupt(`Error Report text of ${textLen} octets does not end the PDU`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(textAt + 4));
  return { ok: true, pdu: { type: 'error-report', version, code, pdu: bytes.slice(12, textAt), text } };
}

// ===== encoding =====

/** The wire form of a PDU (a router sends queries and Error Reports; the rest serve tests). */
export function encodePdu(pdu: Pdu): Uint8Array {
  switch (pdu.type) {
    case 'serial-notify':
    case 'serial-query': {
      const out = header(pdu.version, pdu.type === 'serial-notify' ? 0 : 1, pdu.sessionId, 12);
      view(out).setUint32(8, pdu.serial);
      return out;
    }
    case 'reset-query':
      return header(pdu.version, PduType.resetQuery, 0, 8);
    case 'cache-reset':
      return header(pdu.version, PduType.cacheReset, 0, 8);
    case 'cache-response':
      return header(pdu.version, PduType.cacheResponse, pdu.sessionId, 8);
    case 'prefix': {
      const v = pdu.vrp;
      const size = v.ipv6 ? 16 : 4;
      const out = header(pdu.version, v.ipv6 ? PduType.ipv6Prefix : PduType.ipv4Prefix, 0, 16 + size);
      out.set([pdu.announce ? 1 : 0, v.length, v.maxLength, 0], 8);
      out.set(v.prefix.subarray(0, size), 12);
      view(out).setUint32(12 + size, v.asn);
      return out;
    }
    case 'end-of-data': {
      const out = header(pdu.version, PduType.endOfData, pdu.sessionId, pdu.timers ? 24 : 12);
      const w = view(out);
      w.setUint32(8, pdu.serial);
      if (pdu.timers) {
        w.setUint32(12, pdu.timers.refresh);
        w.setUint32(16, pdu.timers.retry);
        w.setUint32(20, pdu.timers.expire);
      }
      return out;
    }
    case 'router-key': {
      const out = header(pdu.version, PduType.routerKey, pdu.announce ? 0x100 : 0, 32 + pdu.spki.length);
      out.set(pdu.ski.subarray(0, 20), 8);
      view(out).setUint32(28, pdu.asn);
      out.set(pdu.spki, 32);
      return out;
    }
    case 'error-report': {
      const text = new TextEncoder().encode(pdu.text);
      const out = header(pdu.version, PduType.errorReport, pdu.code, 16 + pdu.pdu.length + text.length);
      const w = view(out);
      w.setUint32(8, pdu.pdu.length);
      out.set(pdu.pdu, 12);
      w.setUint32(12 + pdu.pdu.length, text.length);
      out.set(text, 16 + pdu.pdu.length);
      return out;
    }
  }
}

function header(version: number, type: number, field: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out[0] = version;
  out[1] = type;
  const w = view(out);
  w.setUint16(2, field);
  w.setUint32(4, length);
  return out;
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** `prefix` with every bit past `length` cleared (in place), returned. */
export function clearHostBits(prefix: Uint8Array, length: number): Uint8Array {
  for (let i = 0; i < prefix.length; i++) {
    const bits = length - i * 8;
    if (bits >= 8) continue;
    prefix[i]! &= bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff;
  }
  return prefix;
}

/** "192.0.2.0/24-24 AS64496": a VRP for logs and tests. */
export function formatVrp(v: Vrp): string {
  const text = v.ipv6
    ? Array.from({ length: 8 }, (_, i) => ((v.prefix[2 * i]! << 8) | v.prefix[2 * i + 1]!).toString(16)).join(
        ':',
      )
    : Array.from(v.prefix).join('.');
  return `${text}/${v.length}-${v.maxLength} AS${v.asn}`;
}
