// Calling a helper in either convention (vm/helpers.ts): the argument registers given as 32-bit halves
// turn into numbers (every argument the helper takes below 2^53, and it has `fnNumber`) or bigints, the
// result is checked and written back as halves. Shared by the interpreter and the JIT's helper import.
// Nothing here throws: a throwing or misbehaving helper is a VmFault at the call's pc.
import { VmFault, FaultCodes } from './errors.js';
import type { HelperContext, HelperEntry, NumberHelperFn } from './helpers.js';
import { toU64 } from './alu.js';

const TWO_32 = 0x1_0000_0000;

/** Bits of a register's high half that put it at 2^53 or above (not exact as a double). */
const WIDE_HIGH = 0xffe00000 | 0;

/**
 * Call `helper` with r1..r5 read as 32-bit halves: register k's low half at lo[loAt + k * stride], its
 * high half at hi[hiAt + k * stride] (the interpreter's L and H arrays: stride 1; the JIT's interleaved
 * register file: stride 2); r0 written back the same way. The fault that stops the run, or undefined.
 */
export function callHelper(
  helper: HelperEntry,
  lo: Int32Array,
  loAt: number,
  hi: Int32Array,
  hiAt: number,
  stride: number,
  ctx: HelperContext,
  pc: number,
): VmFault | undefined {
  const n = helper.arity;
  const fnNumber = helper.fnNumber;
  const l1 = loAt + stride;
  const h1 = hiAt + stride;
  const l2 = l1 + stride;
  const h2 = h1 + stride;
  const l3 = l2 + stride;
  const h3 = h2 + stride;
  const l4 = l3 + stride;
  const h4 = h3 + stride;
  const l5 = l4 + stride;
  const h5 = h4 + stride;
  // The number convention when every argument the helper takes is below 2^53 (see helpers.ts).
  const high =
    (n >= 1 ? hi[h1]! : 0) |
    (n >= 2 ? hi[h2]! : 0) |
    (n >= 3 ? hi[h3]! : 0) |
    (n >= 4 ? hi[h4]! : 0) |
    (n >= 5 ? hi[h5]! : 0);
  const r =
    fnNumber !== undefined && (high & WIDE_HIGH) === 0
      ? invokeNumberHelper(
          helper,
          fnNumber,
          n >= 1 ? hi[h1]! * TWO_32 + (lo[l1]! >>> 0) : 0,
          n >= 2 ? hi[h2]! * TWO_32 + (lo[l2]! >>> 0) : 0,
          n >= 3 ? hi[h3]! * TWO_32 + (lo[l3]! >>> 0) : 0,
          n >= 4 ? hi[h4]! * TWO_32 + (lo[l4]! >>> 0) : 0,
          n >= 5 ? hi[h5]! * TWO_32 + (lo[l5]! >>> 0) : 0,
          ctx,
          pc,
        )
      : // Registers read as halves: toU64 makes small values without allocating.
        invokeHelper(
          helper,
          n >= 1 ? toU64(hi[h1]!, lo[l1]!) : 0n,
          n >= 2 ? toU64(hi[h2]!, lo[l2]!) : 0n,
          n >= 3 ? toU64(hi[h3]!, lo[l3]!) : 0n,
          n >= 4 ? toU64(hi[h4]!, lo[l4]!) : 0n,
          n >= 5 ? toU64(hi[h5]!, lo[l5]!) : 0n,
          ctx,
          pc,
        );
  if (r instanceof VmFault) return r;
  setResult(lo, loAt, hi, hiAt, r);
  return undefined;
}

/** Call `helper` at instruction `pc`: the new r0 (a u64), or the fault that stops the run. Never throws. */
function invokeHelper(
  helper: HelperEntry,
  r1: bigint,
  r2: bigint,
  r3: bigint,
  r4: bigint,
  r5: bigint,
  ctx: HelperContext,
  pc: number,
): bigint | VmFault {
  let r: unknown;
  try {
    r = helper.fn(r1, r2, r3, r4, r5, ctx);
  } catch (e) {
    return threw(helper, pc, e);
  }
  if (r instanceof VmFault) return r.pc === pc ? r : new VmFault(r.code, pc, r.message);
  if (typeof r !== 'bigint')
    return new VmFault(
      FaultCodes.HELPER_FAILED,
      pc,
      `helper ${helper.helper.id} (${helper.helper.name}) returned ${typeof r}, not a bigint`,
    );
  return BigInt.asUintN(64, r);
}

/**
 * Call `fn`, `helper`'s number convention, with arguments below 2^53: the new r0 as a safe integer
 * (negative: two's complement) or a u64 bigint, or the fault that stops the run. Never throws.
 */
function invokeNumberHelper(
  helper: HelperEntry,
  fn: NumberHelperFn,
  r1: number,
  r2: number,
  r3: number,
  r4: number,
  r5: number,
  ctx: HelperContext,
  pc: number,
): number | bigint | VmFault {
  let r: unknown;
  try {
    r = fn(r1, r2, r3, r4, r5, ctx);
  } catch (e) {
    return threw(helper, pc, e);
  }
  if (typeof r === 'number') {
    if (Number.isSafeInteger(r)) return r;
    return new VmFault(
      FaultCodes.HELPER_FAILED,
      pc,
      `helper ${helper.helper.id} (${helper.helper.name}) returned ${r}, not a safe integer`,
    );
  }
  if (r instanceof VmFault) return r.pc === pc ? r : new VmFault(r.code, pc, r.message);
  if (typeof r !== 'bigint')
    return new VmFault(
      FaultCodes.HELPER_FAILED,
      pc,
      `helper ${helper.helper.id} (${helper.helper.name}) returned ${typeof r}, not a number or bigint`,
    );
  return BigInt.asUintN(64, r);
}

function threw(entry: HelperEntry, pc: number, e: unknown): VmFault {
  const helper = entry.helper;
  return new VmFault(
    FaultCodes.HELPER_FAILED,
    pc,
    `helper ${helper.id} (${helper.name}) threw: ${e instanceof Error ? e.message : String(e)}`,
  );
}

/** lo[l], hi[h] = the halves of r, a safe integer (negative: two's complement) or a u64 bigint. */
function setResult(lo: Int32Array, l: number, hi: Int32Array, h: number, r: number | bigint): void {
  if (typeof r === 'bigint') {
    lo[l] = Number(r & 0xffffffffn) | 0;
    hi[h] = Number(r >> 32n) | 0;
    return;
  }
  lo[l] = r | 0;
  hi[h] = Math.floor(r / TWO_32) | 0;
}
