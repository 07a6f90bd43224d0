// The program image: the contract between whatever produces eBPF bytecode (the assembler, the ELF
// loader, raw files) and the VM that verifies and runs it.
//
// Instructions are RFC 9669 8-byte slots, little-endian. References from code to data sections use
// the RFC 9669 `lddw` source variant 6 (BPF_PSEUDO_MAP_IDX_VALUE, "map_val(map_by_idx(imm)) +
// next_imm"): here `imm` is an index into `data` and `next_imm` the byte offset inside that section.
// Function addresses use variant 4 (BPF_PSEUDO_FUNC, "code_addr(imm)"): the target slot is
// pc + 1 + imm, where pc is the first slot of the lddw (the kernel's convention). Local
// (bpf-to-bpf) calls are `call` with src = 1 and target slot pc + 1 + imm; helper calls are `call`
// with src = 0 and `imm` = helper id. The VM maps each data section into the program's address space at load time
// and resolves these references; producers never see or write addresses.

/** One initialised (or zeroed, for .bss) data section the program addresses. */
export interface DataSection {
  /** Section name as in the object (".rodata.str1.1", ".data", ".bss"), for messages. */
  readonly name: string;
  /** Initial contents; the VM copies them at load so runs never change the image. */
  readonly bytes: Uint8Array;
  /** Whether the program may store into it (.data, .bss) or not (.rodata). */
  readonly writable: boolean;
  /**
   * Pointers initialised in the section (`const char *p = "x";`, a constant array of strings): the 8
   * little-endian bytes at `offset` become the VM address of data section `data` (an index into the
   * image's `data`) plus `addend`, written by the VM at load, when the sections' addresses are known.
   */
  readonly pointers?: readonly DataPointer[];
}

export interface DataPointer {
  readonly offset: number;
  readonly data: number;
  readonly addend: number;
}

/** A program ready for verification and loading. */
export interface ProgramImage {
  /** Bytecode: a whole number of 8-byte instruction slots. */
  readonly code: Uint8Array;
  /** Instruction index (slot) where execution starts. */
  readonly entry: number;
  /** Data sections referenced by `lddw` src=6, in index order. */
  readonly data: readonly DataSection[];
  /** Program name (ELF function or section name, file name), for messages. */
  readonly name?: string;
}

/** BPF_PSEUDO_MAP_IDX_VALUE: `lddw` source variant resolving to a data section address. */
export const LDDW_SRC_DATA = 6;
/** BPF_PSEUDO_FUNC: `lddw` source variant resolving to a code address. */
export const LDDW_SRC_FUNC = 4;
/** `call` source value for a local (bpf-to-bpf) call. */
export const CALL_SRC_LOCAL = 1;
