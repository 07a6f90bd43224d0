// Bounds-checked reading of big-endian wire fields from a Uint8Array, without DataView and without throwing.
// `WireReader` is a cursor whose reads past its end return 0 and set the sticky `overrun` flag, so a decoder
// reads a whole fixed layout and checks once (OpenBGPD `ibuf_get_*` style). The free functions are the hot-path
// primitives for callers that have already checked the length.

/** Big-endian u16 at `off` (caller checked bounds). */
export function getU16(buf: Uint8Array, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

/** Big-endian u32 at `off` (caller checked bounds). */
export function getU32(buf: Uint8Array, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

export class WireReader {
  /** Set once any read went past `end`; every later read returns 0 / empty. */
  overrun = false;
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end: number = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Claim `n` bytes; false (and overrun) when fewer remain. */
  private take(n: number): boolean {
    if (this.overrun || this.pos + n > this.end) {
      this.overrun = true;
      return false;
    }
    return true;
  }

  u8(): number {
    if (!this.take(1)) return 0;
    return this.buf[this.pos++]!;
  }

  u16(): number {
    if (!this.take(2)) return 0;
    const v = getU16(this.buf, this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    if (!this.take(4)) return 0;
    const v = getU32(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  /** A subarray view (no copy) of the next `n` bytes. */
  bytes(n: number): Uint8Array {
    if (!this.take(n)) return EMPTY;
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    if (this.take(n)) this.pos += n;
  }
}

export const EMPTY: Uint8Array = new Uint8Array(0);
