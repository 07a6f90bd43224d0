// The linker: turns one selected program of a parsed object into a `ProgramImage` (vm/program.ts).
// It copies the entry function first, then every function it reaches through local calls or
// function pointers (transitively, across code sections), and rewrites each relocated or
// section-relative instruction into the image's position-independent forms:
//
//   call  src=1 imm=rel   local call, `rel` counted from the next instruction of the image
//   call  src=0 imm=id    helper call, the extern symbol's name resolved by the caller's resolver
//   lddw  src=6 imm=i next_imm=off   address of byte `off` of `data[i]`
//   lddw  src=4 imm=rel   code address, `rel` counted from the lddw's second slot (pc + 1 + imm, as
//                         the kernel's BPF_PSEUDO_FUNC and vm/loader.ts)
//
// What clang 14 emits, and how each case is read:
//   R_BPF_64_64 (1) on lddw: target = st_value + imm (STT_SECTION symbols have st_value 0 and carry
//     the offset in imm; STT_OBJECT symbols carry it in st_value with imm 0).
//   R_BPF_64_32 (10; 2 in old LLVM numbering) on call: an UND symbol is an extern helper; a symbol in
//     a code section is a local call to slot st_value/8 + imm + 1 of that section.
//   call src=1 without relocation: a static callee in the same section, imm relative to the next slot.
//   call src=0 without relocation: a helper by number (`(void *)7` function pointers); left alone.
//   callx (0x8d) with the register in imm and dst 0: clang before 19 encodes `callx rN` that way; the
//     image gets RFC 9669's form, the register in dst and imm 0.

import type { DataPointer, DataSection, ProgramImage } from '../program.js';
import { CALL_SRC_LOCAL, LDDW_SRC_DATA, LDDW_SRC_FUNC } from '../program.js';
import { ElfError } from './errors.js';
import type { ElfFunction, FunctionTable } from './functions.js';
import {
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
  SHT_NOBITS,
  SHF_WRITE,
  type ElfObject,
  type ElfRelocation,
  type ElfSection,
} from './reader.js';

/** Maps an extern function's name to a helper id, or `undefined` when there is no such helper. */
export type HelperResolver = (name: string) => number | undefined;

// ===== Relocation types and opcodes =====

const R_BPF_NONE = 0;
const R_BPF_64_64 = 1;
/** R_BPF_64_ABS64 today; R_BPF_64_32 in LLVM's numbering before version 12. Only valid on calls here. */
const R_BPF_LEGACY_64_32 = 2;
const R_BPF_64_32 = 10;
/** The same number in data sections: a 64-bit absolute address (pointers initialised in data). */
const R_BPF_64_ABS64 = 2;

const SLOT = 8;
const BPF_LD_IMM64 = 0x18;
const BPF_CALL = 0x85;
const BPF_CALLX = 0x8d;
/** Highest register a callx may name (r10 is the frame pointer, never a code address). */
const MAX_CALLX_REGISTER = 9;
const BPF_CLASS_JMP = 0x05;
const BPF_CLASS_JMP32 = 0x06;
const BPF_OP_JA = 0x00;
const BPF_OP_CALL = 0x80;
const BPF_OP_EXIT = 0x90;
/** Largest helper id an immediate can carry. */
const MAX_HELPER_ID = 0x7fff_ffff;

// ===== Patches =====

type Patch =
  | { readonly kind: 'helper'; readonly at: number; readonly id: number }
  | { readonly kind: 'callx'; readonly at: number; readonly register: number }
  | {
      readonly kind: 'call' | 'func';
      readonly at: number;
      readonly target: ElfFunction;
      readonly slot: number;
    }
  | { readonly kind: 'data'; readonly at: number; readonly index: number; readonly offset: number };

/** Relocations of one section, by byte offset, each applied at most once. */
type RelocationIndex = Map<number, ElfRelocation>;

/** Shared state for linking several programs of one object. */
export class Linker {
  private readonly relocationIndexes = new Map<number, RelocationIndex>();

  constructor(
    private readonly obj: ElfObject,
    private readonly functions: FunctionTable,
    private readonly resolveHelper: HelperResolver,
  ) {}

  /** Link `entry` and its callees into an image. Throws `ElfError`. */
  link(entry: ElfFunction): ProgramImage {
    const placed = new Map<ElfFunction, number>([[entry, 0]]);
    const order: ElfFunction[] = [entry];
    const patches: Patch[] = [];
    const dataIndex = new Map<number, number>();
    const data: DataSection[] = [];
    let total = entry.end - entry.start;

    const place = (fn: ElfFunction): void => {
      if (placed.has(fn)) return;
      placed.set(fn, total);
      order.push(fn);
      total += fn.end - fn.start;
    };
    const dataSlot = (section: ElfSection): number => {
      let index = dataIndex.get(section.index);
      if (index === undefined) {
        index = data.length;
        dataIndex.set(section.index, index);
        data.push(undefined as unknown as DataSection); // its place, before the sections it points to
        data[index] = this.dataSection(section, dataSlot);
      }
      return index;
    };

    // Breadth-first over the call graph: `order` grows while it is walked.
    for (let n = 0; n < order.length; n++) {
      const fn = order[n]!;
      this.walk(fn, placed.get(fn)!, patches, place, dataSlot);
    }

    const code = new Uint8Array(total * SLOT);
    for (const fn of order) {
      const from = fn.section.fileOffset + fn.start * SLOT;
      code.set(this.obj.bytes.subarray(from, from + (fn.end - fn.start) * SLOT), placed.get(fn)! * SLOT);
    }
    applyPatches(code, patches, placed);
    return { code, entry: 0, data, name: entry.name };
  }

  /** Scan one function, recording the patches its instructions need and queueing its callees. */
  private walk(
    fn: ElfFunction,
    base: number,
    patches: Patch[],
    place: (fn: ElfFunction) => void,
    dataSlot: (section: ElfSection) => number,
  ): void {
    const section = fn.section;
    const relocations = this.relocationIndex(section);
    const view = new DataView(
      this.obj.bytes.buffer,
      this.obj.bytes.byteOffset + section.fileOffset,
      section.size,
    );
    for (let slot = fn.start; slot < fn.end; slot++) {
      const at = slot * SLOT;
      const opcode = view.getUint8(at);
      const src = view.getUint8(at + 1) >> 4;
      const imm = view.getInt32(at + 4, true);
      const out = base + slot - fn.start;
      const rel = relocations.get(at);
      const type = rel === undefined ? R_BPF_NONE : checkType(rel, section);

      if (opcode === BPF_LD_IMM64) {
        if (slot + 1 >= fn.end) {
          throw new ElfError('ERR_ELF_BAD_INSTRUCTION', `lddw in the last slot of '${fn.name}'`, {
            section: section.name,
            offset: at,
          });
        }
        // Address variants (src != 0) are the linker's output; in an object they come from relocations.
        if (type === R_BPF_NONE && src !== 0) {
          throw new ElfError('ERR_ELF_BAD_INSTRUCTION', `lddw src=${src} without a relocation`, {
            section: section.name,
            offset: at,
          });
        }
        if (relocations.has(at + SLOT))
          throw badRelocation(section, at + SLOT, 'relocation on the second slot of lddw');
        if (type === R_BPF_64_64) {
          const nextImm = view.getUint32(at + 12, true);
          patches.push(
            this.addressPatch(rel!, section, at, out, imm + nextImm * 0x1_0000_0000, place, dataSlot),
          );
        } else if (type !== R_BPF_NONE) {
          throw badRelocation(section, at, `relocation type ${type} on lddw (expected R_BPF_64_64)`);
        }
        slot++;
        continue;
      }

      if (opcode === BPF_CALL) {
        if (type === R_BPF_64_32 || type === R_BPF_LEGACY_64_32) {
          patches.push(this.callPatch(rel!, section, at, out, imm, place));
        } else if (type !== R_BPF_NONE) {
          throw badRelocation(section, at, `relocation type ${type} on call (expected R_BPF_64_32)`);
        } else if (src === CALL_SRC_LOCAL) {
          // A static callee in the same section: clang resolved it already, relative to this section.
          const target = this.functions.containing(section.index, slot + imm + 1);
          if (target === undefined) throw badTarget(section, at, `local call to slot ${slot + imm + 1}`);
          place(target);
          patches.push({ kind: 'call', at: out, target, slot: slot + imm + 1 });
        }
        continue;
      }

      if (type !== R_BPF_NONE) {
        throw badRelocation(section, at, `relocation type ${type} on opcode 0x${opcode.toString(16)}`);
      }
      if (opcode === BPF_CALLX) {
        const dst = view.getUint8(at + 1) & 0x0f;
        if (dst === 0 && src === 0 && imm > 0 && imm <= MAX_CALLX_REGISTER) {
          patches.push({ kind: 'callx', at: out, register: imm });
        }
        continue;
      }
      checkJump(view, fn, slot, opcode, imm);
    }
  }

  /** R_BPF_64_64 on lddw: a data address (src=6) or a function address (src=4). */
  private addressPatch(
    rel: ElfRelocation,
    section: ElfSection,
    at: number,
    out: number,
    addend: number,
    place: (fn: ElfFunction) => void,
    dataSlot: (section: ElfSection) => number,
  ): Patch {
    const target = this.symbolSection(rel, section, at);
    const offset = rel.symbol.value + addend;
    if (target.role === 'code') {
      const fn = offset % SLOT === 0 ? this.functions.containing(target.index, offset / SLOT) : undefined;
      if (fn === undefined)
        throw badTarget(section, at, `function address '${target.name}'+0x${offset.toString(16)}`);
      place(fn);
      return { kind: 'func', at: out, target: fn, slot: offset / SLOT };
    }
    if (target.role !== 'data') {
      throw badRelocation(section, at, `'${rel.symbol.name}' lies in '${target.name}', which is not loaded`);
    }
    // One past the end is a valid C pointer (`&array[N]`); anything further is not.
    if (offset < 0 || offset > target.size) {
      throw badRelocation(section, at, `offset ${offset} is outside '${target.name}' (${target.size} bytes)`);
    }
    return { kind: 'data', at: out, index: dataSlot(target), offset };
  }

  /** R_BPF_64_32 on call: an extern helper by name, or a local call into a code section. */
  private callPatch(
    rel: ElfRelocation,
    section: ElfSection,
    at: number,
    out: number,
    imm: number,
    place: (fn: ElfFunction) => void,
  ): Patch {
    const symbol = rel.symbol;
    if (symbol.shndx === SHN_UNDEF) {
      const id = this.resolveHelper(symbol.name);
      if (id === undefined || !Number.isInteger(id) || id < 0 || id > MAX_HELPER_ID) {
        throw new ElfError(
          'ERR_ELF_UNKNOWN_HELPER',
          `extern function '${symbol.name}' is not a known helper`,
          {
            section: section.name,
            offset: at,
          },
        );
      }
      return { kind: 'helper', at: out, id };
    }
    const target = this.symbolSection(rel, section, at);
    const byte = symbol.value + (imm + 1) * SLOT;
    const fn =
      target.role === 'code' && byte % SLOT === 0
        ? this.functions.containing(target.index, byte / SLOT)
        : undefined;
    if (fn === undefined) throw badTarget(section, at, `call to '${symbol.name}'+0x${byte.toString(16)}`);
    place(fn);
    return { kind: 'call', at: out, target: fn, slot: byte / SLOT };
  }

  /** The section a relocation's symbol is defined in. */
  private symbolSection(rel: ElfRelocation, section: ElfSection, at: number): ElfSection {
    const shndx = rel.symbol.shndx;
    if (shndx === SHN_UNDEF || shndx === SHN_ABS || shndx === SHN_COMMON) {
      throw new ElfError(
        'ERR_ELF_UNDEFINED_SYMBOL',
        `'${rel.symbol.name}' is not defined in a loadable section`,
        {
          section: section.name,
          offset: at,
        },
      );
    }
    const target = this.obj.sections[shndx];
    if (target === undefined)
      throw badRelocation(section, at, `'${rel.symbol.name}' names section #${shndx}`);
    return target;
  }

  /**
   * A data section of the image. Pointers stored in it (`const char *msg = "..."`, a constant array of
   * strings such as log_msg's arguments: R_BPF_64_ABS64 in `.rel<section>`) become DataPointers to the data
   * sections they point into (added to the image through `dataSlot`); the VM writes their addresses at load.
   */
  private dataSection(section: ElfSection, dataSlot: (section: ElfSection) => number): DataSection {
    const bytes =
      section.type === SHT_NOBITS
        ? new Uint8Array(section.size)
        : this.obj.bytes.slice(section.fileOffset, section.fileOffset + section.size);
    const writable = (section.flags & SHF_WRITE) !== 0;
    const relocations = this.obj.relocations.get(section.index) ?? [];
    if (relocations.length === 0) return { name: section.name, bytes, writable };
    const pointers: DataPointer[] = [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const rel of relocations) {
      if (rel.type !== R_BPF_64_ABS64 || rel.offset + 8 > bytes.length || section.type === SHT_NOBITS)
        throw new ElfError(
          'ERR_ELF_DATA_RELOCATION',
          `'${section.name}' holds a relocation of type ${rel.type} against '${rel.symbol.name}'; only 64-bit pointers (R_BPF_64_ABS64) inside the section are supported in data`,
          { section: section.name, offset: rel.offset },
        );
      const target = this.symbolSection(rel, section, rel.offset);
      if (target.role !== 'data')
        throw new ElfError(
          'ERR_ELF_DATA_RELOCATION',
          `'${section.name}' holds a pointer to '${rel.symbol.name}' in '${target.name}', which is not data (function pointers are not supported)`,
          { section: section.name, offset: rel.offset },
        );
      // REL: the addend is what the bytes hold now; the address replaces it at load.
      const addend = rel.symbol.value + Number(view.getBigUint64(rel.offset, true));
      if (addend > target.size)
        throw badRelocation(section, rel.offset, `pointer past the end of '${target.name}'`);
      view.setBigUint64(rel.offset, 0n, true);
      pointers.push({ offset: rel.offset, data: dataSlot(target), addend });
    }
    return { name: section.name, bytes, writable, pointers };
  }

  private relocationIndex(section: ElfSection): RelocationIndex {
    let index = this.relocationIndexes.get(section.index);
    if (index === undefined) {
      index = new Map();
      for (const rel of this.obj.relocations.get(section.index) ?? []) {
        if (index.has(rel.offset))
          throw badRelocation(section, rel.offset, 'two relocations patch one instruction');
        index.set(rel.offset, rel);
      }
      this.relocationIndexes.set(section.index, index);
    }
    return index;
  }
}

// ===== Checks =====

function checkType(rel: ElfRelocation, section: ElfSection): number {
  const type = rel.type;
  if (type === R_BPF_NONE || type === R_BPF_64_64 || type === R_BPF_LEGACY_64_32 || type === R_BPF_64_32)
    return type;
  throw new ElfError(
    'ERR_ELF_UNSUPPORTED_RELOCATION',
    `relocation type ${type} against '${rel.symbol.name}'`,
    {
      section: section.name,
      offset: rel.offset,
    },
  );
}

/** Jumps must stay inside their function, or copying the function alone would break them. */
function checkJump(view: DataView, fn: ElfFunction, slot: number, opcode: number, imm: number): void {
  const cls = opcode & 0x07;
  const op = opcode & 0xf0;
  if ((cls !== BPF_CLASS_JMP && cls !== BPF_CLASS_JMP32) || op === BPF_OP_CALL || op === BPF_OP_EXIT) return;
  // RFC 9669: JA in class JMP32 ("gotol") takes its offset from imm; every other jump from offset.
  const offset = cls === BPF_CLASS_JMP32 && op === BPF_OP_JA ? imm : view.getInt16(slot * SLOT + 2, true);
  const target = slot + offset + 1;
  if (target < fn.start || target >= fn.end) {
    throw new ElfError('ERR_ELF_JUMP_OUTSIDE_FUNCTION', `jump to slot ${target} leaves '${fn.name}'`, {
      section: fn.section.name,
      offset: slot * SLOT,
    });
  }
}

function badRelocation(section: ElfSection, at: number, detail: string): ElfError {
  return new ElfError('ERR_ELF_BAD_RELOCATION', detail, { section: section.name, offset: at });
}

function badTarget(section: ElfSection, at: number, detail: string): ElfError {
  return new ElfError('ERR_ELF_BAD_CALL_TARGET', `${detail} is not inside a function`, {
    section: section.name,
    offset: at,
  });
}

// ===== Rewriting =====

function applyPatches(
  code: Uint8Array,
  patches: readonly Patch[],
  placed: ReadonlyMap<ElfFunction, number>,
): void {
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  const setSrc = (at: number, src: number): void => {
    view.setUint8(at * SLOT + 1, (view.getUint8(at * SLOT + 1) & 0x0f) | (src << 4));
  };
  for (const patch of patches) {
    const at = patch.at;
    switch (patch.kind) {
      case 'helper':
        setSrc(at, 0);
        view.setInt32(at * SLOT + 4, patch.id, true);
        break;
      case 'callx':
        view.setUint8(at * SLOT + 1, patch.register);
        view.setInt32(at * SLOT + 4, 0, true);
        break;
      case 'call':
      case 'func': {
        const target = placed.get(patch.target)! + patch.slot - patch.target.start;
        setSrc(at, patch.kind === 'call' ? CALL_SRC_LOCAL : LDDW_SRC_FUNC);
        view.setInt32(at * SLOT + 4, target - (at + 1), true);
        if (patch.kind === 'func') view.setUint32(at * SLOT + 12, 0, true);
        break;
      }
      case 'data':
        setSrc(at, LDDW_SRC_DATA);
        view.setUint32(at * SLOT + 4, patch.index, true);
        view.setUint32(at * SLOT + 12, patch.offset, true);
        break;
    }
  }
}
