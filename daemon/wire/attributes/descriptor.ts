// The attribute descriptor shape (BIRD `bgp_attr_table` style): one entry per attribute type code with its
// expected flags, decoder and formatter, plus small helpers shared by the per-attribute files.
import type { DecodeContext } from '../context.js';
import { updateError, type BgpErrorCode, type ErrorAction, type UpdateError } from '../errors.js';
import { UpdateSubcode } from '../iana.js';
import type { PathAttribute } from './types.js';

export type AttributeDecodeResult = PathAttribute | UpdateError;

export interface AttributeDescriptor {
  code: number;
  name: string;
  /** The Optional and Transitive bits this attribute must carry (RFC 4271 section 5). */
  flags: number;
  /** Decode a value. Returns the attribute, or the RFC 7606 error it resolves to. Never throws. */
  decode(raw: Uint8Array, flags: number, ctx: DecodeContext): AttributeDecodeResult;
  /** Short text of the value for logs (allocates). */
  format(attr: PathAttribute): string;
  /**
   * Whether `decode` of the value bytes[start, end) would return the attribute rather than an error,
   * without allocating (cleanSection, the decoder's fast path). Attributes without it always take the
   * full decode.
   */
  valid?(bytes: Uint8Array, start: number, end: number, flags: number, ctx: DecodeContext): boolean;
}

export const WELL_KNOWN = 0x40;
export const OPTIONAL_TRANSITIVE = 0xc0;
export const OPTIONAL_NON_TRANSITIVE = 0x80;

/** An attribute-level error (the caller adds the NOTIFICATION data: the whole attribute). */
export function attrError(
  attrType: number,
  code: BgpErrorCode,
  action: ErrorAction,
  reason: string,
  subcode: number = UpdateSubcode.AttributeLengthError,
): UpdateError {
  return updateError(code, action, subcode, reason, { attrType });
}

export function isAttributeError(r: AttributeDecodeResult): r is UpdateError {
  return (r as UpdateError).kind === 'update';
}

/** Read `count` big-endian u32 words from raw[0..4*count). */
export function readWords(raw: Uint8Array, count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0, p = 0; i < count; i++, p += 4) {
    out[i] = ((raw[p]! << 24) | (raw[p + 1]! << 16) | (raw[p + 2]! << 8) | raw[p + 3]!) >>> 0;
  }
  return out;
}

/** Big-endian bytes of u32 words. */
export function wordsToBytes(words: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  for (let i = 0, p = 0; i < words.length; i++, p += 4) {
    const w = words[i]! >>> 0;
    out[p] = w >>> 24;
    out[p + 1] = (w >>> 16) & 255;
    out[p + 2] = (w >>> 8) & 255;
    out[p + 3] = w & 255;
  }
  return out;
}

export function u32Bytes(v: number): Uint8Array {
  return wordsToBytes([v]);
}
