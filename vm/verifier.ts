// The load-time verifier: static checks on a decoded program before it may run. It is a list of
// checks (VerifyCheck), run in order; the first rejection wins. Callers can replace or extend the
// list (loadProgram's `checks` option). Every rejection is a VerifyError with a code and a pc.
//
// What it checks (RFC 9669 sections 3-5; rules as uBPF's validate() and PREVAIL's unmarshal):
//   size (whole slots, 1..MAX_INSNS), entry point, known opcodes only, every unused field zero and
//   every used field in its allowed set, registers r0..r10, r10 never written, lddw pairs complete
//   with a valid source variant and data reference, jump targets inside the program and not into the
//   second half of an lddw, no jump to itself, no jump out of its function (into another function's
//   body), helper ids registered and permitted, local call targets inside the program.
//
// What it does NOT check (the interpreter enforces the safety-relevant ones at run time):
//   - memory safety: pointers are not tracked; every load and store is bounds-checked when it runs;
//   - termination: loops are allowed; the run's instruction budget stops endless runs;
//   - falling off the end of the program (a run-time fault, as in uBPF);
//   - reads of registers never written (registers start at zero, so runs stay deterministic);
//   - helper argument types, stack depth per function, the targets of `callx` (checked when it runs).
import { VerifyError, VerifyCodes } from './errors.js';
import type { VerifyCode } from './errors.js';
import type { DecodedProgram } from './instruction.js';
import type { HelperRegistry, HelperPermissions } from './helpers.js';
import { isPermitted } from './helpers.js';
import type { ProgramImage } from './program.js';
import { LDDW_SRC_DATA, LDDW_SRC_FUNC, CALL_SRC_LOCAL } from './program.js';
import * as op from './opcodes.js';

/** Everything a check may look at. */
export interface VerifyContext {
  readonly image: ProgramImage;
  readonly prog: DecodedProgram;
  readonly helpers: HelperRegistry;
  readonly permissions: HelperPermissions | undefined;
  /** 1 at the second slot of each lddw (only for complete pairs). */
  readonly lddwSecondHalf: Uint8Array;
}

export type VerifyCheck = (ctx: VerifyContext) => VerifyError | undefined;

const fail = (code: VerifyCode, pc: number, message: string): VerifyError =>
  new VerifyError(code, pc, message);

// ===== checks =====

/** RFC 9669 section 3: instructions are 64 bits (lddw 128). */
export const checkSize: VerifyCheck = ({ image, prog }) => {
  if (image.code.length % 8 !== 0)
    return fail(VerifyCodes.CODE_LENGTH, -1, `code length ${image.code.length} is not a multiple of 8`);
  if (prog.length === 0) return fail(VerifyCodes.PROGRAM_SIZE, -1, 'program has no instructions');
  if (prog.length > op.MAX_INSNS)
    return fail(VerifyCodes.PROGRAM_SIZE, -1, `too many instructions (${prog.length}, max ${op.MAX_INSNS})`);
  return undefined;
};

/** RFC 9669 section 5.4: lddw "uses two 64-bit instructions"; the second has opcode, dst, src and offset 0. */
export const checkLddwPairs: VerifyCheck = ({ prog, image }) => {
  for (let pc = 0; pc < prog.length; pc++) {
    if (prog.opcode[pc] !== op.EBPF_OP_LDDW) continue;
    const next = pc + 1;
    if (next >= prog.length || prog.opcode[next] !== 0)
      return fail(VerifyCodes.LDDW_INCOMPLETE, pc, 'incomplete lddw');
    if (prog.dst[next] !== 0 || prog.src[next] !== 0 || prog.off[next] !== 0)
      return fail(VerifyCodes.LDDW_INCOMPLETE, next, 'lddw second half has non-zero dst, src or offset');
    const src = prog.src[pc]!;
    if (src === LDDW_SRC_DATA) {
      // "map_val(map_by_idx(imm)) + next_imm": imm indexes the image's data sections.
      const section = image.data[prog.imm[pc]!];
      if (prog.imm[pc]! < 0 || section === undefined)
        return fail(
          VerifyCodes.BAD_DATA_REFERENCE,
          pc,
          `lddw refers to data section ${prog.imm[pc]} (image has ${image.data.length})`,
        );
      const offset = prog.imm[next]!;
      if (offset < 0 || offset > section.bytes.length)
        return fail(
          VerifyCodes.BAD_DATA_REFERENCE,
          pc,
          `offset ${offset} outside data section ${section.name} (${section.bytes.length} bytes)`,
        );
    } else if (src === LDDW_SRC_FUNC) {
      // "code_addr(imm)": as the kernel and local calls, the target is pc + 1 + imm; next_imm is unused.
      if (prog.imm[next] !== 0)
        return fail(VerifyCodes.RESERVED_FIELD, next, 'lddw code address with non-zero upper immediate');
      const target = pc + 1 + prog.imm[pc]!;
      if (target < 0 || target >= prog.length)
        return fail(VerifyCodes.BAD_CALL_TARGET, pc, `function address ${target} outside the program`);
    } else if (src !== 0) {
      return fail(
        VerifyCodes.LDDW_BAD_SOURCE,
        pc,
        `lddw source variant ${src} not supported (0, ${LDDW_SRC_FUNC}, ${LDDW_SRC_DATA})`,
      );
    }
    if (prog.off[pc] !== 0) return fail(VerifyCodes.RESERVED_FIELD, pc, 'lddw with non-zero offset');
    pc++;
  }
  return undefined;
};

/** Known opcodes, reserved fields, registers, r10 read-only (RFC 9669 sections 3-5). */
export const checkInstructionFields: VerifyCheck = ({ prog, lddwSecondHalf }) => {
  for (let pc = 0; pc < prog.length; pc++) {
    if (lddwSecondHalf[pc]) continue;
    const e = checkOne(prog, pc);
    if (e) return e;
  }
  return undefined;
};

/** Jump targets inside the program, not into an lddw, not to the jump itself (RFC 9669 section 4.3). */
export const checkJumps: VerifyCheck = ({ prog, lddwSecondHalf }) => {
  for (let pc = 0; pc < prog.length; pc++) {
    if (lddwSecondHalf[pc]) continue;
    const code = prog.opcode[pc]!;
    const cls = code & 0x07;
    if (cls !== op.BPF_JMP && cls !== op.BPF_JMP32) continue;
    const jop = code & 0xf0;
    if (
      jop === op.BPF_EXIT ||
      (jop === op.BPF_CALL && !(code === op.EBPF_OP_CALL && prog.src[pc] === CALL_SRC_LOCAL))
    )
      continue;
    // "gotol" (JA in JMP32) and local calls take the offset from imm; all others from offset.
    const isImmTarget = code === op.EBPF_OP_JA32 || code === op.EBPF_OP_CALL;
    const delta = isImmTarget ? prog.imm[pc]! : prog.off[pc]!;
    const target = pc + 1 + delta;
    const what = code === op.EBPF_OP_CALL ? 'call' : 'jump';
    if (delta === -1 && code !== op.EBPF_OP_CALL)
      return fail(VerifyCodes.INFINITE_LOOP, pc, 'jump to itself (infinite loop)');
    if (target < 0 || target >= prog.length)
      return fail(
        code === op.EBPF_OP_CALL ? VerifyCodes.BAD_CALL_TARGET : VerifyCodes.JUMP_OUT_OF_BOUNDS,
        pc,
        `${what} target ${target} outside the program (0..${prog.length - 1})`,
      );
    if (lddwSecondHalf[target])
      return fail(
        code === op.EBPF_OP_CALL ? VerifyCodes.BAD_CALL_TARGET : VerifyCodes.JUMP_INTO_LDDW,
        pc,
        `${what} target ${target} is the middle of an lddw`,
      );
  }
  return undefined;
};

/**
 * Jumps stay inside their function, as uBPF and the kernel require: functions start at slot 0, the
 * entry, local-call targets and function addresses (lddw src=4), and end where the next one starts.
 * (Falling through into the next function is not a jump; it runs.) Runs after checkJumps.
 */
export const checkFunctionBoundaries: VerifyCheck = ({ image, prog, lddwSecondHalf }) => {
  const n = prog.length;
  const starts = new Uint8Array(n + 1);
  starts[0] = 1;
  if (Number.isInteger(image.entry) && image.entry >= 0 && image.entry < n) starts[image.entry] = 1;
  for (let pc = 0; pc < n; pc++) {
    if (lddwSecondHalf[pc]) continue;
    const code = prog.opcode[pc]!;
    let target = -1;
    if (code === op.EBPF_OP_CALL && prog.src[pc] === CALL_SRC_LOCAL) target = pc + 1 + prog.imm[pc]!;
    else if (code === op.EBPF_OP_LDDW && prog.src[pc] === LDDW_SRC_FUNC) target = pc + 1 + prog.imm[pc]!;
    if (target >= 0 && target < n) starts[target] = 1;
  }
  // Function index of every slot.
  const fn = new Int32Array(n);
  let current = -1;
  for (let pc = 0; pc < n; pc++) {
    if (starts[pc]) current = pc;
    fn[pc] = current;
  }
  for (let pc = 0; pc < n; pc++) {
    if (lddwSecondHalf[pc]) continue;
    const code = prog.opcode[pc]!;
    const cls = code & 0x07;
    if (cls !== op.BPF_JMP && cls !== op.BPF_JMP32) continue;
    const jop = code & 0xf0;
    if (jop === op.BPF_EXIT || jop === op.BPF_CALL) continue;
    const target = pc + 1 + (code === op.EBPF_OP_JA32 ? prog.imm[pc]! : prog.off[pc]!);
    if (target < 0 || target >= n) continue;
    if (fn[target] !== fn[pc])
      return fail(
        VerifyCodes.JUMP_OUT_OF_FUNCTION,
        pc,
        `jump target ${target} is in the function at ${fn[target]}, not in this one (at ${fn[pc]})`,
      );
  }
  return undefined;
};

/** RFC 9669 section 4.3.1: helper calls by static id must name a registered helper; we add permissions. */
export const checkHelperCalls: VerifyCheck = ({ prog, helpers, permissions, lddwSecondHalf }) => {
  for (let pc = 0; pc < prog.length; pc++) {
    if (lddwSecondHalf[pc] || prog.opcode[pc] !== op.EBPF_OP_CALL || prog.src[pc] !== 0) continue;
    const id = prog.imm[pc]!;
    const helper = helpers.get(id);
    if (!helper) return fail(VerifyCodes.UNKNOWN_HELPER, pc, `call to nonexistent helper ${id}`);
    if (!isPermitted(helper, permissions))
      return fail(
        VerifyCodes.HELPER_NOT_PERMITTED,
        pc,
        `helper ${id} (${helper.name}) needs permission '${helper.permission}'`,
      );
  }
  return undefined;
};

/** The entry point is an instruction of the program. */
export const checkEntry: VerifyCheck = ({ image, prog, lddwSecondHalf }) => {
  const e = image.entry;
  if (!Number.isInteger(e) || e < 0 || e >= prog.length || lddwSecondHalf[e])
    return fail(VerifyCodes.BAD_ENTRY, -1, `entry ${e} is not an instruction of the program`);
  return undefined;
};

/** Pointers initialised in data (DataSection.pointers): 8 bytes inside their section, aimed inside a data section. */
export const checkDataPointers: VerifyCheck = ({ image }) => {
  for (const section of image.data)
    for (const p of section.pointers ?? []) {
      const target = image.data[p.data];
      if (!Number.isInteger(p.offset) || p.offset < 0 || p.offset + 8 > section.bytes.length)
        return fail(
          VerifyCodes.BAD_DATA_REFERENCE,
          -1,
          `pointer at offset ${p.offset} outside data section ${section.name} (${section.bytes.length} bytes)`,
        );
      if (
        target === undefined ||
        !Number.isInteger(p.addend) ||
        p.addend < 0 ||
        p.addend > target.bytes.length
      )
        return fail(
          VerifyCodes.BAD_DATA_REFERENCE,
          -1,
          `pointer at ${section.name}+${p.offset} aims at data section ${p.data} offset ${p.addend}, which does not exist`,
        );
    }
  return undefined;
};

/** The default checks, in order. */
export const defaultChecks: readonly VerifyCheck[] = [
  checkSize,
  checkLddwPairs,
  checkInstructionFields,
  checkJumps,
  checkFunctionBoundaries,
  checkHelperCalls,
  checkEntry,
  checkDataPointers,
];

/** Run `checks` over the program; the first rejection, or undefined when it may run. */
export function verify(
  ctx: VerifyContext,
  checks: readonly VerifyCheck[] = defaultChecks,
): VerifyError | undefined {
  for (const check of checks) {
    const e = check(ctx);
    if (e) return e;
  }
  return undefined;
}

/** Mark the second slots of lddw pairs. */
export function findLddwSecondHalves(prog: DecodedProgram): Uint8Array {
  const marks = new Uint8Array(prog.length);
  for (let pc = 0; pc + 1 < prog.length; pc++) {
    if (prog.opcode[pc] === op.EBPF_OP_LDDW) marks[++pc] = 1;
  }
  return marks;
}

// ===== per-instruction field rules =====

const ALLOWED_ATOMIC = new Set(
  [op.BPF_ADD, op.BPF_OR, op.BPF_AND, op.BPF_XOR]
    .flatMap((o) => [o, o | op.BPF_FETCH])
    .concat([op.BPF_XCHG, op.BPF_CMPXCHG]),
);

function checkOne(p: DecodedProgram, pc: number): VerifyError | undefined {
  const code = p.opcode[pc]!;
  const dst = p.dst[pc]!;
  const src = p.src[pc]!;
  const off = p.off[pc]!;
  const imm = p.imm[pc]!;
  const unknown = (): VerifyError =>
    fail(VerifyCodes.UNKNOWN_OPCODE, pc, `unknown opcode 0x${code.toString(16).padStart(2, '0')}`);
  const reserved = (field: string): VerifyError =>
    fail(
      VerifyCodes.RESERVED_FIELD,
      pc,
      `opcode 0x${code.toString(16).padStart(2, '0')}: ${field} must be 0`,
    );
  // "The 'dst_reg' ... 'src_reg' ... register numbers" are 0..10 (RFC 9669 section 2.4: r0-r10).
  if (dst > 10) return fail(VerifyCodes.BAD_REGISTER, pc, `invalid destination register r${dst}`);
  if (src > 10 && !(code === op.EBPF_OP_LDDW || code === op.EBPF_OP_CALL))
    return fail(VerifyCodes.BAD_REGISTER, pc, `invalid source register r${src}`);
  const writesDst = (): VerifyError | undefined =>
    // "R10 is a read-only register" (RFC 9669 section 2.4: the frame pointer).
    dst === 10
      ? fail(VerifyCodes.WRITE_R10, pc, 'instruction writes the read-only frame pointer r10')
      : undefined;
  const cls = code & 0x07;
  switch (cls) {
    case op.BPF_ALU:
    case op.BPF_ALU64: {
      const aop = code & 0xf0;
      const isReg = (code & op.BPF_X) !== 0;
      if (aop === op.BPF_END) {
        // 0xd4 le, 0xdc be (ALU class), 0xd7 bswap (ALU64, source bit 0); 0xdf does not exist.
        if (cls === op.BPF_ALU64 && isReg) return unknown();
        if (src !== 0) return reserved('src');
        if (off !== 0) return reserved('offset');
        if (imm !== 16 && imm !== 32 && imm !== 64)
          return fail(VerifyCodes.BAD_ENDIAN_IMM, pc, `byte swap width ${imm} is not 16, 32 or 64`);
        return writesDst();
      }
      if (aop > op.BPF_END) return unknown();
      if (aop === op.BPF_NEG) {
        if (isReg) return unknown();
        if (src !== 0) return reserved('src');
        if (imm !== 0) return reserved('imm');
        if (off !== 0) return reserved('offset');
        return writesDst();
      }
      if (isReg) {
        if (imm !== 0) return reserved('imm');
      } else if (src !== 0) return reserved('src');
      if (aop === op.BPF_DIV || aop === op.BPF_MOD) {
        // "offset 1" selects signed division (sdiv/smod).
        if (off !== 0 && off !== 1)
          return fail(
            VerifyCodes.RESERVED_FIELD,
            pc,
            `division offset ${off} is not 0 (unsigned) or 1 (signed)`,
          );
      } else if (aop === op.BPF_MOV && isReg) {
        // MOVSX: offset 8, 16 (and 32 for ALU64) sign-extends.
        if (off !== 0 && off !== 8 && off !== 16 && !(off === 32 && cls === op.BPF_ALU64))
          return fail(
            VerifyCodes.RESERVED_FIELD,
            pc,
            `mov offset ${off} is not 0, 8, 16${cls === op.BPF_ALU64 ? ' or 32' : ''}`,
          );
      } else if (off !== 0) return reserved('offset');
      return writesDst();
    }
    case op.BPF_JMP:
    case op.BPF_JMP32: {
      const jop = code & 0xf0;
      const isReg = (code & op.BPF_X) !== 0;
      if (jop === 0xe0 || jop === 0xf0) return unknown();
      if (jop === op.BPF_JA) {
        if (isReg) return unknown();
        if (dst !== 0) return reserved('dst');
        if (src !== 0) return reserved('src');
        // JMP uses the offset, JMP32 ("gotol") the imm; the other is reserved.
        if (cls === op.BPF_JMP ? imm !== 0 : off !== 0)
          return reserved(cls === op.BPF_JMP ? 'imm' : 'offset');
        return undefined;
      }
      if (jop === op.BPF_CALL) {
        if (cls === op.BPF_JMP32) return unknown();
        if (off !== 0) return reserved('offset');
        if (isReg) {
          // callx: the target is in dst (clang >= 19); src and imm are reserved.
          if (src !== 0) return reserved('src');
          if (imm !== 0) return reserved('imm');
          return undefined;
        }
        if (dst !== 0) return reserved('dst');
        if (src !== 0 && src !== CALL_SRC_LOCAL)
          return fail(
            VerifyCodes.RESERVED_FIELD,
            pc,
            `call source ${src} is not 0 (helper) or ${CALL_SRC_LOCAL} (local)`,
          );
        return undefined;
      }
      if (jop === op.BPF_EXIT) {
        if (cls === op.BPF_JMP32 || isReg) return unknown();
        if (dst !== 0) return reserved('dst');
        if (src !== 0) return reserved('src');
        if (off !== 0 || imm !== 0) return reserved(off !== 0 ? 'offset' : 'imm');
        return undefined;
      }
      if (isReg) {
        if (imm !== 0) return reserved('imm');
      } else if (src !== 0) return reserved('src');
      return undefined;
    }
    case op.BPF_LD:
      if (code !== op.EBPF_OP_LDDW) return unknown();
      return writesDst();
    case op.BPF_LDX: {
      const mode = code & 0xe0;
      const size = code & 0x18;
      if (mode !== op.BPF_MEM && !(mode === op.BPF_MEMSX && size !== op.BPF_DW)) return unknown();
      if (imm !== 0) return reserved('imm');
      return writesDst();
    }
    case op.BPF_ST:
      if ((code & 0xe0) !== op.BPF_MEM) return unknown();
      if (src !== 0) return reserved('src');
      return undefined;
    case op.BPF_STX: {
      const mode = code & 0xe0;
      if (mode === op.BPF_MEM) {
        if (imm !== 0) return reserved('imm');
        return undefined;
      }
      if (mode !== op.BPF_ATOMIC || (code !== op.EBPF_OP_ATOMIC32 && code !== op.EBPF_OP_ATOMIC64))
        return unknown();
      if (!ALLOWED_ATOMIC.has(imm))
        return fail(VerifyCodes.BAD_ATOMIC_OP, pc, `invalid atomic operation 0x${(imm >>> 0).toString(16)}`);
      // FETCH writes the old value to src; CMPXCHG writes it to r0.
      if ((imm & op.BPF_FETCH) !== 0 && imm !== op.BPF_CMPXCHG && src === 10)
        return fail(VerifyCodes.WRITE_R10, pc, 'atomic fetch into the read-only frame pointer r10');
      return undefined;
    }
  }
  return unknown();
}
