// The JIT's WebAssembly memory layout: where the compiled code and the JS runtime exchange
// registers and run state, the region table the inline bounds checks read, and the bytes of the
// program's regions. Fixed offsets first, then per-program parts:
//
//   REGS_AT     r0..r10 as 11 i64 (run arguments in, r0 out, helper arguments, hand-over to the interpreter)
//   STATE_AT    status, hand-over pc, call frame, budget left (f64)
//   FRAMES_AT   one record per call frame: return pc, return block, the caller's r6..r9
//   TABLE_AT    one 64-byte entry per region id (see ENTRY_*), read by every checked load and store
//   then        pc -> block table (programs with callx), the stack, heap, data sections, extra
//               regions, and last the run's context memory (grown when a run brings more).
import { MAX_CALL_DEPTH } from '../opcodes.js';
import { STACK_SIZE } from '../memory.js';
import { WASM_PAGE } from './wasm.js';

export const REGS_AT = 64;
export const STATUS_AT = 160;
export const DPC_AT = 164;
export const FRAME_AT = 168;
export const LEFT_AT = 176;
export const FRAMES_AT = 192;
export const FRAME_RECORD = 48;
/** Fields of a frame record: return pc, return block index, r6..r9 (i64). */
export const FR_RET_PC = 0;
export const FR_RET_BLOCK = 4;
export const FR_SAVED = 8;
export const TABLE_AT = FRAMES_AT + MAX_CALL_DEPTH * FRAME_RECORD + 64;
export const ENTRY_SHIFT = 6;
/**
 * Region table entry fields (i32): the lowest accessible offset; the wasm address of that offset;
 * for each access size 1, 2, 4, 8 the number of valid start offsets for reads, then for writes
 * (0 when none: an empty or read-only region). An access of size S at offset o is allowed when
 * (o - start) as u32 < bound[S]: one subtraction and one unsigned compare, no wrap-around.
 */
export const ENTRY_START = 0;
export const ENTRY_BASE = 4;
export const ENTRY_READ = 8;
export const ENTRY_WRITE = 24;

/** Run outcomes the compiled function returns. */
export const STATUS_EXIT = 0;
export const STATUS_HANDOVER = 1;
export const STATUS_HELPER_FAULT = 2;

/** Helper-call outcomes the runtime returns to the compiled code. */
export const HELPER_OK = 0;
export const HELPER_UNWIND = 1;
export const HELPER_FAULT = 2;

export const SIZE_INDEX: Readonly<Record<number, number>> = { 1: 0, 2: 1, 4: 2, 8: 3 };

/** Initial room for the context memory; a run with more grows the wasm memory. */
export const CONTEXT_RESERVE = 4096;

export interface Layout {
  readonly regions: number;
  /** pc -> block index table (i32 per slot, -1 where no block starts), or -1. */
  readonly pcToBlockAt: number;
  /** Wasm address of each region's bytes (-1: none, e.g. null and code). */
  readonly base: readonly number[];
  readonly stackBase: number;
  readonly contextBase: number;
  /** Bytes needed without context memory. */
  readonly fixedBytes: number;
}

const align = (x: number, a: number): number => Math.ceil(x / a) * a;

/** Place everything for a program with these region sizes (index = region id; -1: no bytes). */
export function computeLayout(regionSizes: readonly number[], slots: number, needsPcTable: boolean): Layout {
  let at = TABLE_AT + (regionSizes.length << ENTRY_SHIFT);
  let pcToBlockAt = -1;
  if (needsPcTable) {
    pcToBlockAt = align(at, 8);
    at = pcToBlockAt + 4 * (slots + 1);
  }
  const base: number[] = [];
  for (const size of regionSizes) {
    if (size < 0) base.push(-1);
    else {
      at = align(at, 16);
      base.push(at);
      at += size;
    }
  }
  const contextBase = align(at, 16);
  return {
    regions: regionSizes.length,
    pcToBlockAt,
    base,
    stackBase: base[1]!,
    contextBase,
    fixedBytes: contextBase,
  };
}

/** Wasm pages to hold the layout plus `contextBytes` of context memory. */
export function pagesFor(layout: Layout, contextBytes: number): number {
  return Math.ceil((layout.fixedBytes + contextBytes) / WASM_PAGE);
}

export { STACK_SIZE };
