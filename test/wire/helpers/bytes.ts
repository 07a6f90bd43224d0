// Fixture builders for the wire codec tests: hex text to bytes (spaces, newlines and `#` comments allowed),
// whole messages from bodies, UPDATE bodies from parts, and single path attributes.
export function hex(text: string): Uint8Array {
  const clean = text.replace(/#[^\n]*/g, '').replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd hex length: ${text}`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const MARKER = new Uint8Array(16).fill(0xff);

/** A whole message: marker, length, type, body. */
export function message(type: number, body: Uint8Array | string): Uint8Array {
  const b = typeof body === 'string' ? hex(body) : body;
  const len = 19 + b.length;
  return concat(MARKER, Uint8Array.of(len >> 8, len & 255, type), b);
}

/** One path attribute: flags, type, length (extended when flags has 0x10), value. */
export function attr(flags: number, code: number, value: Uint8Array | string): Uint8Array {
  const v = typeof value === 'string' ? hex(value) : value;
  const head =
    (flags & 0x10) !== 0
      ? Uint8Array.of(flags, code, v.length >> 8, v.length & 255)
      : Uint8Array.of(flags, code, v.length);
  return concat(head, v);
}

/** An UPDATE message from its withdrawn routes, attribute section and NLRI (each bytes or hex). */
export function update(parts: {
  withdrawn?: Uint8Array | string;
  attrs?: Uint8Array | string;
  nlri?: Uint8Array | string;
}): Uint8Array {
  const w = toBytes(parts.withdrawn);
  const a = toBytes(parts.attrs);
  const n = toBytes(parts.nlri);
  return message(
    2,
    concat(
      Uint8Array.of(w.length >> 8, w.length & 255),
      w,
      Uint8Array.of(a.length >> 8, a.length & 255),
      a,
      n,
    ),
  );
}

function toBytes(x: Uint8Array | string | undefined): Uint8Array {
  if (x === undefined) return new Uint8Array(0);
  return typeof x === 'string' ? hex(x) : x;
}

/** The usual mandatory attributes: ORIGIN IGP, AS_PATH [65001] (2-octet), NEXT_HOP 192.0.2.1. */
export const BASE_ATTRS_AS2 = concat(
  attr(0x40, 1, '00'),
  attr(0x40, 2, '02 01 fde9'),
  attr(0x40, 3, 'c0000201'),
);
/** The same with a 4-octet AS_PATH. */
export const BASE_ATTRS_AS4 = concat(
  attr(0x40, 1, '00'),
  attr(0x40, 2, '02 01 0000fde9'),
  attr(0x40, 3, 'c0000201'),
);
