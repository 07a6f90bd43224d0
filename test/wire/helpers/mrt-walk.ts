// Minimal MRT (RFC 6396) walk for the codec tests: decompress a .gz/.bz2 file and yield the BGP messages of
// its BGP4MP / BGP4MP_ET MESSAGE* records with the decode context the record type implies. Not the MRT
// reader (that is daemon/mrt/); just enough to feed real messages to the wire codec.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { familyKey, type DecodeContext } from '../../../daemon/wire/index.js';

export interface MrtBgpMessage {
  /** Index of the MRT record in the file. */
  record: number;
  subtype: number;
  ctx: DecodeContext;
  /** The BGP message, header included. */
  message: Uint8Array;
}

const BGP4MP = 16;
const BGP4MP_ET = 17;
/** BGP4MP subtypes that carry a BGP message, and whether their AS fields are 4 octets. */
const MESSAGE_SUBTYPES: Readonly<Record<number, { as4: boolean; addPath: boolean }>> = {
  1: { as4: false, addPath: false }, // BGP4MP_MESSAGE
  4: { as4: true, addPath: false }, // BGP4MP_MESSAGE_AS4
  6: { as4: false, addPath: false }, // BGP4MP_MESSAGE_LOCAL
  7: { as4: true, addPath: false }, // BGP4MP_MESSAGE_AS4_LOCAL
  8: { as4: false, addPath: true }, // BGP4MP_MESSAGE_ADDPATH (RFC 8050)
  9: { as4: true, addPath: true },
  10: { as4: false, addPath: true },
  11: { as4: true, addPath: true },
};

const ALL_UNICAST = new Set([familyKey(1, 1), familyKey(2, 1), familyKey(1, 2), familyKey(2, 2)]);

export function readCompressed(path: string): Uint8Array {
  if (path.endsWith('.bz2')) {
    // Truncated bz2 streams (cut files) still yield what was decoded before the cut.
    try {
      return new Uint8Array(execFileSync('bzip2', ['-dc', path], { maxBuffer: 1 << 30 }));
    } catch (e) {
      const out = (e as { stdout?: Buffer }).stdout;
      if (out && out.length > 0) return new Uint8Array(out);
      throw e;
    }
  }
  if (path.endsWith('.gz')) return new Uint8Array(gunzipSync(readFileSync(path)));
  return new Uint8Array(readFileSync(path));
}

/** Every BGP message of the BGP4MP MESSAGE* records of `data` (a decompressed MRT stream). */
export function* bgpMessages(data: Uint8Array): Generator<MrtBgpMessage> {
  let pos = 0;
  let record = 0;
  while (pos + 12 <= data.length) {
    const type = (data[pos + 4]! << 8) | data[pos + 5]!;
    const subtype = (data[pos + 6]! << 8) | data[pos + 7]!;
    const length =
      ((data[pos + 8]! << 24) | (data[pos + 9]! << 16) | (data[pos + 10]! << 8) | data[pos + 11]!) >>> 0;
    const start = pos + 12;
    let end = start + length;
    if (end > data.length) break; // truncated last record
    pos = end;
    record++;
    if (type !== BGP4MP && type !== BGP4MP_ET) continue;
    const kind = MESSAGE_SUBTYPES[subtype];
    if (kind === undefined) continue;
    let p = start + (type === BGP4MP_ET ? 4 : 0);
    p += kind.as4 ? 8 : 4; // peer AS, local AS
    p += 2; // interface index
    const afi = (data[p]! << 8) | data[p + 1]!;
    p += 2;
    p += afi === 2 ? 32 : 8; // peer IP, local IP
    if (p + 19 > end) continue;
    // RFC 6396 3: the Length of a BGP4MP_ET record includes the microsecond field. Early writers (bgpdump's
    // et-header sample) left it out; such a record ends 4 octets after its Length says.
    const bgpLength = (data[p + 16]! << 8) | data[p + 17]!;
    if (type === BGP4MP_ET && bgpLength === end - p + 4 && end + 4 <= data.length) {
      end += 4;
      pos = end;
    }
    const ctx: DecodeContext = kind.addPath ? { asn4: kind.as4, addPath: ALL_UNICAST } : { asn4: kind.as4 };
    yield { record, subtype, ctx, message: data.subarray(p, end) };
  }
}
