// Coded errors of the VM. Load-time rejections are VerifyError, run-time stops are VmFault, text
// that does not assemble is AsmError. Each carries a stable ERR_VM_* code and the instruction
// index (pc) it is about; messages are for people, codes are for programs and tests.
// None of these are thrown into callers of loadProgram/run: they are returned.

// ===== codes =====
export const VerifyCodes = {
  /** The code is not a whole number of 8-byte slots. */
  CODE_LENGTH: 'ERR_VM_CODE_LENGTH',
  /** No instructions, or more than MAX_INSNS. */
  PROGRAM_SIZE: 'ERR_VM_PROGRAM_SIZE',
  /** The entry point is outside the program or inside an lddw. */
  BAD_ENTRY: 'ERR_VM_BAD_ENTRY',
  UNKNOWN_OPCODE: 'ERR_VM_UNKNOWN_OPCODE',
  /** A field the opcode does not use is not zero, or has a value the opcode does not allow. */
  RESERVED_FIELD: 'ERR_VM_RESERVED_FIELD',
  BAD_REGISTER: 'ERR_VM_BAD_REGISTER',
  /** The instruction would write the read-only frame pointer r10. */
  WRITE_R10: 'ERR_VM_WRITE_R10',
  BAD_ENDIAN_IMM: 'ERR_VM_BAD_ENDIAN_IMM',
  BAD_ATOMIC_OP: 'ERR_VM_BAD_ATOMIC_OP',
  JUMP_OUT_OF_BOUNDS: 'ERR_VM_JUMP_OUT_OF_BOUNDS',
  JUMP_INTO_LDDW: 'ERR_VM_JUMP_INTO_LDDW',
  /** A jump from one function (entry, local-call target, function address) into another's body. */
  JUMP_OUT_OF_FUNCTION: 'ERR_VM_JUMP_OUT_OF_FUNCTION',
  /** A jump to itself (offset -1): it can never end. */
  INFINITE_LOOP: 'ERR_VM_INFINITE_LOOP',
  LDDW_INCOMPLETE: 'ERR_VM_LDDW_INCOMPLETE',
  LDDW_BAD_SOURCE: 'ERR_VM_LDDW_BAD_SOURCE',
  /** lddw src=6 names a data section that does not exist, or an offset outside it. */
  BAD_DATA_REFERENCE: 'ERR_VM_BAD_DATA_REFERENCE',
  UNKNOWN_HELPER: 'ERR_VM_UNKNOWN_HELPER',
  HELPER_NOT_PERMITTED: 'ERR_VM_HELPER_NOT_PERMITTED',
  BAD_CALL_TARGET: 'ERR_VM_BAD_CALL_TARGET',
} as const;

export const FaultCodes = {
  /** A load outside every readable region. */
  OUT_OF_BOUNDS_LOAD: 'ERR_VM_OUT_OF_BOUNDS_LOAD',
  /** A store outside every writable region (including stores into read-only regions). */
  OUT_OF_BOUNDS_STORE: 'ERR_VM_OUT_OF_BOUNDS_STORE',
  /** The instruction budget of the run is spent. */
  BUDGET_EXHAUSTED: 'ERR_VM_BUDGET_EXHAUSTED',
  /** A local call beyond MAX_CALL_DEPTH frames. */
  CALL_DEPTH: 'ERR_VM_CALL_DEPTH',
  /** A helper returned a fault (or threw, which is a helper bug). */
  HELPER_FAILED: 'ERR_VM_HELPER_FAILED',
  /** callx to a value that is neither a function address nor a permitted helper id. */
  BAD_CALLX_TARGET: 'ERR_VM_BAD_CALLX_TARGET',
  /** Execution ran past the last instruction without `exit`. */
  PC_OUT_OF_RANGE: 'ERR_VM_PC_OUT_OF_RANGE',
  /** The run context is unusable (e.g. more than 5 arguments). */
  BAD_RUN_CONTEXT: 'ERR_VM_BAD_RUN_CONTEXT',
  /** A bug in the VM itself, caught so it never reaches the host. */
  INTERNAL: 'ERR_VM_INTERNAL',
} as const;

export const AsmCodes = {
  /** A line of assembler text that does not parse. */
  SYNTAX: 'ERR_VM_ASM_SYNTAX',
  /** A test file that does not parse. */
  TEST_FILE: 'ERR_VM_TEST_FILE',
} as const;

export type VerifyCode = (typeof VerifyCodes)[keyof typeof VerifyCodes];
export type FaultCode = (typeof FaultCodes)[keyof typeof FaultCodes];
export type AsmCode = (typeof AsmCodes)[keyof typeof AsmCodes];

// ===== error classes =====
abstract class VmError extends Error {
  abstract readonly code: string;
  /** Instruction index (slot) the error is about; -1 when it concerns the whole program. */
  readonly pc: number;
  constructor(pc: number, message: string) {
    super(message);
    this.pc = pc;
  }
  /** `CODE at PC n: message`, the form the CLI prints and `-- error` sections match on. */
  describe(): string {
    return `${this.code} at PC ${this.pc}: ${this.message}`;
  }
}

/** A program rejected at load time. */
export class VerifyError extends VmError {
  override readonly name = 'VerifyError';
  readonly code: VerifyCode;
  constructor(code: VerifyCode, pc: number, message: string) {
    super(pc, message);
    this.code = code;
  }
}

/** A run stopped by the VM: the program's effects so far stay, its result does not exist. */
export class VmFault extends VmError {
  override readonly name = 'VmFault';
  readonly code: FaultCode;
  constructor(code: FaultCode, pc: number, message: string) {
    super(pc, message);
    this.code = code;
  }
}

/** Assembler text that does not assemble; pc is the line number (1-based). */
export class AsmError extends VmError {
  override readonly name = 'AsmError';
  readonly code: AsmCode;
  constructor(code: AsmCode, line: number, message: string) {
    super(line, message);
    this.code = code;
  }
  override describe(): string {
    return `${this.code} at line ${this.pc}: ${this.message}`;
  }
}
