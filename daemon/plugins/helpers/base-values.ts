// The base helpers that work on values only (xBGP scope "none", plus the clocks): byte order,
// get_time / get_realtime, ebpf_sqrt, ebpf_inet_ntop / ebpf_inet_pton. The byte-order helpers, which
// pluglets call on every run, also come in the VM's number convention (registry.ts HelperImpl).
import { VmFault, type HelperContext, type HelperFn, type NumberHelperFn } from '../../../vm/index.js';
import { AF_INET, AF_INET6, TIMESPEC } from '../../../xbgp-api/index.js';
import { formatIpv4At, formatIpv6At, parseIpv4, parseIpv6 } from '../../net/address.js';
import { asInt32, asLength, callOf, intResult } from '../call.js';
import { both, type HelperImpl } from './registry.js';

// ===== byte order =====

/** Reverse the byte order of the low `bits` bits of `v` (the VM is little-endian, the wire big). */
export function byteSwap(v: bigint, bits: 16 | 32 | 64): bigint {
  let x = BigInt.asUintN(bits, v);
  let out = 0n;
  for (let i = 0; i < bits; i += 8) {
    out = (out << 8n) | (x & 0xffn);
    x >>= 8n;
  }
  return out;
}

const swap =
  (bits: 16 | 32 | 64): HelperFn =>
  (v) =>
    byteSwap(v, bits);

/** The low 32 bits of `v` (a number below 2^53), byte-reversed, as an unsigned number. */
function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | ((v >>> 24) & 0xff)) >>> 0;
}

/** byteSwap in the number convention: a bigint only for a 64-bit result at 2^53 or above. */
const swapAt =
  (bits: 16 | 32 | 64): NumberHelperFn =>
  (v) => {
    if (bits === 16) return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
    if (bits === 32) return swap32(v);
    const high = swap32(v); // the low half's bytes become the high half
    const low = swap32(v / 0x1_0000_0000);
    return high < 0x20_0000 ? high * 0x1_0000_0000 + low : (BigInt(high) << 32n) | BigInt(low);
  };

/** A byte-order helper in both conventions. */
const byteOrder = (bits: 16 | 32 | 64): HelperImpl => both(swap(bits), swapAt(bits));

// ===== clocks =====

/** Write `ms` milliseconds as a struct timespec at `addr`: 0, -1 for NULL, or the store's fault. */
function writeTimespec(ctx: HelperContext, addr: bigint, ms: number): bigint | VmFault {
  if (addr === 0n) return intResult(-1);
  // To the nearest nanosecond (ms carries binary fractions: 345.678 ms is 345.67799999... ms).
  let sec = Math.floor(ms / 1000);
  let nsec = Math.max(0, Math.round((ms - sec * 1000) * 1e6));
  if (nsec >= 1e9) {
    sec += 1;
    nsec -= 1e9;
  }
  const out = new Uint8Array(TIMESPEC.size);
  const view = new DataView(out.buffer);
  view.setBigInt64(TIMESPEC.fields.tv_sec.offset, BigInt(sec), true);
  view.setBigInt64(TIMESPEC.fields.tv_nsec.offset, BigInt(nsec), true);
  return ctx.mem.write(addr, out) ?? 0n;
}

/** get_time(spec): the monotonic clock of the plugin services. */
const getTime: HelperFn = (spec, _2, _3, _4, _5, ctx) => {
  const call = callOf(ctx);
  return writeTimespec(ctx, spec, call.services(call.pluglet!.plugin).monotonicMs());
};

/** get_realtime(spec): the wall clock (UNIX time). */
const getRealtime: HelperFn = (spec, _2, _3, _4, _5, ctx) => {
  const call = callOf(ctx);
  return writeTimespec(ctx, spec, call.services(call.pluglet!.plugin).realtimeMs());
};

// ===== ebpf_sqrt =====

const U64_MAX = (1n << 64n) - 1n;

/** floor(sqrt(n)), exact. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration from a power of two above the root: decreases to the floor.
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/**
 * ebpf_sqrt(a, precision): floor(sqrt(a) * 10^precision), exactly (= floor(sqrt(a * 100^precision))).
 * A result above UINT64_MAX (precision 20 and more, unless a is 0) saturates to UINT64_MAX. xBGP read
 * precision from the third register (a bug); xbgpd takes the second, as the prototype says.
 */
export function sqrtScaled(a: bigint, precision: number): bigint {
  if (a === 0n) return 0n;
  // sqrt(a) >= 1, so 10^precision alone overflows past 19 digits.
  if (precision > 19) return U64_MAX;
  const r = isqrt(a * 100n ** BigInt(precision));
  return r > U64_MAX ? U64_MAX : r;
}

const ebpfSqrt: HelperFn = (a, precision) =>
  sqrtScaled(BigInt.asUintN(64, a), Number(BigInt.asUintN(32, precision)));

// ===== addresses =====

/** Bytes of an AF_INET / AF_INET6 address; undefined for another family. */
function addressSize(af: number): 4 | 16 | undefined {
  return af === AF_INET ? 4 : af === AF_INET6 ? 16 : undefined;
}

/**
 * ebpf_inet_ntop(ip, af, buf, len): the text of the 4 or 16 bytes at ip (dotted quad, RFC 5952)
 * and a NUL into buf; -1 for another family or when len cannot hold the text and its NUL.
 */
const ebpfInetNtop: HelperFn = (ip, afReg, buf, lenReg, _5, ctx) => {
  const size = addressSize(asInt32(afReg));
  if (size === undefined) return intResult(-1);
  const bytes = ctx.mem.read(ip, size);
  if (bytes instanceof VmFault) return bytes;
  const text = size === 4 ? formatIpv4At(bytes, 0) : formatIpv6At(bytes, 0);
  const len = asLength(lenReg);
  if (len >= 0 && len < text.length + 1) return intResult(-1);
  return ctx.mem.write(buf, Buffer.from(`${text}\0`, 'latin1')) ?? 0n;
};

/**
 * ebpf_inet_pton(af, src, dst, buf_len): parse the text at src (inet_pton's strict forms) into 4 or
 * 16 bytes at dst; -1 for another family, a buf_len below the address size, or a text that is not an
 * address of the family.
 */
const ebpfInetPton: HelperFn = (afReg, src, dst, bufLen, _5, ctx) => {
  const size = addressSize(asInt32(afReg));
  if (size === undefined) return intResult(-1);
  if (bufLen < BigInt(size)) return intResult(-1);
  const text = ctx.mem.readCString(src);
  if (text instanceof VmFault) return text;
  const bytes = size === 4 ? parseIpv4(text) : parseIpv6(text);
  if (bytes === undefined) return intResult(-1);
  return ctx.mem.write(dst, bytes) ?? 0n;
};

export const valueHelpers = {
  ebpf_ntohs: byteOrder(16),
  ebpf_ntohl: byteOrder(32),
  ebpf_ntohll: byteOrder(64),
  ebpf_htons: byteOrder(16),
  ebpf_htonl: byteOrder(32),
  ebpf_htonll: byteOrder(64),
  get_time: getTime,
  get_realtime: getRealtime,
  ebpf_sqrt: ebpfSqrt,
  ebpf_inet_ntop: ebpfInetNtop,
  ebpf_inet_pton: ebpfInetPton,
} as const satisfies Record<string, HelperImpl>;
