// ELF64 reader for relocatable BPF objects (clang -O2 -target bpf -c): checks the file header, reads the
// section table, names, the symbol table and the REL sections that patch code or data, with a bounds
// check on every field it touches. It knows nothing about programs or linking (see link.ts); it only
// turns bytes into a validated `ElfObject` or throws an `ElfError` (caught by the public API).
//
// Not checked on purpose: program headers (a relocatable object has none), section alignment,
// e_flags, and everything about sections that are neither code, data, symbols nor their relocations
// (.debug_*, .BTF, .BTF.ext, .llvm_addrsig, .rel.debug_*...): they are skipped unread.

import { ElfError } from './errors.js';

// ===== ELF constants (System V gABI, "ELF-64 Object File Format" 1.5) =====

const ELF_HEADER_SIZE = 64;
const SECTION_HEADER_SIZE = 64;
const SYMBOL_SIZE = 24;
const REL_SIZE = 16;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const EV_CURRENT = 1;
const ET_REL = 1;
const EM_NONE = 0;
const EM_BPF = 247;

export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;

export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STB_LOCAL = 0;

/** Largest section the loader will copy or zero-fill (a .bss of this size is already absurd for BGP). */
export const MAX_SECTION_SIZE = 64 * 1024 * 1024;
/** Largest section count accepted; clang emits a few dozen at most. */
const MAX_SECTIONS = 4096;

// ===== Object model =====

/** What the loader does with a section. */
export type SectionRole = 'code' | 'data' | 'other';

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  /** File offset of the contents (meaningless for NOBITS). */
  readonly fileOffset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  /** `code`: ALLOC|EXECINSTR PROGBITS; `data`: other ALLOC PROGBITS or NOBITS; `other`: skipped. */
  readonly role: SectionRole;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  /** STT_* */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
  /** Section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON. */
  readonly shndx: number;
  readonly value: number;
  readonly size: number;
}

export interface ElfRelocation {
  /** Byte offset inside the patched section. */
  readonly offset: number;
  /** R_BPF_* type. */
  readonly type: number;
  readonly symbol: ElfSymbol;
}

export interface ElfObject {
  readonly bytes: Uint8Array;
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  /** Relocations of each code or data section, keyed by section index, sorted by offset. */
  readonly relocations: ReadonlyMap<number, readonly ElfRelocation[]>;
}

// ===== Bounds-checked little-endian reads =====

function u16(view: DataView, at: number): number {
  return view.getUint16(at, true);
}
function u32(view: DataView, at: number): number {
  return view.getUint32(at, true);
}
/** A u64 as a number; values above 2^53 lose precision but stay far above any valid bound. */
function u64(view: DataView, at: number): number {
  return view.getUint32(at + 4, true) * 0x1_0000_0000 + view.getUint32(at, true);
}

/** Whether `[offset, offset + size)` lies inside a buffer of `length` bytes. */
function inBounds(offset: number, size: number, length: number): boolean {
  return offset <= length && size <= length - offset;
}

// ===== Reader =====

const utf8 = new TextDecoder();

/** Parse and validate `bytes` as a relocatable ELF64 BPF object. Throws `ElfError`. */
export function readElf(bytes: Uint8Array): ElfObject {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readHeader(bytes, view);
  const shape = readSectionHeaders(bytes, view, header);
  const names = shape[header.shstrndx]!;
  if (names.type !== SHT_STRTAB) {
    throw new ElfError('ERR_ELF_BAD_SECTION_TABLE', `e_shstrndx ${header.shstrndx} is not a string table`);
  }
  const sections = shape.map((raw, index) => {
    const name = index === 0 ? '' : readString(bytes, names, raw.nameOffset, `#${index}`);
    const section: ElfSection = { ...raw, index, name, role: roleOf(raw.type, raw.flags) };
    checkSize(section);
    return section;
  });
  const symbols = readSymbols(bytes, view, sections);
  const relocations = readRelocations(view, sections, symbols);
  return { bytes, sections, symbols, relocations };
}

interface RawHeader {
  readonly shoff: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

function readHeader(bytes: Uint8Array, view: DataView): RawHeader {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('ERR_ELF_BAD_MAGIC', 'not an ELF file', { offset: 0 });
  }
  if (bytes.length < ELF_HEADER_SIZE) {
    throw new ElfError('ERR_ELF_TRUNCATED', `file of ${bytes.length} bytes is shorter than the ELF header`, {
      offset: 0,
    });
  }
  if (bytes[4] !== ELFCLASS64) {
    throw new ElfError('ERR_ELF_UNSUPPORTED_FORMAT', `class ${bytes[4]} is not ELFCLASS64`, { offset: 4 });
  }
  if (bytes[5] !== ELFDATA2LSB) {
    throw new ElfError('ERR_ELF_UNSUPPORTED_FORMAT', `data encoding ${bytes[5]} is not little-endian`, {
      offset: 5,
    });
  }
  if (bytes[6] !== EV_CURRENT || u32(view, 20) !== EV_CURRENT) {
    throw new ElfError('ERR_ELF_UNSUPPORTED_FORMAT', 'ELF version is not 1', { offset: 6 });
  }
  const type = u16(view, 16);
  if (type !== ET_REL) {
    throw new ElfError('ERR_ELF_UNSUPPORTED_FORMAT', `e_type ${type} is not ET_REL (relocatable)`, {
      offset: 16,
    });
  }
  const machine = u16(view, 18);
  if (machine !== EM_BPF && machine !== EM_NONE) {
    throw new ElfError('ERR_ELF_UNSUPPORTED_FORMAT', `e_machine ${machine} is not EM_BPF (247)`, {
      offset: 18,
    });
  }
  const shoff = u64(view, 40);
  const shentsize = u16(view, 58);
  const shnum = u16(view, 60);
  const shstrndx = u16(view, 62);
  if (shentsize !== SECTION_HEADER_SIZE) {
    throw new ElfError('ERR_ELF_BAD_SECTION_TABLE', `e_shentsize ${shentsize} is not 64`, { offset: 58 });
  }
  // gABI: "If the number of sections is greater than or equal to SHN_LORESERVE (0xff00), this member
  // has the value zero". Extended numbering is never needed by a BPF object: refuse it.
  if (shnum === 0 || shnum > MAX_SECTIONS) {
    throw new ElfError('ERR_ELF_BAD_SECTION_TABLE', `e_shnum ${shnum} is out of range`, { offset: 60 });
  }
  if (shstrndx === 0 || shstrndx >= shnum) {
    throw new ElfError('ERR_ELF_BAD_SECTION_TABLE', `e_shstrndx ${shstrndx} is not a section`, {
      offset: 62,
    });
  }
  if (!inBounds(shoff, shnum * SECTION_HEADER_SIZE, bytes.length)) {
    throw new ElfError('ERR_ELF_TRUNCATED', `section table of ${shnum} entries at 0x${shoff.toString(16)}`, {
      offset: 40,
    });
  }
  return { shoff, shnum, shstrndx };
}

type RawSection = Omit<ElfSection, 'index' | 'name' | 'role'> & { readonly nameOffset: number };

function readSectionHeaders(bytes: Uint8Array, view: DataView, header: RawHeader): RawSection[] {
  const out: RawSection[] = [];
  for (let i = 0; i < header.shnum; i++) {
    const at = header.shoff + i * SECTION_HEADER_SIZE;
    const section: RawSection = {
      nameOffset: u32(view, at),
      type: u32(view, at + 4),
      // Flags above bit 31 are OS/processor specific; none matters here.
      flags: u32(view, at + 8),
      fileOffset: u64(view, at + 24),
      size: u64(view, at + 32),
      link: u32(view, at + 40),
      info: u32(view, at + 44),
    };
    // NOBITS "occupies no space in the file"; every other section must lie inside it.
    if (i !== 0 && section.type !== SHT_NOBITS && !inBounds(section.fileOffset, section.size, bytes.length)) {
      throw new ElfError(
        'ERR_ELF_TRUNCATED',
        `section #${i} contents [0x${section.fileOffset.toString(16)}, +0x${section.size.toString(16)}) lie past the end of the file`,
        { offset: at + 24 },
      );
    }
    out.push(section);
  }
  return out;
}

/** Code is whole instruction slots; data is copied or zero-filled, so it must stay reasonable. */
function checkSize(section: ElfSection): void {
  if (section.role === 'code' && section.size % 8 !== 0) {
    throw new ElfError('ERR_ELF_BAD_SECTION', `code size ${section.size} is not a multiple of 8`, {
      section: section.name,
    });
  }
  if (section.role === 'data' && section.size > MAX_SECTION_SIZE) {
    throw new ElfError('ERR_ELF_BAD_SECTION', `data size ${section.size} exceeds ${MAX_SECTION_SIZE}`, {
      section: section.name,
    });
  }
}

/** NUL-terminated string at `offset` inside string table `table`. */
function readString(
  bytes: Uint8Array,
  table: { readonly fileOffset: number; readonly size: number },
  offset: number,
  where: string,
): string {
  if (offset >= table.size) {
    throw new ElfError('ERR_ELF_BAD_STRING', `name offset ${offset} is past the string table`, {
      section: where,
    });
  }
  const start = table.fileOffset + offset;
  const end = bytes.indexOf(0, start);
  if (end < 0 || end >= table.fileOffset + table.size) {
    throw new ElfError('ERR_ELF_BAD_STRING', `name at offset ${offset} is not NUL-terminated`, {
      section: where,
    });
  }
  return utf8.decode(bytes.subarray(start, end));
}

function roleOf(type: number, flags: number): SectionRole {
  if ((flags & SHF_ALLOC) === 0) return 'other';
  if (type === SHT_PROGBITS && (flags & SHF_EXECINSTR) !== 0) return 'code';
  if (type === SHT_PROGBITS || type === SHT_NOBITS) return 'data';
  return 'other';
}

function readSymbols(bytes: Uint8Array, view: DataView, sections: readonly ElfSection[]): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab === undefined) throw new ElfError('ERR_ELF_NO_SYMTAB', 'the object has no .symtab');
  if (symtab.size % SYMBOL_SIZE !== 0) {
    throw new ElfError('ERR_ELF_BAD_SECTION', `size ${symtab.size} is not a multiple of ${SYMBOL_SIZE}`, {
      section: symtab.name,
    });
  }
  const strtab = sections[symtab.link];
  if (strtab === undefined || strtab.index === 0 || strtab.type !== SHT_STRTAB) {
    throw new ElfError('ERR_ELF_BAD_SECTION', `sh_link ${symtab.link} is not a string table`, {
      section: symtab.name,
    });
  }
  const symbols: ElfSymbol[] = [];
  for (let at = 0; at < symtab.size; at += SYMBOL_SIZE) {
    const base = symtab.fileOffset + at;
    const info = bytes[base + 4]!;
    const shndx = u16(view, base + 6);
    const type = info & 0xf;
    const name = readString(bytes, strtab, u32(view, base), strtab.name);
    const symbol: ElfSymbol = {
      index: at / SYMBOL_SIZE,
      // Section symbols are nameless; messages read better with the section's name.
      name: name === '' && type === STT_SECTION ? (sections[shndx]?.name ?? '') : name,
      type,
      bind: info >> 4,
      shndx,
      value: u64(view, base + 8),
      size: u64(view, base + 16),
    };
    if (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= sections.length) {
      throw new ElfError('ERR_ELF_BAD_SYMBOL', `symbol '${symbol.name}' names section #${shndx}`, {
        section: symtab.name,
        offset: at,
      });
    }
    symbols.push(symbol);
  }
  return symbols;
}

function readRelocations(
  view: DataView,
  sections: readonly ElfSection[],
  symbols: readonly ElfSymbol[],
): Map<number, ElfRelocation[]> {
  const byTarget = new Map<number, ElfRelocation[]>();
  for (const rel of sections) {
    if (rel.type !== SHT_REL && rel.type !== SHT_RELA) continue;
    const target = sections[rel.info];
    // Relocations of debug and BTF sections (not ALLOC) are ignored with their targets.
    if (target === undefined || target.index === 0 || target.role === 'other') continue;
    if (rel.type === SHT_RELA) {
      // clang's BPF backend only emits REL; an explicit-addend table means another producer.
      throw new ElfError('ERR_ELF_UNSUPPORTED_RELOCATION', `RELA relocations for '${target.name}'`, {
        section: rel.name,
      });
    }
    if (rel.size % REL_SIZE !== 0) {
      throw new ElfError('ERR_ELF_BAD_SECTION', `size ${rel.size} is not a multiple of ${REL_SIZE}`, {
        section: rel.name,
      });
    }
    const list = byTarget.get(target.index) ?? [];
    for (let at = 0; at < rel.size; at += REL_SIZE) {
      const base = rel.fileOffset + at;
      const offset = u64(view, base);
      const type = u32(view, base + 8);
      const symbolIndex = u32(view, base + 12);
      const symbol = symbols[symbolIndex];
      if (symbol === undefined) {
        throw new ElfError('ERR_ELF_BAD_RELOCATION', `symbol index ${symbolIndex} is out of range`, {
          section: rel.name,
          offset: at,
        });
      }
      // Code relocations patch whole 8-byte instruction slots.
      const width = target.role === 'code' ? 8 : 1;
      if (offset % width !== 0 || !inBounds(offset, width, target.size)) {
        throw new ElfError(
          'ERR_ELF_BAD_RELOCATION',
          `offset 0x${offset.toString(16)} is outside '${target.name}'`,
          {
            section: rel.name,
            offset: at,
          },
        );
      }
      list.push({ offset, type, symbol });
    }
    list.sort((a, b) => a.offset - b.offset);
    byTarget.set(target.index, list);
  }
  return byTarget;
}
