// The JIT's code emitter: the function builder of `run` with its locals, and the pieces every
// instruction uses: jumps between blocks, hand-over to the interpreter, checked addresses, local
// calls, exit and helper calls (see compile.ts for the shape of the code).
import type { LoadedProgram } from '../loader.js';
import { REGION_STACK, STACK_SIZE } from '../memory.js';
import * as op from '../opcodes.js';
import { F64, FunctionBuilder, I32, I64, Op } from './wasm.js';
import {
  ENTRY_BASE,
  ENTRY_READ,
  ENTRY_SHIFT,
  ENTRY_START,
  ENTRY_WRITE,
  FR_RET_BLOCK,
  FR_RET_PC,
  FR_SAVED,
  FRAME_RECORD,
  FRAMES_AT,
  HELPER_UNWIND,
  LEFT_AT,
  REGS_AT,
  SIZE_INDEX,
  STATUS_EXIT,
  STATUS_HELPER_FAULT,
  TABLE_AT,
} from './layout.js';
import type { Layout } from './layout.js';

export interface Cfg {
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

/** Locals of `run` (param 0 is the budget). */
export const R = (r: number): number => 1 + r;
export const LEFT = 12;
export const BLK = 13;
export const FP = 14;
export const FRAME = 15;
export const A = 16; // i64 address
export const E = 17; // i32 region entry
export const W = 18; // i32 wasm address
export const T = 19; // i64 scratch
export const T2 = 20; // i64 scratch
export const DPC = 21; // i32 hand-over pc
export const S32 = 22; // i32 scratch

/** Emits `run`. Label ids: blocks are 0..m-1, then the loop, the hand-over block and the exit block. */
export class Emitter {
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
