// The JIT compiler: a loaded (verified) program -> one WebAssembly module with one function, `run`.
//
// Shape of `run(budget: f64) -> status`:
//   - eBPF registers r0..r10 are i64 locals; the budget left is an i64 local; `fp` is r10's offset.
//   - The program is cut into basic blocks (leaders: the entry, jump and call targets, function
//     addresses, the instruction after a jump, call or exit, and the sentinel slot after the last
//     instruction). Blocks are laid out in pc order inside `loop $L { block $exit { block B_m-1
//     ... block B_0 { br_table } code_0 } code_1 ... } exit code }`: a forward jump is a direct
//     `br` to the block that ends where its target's code starts; a backward jump, a return and a
//     callx set the target's dispatch index (only blocks entered that way have one) and re-enter
//     the loop's `br_table`. Every `exit` branches to the one shared exit code.
//   - Budget: each block charges its instruction count when entered; if the budget cannot cover the
//     whole block, the run is handed over to the interpreter at the block's first instruction, which
//     runs out at exactly the interpreter's pc. Completed runs report exactly the interpreter's steps.
//   - Anything that stops a run or is rare (an access outside the mapped regions, call depth, callx to
//     anything but a function address, falling off the end) hands over to the interpreter at that
//     instruction (status 1, registers and frames spilled to memory): the interpreter then produces
//     the same fault, pc and message, because it runs the same instruction on the same state.
//   - Loads and stores: the 64-bit address (region << 32 | offset) is split and checked inline
//     against the region table (layout.ts); r10-relative accesses inside the current frame need no
//     check. Helpers are one imported function (pc, id, frame) -> outcome; registers pass through memory.
// Programs the compiler does not handle (fields a verifier would reject, huge programs) are refused
// with a reason; the caller then runs them in the interpreter.
import type { LoadedProgram } from '../loader.js';
import { REGION_CODE, REGION_STACK, STACK_SIZE } from '../memory.js';
import * as op from '../opcodes.js';
import { F64, FunctionBuilder, I32, I64, ModuleBuilder, Op } from './wasm.js';
import {
  computeLayout,
  DPC_AT,
  ENTRY_BASE,
  ENTRY_READ,
  ENTRY_SHIFT,
  ENTRY_START,
  ENTRY_WRITE,
  FR_RET_BLOCK,
  FR_RET_PC,
  FR_SAVED,
  FRAME_AT,
  FRAME_RECORD,
  FRAMES_AT,
  HELPER_UNWIND,
  LEFT_AT,
  pagesFor,
  REGS_AT,
  SIZE_INDEX,
  STATUS_EXIT,
  STATUS_HANDOVER,
  STATUS_HELPER_FAULT,
  TABLE_AT,
  CONTEXT_RESERVE,
} from './layout.js';
import type { Layout } from './layout.js';

/** What the runtime needs besides the module bytes. */
export interface Compiled {
  readonly bytes: Uint8Array;
  readonly layout: Layout;
  /** pc of each block's first instruction. */
  readonly blockStart: Int32Array;
  /** Dispatch index of each slot that starts a dispatched block (function addresses for callx), else -1. */
  readonly pcDispatch: Int32Array;
  readonly pages: number;
}

/** Largest function body we hand to the engine (V8 refuses bodies above about 7.6 MB). */
const MAX_BODY_BYTES = 7_000_000;
/** V8's largest br_table. */
const MAX_DISPATCH = 65_000;

const VALID_ATOMIC = new Set([0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, op.BPF_XCHG, op.BPF_CMPXCHG]);
const KNOWN = new Set(
  Object.entries(op)
    .filter(([k]) => k.startsWith('EBPF_OP_'))
    .map(([, v]) => v as number),
);

const u32 = (x: number): number => x >>> 0;
const sext = (x: number): number => x | 0;

// ===== control flow =====
interface Cfg {
  readonly leader: Uint8Array;
  readonly blockStart: Int32Array;
  readonly blockOf: Int32Array;
  /** Dispatch index of each block that is entered through the br_table (-1: only by fall-through or br). */
  readonly dispatchOf: Int32Array;
  /** Blocks by dispatch index. */
  readonly dispatchBlocks: readonly number[];
  /** Dispatch index of each slot whose block is dispatched to (function addresses, for callx), else -1. */
  readonly pcDispatch: Int32Array;
  readonly hasCallx: boolean;
}

/** Check the fields the compiler relies on and find the basic blocks; a reason string when it cannot compile. */
function analyse(p: LoadedProgram): Cfg | string {
  const n = p.length;
  const { opcode, dst, src, off, imm } = p.code;
  const leader = new Uint8Array(n + 1);
  // Slots reached through the br_table: the entry, backward jump targets, return points, function addresses.
  const dispatched = new Uint8Array(n + 1);
  leader[n] = 1;
  dispatched[n] = 1;
  if (!p.insnStart[p.entry]) return `entry ${p.entry} is not an instruction`;
  leader[p.entry] = 1;
  dispatched[p.entry] = 1;
  let hasCallx = false;
  const target = (pc: number, t: number): string | undefined => {
    if (t < 0 || t >= n || !p.insnStart[t]) return `jump target ${t} at pc ${pc} is not an instruction`;
    leader[t] = 1;
    if (t <= pc) dispatched[t] = 1;
    return undefined;
  };
  for (let pc = 0; pc < n; pc++) {
    if (!p.insnStart[pc]) continue;
    const c = opcode[pc]!;
    const d = dst[pc]!;
    const s = src[pc]!;
    if (!KNOWN.has(c)) return `unknown opcode 0x${c.toString(16)} at pc ${pc}`;
    if (d > 10 || s > 10) return `register above r10 at pc ${pc}`;
    const cls = c & 7;
    const writesDst = cls === op.BPF_ALU || cls === op.BPF_ALU64 || cls === op.BPF_LDX || cls === op.BPF_LD;
    if (writesDst && d === 10) return `write to r10 at pc ${pc}`;
    if (c === op.EBPF_OP_LDDW) {
      if (pc + 1 >= n || p.insnStart[pc + 1]) return `incomplete lddw at pc ${pc}`;
      if (s === 4) {
        hasCallx = true;
        const t = imm[pc]! / 8;
        if (Number.isInteger(t) && t >= 0 && t < n && p.insnStart[t]) leader[t] = dispatched[t] = 1;
      }
      continue;
    }
    if (c === op.EBPF_OP_ATOMIC32 || c === op.EBPF_OP_ATOMIC64) {
      const k = imm[pc]!;
      if (!VALID_ATOMIC.has(k)) return `atomic operation 0x${(k >>> 0).toString(16)} at pc ${pc}`;
      if ((k & op.BPF_FETCH) !== 0 && k !== op.BPF_CMPXCHG && s === 10)
        return `atomic fetch into r10 at pc ${pc}`;
      continue;
    }
    if (cls !== op.BPF_JMP && cls !== op.BPF_JMP32) continue;
    leader[pc + 1] = 1;
    if (c === op.EBPF_OP_EXIT) continue;
    if (c === op.EBPF_OP_CALLX) {
      hasCallx = true;
      dispatched[pc + 1] = 1;
      continue;
    }
    if (c === op.EBPF_OP_CALL) {
      if (s !== 0) {
        const e = target(pc, pc + 1 + imm[pc]!);
        if (e) return e;
        dispatched[pc + 1] = 1;
      }
      continue;
    }
    const e = target(pc, pc + 1 + (c === op.EBPF_OP_JA32 ? imm[pc]! : off[pc]!));
    if (e) return e;
  }
  const starts: number[] = [];
  const blockOf = new Int32Array(n + 1).fill(-1);
  const pcDispatch = new Int32Array(n + 1).fill(-1);
  const dispatchOf: number[] = [];
  const dispatchBlocks: number[] = [];
  for (let pc = 0; pc <= n; pc++) {
    if (!leader[pc]) continue;
    blockOf[pc] = starts.length;
    if (dispatched[pc]) {
      pcDispatch[pc] = dispatchBlocks.length;
      dispatchOf.push(dispatchBlocks.length);
      dispatchBlocks.push(starts.length);
    } else dispatchOf.push(-1);
    starts.push(pc);
  }
  if (dispatchBlocks.length > MAX_DISPATCH)
    return `${dispatchBlocks.length} dispatched blocks (at most ${MAX_DISPATCH})`;
  return {
    leader,
    blockStart: Int32Array.from(starts),
    blockOf,
    dispatchOf: Int32Array.from(dispatchOf),
    dispatchBlocks,
    pcDispatch,
    hasCallx,
  };
}

// ===== code generation =====
/** Locals of `run` (param 0 is the budget). */
const R = (r: number): number => 1 + r;
const LEFT = 12;
const BLK = 13;
const FP = 14;
const FRAME = 15;
const A = 16; // i64 address
const E = 17; // i32 region entry
const W = 18; // i32 wasm address
const T = 19; // i64 scratch
const T2 = 20; // i64 scratch
const DPC = 21; // i32 hand-over pc
const S32 = 22; // i32 scratch

/** Label ids: blocks are 0..m-1, then the loop and the hand-over block. */
class Emitter {
  readonly f = new FunctionBuilder([F64]);
  readonly loopLabel: number;
  readonly handoverLabel: number;
  /** Block around all block code whose end holds the shared `exit` code. */
  readonly exitLabel: number;
  /** Current block: index, first pc, instruction count. */
  block = 0;
  count = 0;

  constructor(
    readonly p: LoadedProgram,
    readonly cfg: Cfg,
    readonly layout: Layout,
    readonly fnSetStack: number,
    readonly fnHelper: number,
  ) {
    const m = cfg.blockStart.length;
    this.loopLabel = m;
    this.handoverLabel = m + 1;
    this.exitLabel = m + 2;
    for (let r = 0; r <= 10; r++) this.f.local(I64);
    this.f.local(I64); // LEFT
    this.f.local(I32); // BLK
    this.f.local(I32); // FP
    this.f.local(I32); // FRAME
    this.f.local(I64); // A
    this.f.local(I32); // E
    this.f.local(I32); // W
    this.f.local(I64); // T
    this.f.local(I64); // T2
    this.f.local(I32); // DPC
    this.f.local(I32); // S32
  }

  /** Hand the run over to the interpreter at `pc`, the k-th instruction of the current block (not yet charged again). */
  handover(pc: number, k: number): void {
    const f = this.f;
    const refund = this.count - k;
    if (refund > 0) f.get(LEFT).i64(refund).op(Op.i64_add).set(LEFT);
    f.i32(pc).set(DPC).br(this.handoverLabel);
  }

  /** Go to block `j` from the current block. */
  jump(j: number): void {
    const f = this.f;
    if (j === this.block + 1) return;
    if (j > this.block) f.br(j);
    else f.i32(this.cfg.dispatchOf[j]!).set(BLK).br(this.loopLabel);
  }

  /** Pushes the condition, then jumps to block j if it holds. */
  jumpIf(j: number): void {
    const f = this.f;
    if (j === this.block + 1) {
      f.op(Op.drop);
      return;
    }
    if (j > this.block) f.brIf(j);
    else {
      f.open(Op.if);
      f.i32(this.cfg.dispatchOf[j]!).set(BLK).br(this.loopLabel);
      f.end();
    }
  }

  /** Normal end of the run: r0 and the budget left to memory, status EXIT. */
  finish(): void {
    const f = this.f;
    f.i32(0).get(R(0)).mem(Op.i64_store, REGS_AT);
    f.i32(0).get(LEFT).op(Op.f64_convert_i64_s).mem(Op.f64_store, LEFT_AT);
    f.i32(STATUS_EXIT).op(Op.return);
  }

  /**
   * Leave the wasm address of the `size`-byte access at base register b + off on the stack (or in
   * W), handing over when it is outside the region's window. Returns the memarg offset to use.
   */
  address(pc: number, k: number, b: number, o: number, size: number, write: boolean): number {
    const f = this.f;
    if (b === 10 && o >= -op.STACK_FRAME_SIZE && o <= -size) {
      // Inside the current frame: always accessible.
      f.get(FP);
      return this.layout.stackBase + o;
    }
    const regions = this.layout.regions;
    f.get(R(b)).i64(o).op(Op.i64_add).tee(A);
    f.i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).tee(E);
    // Region ids outside the table use entry 0 (null: nothing accessible).
    f.i32(0).get(E).i32(regions).op(Op.i32_lt_u).op(Op.select);
    f.i32(ENTRY_SHIFT).op(Op.i32_shl).set(E);
    f.get(A)
      .op(Op.i32_wrap_i64)
      .get(E)
      .mem(Op.i32_load, TABLE_AT + ENTRY_START)
      .op(Op.i32_sub)
      .tee(W);
    const bound = (write ? ENTRY_WRITE : ENTRY_READ) + 4 * SIZE_INDEX[size]!;
    f.get(E)
      .mem(Op.i32_load, TABLE_AT + bound)
      .op(Op.i32_ge_u);
    f.open(Op.if);
    this.handover(pc, k);
    f.end();
    f.get(E)
      .mem(Op.i32_load, TABLE_AT + ENTRY_BASE)
      .get(W)
      .op(Op.i32_add);
    return 0;
  }

  /** Spill r1..r5 (helper arguments) and r0..r10 (hand-over) to REGS. */
  spill(from: number, to: number): void {
    for (let r = from; r <= to; r++)
      this.f
        .i32(0)
        .get(R(r))
        .mem(Op.i64_store, REGS_AT + 8 * r);
  }

  /** Point FP and r10 at the top of frame FRAME. */
  setFramePointer(): void {
    const f = this.f;
    f.i32(STACK_SIZE).get(FRAME).i32(op.STACK_FRAME_SIZE).op(Op.i32_mul).op(Op.i32_sub).tee(FP);
    f.op(Op.i64_extend_i32_u)
      .i64(BigInt(REGION_STACK) << 32n)
      .op(Op.i64_or)
      .set(R(10));
    f.get(FRAME).call(this.fnSetStack);
  }

  /** A local call from `pc` (the last instruction of its block) to the block left in BLK (dynamic) or `to`. */
  localCall(pc: number, k: number, to: number | undefined): void {
    const f = this.f;
    f.get(FRAME)
      .i32(op.MAX_CALL_DEPTH - 1)
      .op(Op.i32_ge_s);
    f.open(Op.if);
    this.handover(pc, k);
    f.end();
    f.get(FRAME).i32(FRAME_RECORD).op(Op.i32_mul).set(S32);
    f.get(S32)
      .i32(pc)
      .mem(Op.i32_store, FRAMES_AT + FR_RET_PC);
    f.get(S32)
      .i32(this.cfg.pcDispatch[pc + 1]!)
      .mem(Op.i32_store, FRAMES_AT + FR_RET_BLOCK);
    for (let r = 0; r < 4; r++)
      f.get(S32)
        .get(R(6 + r))
        .mem(Op.i64_store, FRAMES_AT + FR_SAVED + 8 * r);
    f.get(FRAME).i32(1).op(Op.i32_add).set(FRAME);
    this.setFramePointer();
    // A fresh zeroed frame below the caller's.
    f.get(FP)
      .i32(this.layout.stackBase - op.STACK_FRAME_SIZE)
      .op(Op.i32_add);
    f.i32(0).i32(op.STACK_FRAME_SIZE).memoryFill();
    if (to === undefined) f.br(this.loopLabel);
    else this.jump(to);
  }

  /** The exit instruction: the shared exit code (after the exit label). */
  exit(): void {
    this.f.br(this.exitLabel);
  }

  /** Shared exit code: end the run in frame 0, else return to the caller's return block. */
  exitCode(): void {
    const f = this.f;
    f.get(FRAME).op(Op.i32_eqz);
    f.open(Op.if);
    this.finish();
    f.end();
    f.get(FRAME).i32(1).op(Op.i32_sub).set(FRAME);
    f.get(FRAME).i32(FRAME_RECORD).op(Op.i32_mul).set(S32);
    for (let r = 0; r < 4; r++)
      f.get(S32)
        .mem(Op.i64_load, FRAMES_AT + FR_SAVED + 8 * r)
        .set(R(6 + r));
    this.setFramePointer();
    f.get(S32)
      .mem(Op.i32_load, FRAMES_AT + FR_RET_BLOCK)
      .set(BLK)
      .br(this.loopLabel);
  }

  helperCall(pc: number, k: number, id: number): void {
    const f = this.f;
    this.spill(1, 5);
    f.i32(pc).i32(id).get(FRAME).call(this.fnHelper).tee(S32);
    f.open(Op.if);
    f.get(S32).i32(HELPER_UNWIND).op(Op.i32_eq);
    f.open(Op.if);
    // The helper ended the run with r0 = 0: refund the rest of the block.
    const rest = this.count - k - 1;
    if (rest > 0) f.get(LEFT).i64(rest).op(Op.i64_add).set(LEFT);
    f.i64(0).set(R(0));
    this.finish();
    f.end();
    f.i32(STATUS_HELPER_FAULT).op(Op.return);
    f.end();
    f.i32(0).mem(Op.i64_load, REGS_AT).set(R(0));
  }
}

/** Compile `p`, or say why not. */
export function compile(p: LoadedProgram, regionSizes: readonly number[]): Compiled | string {
  const cfg = analyse(p);
  if (typeof cfg === 'string') return cfg;
  const layout = computeLayout(regionSizes, p.length, cfg.hasCallx);
  const pages = pagesFor(layout, CONTEXT_RESERVE);
  const mod = new ModuleBuilder(pages);
  const fnHelper = mod.importFunction('helper', { params: [I32, I32, I32], results: [I32] });
  const fnRun = mod.declareFunction({ params: [F64], results: [I32] });
  const fnSetStack = mod.declareFunction({ params: [I32], results: [] });
  mod.define(fnSetStack, setStackFunction(layout));
  const em = new Emitter(p, cfg, layout, fnSetStack, fnHelper);
  emitRun(em);
  mod.define(fnRun, em.f);
  mod.exportFunction('run', fnRun);
  if (em.f.code.length > MAX_BODY_BYTES) return `compiled body of ${em.f.code.length} bytes is too large`;
  return { bytes: mod.encode(), layout, blockStart: cfg.blockStart, pcDispatch: cfg.pcDispatch, pages };
}

/** setStack(frame): open stack frames 0..frame in the region table (as Memory.openStackFrames). */
function setStackFunction(layout: Layout): FunctionBuilder {
  const f = new FunctionBuilder([I32]);
  const start = f.local(I32);
  const entry = TABLE_AT + (REGION_STACK << ENTRY_SHIFT);
  f.i32(STACK_SIZE - op.STACK_FRAME_SIZE)
    .get(0)
    .i32(op.STACK_FRAME_SIZE)
    .op(Op.i32_mul)
    .op(Op.i32_sub)
    .set(start);
  f.i32(0)
    .get(start)
    .mem(Op.i32_store, entry + ENTRY_START);
  f.i32(0)
    .get(start)
    .i32(layout.stackBase)
    .op(Op.i32_add)
    .mem(Op.i32_store, entry + ENTRY_BASE);
  for (const [size, index] of Object.entries(SIZE_INDEX)) {
    // STACK_SIZE - start - size + 1 valid start offsets, for reads and writes alike.
    for (const field of [ENTRY_READ, ENTRY_WRITE]) {
      f.i32(0)
        .i32(STACK_SIZE - Number(size) + 1)
        .get(start)
        .op(Op.i32_sub)
        .mem(Op.i32_store, entry + field + 4 * index);
    }
  }
  return f;
}

function emitRun(em: Emitter): void {
  const { f, p, cfg, layout } = em;
  const m = cfg.blockStart.length;
  // Prologue: budget, r1..r5 from memory, frame 0 (zeroed), entry block.
  f.get(0).op(Op.i64_trunc_f64_s).set(LEFT);
  for (let r = 1; r <= 5; r++)
    f.i32(0)
      .mem(Op.i64_load, REGS_AT + 8 * r)
      .set(R(r));
  f.i32(0).set(FRAME);
  em.setFramePointer();
  f.i32(layout.stackBase + STACK_SIZE - op.STACK_FRAME_SIZE)
    .i32(0)
    .i32(op.STACK_FRAME_SIZE)
    .memoryFill();
  f.i32(cfg.pcDispatch[p.entry]!).set(BLK);

  f.open(Op.block, em.handoverLabel);
  f.open(Op.loop, em.loopLabel);
  f.open(Op.block, em.exitLabel);
  for (let j = m - 1; j >= 0; j--) f.open(Op.block, j);
  f.get(BLK).brTable(cfg.dispatchBlocks, m - 1);
  for (let b = 0; b < m; b++) {
    f.end(); // block b ends: its code follows
    em.block = b;
    emitBlock(em, b);
  }
  f.end(); // exit block
  em.exitCode();
  f.end(); // loop
  f.end(); // hand-over block
  // Hand over to the interpreter: registers, frame, pc and budget to memory.
  em.spill(0, 10);
  f.i32(0).get(DPC).mem(Op.i32_store, DPC_AT);
  f.i32(0).get(FRAME).mem(Op.i32_store, FRAME_AT);
  f.i32(0).get(LEFT).op(Op.f64_convert_i64_s).mem(Op.f64_store, LEFT_AT);
  f.i32(STATUS_HANDOVER);
}

function emitBlock(em: Emitter, b: number): void {
  const { f, p, cfg } = em;
  const start = cfg.blockStart[b]!;
  const end = b + 1 < cfg.blockStart.length ? cfg.blockStart[b + 1]! : p.length + 1;
  if (start === p.length) {
    // The sentinel: running past the last instruction; the interpreter charges and reports it.
    em.count = 0;
    f.i32(start).set(DPC).br(em.handoverLabel);
    return;
  }
  let count = 0;
  for (let pc = start; pc < end; pc++) if (p.insnStart[pc]) count++;
  em.count = count;
  // Charge the block, or hand over at its start when the budget cannot cover it.
  f.get(LEFT).i64(count).op(Op.i64_lt_s);
  f.open(Op.if);
  f.i32(start).set(DPC).br(em.handoverLabel);
  f.end();
  f.get(LEFT).i64(count).op(Op.i64_sub).set(LEFT);
  let k = 0;
  for (let pc = start; pc < end; pc++) {
    if (!p.insnStart[pc]) continue;
    emitInstruction(em, pc, k++);
  }
}

// ===== opcode tables =====
const CMP64: Record<number, number> = {
  [op.BPF_JEQ]: Op.i64_eq,
  [op.BPF_JNE]: Op.i64_ne,
  [op.BPF_JGT]: Op.i64_gt_u,
  [op.BPF_JGE]: Op.i64_ge_u,
  [op.BPF_JLT]: Op.i64_lt_u,
  [op.BPF_JLE]: Op.i64_le_u,
  [op.BPF_JSGT]: Op.i64_gt_s,
  [op.BPF_JSGE]: Op.i64_ge_s,
  [op.BPF_JSLT]: Op.i64_lt_s,
  [op.BPF_JSLE]: Op.i64_le_s,
};
const CMP32: Record<number, number> = {
  [op.BPF_JEQ]: Op.i32_eq,
  [op.BPF_JNE]: Op.i32_ne,
  [op.BPF_JGT]: Op.i32_gt_u,
  [op.BPF_JGE]: Op.i32_ge_u,
  [op.BPF_JLT]: Op.i32_lt_u,
  [op.BPF_JLE]: Op.i32_le_u,
  [op.BPF_JSGT]: Op.i32_gt_s,
  [op.BPF_JSGE]: Op.i32_ge_s,
  [op.BPF_JSLT]: Op.i32_lt_s,
  [op.BPF_JSLE]: Op.i32_le_s,
};
const ALU64: Record<number, number> = {
  [op.BPF_ADD]: Op.i64_add,
  [op.BPF_SUB]: Op.i64_sub,
  [op.BPF_MUL]: Op.i64_mul,
  [op.BPF_OR]: Op.i64_or,
  [op.BPF_AND]: Op.i64_and,
  [op.BPF_XOR]: Op.i64_xor,
  [op.BPF_LSH]: Op.i64_shl,
  [op.BPF_RSH]: Op.i64_shr_u,
  [op.BPF_ARSH]: Op.i64_shr_s,
};
const ALU32: Record<number, number> = {
  [op.BPF_ADD]: Op.i32_add,
  [op.BPF_SUB]: Op.i32_sub,
  [op.BPF_MUL]: Op.i32_mul,
  [op.BPF_OR]: Op.i32_or,
  [op.BPF_AND]: Op.i32_and,
  [op.BPF_XOR]: Op.i32_xor,
  [op.BPF_LSH]: Op.i32_shl,
  [op.BPF_RSH]: Op.i32_shr_u,
  [op.BPF_ARSH]: Op.i32_shr_s,
};
const LOAD: Record<string, number> = {
  '1u': Op.i64_load8_u,
  '1s': Op.i64_load8_s,
  '2u': Op.i64_load16_u,
  '2s': Op.i64_load16_s,
  '4u': Op.i64_load32_u,
  '4s': Op.i64_load32_s,
  '8u': Op.i64_load,
};
const STORE: Record<number, number> = {
  1: Op.i64_store8,
  2: Op.i64_store16,
  4: Op.i64_store32,
  8: Op.i64_store,
};

// ===== instructions =====
function emitInstruction(em: Emitter, pc: number, k: number): void {
  const { f, p, cfg } = em;
  const { opcode, dst, src, off, imm } = p.code;
  const c = opcode[pc]!;
  const d = dst[pc]!;
  const s = src[pc]!;
  const o = off[pc]!;
  const i = imm[pc]!;
  const cls = c & 7;
  switch (cls) {
    case op.BPF_ALU64:
      return alu64(f, c, d, s, o, i);
    case op.BPF_ALU:
      return alu32(f, c, d, s, o, i);
    case op.BPF_LD: // lddw (addresses resolved at load)
      f.i64((BigInt(u32(imm[pc + 1]!)) << 32n) | BigInt(u32(i))).set(R(d));
      return;
    case op.BPF_LDX: {
      const size = [4, 2, 1, 8][(c >> 3) & 3]!;
      const signed = (c & 0xe0) === op.BPF_MEMSX;
      const at = em.address(pc, k, s, o, size, false);
      f.mem(LOAD[`${size}${signed ? 's' : 'u'}`]!, at).set(R(d));
      return;
    }
    case op.BPF_ST:
    case op.BPF_STX: {
      const size = [4, 2, 1, 8][(c >> 3) & 3]!;
      if (c === op.EBPF_OP_ATOMIC32 || c === op.EBPF_OP_ATOMIC64) return atomic(em, pc, k, c, d, s, o, i);
      const at = em.address(pc, k, d, o, size, true);
      if (cls === op.BPF_ST) f.i64(sext(i));
      else f.get(R(s));
      f.mem(STORE[size]!, at);
      return;
    }
  }
  // ===== jumps, calls, exit =====
  const next = (t: number): number => cfg.blockOf[t]!;
  switch (c) {
    case op.EBPF_OP_JA:
      return em.jump(next(pc + 1 + o));
    case op.EBPF_OP_JA32:
      return em.jump(next(pc + 1 + i));
    case op.EBPF_OP_EXIT:
      return em.exit();
    case op.EBPF_OP_CALL: {
      if (s !== 0) return em.localCall(pc, k, next(pc + 1 + i));
      if (!p.helpers.get(i)) return em.handover(pc, k);
      return em.helperCall(pc, k, i);
    }
    case op.EBPF_OP_CALLX:
      return callx(em, pc, k, d);
  }
  // Conditional jumps: push the condition.
  const is64 = cls === op.BPF_JMP;
  const isReg = (c & op.BPF_X) !== 0;
  const jop = c & 0xf0;
  if (is64) {
    f.get(R(d));
    if (isReg) f.get(R(s));
    else f.i64(sext(i));
  } else {
    f.get(R(d)).op(Op.i32_wrap_i64);
    if (isReg) f.get(R(s)).op(Op.i32_wrap_i64);
    else f.i32(i);
  }
  if (jop === op.BPF_JSET) {
    if (is64) f.op(Op.i64_and).op(Op.i64_eqz).op(Op.i32_eqz);
    else f.op(Op.i32_and).op(Op.i32_eqz).op(Op.i32_eqz);
  } else f.op((is64 ? CMP64 : CMP32)[jop]!);
  em.jumpIf(next(pc + 1 + o));
}

function callx(em: Emitter, pc: number, k: number, d: number): void {
  const { f, layout, p } = em;
  // Only function addresses (code region, 8-aligned, an instruction that starts a block) run here;
  // helper ids and bad targets go to the interpreter.
  f.get(R(d)).i64(32).op(Op.i64_shr_u).i64(REGION_CODE).op(Op.i64_ne);
  f.get(R(d)).i64(7).op(Op.i64_and).i64(0).op(Op.i64_ne).op(Op.i32_or);
  f.get(R(d))
    .op(Op.i32_wrap_i64)
    .i32(3)
    .op(Op.i32_shr_u)
    .tee(S32)
    .i32(p.length)
    .op(Op.i32_ge_u)
    .op(Op.i32_or);
  f.open(Op.if);
  em.handover(pc, k);
  f.end();
  f.get(S32).i32(2).op(Op.i32_shl).mem(Op.i32_load, layout.pcToBlockAt).tee(S32).i32(0).op(Op.i32_lt_s);
  f.open(Op.if);
  em.handover(pc, k);
  f.end();
  f.get(S32).set(BLK);
  em.localCall(pc, k, undefined);
}

/** Pushes the second operand of an ALU64 instruction. */
function operand64(f: FunctionBuilder, isReg: boolean, s: number, i: number): void {
  if (isReg) f.get(R(s));
  else f.i64(sext(i));
}

function alu64(f: FunctionBuilder, c: number, d: number, s: number, o: number, i: number): void {
  const isReg = (c & op.BPF_X) !== 0;
  const aop = c & 0xf0;
  if (ALU64[aop] !== undefined) {
    f.get(R(d));
    operand64(f, isReg, s, i);
    f.op(ALU64[aop]!).set(R(d));
    return;
  }
  switch (aop) {
    case op.BPF_NEG:
      f.i64(0).get(R(d)).op(Op.i64_sub).set(R(d));
      return;
    case op.BPF_MOV:
      if (!isReg) f.i64(sext(i)).set(R(d));
      else {
        f.get(R(s));
        if (o === 8) f.op(Op.i64_extend8_s);
        else if (o === 16) f.op(Op.i64_extend16_s);
        else if (o !== 0) f.op(Op.i64_extend32_s);
        f.set(R(d));
      }
      return;
    case op.BPF_END: // bswap (0xd7)
      return byteSwap(f, d, i);
    case op.BPF_DIV:
    case op.BPF_MOD:
      return divmod(f, aop === op.BPF_MOD, true, o === 1, d, isReg ? s : -1, i);
  }
}

function alu32(f: FunctionBuilder, c: number, d: number, s: number, o: number, i: number): void {
  const isReg = (c & op.BPF_X) !== 0;
  const aop = c & 0xf0;
  const second = (): void => {
    if (isReg) f.get(R(s)).op(Op.i32_wrap_i64);
    else f.i32(i);
  };
  if (ALU32[aop] !== undefined) {
    f.get(R(d)).op(Op.i32_wrap_i64);
    second();
    f.op(ALU32[aop]!).op(Op.i64_extend_i32_u).set(R(d));
    return;
  }
  switch (aop) {
    case op.BPF_NEG:
      f.i32(0).get(R(d)).op(Op.i32_wrap_i64).op(Op.i32_sub).op(Op.i64_extend_i32_u).set(R(d));
      return;
    case op.BPF_MOV:
      if (!isReg) f.i64(u32(i)).set(R(d));
      else {
        f.get(R(s)).op(Op.i32_wrap_i64);
        if (o === 8) f.op(Op.i32_extend8_s);
        else if (o === 16) f.op(Op.i32_extend16_s);
        f.op(Op.i64_extend_i32_u).set(R(d));
      }
      return;
    case op.BPF_END:
      if (c === op.EBPF_OP_LE) {
        if (i === 16) f.get(R(d)).i64(0xffff).op(Op.i64_and).set(R(d));
        else if (i !== 64) f.get(R(d)).i64(0xffffffff).op(Op.i64_and).set(R(d));
        return;
      }
      return byteSwap(f, d, i);
    case op.BPF_DIV:
    case op.BPF_MOD:
      return divmod(f, aop === op.BPF_MOD, false, o === 1, d, isReg ? s : -1, i);
  }
}

/** Byte swap of the low `width` bits of r_d, zero-extended (width other than 16/32 means 64). */
function byteSwap(f: FunctionBuilder, d: number, width: number): void {
  if (width === 16) {
    f.get(R(d)).i64(0xff).op(Op.i64_and).i64(8).op(Op.i64_shl);
    f.get(R(d)).i64(8).op(Op.i64_shr_u).i64(0xff).op(Op.i64_and);
    f.op(Op.i64_or).set(R(d));
    return;
  }
  if (width === 32) {
    // (rotl(x, 8) & 0x00ff00ff) | (rotr(x, 8) & 0xff00ff00) on the low 32 bits.
    f.get(R(d)).op(Op.i32_wrap_i64).tee(S32).i32(8).op(Op.i32_rotl).i32(0x00ff00ff).op(Op.i32_and);
    f.get(S32)
      .i32(8)
      .op(Op.i32_rotr)
      .i32(0xff00ff00 | 0)
      .op(Op.i32_and);
    f.op(Op.i32_or).op(Op.i64_extend_i32_u).set(R(d));
    return;
  }
  // Swap bytes within 16-bit lanes, then 16-bit lanes within 32-bit halves, then the halves.
  const m8 = 0x00ff00ff00ff00ffn;
  const m16 = 0x0000ffff0000ffffn;
  f.get(R(d)).i64(m8).op(Op.i64_and).i64(8).op(Op.i64_shl);
  f.get(R(d)).i64(8).op(Op.i64_shr_u).i64(m8).op(Op.i64_and).op(Op.i64_or).set(T);
  f.get(T).i64(m16).op(Op.i64_and).i64(16).op(Op.i64_shl);
  f.get(T).i64(16).op(Op.i64_shr_u).i64(m16).op(Op.i64_and).op(Op.i64_or);
  f.i64(32).op(Op.i64_rotl).set(R(d));
}

/**
 * div/mod with RFC 9669's rules: x / 0 = 0, x % 0 = x, signed INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0.
 * `s` is the source register, or -1 for the immediate `i` (sign-extended for 64 bits).
 */
function divmod(
  f: FunctionBuilder,
  isMod: boolean,
  is64: boolean,
  signed: boolean,
  d: number,
  s: number,
  i: number,
): void {
  const div = is64
    ? isMod
      ? signed
        ? Op.i64_rem_s
        : Op.i64_rem_u
      : signed
        ? Op.i64_div_s
        : Op.i64_div_u
    : isMod
      ? signed
        ? Op.i32_rem_s
        : Op.i32_rem_u
      : signed
        ? Op.i32_div_s
        : Op.i32_div_u;
  const dividend = (): void => {
    f.get(R(d));
    if (!is64) f.op(Op.i32_wrap_i64);
  };
  const widen = (): void => {
    if (!is64) f.op(Op.i64_extend_i32_u);
  };
  if (s < 0) {
    // Constant divisor: the special cases are known now.
    if (i === 0) {
      if (isMod) {
        if (!is64) f.get(R(d)).i64(0xffffffff).op(Op.i64_and).set(R(d));
      } else f.i64(0).set(R(d));
      return;
    }
    if (signed && i === -1) {
      if (isMod) f.i64(0).set(R(d));
      else {
        if (is64) f.i64(0).get(R(d)).op(Op.i64_sub);
        else f.i32(0).get(R(d)).op(Op.i32_wrap_i64).op(Op.i32_sub).op(Op.i64_extend_i32_u);
        f.set(R(d));
      }
      return;
    }
    dividend();
    if (is64) f.i64(sext(i));
    else f.i32(i);
    f.op(div);
    widen();
    f.set(R(d));
    return;
  }
  // Register divisor: keep it in T (64) or S32 (32) before testing it.
  if (is64) f.get(R(s)).tee(T).op(Op.i64_eqz);
  else f.get(R(s)).op(Op.i32_wrap_i64).tee(S32).op(Op.i32_eqz);
  f.open(Op.if);
  if (isMod) {
    if (!is64) f.get(R(d)).i64(0xffffffff).op(Op.i64_and).set(R(d));
  } else f.i64(0).set(R(d));
  f.else();
  if (signed) {
    if (is64) f.get(T).i64(-1).op(Op.i64_eq);
    else f.get(S32).i32(-1).op(Op.i32_eq);
    f.open(Op.if);
    if (isMod) f.i64(0).set(R(d));
    else {
      if (is64) f.i64(0).get(R(d)).op(Op.i64_sub);
      else f.i32(0).get(R(d)).op(Op.i32_wrap_i64).op(Op.i32_sub).op(Op.i64_extend_i32_u);
      f.set(R(d));
    }
    f.else();
  }
  dividend();
  f.get(is64 ? T : S32);
  f.op(div);
  widen();
  f.set(R(d));
  if (signed) f.end();
  f.end();
}

function atomic(
  em: Emitter,
  pc: number,
  k: number,
  c: number,
  d: number,
  s: number,
  o: number,
  i: number,
): void {
  const { f } = em;
  const is64 = c === op.EBPF_OP_ATOMIC64;
  const size = is64 ? 8 : 4;
  const at = em.address(pc, k, d, o, size, true);
  // The wasm address (plus `at`) in W; old value in T (zero-extended), src value in T2.
  f.set(W);
  const load = (): void => {
    f.get(W).mem(is64 ? Op.i64_load : Op.i64_load32_u, at);
  };
  const storeFrom = (push: () => void): void => {
    f.get(W);
    push();
    f.mem(is64 ? Op.i64_store : Op.i64_store32, at);
  };
  load();
  f.set(T);
  f.get(R(s)).set(T2);
  const base = i & ~op.BPF_FETCH;
  const binary: Record<number, number> = {
    [op.BPF_ADD]: Op.i64_add,
    [op.BPF_OR]: Op.i64_or,
    [op.BPF_AND]: Op.i64_and,
    [op.BPF_XOR]: Op.i64_xor,
  };
  if (binary[base] !== undefined) storeFrom(() => f.get(T).get(T2).op(binary[base]!));
  else if (i === op.BPF_XCHG) storeFrom(() => f.get(T2));
  else {
    // cmpxchg: compare r0 (its low 32 bits for the 32-bit form) with the old value.
    if (is64) f.get(R(0)).get(T).op(Op.i64_eq);
    else f.get(R(0)).op(Op.i32_wrap_i64).get(T).op(Op.i32_wrap_i64).op(Op.i32_eq);
    f.open(Op.if);
    storeFrom(() => f.get(T2));
    f.end();
    f.get(T).set(R(0));
    return;
  }
  if (i & op.BPF_FETCH) f.get(T).set(R(s));
}
