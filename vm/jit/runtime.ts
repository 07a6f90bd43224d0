// The JIT's run-time side: instantiates a compiled module once per loaded program and runs it with
// the interpreter's contract (vm/interpreter.ts): same RunContext, same {r0, steps} or VmFault.
//
// Memory: the stack, heap and data sections live in the module's WebAssembly memory for good (the
// program's Memory maps views of it, so helpers and the interpreter see the same bytes). The run's
// context memory and extra regions belong to the caller: their bytes are copied in when a run starts
// and out when it ends, and around every helper call (a helper sees the caller's arrays, as in the
// interpreter, and its changes are copied back in before the program continues).
// Hand-over: when the compiled code meets something it leaves to the interpreter (a fault, the end
// of the budget, an unusual callx), it spills its state; this side copies it into the interpreter's
// Machine and resumes the interpreter at that instruction, which finishes the run.
import { FaultCodes, VmFault } from '../errors.js';
import type { HelperEntry } from '../helpers.js';
import type { LoadedProgram } from '../loader.js';
import { interpret, resume } from '../interpreter.js';
import { callHelper } from '../helper-call.js';
import type { RunContext, RunResult } from '../interpreter.js';
import { MAX_REGION_SIZE, REGION_CONTEXT, REGION_STACK } from '../memory.js';
import { MAX_CALL_DEPTH } from '../opcodes.js';
import { toU64 } from '../alu.js';
import type { Compiled } from './compile.js';
import {
  DPC_AT,
  ENTRY_BASE,
  ENTRY_READ,
  ENTRY_SHIFT,
  ENTRY_START,
  ENTRY_WRITE,
  FR_RET_PC,
  FR_SAVED,
  FRAME_AT,
  FRAME_RECORD,
  FRAMES_AT,
  HELPER_FAULT,
  HELPER_OK,
  HELPER_UNWIND,
  LEFT_AT,
  pagesFor,
  REGS_AT,
  STATUS_EXIT,
  STATUS_HANDOVER,
  TABLE_AT,
} from './layout.js';
import type { Layout } from './layout.js';
import { wasmApi, WASM_PAGE } from './wasm.js';
import type { WasmMemory } from './wasm.js';

const SIZES = [1, 2, 4, 8];

export class JitProgram {
  private readonly wasm: WasmMemory;
  private readonly runCompiled: (budget: number) => number;
  private readonly layout: Layout;
  private readonly helperById: Array<HelperEntry | undefined> = [];
  /** Regions the program owns in wasm memory (stack, heap, data), and the caller's (extra regions). */
  private readonly owned: number[] = [];
  private readonly external: number[];
  private u8!: Uint8Array;
  private i32!: Int32Array;
  private u64!: BigUint64Array;
  private f64!: Float64Array;
  private contextCapacity: number;
  /** The context entry's bounds as last written: the length (writable), -2 - length (read-only), -1 (none). */
  private contextBounds = -1;
  // ===== per-run state =====
  private ctx: RunContext = {};
  private contextMapped = false;
  /** The context's bytes in wasm memory as last mapped (contextView). */
  private contextBytes: Uint8Array | undefined = undefined;
  private helperFault: VmFault | undefined;

  constructor(
    private readonly p: LoadedProgram,
    compiled: Compiled,
    external: readonly number[],
  ) {
    this.layout = compiled.layout;
    this.external = [...external];
    this.wasm = new wasmApi.Memory({ initial: compiled.pages });
    this.contextCapacity = compiled.pages * WASM_PAGE - this.layout.fixedBytes;
    const mem = p.memory;
    for (let id = 0; id < mem.names.length; id++)
      if (this.layout.base[id]! >= 0 && id !== REGION_CONTEXT && !this.external.includes(id))
        this.owned.push(id);
    this.refreshViews();
    // Move the owned regions' bytes into wasm memory; Memory maps views of them from now on.
    for (const id of this.owned) {
      if (id !== REGION_STACK) this.u8.set(mem.bytes[id]!, this.layout.base[id]!);
      this.remap(id);
    }
    this.writeRegionTable();
    if (this.layout.pcToBlockAt >= 0) this.i32.set(compiled.pcDispatch, this.layout.pcToBlockAt >> 2);
    const module = new wasmApi.Module(compiled.bytes);
    const instance = new wasmApi.Instance(module, {
      env: {
        memory: this.wasm,
        helper: (pc: number, id: number, frame: number) => this.helper(pc, id, frame),
      },
    });
    this.runCompiled = instance.exports['run'] as (budget: number) => number;
    for (const h of p.helpers.list()) this.helperById[h.id] = p.helpers.entry(h.id);
  }

  /** Run once: the interpreter's contract. Never throws. */
  run(ctx: RunContext): RunResult | VmFault {
    const p = this.p;
    const m = p.machine;
    // The compiled code counts in integers: any other budget (fractions, Infinity, NaN) is the interpreter's.
    const budget = ctx.budget ?? p.budget;
    if (!Number.isSafeInteger(budget) || budget < 0) return interpret(p, ctx);
    if (m.running) return new VmFault(FaultCodes.BAD_RUN_CONTEXT, -1, `${p.name} is already running`);
    const input = ctx.mem;
    if (input && input.length > MAX_REGION_SIZE)
      return new VmFault(FaultCodes.BAD_RUN_CONTEXT, -1, `run memory of ${input.length} bytes is too large`);
    if (ctx.args && ctx.args.length > 5)
      return new VmFault(FaultCodes.BAD_RUN_CONTEXT, -1, `${ctx.args.length} arguments (at most 5)`);
    m.running = true;
    this.ctx = ctx;
    this.helperFault = undefined;
    m.helperCtx.user = ctx.user;
    try {
      return this.execute(ctx, input, budget);
    } catch (e) {
      return new VmFault(
        FaultCodes.INTERNAL,
        p.memory.pc,
        `internal VM error: ${e instanceof Error ? e.message : String(e)}`,
      );
    } finally {
      if (this.contextMapped) {
        p.memory.unmapContext();
        this.contextMapped = false;
      }
      this.ctx = {};
      m.helperCtx.user = undefined;
      m.running = false;
    }
  }

  private execute(ctx: RunContext, input: Uint8Array | undefined, budget: number): RunResult | VmFault {
    const len = input ? input.length : 0;
    if (len > this.contextCapacity) this.grow(len);
    const i32 = this.i32;
    // Context region entry: [0, len), writable unless the run says otherwise (written when that changes:
    // runs at one point pass the same length run after run).
    const writable = input !== undefined && (ctx.memWritable ?? true);
    const bounds = input === undefined ? -1 : writable ? len : -2 - len;
    if (bounds !== this.contextBounds) {
      this.contextBounds = bounds;
      const entry = this.entryAt(REGION_CONTEXT);
      for (let k = 0; k < 4; k++) {
        const bound = input && len >= SIZES[k]! ? len - SIZES[k]! + 1 : 0;
        i32[(entry + ENTRY_READ) / 4 + k] = bound;
        i32[(entry + ENTRY_WRITE) / 4 + k] = writable ? bound : 0;
      }
    }
    this.copyIn();
    // r1..r5: the context's address and length, or the run's arguments.
    const r = REGS_AT / 4;
    for (let k = 2; k <= 11; k++) i32[r + k] = 0;
    if (input) {
      i32[r + 3] = REGION_CONTEXT;
      i32[r + 4] = len;
    }
    if (ctx.args)
      for (let k = 0; k < ctx.args.length; k++)
        this.u64[REGS_AT / 8 + 1 + k] = BigInt.asUintN(64, ctx.args[k]!);
    const status = this.runCompiled(budget);
    if (status === STATUS_EXIT) {
      this.copyOut();
      const i32 = this.i32;
      return { r0: toU64(i32[REGS_AT / 4 + 1]!, i32[REGS_AT / 4]!), steps: budget - this.f64[LEFT_AT / 8]! };
    }
    if (status === STATUS_HANDOVER) return this.handOver(budget);
    this.copyOut();
    return this.helperFault!;
  }

  /** Continue the run in the interpreter from the state the compiled code spilled. */
  private handOver(budget: number): RunResult | VmFault {
    const p = this.p;
    const m = p.machine;
    const mem = p.memory;
    this.copyOut();
    const i32 = this.i32;
    for (let r = 0; r <= 10; r++) {
      m.L[r] = i32[REGS_AT / 4 + 2 * r]!;
      m.H[r] = i32[REGS_AT / 4 + 2 * r + 1]!;
    }
    // The interpreter goes on with the caller's array as the context region (copied out above).
    this.mapContextTo(this.ctx.mem);
    const frame = i32[FRAME_AT / 4]!;
    for (let f = 0; f < frame && f < MAX_CALL_DEPTH; f++) {
      const rec = (FRAMES_AT + f * FRAME_RECORD) / 4;
      m.retPc[f] = i32[rec + FR_RET_PC / 4]!;
      for (let k = 0; k < 4; k++) {
        m.savedL[f * 4 + k] = i32[rec + FR_SAVED / 4 + 2 * k]!;
        m.savedH[f * 4 + k] = i32[rec + FR_SAVED / 4 + 2 * k + 1]!;
      }
    }
    mem.openStackFrames(frame);
    return resume(p, m, i32[DPC_AT / 4]!, frame, this.f64[LEFT_AT / 8]!, budget);
  }

  /** The imported helper call: r1..r5 in REGS, the new r0 back there. */
  private helper(pc: number, id: number, frame: number): number {
    const p = this.p;
    const m = p.machine;
    const helper = this.helperById[id];
    if (!helper) {
      this.helperFault = new VmFault(FaultCodes.INTERNAL, pc, `helper ${id} vanished`);
      return HELPER_FAULT;
    }
    // The helper sees the context where the program has it (wasm memory: no copy either way); only the
    // caller's extra regions are copied around the call.
    const external = this.external.length !== 0;
    if (external) this.copyOutExternal();
    this.mapContext();
    p.memory.openStackFrames(frame);
    p.memory.pc = pc;
    m.helperCtx.pc = pc;
    // The registers are 32-bit halves in wasm memory, r_k's low half at REGS + 8k (not BigUint64 loads).
    const i32 = this.i32;
    const at = REGS_AT / 4;
    const fault = callHelper(helper, i32, at, i32, at + 1, 2, m.helperCtx, pc);
    if (external) this.copyInExternal();
    if (fault !== undefined) {
      this.helperFault = fault;
      return HELPER_FAULT;
    }
    return helper.unwindOnZero && i32[at] === 0 && i32[at + 1] === 0 ? HELPER_UNWIND : HELPER_OK;
  }

  // ===== the caller's bytes =====
  /** For helpers: the context region is the run's context in wasm memory (once per run). */
  private mapContext(): void {
    const input = this.ctx.mem;
    if (!input || this.contextMapped) return;
    this.mapContextTo(this.contextView(input.length));
  }

  private mapContextTo(bytes: Uint8Array | undefined): void {
    if (!bytes) return;
    this.p.memory.setRegion(REGION_CONTEXT, 'context', bytes, this.ctx.memWritable ?? true);
    this.contextMapped = true;
  }

  /** u8[contextBase, + len), kept while the length and the buffer stay (runs reuse it). */
  private contextView(len: number): Uint8Array {
    let v = this.contextBytes;
    if (v === undefined || v.length !== len) {
      const base = this.layout.contextBase;
      this.contextBytes = v = this.u8.subarray(base, base + len);
    }
    return v;
  }

  /** Caller's arrays -> wasm memory. */
  private copyIn(): void {
    const input = this.ctx.mem;
    if (input && input.length > 0) copyInto(input, this.u8, this.layout.contextBase);
    this.copyInExternal();
  }

  private copyInExternal(): void {
    for (const id of this.external) this.u8.set(this.p.memory.bytes[id]!, this.layout.base[id]!);
  }

  /** Wasm memory -> caller's arrays (writable ones). */
  private copyOut(): void {
    const input = this.ctx.mem;
    if (input && input.length > 0 && (this.ctx.memWritable ?? true))
      copyFrom(this.u8, this.layout.contextBase, input);
    this.copyOutExternal();
  }

  private copyOutExternal(): void {
    const mem = this.p.memory;
    for (const id of this.external)
      if (mem.writable[id]) copyFrom(this.u8, this.layout.base[id]!, mem.bytes[id]!);
  }

  // ===== wasm memory =====
  private entryAt(id: number): number {
    return TABLE_AT + (id << ENTRY_SHIFT);
  }

  private writeRegionTable(): void {
    const mem = this.p.memory;
    const i32 = this.i32;
    for (let id = 0; id < this.layout.regions; id++) {
      const e = this.entryAt(id) / 4;
      const base = this.layout.base[id]!;
      const len = base < 0 || id === REGION_CONTEXT ? 0 : mem.bytes[id]!.length;
      i32[e + ENTRY_START / 4] = 0;
      i32[e + ENTRY_BASE / 4] = id === REGION_CONTEXT ? this.layout.contextBase : Math.max(base, 0);
      for (let k = 0; k < 4; k++) {
        const bound = len >= SIZES[k]! ? len - SIZES[k]! + 1 : 0;
        i32[e + ENTRY_READ / 4 + k] = bound;
        i32[e + ENTRY_WRITE / 4 + k] = mem.writable[id] ? bound : 0;
      }
    }
  }

  private refreshViews(): void {
    const buffer = this.wasm.buffer;
    this.contextBytes = undefined;
    this.u8 = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u64 = new BigUint64Array(buffer);
    this.f64 = new Float64Array(buffer);
  }

  /** Point Memory's region `id` at its bytes in wasm memory. */
  private remap(id: number): void {
    const mem = this.p.memory;
    const base = this.layout.base[id]!;
    const len = mem.bytes[id]!.length;
    const start = mem.start[id]!;
    mem.setRegion(id, mem.names[id]!, this.u8.subarray(base, base + len), mem.writable[id]!);
    mem.start[id] = start;
  }

  /** Make room for `contextBytes` of context memory (detaches every view: remap them). */
  private grow(contextBytes: number): void {
    const pages = pagesFor(this.layout, contextBytes);
    const have = this.wasm.buffer.byteLength / WASM_PAGE;
    if (pages > have) this.wasm.grow(pages - have);
    this.contextCapacity = this.wasm.buffer.byteLength - this.layout.fixedBytes;
    this.refreshViews();
    for (const id of this.owned) this.remap(id);
  }
}

/** to[at..] = from; a few octets without TypedArray.set's fixed cost (which a loop of 24 octets exceeds). */
function copyInto(from: Uint8Array, to: Uint8Array, at: number): void {
  const n = from.length;
  if (n <= 8) for (let i = 0; i < n; i++) to[at + i] = from[i]!;
  else to.set(from, at);
}

/** to[0..] = from[at..at + to.length]; small copies without a subarray view (runs allocate nothing else). */
function copyFrom(from: Uint8Array, at: number, to: Uint8Array): void {
  const n = to.length;
  if (n <= 256) for (let i = 0; i < n; i++) to[i] = from[at + i]!;
  else to.set(from.subarray(at, at + n));
}
