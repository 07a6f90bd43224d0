// The functions of an object's code sections and which of them are programs. A function is the unit
// the linker copies: a FUNC symbol's [st_value, st_value + st_size) slots, or a whole code section
// when it has no FUNC symbol (hand-written assembly). Programs are the entry points a caller may
// select, by function name or by section name (`xbgp/import`, `.text`).

import { ElfError } from './errors.js';
import { STB_LOCAL, STT_FUNC, type ElfObject, type ElfSection } from './reader.js';

const SLOT = 8;

export interface ElfFunction {
  readonly name: string;
  readonly section: ElfSection;
  /** First instruction slot, counted from the start of the section. */
  readonly start: number;
  /** One past the last slot. */
  readonly end: number;
  /** STB_GLOBAL or STB_WEAK (or a symbol-less section): visible as a program. */
  readonly global: boolean;
}

/** A program the object offers, as `listElfPrograms` reports it. */
export interface ElfProgramInfo {
  /** Function name (the section name for a section without FUNC symbols). */
  readonly name: string;
  /** Section holding the function. */
  readonly section: string;
  /** Instruction slots of the function alone, before its callees are linked in. */
  readonly instructions: number;
}

/** Every function of every code section, each section's list sorted by start slot. */
export class FunctionTable {
  readonly bySection = new Map<number, ElfFunction[]>();

  constructor(obj: ElfObject) {
    for (const section of obj.sections) {
      if (section.role === 'code' && section.size > 0)
        this.bySection.set(section.index, sectionFunctions(obj, section));
    }
  }

  /** The function of `section` that contains `slot`, if any. */
  containing(sectionIndex: number, slot: number): ElfFunction | undefined {
    const list = this.bySection.get(sectionIndex);
    if (list === undefined) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const fn = list[mid]!;
      if (slot < fn.start) hi = mid - 1;
      else if (slot >= fn.end) lo = mid + 1;
      else return fn;
    }
    return undefined;
  }

  /**
   * The programs: every global function, plus the first function of a named section that has no
   * global one (a `static` function placed with `__attribute__((section(...)))`).
   */
  programs(): ElfFunction[] {
    const out: ElfFunction[] = [];
    for (const list of this.bySection.values()) {
      const globals = list.filter((fn) => fn.global);
      if (globals.length > 0) out.push(...globals);
      else if (list[0]!.section.name !== '.text') out.push(list[0]!);
    }
    return out;
  }

  /** The program `selector` names: a function name first, else a section name. Throws `ElfError`. */
  select(selector: string): ElfFunction {
    const named: ElfFunction[] = [];
    for (const list of this.bySection.values())
      for (const fn of list) if (fn.name === selector) named.push(fn);
    if (named.length === 1) return named[0]!;
    if (named.length > 1) {
      // Static functions of the same name in several sections: only a single global one is unambiguous.
      const globals = named.filter((fn) => fn.global);
      if (globals.length === 1) return globals[0]!;
      throw new ElfError('ERR_ELF_AMBIGUOUS_PROGRAM', `${named.length} functions are named '${selector}'`);
    }
    const inSection = this.programs().filter((fn) => fn.section.name === selector);
    if (inSection.length === 1) return inSection[0]!;
    if (inSection.length > 1) {
      const names = inSection.map((fn) => fn.name).join(', ');
      throw new ElfError(
        'ERR_ELF_AMBIGUOUS_PROGRAM',
        `section '${selector}' holds several programs (${names}); select one by function name`,
        { section: selector },
      );
    }
    throw new ElfError('ERR_ELF_PROGRAM_NOT_FOUND', `no function or code section named '${selector}'`);
  }
}

/** Describe a function for listings. */
export function programInfo(fn: ElfFunction): ElfProgramInfo {
  return { name: fn.name, section: fn.section.name, instructions: fn.end - fn.start };
}

function sectionFunctions(obj: ElfObject, section: ElfSection): ElfFunction[] {
  const slots = section.size / SLOT;
  const found: ElfFunction[] = [];
  for (const sym of obj.symbols) {
    if (sym.type !== STT_FUNC || sym.shndx !== section.index) continue;
    if (sym.value % SLOT !== 0 || sym.size % SLOT !== 0 || sym.value + sym.size > section.size) {
      throw new ElfError(
        'ERR_ELF_BAD_SYMBOL',
        `function '${sym.name}' [0x${sym.value.toString(16)}, +0x${sym.size.toString(16)}) is not whole slots inside its section`,
        { section: section.name, offset: sym.value },
      );
    }
    const start = sym.value / SLOT;
    // A size of 0 (assembly without .size) runs to the next function or the section end.
    const end = sym.size > 0 ? start + sym.size / SLOT : -1;
    found.push({ name: sym.name, section, start, end, global: sym.bind !== STB_LOCAL });
  }
  if (found.length === 0) return [{ name: section.name, section, start: 0, end: slots, global: true }];

  // Aliases share a start: keep one, preferring the global name.
  found.sort((a, b) => a.start - b.start || Number(b.global) - Number(a.global));
  const unique = found.filter((fn, i) => i === 0 || fn.start !== found[i - 1]!.start);
  return unique.map((fn, i) => {
    const next = unique[i + 1]?.start ?? slots;
    const end = fn.end < 0 ? next : fn.end;
    if (end > next || end <= fn.start) {
      throw new ElfError('ERR_ELF_BAD_SYMBOL', `function '${fn.name}' overlaps the next one or is empty`, {
        section: section.name,
        offset: fn.start * SLOT,
      });
    }
    return end === fn.end ? fn : { ...fn, end };
  });
}
