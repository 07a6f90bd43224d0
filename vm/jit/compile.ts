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
import type { LoadedProgram } from '../loader.js';
import { REGION_STACK, STACK_SIZE } from '../memory.js';
import * as op from '../opcodes.js';
import { F64, FunctionBuilder, I32, ModuleBuilder, Op } from './wasm.js';
import {
  CONTEXT_RESERVE,
  computeLayout,
  DPC_AT,
  ENTRY_BASE,
  ENTRY_READ,
  ENTRY_SHIFT,
  ENTRY_START,
  ENTRY_WRITE,
  FRAME_AT,
  LEFT_AT,
  pagesFor,
  REGS_AT,
  SIZE_INDEX,
  STATUS_HANDOVER,
  TABLE_AT,
} from './layout.js';
import type { Layout } from './layout.js';
import { BLK, DPC, Emitter, FRAME, LEFT, R } from './emitter.js';
import type { Cfg } from './emitter.js';
import { emitInstruction } from './instructions.js';

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

// ===== control flow =====
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
