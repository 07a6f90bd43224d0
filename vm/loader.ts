// Loading: decode a ProgramImage, verify it, map its memory and resolve its lddw references. The
// result, a LoadedProgram, is what the interpreter (and later the JIT) runs; it owns the program's
// memory (stack, heap, copies of the data sections, extra regions) for all of its runs.
import { VerifyError, VerifyCodes } from './errors.js';
import { decodeProgram } from './instruction.js';
import type { DecodedProgram } from './instruction.js';
import type { HelperRegistry, HelperPermissions } from './helpers.js';
import { testHelperRegistry } from './helpers.js';
import { Memory, REGION_CODE, regionAddress } from './memory.js';
import { EBPF_OP_LDDW } from './opcodes.js';
import { createMachine } from './interpreter.js';
import type { Machine } from './interpreter.js';
import { compileJit } from './jit/index.js';
import type { JitProgram } from './jit/index.js';
import type { ProgramImage } from './program.js';
import { LDDW_SRC_DATA, LDDW_SRC_FUNC } from './program.js';
import { defaultChecks, findLddwSecondHalves, verify } from './verifier.js';
import type { VerifyCheck } from './verifier.js';

/** Default instruction budget of a run. */
export const DEFAULT_BUDGET = 10_000_000;

/** A memory region mapped for every run of the program (e.g. shared memory: pass the same bytes to several programs). */
export interface ExtraRegion {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly writable: boolean;
  /**
   * The caller reaches the region's bytes only through the program's `memory.bytes[id]` (not through
   * `bytes`, which only gives the initial contents): a plugin heap, or memory the caller hands from one
   * program to the next. The JIT then keeps them in its own memory instead of copying them in and out
   * around every run and helper call.
   */
  readonly programOwned?: boolean;
}

export interface LoadOptions {
  /** Helpers the program may call (default: the conformance test helpers 0..5). */
  helpers?: HelperRegistry;
  /** Which helpers this program may call (default: all registered). */
  permissions?: HelperPermissions;
  /** Verifier checks (default: defaultChecks); extend with `[...defaultChecks, mine]`. */
  checks?: readonly VerifyCheck[];
  /** Instruction budget per run unless the run says otherwise (default DEFAULT_BUDGET). */
  budget?: number;
  /** Size of the per-program heap region "heap" (default 0: no heap). */
  heapSize?: number;
  /** Further regions to map (e.g. shared memory), addressable via memory.addressOf(name). */
  regions?: readonly ExtraRegion[];
  /**
   * Compile the program to WebAssembly (vm/jit/) and run that; a program the JIT does not compile
   * runs in the interpreter (the reason goes to `onJitFallback`). Default false.
   */
  jit?: boolean;
  /** Told why a program asked to be compiled runs in the interpreter (default: a process warning, once per reason). */
  onJitFallback?: (reason: string) => void;
}

export interface LoadedProgram {
  readonly name: string;
  /** Decoded slots plus one sentinel slot (opcode 0) at index `length`; lddw imm pairs hold resolved addresses. */
  readonly code: DecodedProgram;
  /** Number of real instruction slots. */
  readonly length: number;
  readonly entry: number;
  /**
   * The interpreter's view of each slot (and the sentinel): opcode | dst << 8 | src << 12 |
   * offset << 16 in one int32, so an instruction costs one load besides its imm.
   */
  readonly head: Int32Array;
  /** 1 where a slot begins an instruction (valid callx targets). */
  readonly insnStart: Uint8Array;
  readonly memory: Memory;
  readonly helpers: HelperRegistry;
  readonly permissions: HelperPermissions | undefined;
  readonly budget: number;
  /** Registers and call frames of the interpreter, reused by every run. */
  readonly machine: Machine;
  /** The compiled program when loaded with `jit: true` and the JIT compiled it. */
  readonly jit: JitProgram | undefined;
  /** Why a program loaded with `jit: true` runs in the interpreter. */
  readonly jitFallback: string | undefined;
}

const warned = new Set<string>();
function warnFallback(reason: string): void {
  if (warned.has(reason)) return;
  warned.add(reason);
  process.emitWarning(`eBPF program runs in the interpreter: ${reason}`, { code: 'XBGPD_VM_JIT_FALLBACK' });
}

/** Verify and load `image`, or return why it may not run. */
export function loadProgram(image: ProgramImage, options: LoadOptions = {}): LoadedProgram | VerifyError {
  const helpers = options.helpers ?? testHelperRegistry();
  const decoded = decodeProgram(image.code);
  const lddwSecondHalf = findLddwSecondHalves(decoded);
  const rejection = verify(
    { image, prog: decoded, helpers, permissions: options.permissions, lddwSecondHalf },
    options.checks ?? defaultChecks,
  );
  if (rejection) return rejection;

  const memory = new Memory();
  if (options.heapSize) memory.map('heap', new Uint8Array(options.heapSize), true);
  const dataRegion: number[] = [];
  for (const section of image.data) {
    memory.map(section.name, section.bytes.slice(), section.writable);
    dataRegion.push(memory.names.length - 1);
  }
  // Pointers initialised in data: the addresses of the sections they point into, now that they are mapped.
  image.data.forEach((section, i) => {
    const view = memory.views[dataRegion[i]!]!;
    for (const p of section.pointers ?? [])
      view.setBigUint64(p.offset, regionAddress(dataRegion[p.data]!) + BigInt(p.addend), true);
  });
  const external: number[] = [];
  for (const r of options.regions ?? []) {
    memory.map(r.name, r.bytes, r.writable);
    if (r.programOwned !== true) external.push(memory.names.length - 1);
  }

  const code = withSentinel(decoded);
  const n = decoded.length;
  const insnStart = new Uint8Array(n);
  for (let pc = 0; pc < n; pc++) {
    insnStart[pc] = lddwSecondHalf[pc] ? 0 : 1;
    if (code.opcode[pc] !== EBPF_OP_LDDW) continue;
    // Resolve the address variants into plain 64-bit constants (low half in imm, high half in the next imm).
    const src = code.src[pc];
    if (src === LDDW_SRC_DATA) {
      const region = dataRegion[code.imm[pc]!];
      if (region === undefined)
        return new VerifyError(VerifyCodes.BAD_DATA_REFERENCE, pc, 'lddw refers to a missing data section');
      code.imm[pc] = code.imm[pc + 1]!;
      code.imm[pc + 1] = region;
    } else if (src === LDDW_SRC_FUNC) {
      // As the kernel (and local calls): relative to the slot after the first half, pc + 1 + imm.
      code.imm[pc] = (pc + 1 + code.imm[pc]!) * 8;
      code.imm[pc + 1] = REGION_CODE;
    }
  }
  const head = new Int32Array(n + 1);
  for (let pc = 0; pc <= n; pc++)
    head[pc] = code.opcode[pc]! | (code.dst[pc]! << 8) | (code.src[pc]! << 12) | (code.off[pc]! << 16);
  const loaded: LoadedProgram = {
    name: image.name ?? 'program',
    code,
    head,
    length: n,
    entry: image.entry,
    insnStart,
    memory,
    helpers,
    permissions: options.permissions,
    budget: options.budget ?? DEFAULT_BUDGET,
    machine: createMachine(memory),
    jit: undefined,
    jitFallback: undefined,
  };
  if (!options.jit) return loaded;
  const jit = compileJit(loaded, external);
  if (typeof jit !== 'string') return { ...loaded, jit };
  (options.onJitFallback ?? warnFallback)(jit);
  return { ...loaded, jitFallback: jit };
}

/** A copy of `p` with one more slot, all zero: opcode 0 is never executed, so reaching it means falling off the end. */
function withSentinel(p: DecodedProgram): DecodedProgram {
  const n = p.length + 1;
  const grow = <T extends Uint8Array | Int16Array | Int32Array>(a: T, make: (n: number) => T): T => {
    const b = make(n);
    b.set(a);
    return b;
  };
  return {
    length: p.length,
    opcode: grow(p.opcode, (k) => new Uint8Array(k)),
    dst: grow(p.dst, (k) => new Uint8Array(k)),
    src: grow(p.src, (k) => new Uint8Array(k)),
    off: grow(p.off, (k) => new Int16Array(k)),
    imm: grow(p.imm, (k) => new Int32Array(k)),
  };
}
