// The printf engine behind log_msg (super_log), ebpf_print (ebpf_print_intern) and ubpf_sprintf
// (ebpf_bvsnprintf): one format string, the values its directives consume, the text it makes. Pure:
// the caller reads the arguments out of the plugin's memory and hands over a way to read the strings
// `%s` points to (a checked read that may return the VmFault of a bad pointer).
//
// Text is handled as bytes: the format, every string read and the result are "byte strings" (one
// char per byte, latin1), so widths and precisions count bytes as C does; `toUtf8` turns a result into
// the text a log line shows.
//
// Directives: %[flags][width][.precision][length]conversion
//   flags      - + space # 0
//   width      digits, or * (the next value)          precision   .digits, or .* (the next value)
//   length     hh h (8, 16 bits), none (32), l ll j z t q L (64); on floats, ignored
//   conversion d i (signed), u o x X (unsigned), c, s (the string at an address), p, f F e E g G, %%
// Integers take the value as C converts it to the directive's type (the low 8/16/32/64 bits, signed
// or not); floats are printed exactly (the double's exact decimal value, rounded half to even, as
// glibc does). Anything else (%n, %m, %a, %ls, a float for %d, too few values...) is a bad format:
// the helper then logs nothing / returns -1. Values beyond those the directives use are ignored.
import { VmFault } from '../../../vm/index.js';

/** One value a directive consumes (C's default argument promotions already applied). */
export type FormatValue =
  /** An integer, as a mathematical value (a u8 200 is 200n, an s32 -1 is -1n). */
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  /** An address in the plugin's memory (u64). */
  | { readonly kind: 'pointer'; readonly value: bigint };

/** Why a format cannot be applied. */
export class FormatError {
  constructor(readonly reason: string) {}
}

export interface FormatInput {
  /** The format, one char per byte. */
  readonly format: string;
  readonly values: readonly FormatValue[];
  /** The NUL-terminated string at `addr`, one char per byte, or the fault of a bad address. */
  readonly readString: (addr: bigint) => string | VmFault;
}

/** Largest width or precision a directive may ask for (keeps a bad `*` value from filling memory). */
export const MAX_FIELD = 4096;
/** Largest precision of a float conversion. */
export const MAX_FLOAT_PRECISION = 100;

/** Text of a byte string (as `format` returns it), decoded as UTF-8. */
export function toUtf8(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** A UTF-8 text (a C string as MemoryAccess.readCString decodes it) as a byte string. */
export function toBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

interface Spec {
  left: boolean;
  plus: boolean;
  space: boolean;
  alt: boolean;
  zero: boolean;
  width: number;
  /** -1: none. */
  precision: number;
  /** Bits of the integer conversions' type. */
  bits: 8 | 16 | 32 | 64;
  /** A length modifier was written. */
  sized: boolean;
}

/** Apply `input.format`: the result (a byte string), a FormatError, or the VmFault of a bad `%s`. */
export function format(input: FormatInput): string | FormatError | VmFault {
  const fmt = input.format;
  let next = 0;
  const take = (): FormatValue | FormatError =>
    next < input.values.length ? input.values[next++]! : new FormatError('too few values for the format');
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const pct = fmt.indexOf('%', i);
    if (pct < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, pct);
    const parsed = parseSpec(fmt, pct + 1, take);
    if (parsed instanceof FormatError) return parsed;
    const { spec, conv, end } = parsed;
    i = end;
    if (conv === '%') {
      out += '%';
      continue;
    }
    const piece = convert(conv, spec, take, input.readString);
    if (typeof piece !== 'string') return piece;
    out += piece;
  }
  return out;
}

// ===== directives =====

/** A width or precision given as `*`: the next value, an int. */
function starValue(take: () => FormatValue | FormatError): number | FormatError {
  const v = take();
  if (v instanceof FormatError) return v;
  if (v.kind === 'float') return new FormatError('a * width or precision takes an integer');
  return Number(BigInt.asIntN(32, v.value));
}

function parseSpec(
  fmt: string,
  start: number,
  take: () => FormatValue | FormatError,
): { spec: Spec; conv: string; end: number } | FormatError {
  const spec: Spec = {
    left: false,
    plus: false,
    space: false,
    alt: false,
    zero: false,
    width: 0,
    precision: -1,
    bits: 32,
    sized: false,
  };
  let i = start;
  for (; i < fmt.length; i++) {
    const c = fmt[i];
    if (c === '-') spec.left = true;
    else if (c === '+') spec.plus = true;
    else if (c === ' ') spec.space = true;
    else if (c === '#') spec.alt = true;
    else if (c === '0') spec.zero = true;
    else break;
  }
  if (fmt[i] === '*') {
    const w = starValue(take);
    if (w instanceof FormatError) return w;
    // A negative * width is a '-' flag and the absolute width (C 7.21.6.1).
    if (w < 0) spec.left = true;
    spec.width = Math.abs(w);
    i++;
  } else {
    const d = digitsAt(fmt, i);
    spec.width = d.value;
    i = d.end;
  }
  if (fmt[i] === '.') {
    i++;
    if (fmt[i] === '*') {
      const p = starValue(take);
      if (p instanceof FormatError) return p;
      // A negative * precision is taken as if it were omitted.
      spec.precision = p < 0 ? -1 : p;
      i++;
    } else {
      const d = digitsAt(fmt, i);
      spec.precision = d.value;
      i = d.end;
    }
  }
  if (spec.width > MAX_FIELD || spec.precision > MAX_FIELD)
    return new FormatError(`width or precision above ${MAX_FIELD}`);
  const length = /^(hh|h|ll|l|j|z|t|q|L)/.exec(fmt.slice(i, i + 2));
  if (length !== null) {
    spec.sized = true;
    spec.bits = length[1] === 'hh' ? 8 : length[1] === 'h' ? 16 : 64;
    i += length[1]!.length;
  }
  if (i >= fmt.length) return new FormatError("a '%' ends the format");
  return { spec, conv: fmt[i]!, end: i + 1 };
}

function digitsAt(s: string, start: number): { value: number; end: number } {
  let i = start;
  let value = 0;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') {
    // Saturate: anything above MAX_FIELD is refused by the caller.
    value = Math.min(value * 10 + (s.charCodeAt(i) - 48), MAX_FIELD + 1);
    i++;
  }
  return { value, end: i };
}

function convert(
  conv: string,
  spec: Spec,
  take: () => FormatValue | FormatError,
  readString: (addr: bigint) => string | VmFault,
): string | FormatError | VmFault {
  switch (conv) {
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X': {
      const v = take();
      if (v instanceof FormatError) return v;
      if (v.kind === 'float') return new FormatError(`%${conv} given a floating-point value`);
      return formatInteger(conv, spec, v.value);
    }
    case 'c': {
      const v = take();
      if (v instanceof FormatError) return v;
      if (v.kind === 'float' || spec.sized) return new FormatError('%c takes a plain integer');
      return pad(spec, String.fromCharCode(Number(v.value & 0xffn)));
    }
    case 's': {
      const v = take();
      if (v instanceof FormatError) return v;
      if (v.kind === 'float' || spec.sized) return new FormatError('%s takes an address');
      const addr = BigInt.asUintN(64, v.value);
      let s = addr === 0n ? '(null)' : readString(addr);
      if (s instanceof VmFault) return s;
      if (spec.precision >= 0) s = s.slice(0, spec.precision);
      return pad(spec, s);
    }
    case 'p': {
      const v = take();
      if (v instanceof FormatError) return v;
      if (v.kind === 'float' || spec.sized) return new FormatError('%p takes an address');
      const addr = BigInt.asUintN(64, v.value);
      return pad(spec, addr === 0n ? '(nil)' : `0x${addr.toString(16)}`);
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      const v = take();
      if (v instanceof FormatError) return v;
      if (v.kind !== 'float') return new FormatError(`%${conv} given an integer`);
      return formatFloat(conv, spec, v.value);
    }
    default:
      return new FormatError(`unsupported conversion '%${conv}'`);
  }
}

/** `body` in a field of `spec.width` chars (spaces; on the right with '-'). */
function pad(spec: Spec, body: string): string {
  if (body.length >= spec.width) return body;
  const fill = ' '.repeat(spec.width - body.length);
  return spec.left ? body + fill : fill + body;
}

/** Sign, prefix and digits in a field: zero padding goes between the prefix and the digits. */
function field(spec: Spec, sign: string, digits: string, zeroPad: boolean): string {
  const len = sign.length + digits.length;
  if (zeroPad && !spec.left && len < spec.width) return sign + '0'.repeat(spec.width - len) + digits;
  return pad(spec, sign + digits);
}

// ===== integers =====

function formatInteger(conv: string, spec: Spec, raw: bigint): string {
  const signed = conv === 'd' || conv === 'i';
  const v = signed ? BigInt.asIntN(spec.bits, raw) : BigInt.asUintN(spec.bits, raw);
  const neg = v < 0n;
  const mag = neg ? -v : v;
  const base = conv === 'o' ? 8 : conv === 'x' || conv === 'X' ? 16 : 10;
  let digits = mag === 0n && spec.precision === 0 ? '' : mag.toString(base);
  if (conv === 'X') digits = digits.toUpperCase();
  if (spec.precision > digits.length) digits = '0'.repeat(spec.precision - digits.length) + digits;
  let prefix = '';
  if (signed) prefix = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  if (spec.alt && conv === 'o' && !digits.startsWith('0')) digits = '0' + digits;
  if (spec.alt && base === 16 && mag !== 0n) prefix = conv === 'X' ? '0X' : '0x';
  // The 0 flag is ignored when a precision is given (C 7.21.6.1).
  return field(spec, prefix, digits, spec.zero && spec.precision < 0);
}

// ===== floating point =====

/** A finite non-negative double as an exact decimal: value = digits / 10^scale. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = exp - 1075;
  }
  if (e >= 0) return { digits: mant << BigInt(e), scale: 0 };
  // m / 2^k == m * 5^k / 10^k
  return { digits: mant * 5n ** BigInt(-e), scale: -e };
}

/** n / 10^drop rounded half to even. */
function roundDrop(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop);
  const div = 10n ** BigInt(drop);
  const q = n / div;
  const r = n % div;
  const twice = 2n * r;
  if (twice > div || (twice === div && q % 2n === 1n)) return q + 1n;
  return q;
}

/** Digits of %f: `precision` decimals. */
function fixedDigits(x: number, precision: number, alt: boolean): string {
  const { digits, scale } = exactDecimal(x);
  const s = roundDrop(digits, scale - precision)
    .toString()
    .padStart(precision + 1, '0');
  const int = s.slice(0, s.length - precision);
  const frac = s.slice(s.length - precision);
  return precision > 0 || alt ? `${int}.${frac}` : int;
}

/** %e's significand digits (precision + 1 of them) and decimal exponent. */
function scientific(x: number, precision: number): { digits: string; exp: number } {
  if (x === 0) return { digits: '0'.repeat(precision + 1), exp: 0 };
  const { digits, scale } = exactDecimal(x);
  const all = digits.toString();
  let exp = all.length - 1 - scale;
  let q = roundDrop(digits, all.length - (precision + 1));
  if (q.toString().length > precision + 1) {
    q /= 10n;
    exp++;
  }
  return { digits: q.toString(), exp };
}

function expDigits(x: number, precision: number, alt: boolean, upper: boolean): string {
  const { digits, exp } = scientific(x, precision);
  const mant = precision > 0 || alt ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${mant}${upper ? 'E' : 'e'}${e}`;
}

/** %g: %e or %f by the exponent, then (without '#') no trailing zeros. */
function generalDigits(x: number, precision: number, alt: boolean, upper: boolean): string {
  const p = precision === 0 ? 1 : precision;
  const { exp } = scientific(x, p - 1);
  let s = p > exp && exp >= -4 ? fixedDigits(x, p - 1 - exp, alt) : expDigits(x, p - 1, alt, upper);
  if (!alt) {
    const at = s.search(/[eE]/);
    const mant = at < 0 ? s : s.slice(0, at);
    const tail = at < 0 ? '' : s.slice(at);
    s = (mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant) + tail;
  }
  return s;
}

function formatFloat(conv: string, spec: Spec, x: number): string | FormatError {
  const precision = spec.precision < 0 ? 6 : spec.precision;
  if (precision > MAX_FLOAT_PRECISION) return new FormatError(`float precision above ${MAX_FLOAT_PRECISION}`);
  const upper = conv === 'F' || conv === 'E' || conv === 'G';
  const neg = x < 0 || Object.is(x, -0);
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  const a = Math.abs(x);
  if (!Number.isFinite(a)) {
    const word = Number.isNaN(a) ? 'nan' : 'inf';
    return field(spec, sign, upper ? word.toUpperCase() : word, false);
  }
  let digits: string;
  if (conv === 'f' || conv === 'F') digits = fixedDigits(a, precision, spec.alt);
  else if (conv === 'e' || conv === 'E') digits = expDigits(a, precision, spec.alt, upper);
  else digits = generalDigits(a, precision, spec.alt, upper);
  return field(spec, sign, digits, spec.zero);
}
