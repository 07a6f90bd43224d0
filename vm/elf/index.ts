// Public API of the ELF loader: relocatable BPF objects from `clang -O2 -target bpf -c` in, one
// `ProgramImage` (vm/program.ts) per selected program out. Every call returns an `ElfResult`; a
// malformed or unsupported object gives an `ElfError` with a stable `ERR_ELF_*` code, never an exception.

import type { ProgramImage } from '../program.js';
import { ElfError, elfResult, type ElfResult } from './errors.js';
import { FunctionTable, programInfo, type ElfProgramInfo } from './functions.js';
import { Linker, type HelperResolver } from './link.js';
import { readElf } from './reader.js';

export { ElfError, type ElfErrorCode, type ElfResult } from './errors.js';
export type { ElfProgramInfo } from './functions.js';
export type { HelperResolver } from './link.js';

export interface ElfLoadOptions {
  /**
   * Programs to link, each a function name or a code section name (`xbgp/import`, `.text`); a
   * section name selects its only global function. Default: every program of the object.
   */
  readonly programs?: readonly string[];
  /** Resolves extern functions (calls to undefined symbols) to helper ids. Default: none known. */
  readonly resolveHelper?: HelperResolver;
}

const noHelpers: HelperResolver = () => undefined;

/** Link the selected programs of an object, one image each, in selector (or object) order. */
export function loadElf(bytes: Uint8Array, options: ElfLoadOptions = {}): ElfResult<ProgramImage[]> {
  return elfResult(() => {
    const obj = readElf(bytes);
    const functions = new FunctionTable(obj);
    const linker = new Linker(obj, functions, options.resolveHelper ?? noHelpers);
    const entries = options.programs?.map((selector) => functions.select(selector)) ?? functions.programs();
    if (entries.length === 0 && options.programs === undefined) {
      throw new ElfError(
        'ERR_ELF_PROGRAM_NOT_FOUND',
        'the object has no global function and no named code section',
      );
    }
    return entries.map((entry) => linker.link(entry));
  });
}

/** Link one program, selected by function or section name. */
export function loadElfProgram(
  bytes: Uint8Array,
  program: string,
  resolveHelper: HelperResolver = noHelpers,
): ElfResult<ProgramImage> {
  const result = loadElf(bytes, { programs: [program], resolveHelper });
  return result.ok ? { ok: true, value: result.value[0]! } : result;
}

/** The programs an object offers (without linking them). */
export function listElfPrograms(bytes: Uint8Array): ElfResult<ElfProgramInfo[]> {
  return elfResult(() => new FunctionTable(readElf(bytes)).programs().map(programInfo));
}
