// Exact 64-bit arithmetic on registers held as two int32 halves (L = low, H = high), used by the
// interpreter for the operations that are not a line or two: comparisons, mul, div/mod, shifts,
// byte swaps and atomics. Semantics are RFC 9669 section 4 (division by zero, signed overflow)
// and section 5.3 (atomics). BigInt is used only by 64-bit division when an operand does not fit in 32 bits.
import * as op from './opcodes.js';

const TWO_32 = 0x1_0000_0000;

// ===== 64-bit arithmetic on (hi, lo) int32 halves =====
/** Unsigned 64-bit comparison: -1, 0, 1. */
export function cmpU64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return ah >>> 0 > bh >>> 0 ? 1 : -1;
  if (al !== bl) return al >>> 0 > bl >>> 0 ? 1 : -1;
  return 0;
}

/** Signed 64-bit comparison: -1, 0, 1. */
export function cmpS64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return ah > bh ? 1 : -1;
  if (al !== bl) return al >>> 0 > bl >>> 0 ? 1 : -1;
  return 0;
}

/** High 32 bits of the 64-bit product of two u32. */
export function mulHighU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid1 = a1 * b0;
  const mid2 = a0 * b1;
  const low = a0 * b0;
  // (a1*b1 << 32) + ((mid1 + mid2) << 16) + low, keep bits 32..63.
  const carry = ((low >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16) + carry) | 0;
}

/** dst = dst * (bh:bl), low 64 bits. */
export function mul64(L: Int32Array, H: Int32Array, d: number, bl: number, bh: number): void {
  const al = L[d]!;
  const ah = H[d]!;
  H[d] = mulHighU32(al >>> 0, bl >>> 0) + Math.imul(al, bh) + Math.imul(ah, bl);
  L[d] = Math.imul(al, bl);
}

/** BigInts 0..SMALL_U64-1, made once: helper arguments and results are mostly small. */
const SMALL_U64 = 1024;
const smallU64: readonly bigint[] = Array.from({ length: SMALL_U64 }, (_, i) => BigInt(i));
/** Values below 2^53 convert through a double: one BigInt made, not four. */
const MAX_EXACT_U64 = BigInt(Number.MAX_SAFE_INTEGER);

export function toU64(hi: number, lo: number): bigint {
  const h = hi >>> 0;
  if (h < 0x200000) {
    const n = h * TWO_32 + (lo >>> 0);
    return n < SMALL_U64 ? smallU64[n]! : BigInt(n);
  }
  return (BigInt(h) << 32n) | BigInt(lo >>> 0);
}

export function setU64(L: Int32Array, H: Int32Array, d: number, v: bigint): void {
  if (v >= 0n && v <= MAX_EXACT_U64) {
    const n = Number(v);
    L[d] = n | 0;
    H[d] = Math.floor(n / TWO_32) | 0;
    return;
  }
  L[d] = Number(v & 0xffffffffn);
  H[d] = Number((v >> 32n) & 0xffffffffn);
}

/** div/mod (unsigned, or signed when `signed`) of dst by (bh:bl), with the RFC 9669 zero and overflow rules. */
export function divmod64(
  L: Int32Array,
  H: Int32Array,
  d: number,
  bl: number,
  bh: number,
  isMod: boolean,
  signed: boolean,
): void {
  const al = L[d]!;
  const ah = H[d]!;
  if (bl === 0 && bh === 0) {
    // "dst = 0" for division by zero; modulo by zero leaves dst.
    if (!isMod) L[d] = H[d] = 0;
    return;
  }
  if (!signed && ah === 0 && bh === 0) {
    // Both fit in 32 bits: exact in doubles.
    const x = al >>> 0;
    const y = bl >>> 0;
    L[d] = isMod ? x % y : Math.floor(x / y);
    return;
  }
  if (signed && ah === al >> 31 && bh === bl >> 31 && !(al === -0x80000000 && bl === -1)) {
    // Both are sign-extended 32-bit values: exact in doubles, truncating toward zero.
    const r = isMod ? al % bl : Math.trunc(al / bl);
    L[d] = r;
    H[d] = r < 0 ? -1 : 0;
    return;
  }
  let r: bigint;
  if (signed) {
    const x = BigInt.asIntN(64, toU64(ah, al));
    const y = BigInt.asIntN(64, toU64(bh, bl));
    // INT64_MIN / -1 overflows: the result wraps to INT64_MIN; INT64_MIN % -1 is 0.
    r = isMod ? x % y : x / y;
  } else {
    const x = toU64(ah, al);
    const y = toU64(bh, bl);
    r = isMod ? x % y : x / y;
  }
  setU64(L, H, d, BigInt.asUintN(64, r));
}

/** 32-bit div (unsigned, or signed when `signed`), with the RFC 9669 zero and overflow rules. */
export function div32(a: number, b: number, signed: boolean): number {
  if (b === 0) return 0;
  if (!signed) return Math.floor((a >>> 0) / (b >>> 0));
  if (a === -0x80000000 && b === -1) return a;
  return Math.trunc(a / b);
}

/** 32-bit mod (unsigned, or signed when `signed`): modulo by zero leaves the dividend. */
export function mod32(a: number, b: number, signed: boolean): number {
  if (b === 0) return a;
  if (!signed) return (a >>> 0) % (b >>> 0);
  if (b === -1) return 0;
  return a % b;
}

export function lsh64(L: Int32Array, H: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  if (n < 32) {
    H[d] = (H[d]! << n) | (L[d]! >>> (32 - n));
    L[d] = L[d]! << n;
  } else {
    H[d] = L[d]! << (n - 32);
    L[d] = 0;
  }
}

export function rsh64(L: Int32Array, H: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  if (n < 32) {
    L[d] = (L[d]! >>> n) | (H[d]! << (32 - n));
    H[d] = H[d]! >>> n;
  } else {
    L[d] = H[d]! >>> (n - 32);
    H[d] = 0;
  }
}

export function arsh64(L: Int32Array, H: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  if (n < 32) {
    L[d] = (L[d]! >>> n) | (H[d]! << (32 - n));
    H[d] = H[d]! >> n;
  } else {
    L[d] = H[d]! >> (n - 32);
    H[d] = H[d]! >> 31;
  }
}

export function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** Unconditional byte swap of the low `width` bits, zero-extended (be on this little-endian host, and bswap). */
export function byteSwap(L: Int32Array, H: Int32Array, d: number, width: number): void {
  if (width === 16) {
    const x = L[d]!;
    L[d] = ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
    H[d] = 0;
  } else if (width === 32) {
    L[d] = bswap32(L[d]!);
    H[d] = 0;
  } else {
    const lo = L[d]!;
    L[d] = bswap32(H[d]!);
    H[d] = bswap32(lo);
  }
}

// ===== atomics (RFC 9669 section 5.3) =====
/** Apply atomic operation `imm` to the `size`-byte value at `a`, with src register `s` (and r0 for cmpxchg). */
export function atomic(
  view: DataView,
  a: number,
  size: number,
  L: Int32Array,
  H: Int32Array,
  s: number,
  imm: number,
): void {
  const oldL = view.getInt32(a, true);
  const oldH = size === 8 ? view.getInt32(a + 4, true) : 0;
  let newL = oldL;
  let newH = oldH;
  const sl = L[s]!;
  const sh = size === 8 ? H[s]! : 0;
  switch (imm & ~op.BPF_FETCH) {
    case op.BPF_ADD: {
      const lo = (oldL >>> 0) + (sl >>> 0);
      newL = lo | 0;
      newH = (oldH + sh + (lo >= TWO_32 ? 1 : 0)) | 0;
      break;
    }
    case op.BPF_OR:
      newL = oldL | sl;
      newH = oldH | sh;
      break;
    case op.BPF_AND:
      newL = oldL & sl;
      newH = oldH & sh;
      break;
    case op.BPF_XOR:
      newL = oldL ^ sl;
      newH = oldH ^ sh;
      break;
    case op.BPF_XCHG & ~op.BPF_FETCH:
      newL = sl;
      newH = sh;
      break;
    case op.BPF_CMPXCHG & ~op.BPF_FETCH: {
      // "Compares the value in R0 to the value addressed by dst + offset. If they match, it is
      // replaced with src. In either case, the value that was at dst + offset before the
      // operation is zero-extended and loaded back to R0."
      const r0H = size === 8 ? H[0]! : 0;
      if (L[0] === oldL && r0H === oldH) {
        newL = sl;
        newH = sh;
      }
      L[0] = oldL;
      H[0] = oldH;
      break;
    }
  }
  view.setInt32(a, newL, true);
  if (size === 8) view.setInt32(a + 4, newH, true);
  // "FETCH: the value that was at dst + offset before the operation is zero-extended and loaded back to src".
  if (imm & op.BPF_FETCH && imm !== op.BPF_CMPXCHG) {
    L[s] = oldL;
    H[s] = oldH;
  }
}
