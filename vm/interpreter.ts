// The interpreter: the reference semantics of the VM, kept plain so the JIT can be checked against
// it. One switch over the pre-decoded opcode per instruction (opcode, registers and offset packed
// in one int32 per slot at load, so an instruction costs two loads); registers are two Int32Arrays (low
// and high 32-bit halves), so 64-bit add, sub, logic, shifts, compares, loads and stores are exact
// without BigInt. mul/div/mod/byte swaps/atomics live in alu.ts; 64-bit division falls back to
// BigInt only when an operand does not fit in 32 bits. Case labels are numeric literals with the
// kernel name beside them: V8 compiles a switch into a jump table only for literal labels
// (test/vm/opcodes.test.ts checks each literal against its name in opcodes.ts).
//
// Semantics follow RFC 9669 section 4: ALU (32-bit) results are zero-extended to 64 bits; ALU64 and
// JMP immediates are sign-extended to 64 bits; shift counts are masked to the operand width;
// division by zero gives 0 and modulo by zero leaves the dividend ("dst = (src != 0) ? (dst % src)
// : dst"); signed INT_MIN / -1 gives INT_MIN and INT_MIN % -1 gives 0.
//
// Run contract (the conformance suite's): r1 = address of the context memory (0 if none), r2 = its
// length, r10 = top of the first stack frame; other registers start at 0. Each local call gets a
// fresh zeroed 512-byte frame and saves r6-r9; helper calls leave r1-r5 unchanged.
// Every stop is returned, never thrown: {r0, steps} or a VmFault with the pc.
import { VmFault, FaultCodes } from './errors.js';
import type { FaultCode } from './errors.js';
import type { HelperEntry } from './helpers.js';
import { callHelper } from './helper-call.js';
import { isPermitted } from './helpers.js';
import type { LoadedProgram } from './loader.js';
import { MAX_REGION_SIZE, REGION_CODE, REGION_CONTEXT, REGION_STACK, STACK_SIZE } from './memory.js';
import type { Memory } from './memory.js';
import * as op from './opcodes.js';
import {
  arsh64,
  atomic,
  byteSwap,
  cmpS64,
  cmpU64,
  div32,
  divmod64,
  lsh64,
  mod32,
  mul64,
  rsh64,
  toU64,
} from './alu.js';

/** Per-run input. */
export interface RunContext {
  /** Memory mapped as region "context" for this run; r1 points to it and r2 holds its length. */
  mem?: Uint8Array;
  /** Whether the program may write `mem` (default true). */
  memWritable?: boolean;
  /** Explicit r1..r5 (replace the mem/length defaults). */
  args?: readonly bigint[];
  /** Instruction budget for this run (default: the program's). */
  budget?: number;
  /** Passed to helpers as ctx.user. */
  user?: unknown;
}

export interface RunResult {
  readonly r0: bigint;
  /** Instructions executed. */
  readonly steps: number;
}

const TWO_32 = 0x1_0000_0000;
/** Largest integer a double holds exactly (2^53 - 1). */
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** Run `p` once. Never throws. */
export function interpret(p: LoadedProgram, ctx: RunContext = {}): RunResult | VmFault {
  const m = p.machine;
  // A helper must not run the program that called it: the registers and stack are the program's.
  if (m.running) return new VmFault(FaultCodes.BAD_RUN_CONTEXT, -1, `${p.name} is already running`);
  if (ctx.mem && ctx.mem.length > MAX_REGION_SIZE)
    return new VmFault(FaultCodes.BAD_RUN_CONTEXT, -1, `run memory of ${ctx.mem.length} bytes is too large`);
  if (ctx.args && ctx.args.length > 5)
    return new VmFault(FaultCodes.BAD_RUN_CONTEXT, -1, `${ctx.args.length} arguments (at most 5)`);
  m.running = true;
  try {
    return execute(p, m, ctx);
  } catch (e) {
    return new VmFault(
      FaultCodes.INTERNAL,
      p.memory.pc,
      `internal VM error: ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    // Never keep the caller's memory mapped between runs.
    p.memory.unmapContext();
    m.running = false;
  }
}

/** Per-program interpreter state, allocated once at load (a run allocates nothing else up front). */
export interface Machine {
  running: boolean;
  /** r0..r10, low and high 32-bit halves. */
  readonly L: Int32Array;
  readonly H: Int32Array;
  /** Call frames: return pc and the caller's r6-r9. */
  readonly retPc: Int32Array;
  readonly savedL: Int32Array;
  readonly savedH: Int32Array;
  /** The context handed to helpers, updated in place. */
  readonly helperCtx: { mem: Memory; pc: number; user: unknown };
}

export function createMachine(mem: Memory): Machine {
  return {
    running: false,
    L: new Int32Array(11),
    H: new Int32Array(11),
    retPc: new Int32Array(op.MAX_CALL_DEPTH),
    savedL: new Int32Array(op.MAX_CALL_DEPTH * 4),
    savedH: new Int32Array(op.MAX_CALL_DEPTH * 4),
    helperCtx: { mem, pc: 0, user: undefined },
  };
}

// ===== the loop =====
function execute(p: LoadedProgram, m: Machine, ctx: RunContext): RunResult | VmFault {
  const mem = p.memory;
  const { L, H } = m;

  // Registers start at zero; map the run's memory and set up r1, r2, r10.
  L.fill(0);
  H.fill(0);
  m.helperCtx.user = ctx.user;
  if (ctx.mem) mem.setRegion(REGION_CONTEXT, 'context', ctx.mem, ctx.memWritable ?? true);
  // Frame 0 only: a local call zeroes the frame it opens.
  mem.bytes[REGION_STACK]!.fill(0, STACK_SIZE - op.STACK_FRAME_SIZE);
  mem.openStackFrames(0);
  if (ctx.mem) {
    H[1] = REGION_CONTEXT;
    L[1] = 0;
    L[2] = ctx.mem.length;
  }
  if (ctx.args) {
    ctx.args.forEach((a, i) => {
      const v = BigInt.asUintN(64, a);
      L[i + 1] = Number(v & 0xffffffffn);
      H[i + 1] = Number(v >> 32n);
    });
  }
  H[10] = REGION_STACK;
  L[10] = STACK_SIZE;
  const budget = ctx.budget ?? p.budget;
  return resume(p, m, p.entry, 0, budget, budget);
}

/**
 * Run `p` from instruction `pc` in call frame `frame` with `left` of the run's `budget` remaining,
 * on the registers and call frames in `m` and the memory as it is. A run starts here at the entry;
 * the JIT hands a run over here at an instruction boundary (vm/jit/).
 */
export function resume(
  p: LoadedProgram,
  m: Machine,
  pc: number,
  frame: number,
  left: number,
  budget: number,
): RunResult | VmFault {
  const { head } = p;
  const { imm } = p.code;
  const mem = p.memory;
  const views = mem.views;
  const { L, H, retPc, savedL, savedH } = m;
  let a = 0; // memory offset of the current access
  let t = 0; // scratch

  for (;;) {
    if (--left < 0)
      return fault(FaultCodes.BUDGET_EXHAUSTED, pc, `instruction budget of ${budget} exhausted`);
    // One packed word per slot: opcode | dst << 8 | src << 12 | offset << 16 (see loader.ts).
    const w = head[pc]!;
    const d = (w >>> 8) & 15;
    const s = (w >>> 12) & 15;
    const o = w >> 16;
    const k = imm[pc]!;
    switch (w & 0xff) {
      // ===== ALU64 =====
      case 0x07: // EBPF_OP_ADD64_IMM
        t = (L[d]! >>> 0) + (k >>> 0);
        L[d] = t;
        H[d] = H[d]! + (k >> 31) + (t >= TWO_32 ? 1 : 0);
        break;
      case 0x0f: // EBPF_OP_ADD64_REG
        t = (L[d]! >>> 0) + (L[s]! >>> 0);
        L[d] = t;
        H[d] = H[d]! + H[s]! + (t >= TWO_32 ? 1 : 0);
        break;
      case 0x17: // EBPF_OP_SUB64_IMM
        t = (L[d]! >>> 0) - (k >>> 0);
        L[d] = t;
        H[d] = H[d]! - (k >> 31) - (t < 0 ? 1 : 0);
        break;
      case 0x1f: // EBPF_OP_SUB64_REG
        t = (L[d]! >>> 0) - (L[s]! >>> 0);
        L[d] = t;
        H[d] = H[d]! - H[s]! - (t < 0 ? 1 : 0);
        break;
      case 0x27: // EBPF_OP_MUL64_IMM
        mul64(L, H, d, k, k >> 31);
        break;
      case 0x2f: // EBPF_OP_MUL64_REG
        // Fast path: both operands below 2^32 and the product exact in a double.
        if (H[d] === 0 && H[s] === 0 && (t = (L[d]! >>> 0) * (L[s]! >>> 0)) <= MAX_EXACT) {
          L[d] = t;
          H[d] = t / TWO_32;
        } else mul64(L, H, d, L[s]!, H[s]!);
        break;
      case 0x37: // EBPF_OP_DIV64_IMM
        // Fast path: unsigned, dividend below 2^32, positive divisor.
        if (H[d] === 0 && k > 0 && o === 0) L[d] = (L[d]! >>> 0) / k;
        else divmod64(L, H, d, k, k >> 31, false, o === 1);
        break;
      case 0x97: // EBPF_OP_MOD64_IMM
        if (H[d] === 0 && k > 0 && o === 0) L[d] = (L[d]! >>> 0) % k;
        else divmod64(L, H, d, k, k >> 31, true, o === 1);
        break;
      case 0x3f: // EBPF_OP_DIV64_REG
        // Fast path: unsigned, both operands below 2^32, non-zero divisor.
        if (H[d] === 0 && H[s] === 0 && L[s] !== 0 && o === 0) L[d] = (L[d]! >>> 0) / (L[s]! >>> 0);
        else divmod64(L, H, d, L[s]!, H[s]!, false, o === 1);
        break;
      case 0x9f: // EBPF_OP_MOD64_REG
        if (H[d] === 0 && H[s] === 0 && L[s] !== 0 && o === 0) L[d] = (L[d]! >>> 0) % (L[s]! >>> 0);
        else divmod64(L, H, d, L[s]!, H[s]!, true, o === 1);
        break;
      case 0x47: // EBPF_OP_OR64_IMM
        L[d] = L[d]! | k;
        H[d] = H[d]! | (k >> 31);
        break;
      case 0x4f: // EBPF_OP_OR64_REG
        L[d] = L[d]! | L[s]!;
        H[d] = H[d]! | H[s]!;
        break;
      case 0x57: // EBPF_OP_AND64_IMM
        L[d] = L[d]! & k;
        H[d] = H[d]! & (k >> 31);
        break;
      case 0x5f: // EBPF_OP_AND64_REG
        L[d] = L[d]! & L[s]!;
        H[d] = H[d]! & H[s]!;
        break;
      case 0xa7: // EBPF_OP_XOR64_IMM
        L[d] = L[d]! ^ k;
        H[d] = H[d]! ^ (k >> 31);
        break;
      case 0xaf: // EBPF_OP_XOR64_REG
        L[d] = L[d]! ^ L[s]!;
        H[d] = H[d]! ^ H[s]!;
        break;
      case 0x67: // EBPF_OP_LSH64_IMM
        lsh64(L, H, d, k & 63);
        break;
      case 0x6f: // EBPF_OP_LSH64_REG
        lsh64(L, H, d, L[s]! & 63);
        break;
      case 0x77: // EBPF_OP_RSH64_IMM
        rsh64(L, H, d, k & 63);
        break;
      case 0x7f: // EBPF_OP_RSH64_REG
        rsh64(L, H, d, L[s]! & 63);
        break;
      case 0xc7: // EBPF_OP_ARSH64_IMM
        arsh64(L, H, d, k & 63);
        break;
      case 0xcf: // EBPF_OP_ARSH64_REG
        arsh64(L, H, d, L[s]! & 63);
        break;
      case 0x87: // EBPF_OP_NEG64
        // Two's complement: ~x + 1; the +1 carries into the high half only when the low half is 0.
        H[d] = ~H[d]! + (L[d] === 0 ? 1 : 0);
        L[d] = -L[d]!;
        break;
      case 0xb7: // EBPF_OP_MOV64_IMM
        L[d] = k;
        H[d] = k >> 31;
        break;
      case 0xbf: // EBPF_OP_MOV64_REG
        // MOVSX: offset 8/16/32 sign-extends that many low bits of src.
        switch (o) {
          case 0:
            L[d] = L[s]!;
            H[d] = H[s]!;
            break;
          case 8:
            L[d] = (L[s]! << 24) >> 24;
            H[d] = L[d]! >> 31;
            break;
          case 16:
            L[d] = (L[s]! << 16) >> 16;
            H[d] = L[d]! >> 31;
            break;
          default:
            L[d] = L[s]!;
            H[d] = L[s]! >> 31;
        }
        break;
      case 0xd7: // EBPF_OP_BSWAP
        byteSwap(L, H, d, k);
        break;

      // ===== ALU (32-bit, zero-extended) =====
      case 0x04: // EBPF_OP_ADD_IMM
        L[d] = L[d]! + k;
        H[d] = 0;
        break;
      case 0x0c: // EBPF_OP_ADD_REG
        L[d] = L[d]! + L[s]!;
        H[d] = 0;
        break;
      case 0x14: // EBPF_OP_SUB_IMM
        L[d] = L[d]! - k;
        H[d] = 0;
        break;
      case 0x1c: // EBPF_OP_SUB_REG
        L[d] = L[d]! - L[s]!;
        H[d] = 0;
        break;
      case 0x24: // EBPF_OP_MUL_IMM
        L[d] = Math.imul(L[d]!, k);
        H[d] = 0;
        break;
      case 0x2c: // EBPF_OP_MUL_REG
        L[d] = Math.imul(L[d]!, L[s]!);
        H[d] = 0;
        break;
      case 0x34: // EBPF_OP_DIV_IMM
        L[d] = div32(L[d]!, k, o === 1);
        H[d] = 0;
        break;
      case 0x3c: // EBPF_OP_DIV_REG
        L[d] = div32(L[d]!, L[s]!, o === 1);
        H[d] = 0;
        break;
      case 0x94: // EBPF_OP_MOD_IMM
        L[d] = mod32(L[d]!, k, o === 1);
        H[d] = 0;
        break;
      case 0x9c: // EBPF_OP_MOD_REG
        L[d] = mod32(L[d]!, L[s]!, o === 1);
        H[d] = 0;
        break;
      case 0x44: // EBPF_OP_OR_IMM
        L[d] = L[d]! | k;
        H[d] = 0;
        break;
      case 0x4c: // EBPF_OP_OR_REG
        L[d] = L[d]! | L[s]!;
        H[d] = 0;
        break;
      case 0x54: // EBPF_OP_AND_IMM
        L[d] = L[d]! & k;
        H[d] = 0;
        break;
      case 0x5c: // EBPF_OP_AND_REG
        L[d] = L[d]! & L[s]!;
        H[d] = 0;
        break;
      case 0xa4: // EBPF_OP_XOR_IMM
        L[d] = L[d]! ^ k;
        H[d] = 0;
        break;
      case 0xac: // EBPF_OP_XOR_REG
        L[d] = L[d]! ^ L[s]!;
        H[d] = 0;
        break;
      case 0x64: // EBPF_OP_LSH_IMM
        L[d] = L[d]! << (k & 31);
        H[d] = 0;
        break;
      case 0x6c: // EBPF_OP_LSH_REG
        L[d] = L[d]! << (L[s]! & 31);
        H[d] = 0;
        break;
      case 0x74: // EBPF_OP_RSH_IMM
        L[d] = L[d]! >>> (k & 31);
        H[d] = 0;
        break;
      case 0x7c: // EBPF_OP_RSH_REG
        L[d] = L[d]! >>> (L[s]! & 31);
        H[d] = 0;
        break;
      case 0xc4: // EBPF_OP_ARSH_IMM
        L[d] = L[d]! >> (k & 31);
        H[d] = 0;
        break;
      case 0xcc: // EBPF_OP_ARSH_REG
        L[d] = L[d]! >> (L[s]! & 31);
        H[d] = 0;
        break;
      case 0x84: // EBPF_OP_NEG
        L[d] = -L[d]!;
        H[d] = 0;
        break;
      case 0xb4: // EBPF_OP_MOV_IMM
        L[d] = k;
        H[d] = 0;
        break;
      case 0xbc: // EBPF_OP_MOV_REG
        t = o;
        L[d] = t === 8 ? (L[s]! << 24) >> 24 : t === 16 ? (L[s]! << 16) >> 16 : L[s]!;
        H[d] = 0;
        break;
      case 0xd4: // EBPF_OP_LE
        // This host order is little-endian: only truncate.
        if (k === 16) L[d] = L[d]! & 0xffff;
        if (k !== 64) H[d] = 0;
        break;
      case 0xdc: // EBPF_OP_BE
        byteSwap(L, H, d, k);
        break;

      // ===== lddw (addresses already resolved at load) =====
      case 0x18: // EBPF_OP_LDDW
        L[d] = k;
        H[d] = imm[pc + 1]!;
        pc++;
        break;

      // ===== loads =====
      case 0x61: // EBPF_OP_LDXW
        if ((a = mem.offsetOf(H[s]!, L[s]!, o, 4, false)) < 0) return loadFault(mem, pc, H[s]!, L[s]!, o, 4);
        L[d] = views[mem.region]!.getInt32(a, true);
        H[d] = 0;
        break;
      case 0x69: // EBPF_OP_LDXH
        if ((a = mem.offsetOf(H[s]!, L[s]!, o, 2, false)) < 0) return loadFault(mem, pc, H[s]!, L[s]!, o, 2);
        L[d] = views[mem.region]!.getUint16(a, true);
        H[d] = 0;
        break;
      case 0x71: // EBPF_OP_LDXB
        if ((a = mem.offsetOf(H[s]!, L[s]!, o, 1, false)) < 0) return loadFault(mem, pc, H[s]!, L[s]!, o, 1);
        L[d] = views[mem.region]!.getUint8(a);
        H[d] = 0;
        break;
      case 0x79: // EBPF_OP_LDXDW
        if ((a = mem.offsetOf(H[s]!, L[s]!, o, 8, false)) < 0) return loadFault(mem, pc, H[s]!, L[s]!, o, 8);
        t = views[mem.region]!.getInt32(a + 4, true);
        L[d] = views[mem.region]!.getInt32(a, true);
        H[d] = t;
        break;
      case 0x81: // EBPF_OP_LDXSW
        if ((a = mem.offsetOf(H[s]!, L[s]!, o, 4, false)) < 0) return loadFault(mem, pc, H[s]!, L[s]!, o, 4);
        L[d] = views[mem.region]!.getInt32(a, true);
        H[d] = L[d]! >> 31;
        break;
      case 0x89: // EBPF_OP_LDXSH
        if ((a = mem.offsetOf(H[s]!, L[s]!, o, 2, false)) < 0) return loadFault(mem, pc, H[s]!, L[s]!, o, 2);
        L[d] = views[mem.region]!.getInt16(a, true);
        H[d] = L[d]! >> 31;
        break;
      case 0x91: // EBPF_OP_LDXSB
        if ((a = mem.offsetOf(H[s]!, L[s]!, o, 1, false)) < 0) return loadFault(mem, pc, H[s]!, L[s]!, o, 1);
        L[d] = views[mem.region]!.getInt8(a);
        H[d] = L[d]! >> 31;
        break;

      // ===== stores =====
      case 0x62: // EBPF_OP_STW
        if ((a = mem.offsetOf(H[d]!, L[d]!, o, 4, true)) < 0) return storeFault(mem, pc, H[d]!, L[d]!, o, 4);
        views[mem.region]!.setInt32(a, k, true);
        break;
      case 0x6a: // EBPF_OP_STH
        if ((a = mem.offsetOf(H[d]!, L[d]!, o, 2, true)) < 0) return storeFault(mem, pc, H[d]!, L[d]!, o, 2);
        views[mem.region]!.setInt16(a, k, true);
        break;
      case 0x72: // EBPF_OP_STB
        if ((a = mem.offsetOf(H[d]!, L[d]!, o, 1, true)) < 0) return storeFault(mem, pc, H[d]!, L[d]!, o, 1);
        views[mem.region]!.setInt8(a, k);
        break;
      case 0x7a: // EBPF_OP_STDW
        if ((a = mem.offsetOf(H[d]!, L[d]!, o, 8, true)) < 0) return storeFault(mem, pc, H[d]!, L[d]!, o, 8);
        views[mem.region]!.setInt32(a, k, true);
        views[mem.region]!.setInt32(a + 4, k >> 31, true);
        break;
      case 0x63: // EBPF_OP_STXW
        if ((a = mem.offsetOf(H[d]!, L[d]!, o, 4, true)) < 0) return storeFault(mem, pc, H[d]!, L[d]!, o, 4);
        views[mem.region]!.setInt32(a, L[s]!, true);
        break;
      case 0x6b: // EBPF_OP_STXH
        if ((a = mem.offsetOf(H[d]!, L[d]!, o, 2, true)) < 0) return storeFault(mem, pc, H[d]!, L[d]!, o, 2);
        views[mem.region]!.setInt16(a, L[s]!, true);
        break;
      case 0x73: // EBPF_OP_STXB
        if ((a = mem.offsetOf(H[d]!, L[d]!, o, 1, true)) < 0) return storeFault(mem, pc, H[d]!, L[d]!, o, 1);
        views[mem.region]!.setInt8(a, L[s]!);
        break;
      case 0x7b: // EBPF_OP_STXDW
        if ((a = mem.offsetOf(H[d]!, L[d]!, o, 8, true)) < 0) return storeFault(mem, pc, H[d]!, L[d]!, o, 8);
        views[mem.region]!.setInt32(a, L[s]!, true);
        views[mem.region]!.setInt32(a + 4, H[s]!, true);
        break;
      case 0xc3: // EBPF_OP_ATOMIC32
      case 0xdb: {
        // EBPF_OP_ATOMIC64
        const size = (w & 0xff) === op.EBPF_OP_ATOMIC64 ? 8 : 4;
        if ((a = mem.offsetOf(H[d]!, L[d]!, o, size, true)) < 0)
          return storeFault(mem, pc, H[d]!, L[d]!, o, size);
        atomic(views[mem.region]!, a, size, L, H, s, k);
        break;
      }

      // ===== jumps (JMP: 64-bit compare, imm sign-extended) =====
      case 0x05: // EBPF_OP_JA
        pc += o;
        break;
      case 0x06: // EBPF_OP_JA32
        pc += k;
        break;
      case 0x15: // EBPF_OP_JEQ_IMM
        if (L[d] === k && H[d] === k >> 31) pc += o;
        break;
      case 0x1d: // EBPF_OP_JEQ_REG
        if (L[d] === L[s] && H[d] === H[s]) pc += o;
        break;
      case 0x55: // EBPF_OP_JNE_IMM
        if (L[d] !== k || H[d] !== k >> 31) pc += o;
        break;
      case 0x5d: // EBPF_OP_JNE_REG
        if (L[d] !== L[s] || H[d] !== H[s]) pc += o;
        break;
      case 0x45: // EBPF_OP_JSET_IMM
        if ((L[d]! & k) !== 0 || (H[d]! & (k >> 31)) !== 0) pc += o;
        break;
      case 0x4d: // EBPF_OP_JSET_REG
        if ((L[d]! & L[s]!) !== 0 || (H[d]! & H[s]!) !== 0) pc += o;
        break;
      case 0x25: // EBPF_OP_JGT_IMM
        if (cmpU64(H[d]!, L[d]!, k >> 31, k) > 0) pc += o;
        break;
      case 0x2d: // EBPF_OP_JGT_REG
        if (cmpU64(H[d]!, L[d]!, H[s]!, L[s]!) > 0) pc += o;
        break;
      case 0x35: // EBPF_OP_JGE_IMM
        if (cmpU64(H[d]!, L[d]!, k >> 31, k) >= 0) pc += o;
        break;
      case 0x3d: // EBPF_OP_JGE_REG
        if (cmpU64(H[d]!, L[d]!, H[s]!, L[s]!) >= 0) pc += o;
        break;
      case 0xa5: // EBPF_OP_JLT_IMM
        if (cmpU64(H[d]!, L[d]!, k >> 31, k) < 0) pc += o;
        break;
      case 0xad: // EBPF_OP_JLT_REG
        if (cmpU64(H[d]!, L[d]!, H[s]!, L[s]!) < 0) pc += o;
        break;
      case 0xb5: // EBPF_OP_JLE_IMM
        if (cmpU64(H[d]!, L[d]!, k >> 31, k) <= 0) pc += o;
        break;
      case 0xbd: // EBPF_OP_JLE_REG
        if (cmpU64(H[d]!, L[d]!, H[s]!, L[s]!) <= 0) pc += o;
        break;
      case 0x65: // EBPF_OP_JSGT_IMM
        if (cmpS64(H[d]!, L[d]!, k >> 31, k) > 0) pc += o;
        break;
      case 0x6d: // EBPF_OP_JSGT_REG
        if (cmpS64(H[d]!, L[d]!, H[s]!, L[s]!) > 0) pc += o;
        break;
      case 0x75: // EBPF_OP_JSGE_IMM
        if (cmpS64(H[d]!, L[d]!, k >> 31, k) >= 0) pc += o;
        break;
      case 0x7d: // EBPF_OP_JSGE_REG
        if (cmpS64(H[d]!, L[d]!, H[s]!, L[s]!) >= 0) pc += o;
        break;
      case 0xc5: // EBPF_OP_JSLT_IMM
        if (cmpS64(H[d]!, L[d]!, k >> 31, k) < 0) pc += o;
        break;
      case 0xcd: // EBPF_OP_JSLT_REG
        if (cmpS64(H[d]!, L[d]!, H[s]!, L[s]!) < 0) pc += o;
        break;
      case 0xd5: // EBPF_OP_JSLE_IMM
        if (cmpS64(H[d]!, L[d]!, k >> 31, k) <= 0) pc += o;
        break;
      case 0xdd: // EBPF_OP_JSLE_REG
        if (cmpS64(H[d]!, L[d]!, H[s]!, L[s]!) <= 0) pc += o;
        break;

      // ===== JMP32: compare the low 32 bits =====
      case 0x16: // EBPF_OP_JEQ32_IMM
        if (L[d] === k) pc += o;
        break;
      case 0x1e: // EBPF_OP_JEQ32_REG
        if (L[d] === L[s]) pc += o;
        break;
      case 0x56: // EBPF_OP_JNE32_IMM
        if (L[d] !== k) pc += o;
        break;
      case 0x5e: // EBPF_OP_JNE32_REG
        if (L[d] !== L[s]) pc += o;
        break;
      case 0x46: // EBPF_OP_JSET32_IMM
        if ((L[d]! & k) !== 0) pc += o;
        break;
      case 0x4e: // EBPF_OP_JSET32_REG
        if ((L[d]! & L[s]!) !== 0) pc += o;
        break;
      case 0x26: // EBPF_OP_JGT32_IMM
        if (L[d]! >>> 0 > k >>> 0) pc += o;
        break;
      case 0x2e: // EBPF_OP_JGT32_REG
        if (L[d]! >>> 0 > L[s]! >>> 0) pc += o;
        break;
      case 0x36: // EBPF_OP_JGE32_IMM
        if (L[d]! >>> 0 >= k >>> 0) pc += o;
        break;
      case 0x3e: // EBPF_OP_JGE32_REG
        if (L[d]! >>> 0 >= L[s]! >>> 0) pc += o;
        break;
      case 0xa6: // EBPF_OP_JLT32_IMM
        if (L[d]! >>> 0 < k >>> 0) pc += o;
        break;
      case 0xae: // EBPF_OP_JLT32_REG
        if (L[d]! >>> 0 < L[s]! >>> 0) pc += o;
        break;
      case 0xb6: // EBPF_OP_JLE32_IMM
        if (L[d]! >>> 0 <= k >>> 0) pc += o;
        break;
      case 0xbe: // EBPF_OP_JLE32_REG
        if (L[d]! >>> 0 <= L[s]! >>> 0) pc += o;
        break;
      case 0x66: // EBPF_OP_JSGT32_IMM
        if (L[d]! > k) pc += o;
        break;
      case 0x6e: // EBPF_OP_JSGT32_REG
        if (L[d]! > L[s]!) pc += o;
        break;
      case 0x76: // EBPF_OP_JSGE32_IMM
        if (L[d]! >= k) pc += o;
        break;
      case 0x7e: // EBPF_OP_JSGE32_REG
        if (L[d]! >= L[s]!) pc += o;
        break;
      case 0xc6: // EBPF_OP_JSLT32_IMM
        if (L[d]! < k) pc += o;
        break;
      case 0xce: // EBPF_OP_JSLT32_REG
        if (L[d]! < L[s]!) pc += o;
        break;
      case 0xd6: // EBPF_OP_JSLE32_IMM
        if (L[d]! <= k) pc += o;
        break;
      case 0xde: // EBPF_OP_JSLE32_REG
        if (L[d]! <= L[s]!) pc += o;
        break;

      // ===== calls and exit =====
      case 0x85: // EBPF_OP_CALL
      case 0x8d: {
        // EBPF_OP_CALLX
        let target: number;
        let helper: HelperEntry | undefined;
        if ((w & 0xff) === op.EBPF_OP_CALL) {
          if (s === 0 && !(helper = p.helpers.entry(k)))
            return fault(
              FaultCodes.BAD_CALLX_TARGET,
              pc,
              `call to unregistered helper ${k} (verifier check removed?)`,
            );
          target = pc + 1 + k;
        } else {
          // callx: a function address (lddw src=4) calls locally, a small integer names a helper.
          const hi = H[d]!;
          const lo = L[d]! >>> 0;
          target = -1;
          if (hi === REGION_CODE && lo % 8 === 0 && lo / 8 < p.length && p.insnStart[lo / 8]) target = lo / 8;
          else if (hi === 0) {
            helper = p.helpers.entry(lo);
            if (helper && !isPermitted(helper.helper, p.permissions)) helper = undefined;
          }
          if (target < 0 && !helper)
            return fault(
              FaultCodes.BAD_CALLX_TARGET,
              pc,
              `callx to 0x${((BigInt(hi >>> 0) << 32n) | BigInt(lo)).toString(16)}: not a function address or permitted helper id`,
            );
        }
        if (helper) {
          mem.pc = pc;
          m.helperCtx.pc = pc;
          const r = callHelper(helper, L, 0, H, 0, 1, m.helperCtx, pc);
          if (r instanceof VmFault) return r;
          if (helper.unwindOnZero && L[0] === 0 && H[0] === 0) return { r0: 0n, steps: budget - left };
          break;
        }
        // Local call: RFC 9669 section 4.3.2, "program-local function", with callee-saved r6-r9.
        if (frame + 1 >= op.MAX_CALL_DEPTH)
          return fault(FaultCodes.CALL_DEPTH, pc, `call depth exceeds ${op.MAX_CALL_DEPTH} frames`);
        retPc[frame] = pc;
        for (let r = 0; r < 4; r++) {
          savedL[frame * 4 + r] = L[6 + r]!;
          savedH[frame * 4 + r] = H[6 + r]!;
        }
        frame++;
        mem.openStackFrames(frame);
        mem.bytes[REGION_STACK]!.fill(
          0,
          STACK_SIZE - (frame + 1) * op.STACK_FRAME_SIZE,
          STACK_SIZE - frame * op.STACK_FRAME_SIZE,
        );
        L[10] = STACK_SIZE - frame * op.STACK_FRAME_SIZE;
        pc = target - 1;
        break;
      }
      case 0x95: // EBPF_OP_EXIT
        if (frame === 0) return { r0: toU64(H[0]!, L[0]!), steps: budget - left };
        frame--;
        for (let r = 0; r < 4; r++) {
          L[6 + r] = savedL[frame * 4 + r]!;
          H[6 + r] = savedH[frame * 4 + r]!;
        }
        mem.openStackFrames(frame);
        L[10] = STACK_SIZE - frame * op.STACK_FRAME_SIZE;
        pc = retPc[frame]!;
        break;

      default:
        // The sentinel slot after the last instruction (the verifier admits nothing else here).
        if (pc === p.length)
          return fault(FaultCodes.PC_OUT_OF_RANGE, pc, 'execution ran past the last instruction');
        return fault(
          FaultCodes.INTERNAL,
          pc,
          `opcode 0x${(w & 0xff).toString(16)} reached the interpreter unverified`,
        );
    }
    pc++;
  }
}

// ===== faults =====
function fault(code: FaultCode, pc: number, message: string): VmFault {
  return new VmFault(code, pc, message);
}

function accessFault(
  code: FaultCode,
  what: string,
  mem: Memory,
  pc: number,
  hi: number,
  lo: number,
  o: number,
  size: number,
): VmFault {
  const addr = BigInt.asUintN(64, ((BigInt(hi) << 32n) | BigInt(lo >>> 0)) + BigInt(o));
  return new VmFault(code, pc, `out of bounds memory ${what} at ${mem.describeAddress(addr)}, size ${size}`);
}

function loadFault(mem: Memory, pc: number, hi: number, lo: number, o: number, size: number): VmFault {
  return accessFault(FaultCodes.OUT_OF_BOUNDS_LOAD, 'load', mem, pc, hi, lo, o, size);
}

function storeFault(mem: Memory, pc: number, hi: number, lo: number, o: number, size: number): VmFault {
  return accessFault(FaultCodes.OUT_OF_BOUNDS_STORE, 'store', mem, pc, hi, lo, o, size);
}
