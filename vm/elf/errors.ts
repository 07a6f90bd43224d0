// Coded errors of the ELF loader. Every malformed or unsupported object ends in one `ElfError` with a
// stable `ERR_ELF_*` code and, where it applies, the offending section and byte offset; nothing else
// escapes the loader's public functions.

/** Stable codes, one per way an object can be rejected. */
export type ElfErrorCode =
  /** The file ends before a header, table or section it describes. */
  | 'ERR_ELF_TRUNCATED'
  /** The first four bytes are not 0x7f 'E' 'L' 'F'. */
  | 'ERR_ELF_BAD_MAGIC'
  /** Not ELFCLASS64, not little-endian, not version 1, not ET_REL, or not EM_NONE/EM_BPF. */
  | 'ERR_ELF_UNSUPPORTED_FORMAT'
  /** The section header table is inconsistent (entry size, count, string table index). */
  | 'ERR_ELF_BAD_SECTION_TABLE'
  /** A section lies outside the file, is too large, or has an impossible size or link. */
  | 'ERR_ELF_BAD_SECTION'
  /** A name offset points outside its string table or the string is not terminated. */
  | 'ERR_ELF_BAD_STRING'
  /** The object has no symbol table (clang always emits one). */
  | 'ERR_ELF_NO_SYMTAB'
  /** A symbol refers to a missing section or lies outside its section. */
  | 'ERR_ELF_BAD_SYMBOL'
  /** A relocation is out of bounds, misaligned, names no symbol, or patches the wrong instruction. */
  | 'ERR_ELF_BAD_RELOCATION'
  /** A relocation type (or RELA section) the loader does not implement. */
  | 'ERR_ELF_UNSUPPORTED_RELOCATION'
  /** A data section the program uses holds relocations (pointers), which images cannot express. */
  | 'ERR_ELF_DATA_RELOCATION'
  /** An extern function the helper resolver does not know. */
  | 'ERR_ELF_UNKNOWN_HELPER'
  /** An extern variable, or a data reference to a symbol that has no section. */
  | 'ERR_ELF_UNDEFINED_SYMBOL'
  /** An instruction the linker cannot carry: an lddw cut by its function's end, a pseudo lddw with no relocation. */
  | 'ERR_ELF_BAD_INSTRUCTION'
  /** A local call or function pointer lands outside every function. */
  | 'ERR_ELF_BAD_CALL_TARGET'
  /** A jump leaves the function it belongs to, so the function cannot be relinked alone. */
  | 'ERR_ELF_JUMP_OUTSIDE_FUNCTION'
  /** No program matches the selector, or the object contains no program at all. */
  | 'ERR_ELF_PROGRAM_NOT_FOUND'
  /** A section selector matches several global functions. */
  | 'ERR_ELF_AMBIGUOUS_PROGRAM';

/** Where in the object an error was found. */
export interface ElfErrorPlace {
  /** Section name (or `#index` when the name itself is unreadable). */
  readonly section?: string;
  /** Byte offset inside that section, or inside the file when there is no section. */
  readonly offset?: number;
}

/** A rejected object. `message` already names the section and offset when known. */
export class ElfError extends Error {
  override readonly name = 'ElfError';
  readonly code: ElfErrorCode;
  readonly section: string | undefined;
  readonly offset: number | undefined;

  constructor(code: ElfErrorCode, detail: string, place: ElfErrorPlace = {}) {
    super(`${code}: ${detail}${formatPlace(place)}`);
    this.code = code;
    this.section = place.section;
    this.offset = place.offset;
  }
}

function formatPlace(place: ElfErrorPlace): string {
  if (place.section !== undefined && place.offset !== undefined) {
    return ` (section ${place.section}, offset 0x${place.offset.toString(16)})`;
  }
  if (place.section !== undefined) return ` (section ${place.section})`;
  if (place.offset !== undefined) return ` (file offset 0x${place.offset.toString(16)})`;
  return '';
}

/** The outcome of every public loader call: a value or a coded error, never an exception. */
export type ElfResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ElfError };

/**
 * Run `body`, turning an `ElfError` it throws into a failed result. The loader's internals throw
 * `ElfError` from deep inside the bounds-checked readers; this is the only place that catches them.
 * Any other exception is a loader bug and propagates (the fuzz tests fail on it).
 */
export function elfResult<T>(body: () => T): ElfResult<T> {
  try {
    return { ok: true, value: body() };
  } catch (err) {
    if (err instanceof ElfError) return { ok: false, error: err };
    throw err;
  }
}
