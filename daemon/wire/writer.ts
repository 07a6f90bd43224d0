// Growable big-endian byte writer for encoders. Values are masked to their field width; the only
// thing that can go wrong is a caller bug (a field too long for its length prefix), which throws.

export class WireWriter {
  private buf: Uint8Array;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf[this.pos++] = (v >>> 24) & 0xff;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Make room for `n` octets written in place (through `buffer`): returns their offset and moves past them. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** The current buffer (valid until the next write that may grow it): for in-place writers after `reserve`. */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /** Overwrite a u16 written earlier (length fields known only after the body). */
  patchU16(at: number, v: number): void {
    if (v > 0xffff) throw new RangeError(`field length ${v} does not fit in 16 bits`);
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  patchU8(at: number, v: number): void {
    if (v > 0xff) throw new RangeError(`field length ${v} does not fit in 8 bits`);
    this.buf[at] = v;
  }

  /** The bytes written so far (a copy sized exactly). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
