// ELF loader on broken objects: each header, table and relocation check of the loader, triggered by
// patching one field of a real clang object, must give its ERR_ELF_* code and place. Then a fuzz run
// (fast-check) truncates and mutates real objects: every outcome is an image or a typed ElfError.
import { expect } from 'chai';
import fc from 'fast-check';
import { ElfError, loadElf, loadElfProgram, type ElfErrorCode } from '../../../vm/elf/index.js';
import { readElf } from '../../../vm/elf/reader.js';
import type { ProgramImage } from '../../../vm/program.js';
import { CALL_SRC_LOCAL, LDDW_SRC_DATA, LDDW_SRC_FUNC } from '../../../vm/program.js';
import { requireTools } from '../../helpers/env.js';
import { compileBpf, removeCompiled, slotAt } from './compile.js';

const resolveHelper = (name: string): number | undefined => ({ sqrti: 3, strcmp_ext: 4 })[name];

/** A copy of `bytes` after `patch` edits it through a little-endian DataView. */
function patched(bytes: Uint8Array, patch: (view: DataView, copy: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  patch(new DataView(copy.buffer), copy);
  return copy;
}

/** File offset of the section header of `name`. */
function headerOf(bytes: Uint8Array, name: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const index = readElf(bytes).sections.findIndex((s) => s.name === name);
  expect(index, `section ${name}`).to.be.greaterThan(0);
  return Number(view.getBigUint64(40, true)) + index * 64;
}

/** File offset of relocation entry `n` of the REL section `name`. */
function relocationOf(bytes: Uint8Array, name: string, n = 0): number {
  const section = readElf(bytes).sections.find((s) => s.name === name)!;
  return section.fileOffset + n * 16;
}

function expectError(
  bytes: Uint8Array,
  code: ElfErrorCode,
  program?: string,
  place: { section?: string; offset?: number } = {},
): ElfError {
  const result =
    program === undefined ? loadElf(bytes, { resolveHelper }) : loadElfProgram(bytes, program, resolveHelper);
  if (result.ok) expect.fail(`expected ${code}, got an image`);
  expect(result.error).to.be.instanceOf(ElfError);
  expect(result.error.code, result.error.message).to.equal(code);
  if ('section' in place) expect(result.error.section).to.equal(place.section);
  if ('offset' in place) expect(result.error.offset).to.equal(place.offset);
  return result.error;
}

describe('vm/elf: malformed objects', function () {
  let globals: Uint8Array;
  let calls: Uint8Array;

  before(function () {
    requireTools(this, 'clang');
    globals = compileBpf('globals');
    calls = compileBpf('calls');
  });
  after(removeCompiled);

  describe('file header', function () {
    it('rejects a bad magic and an empty file', function () {
      expectError(
        patched(globals, (v) => v.setUint8(0, 0x7e)),
        'ERR_ELF_BAD_MAGIC',
        undefined,
        { offset: 0 },
      );
      expectError(new Uint8Array(0), 'ERR_ELF_BAD_MAGIC');
    });

    it('rejects a file shorter than the ELF header', function () {
      expectError(globals.subarray(0, 40), 'ERR_ELF_TRUNCATED');
    });

    it('rejects ELF32, big-endian, a wrong version, ET_EXEC and a non-BPF machine', function () {
      const cases: [number, (v: DataView) => void][] = [
        [4, (v) => v.setUint8(4, 1)],
        [5, (v) => v.setUint8(5, 2)],
        [6, (v) => v.setUint8(6, 0)],
        [16, (v) => v.setUint16(16, 2, true)],
        [18, (v) => v.setUint16(18, 62, true)],
      ];
      for (const [offset, patch] of cases) {
        expectError(patched(globals, patch), 'ERR_ELF_UNSUPPORTED_FORMAT', undefined, { offset });
      }
    });

    it('accepts EM_NONE as uBPF does', function () {
      expect(
        loadElfProgram(
          patched(globals, (v) => v.setUint16(18, 0, true)),
          'count',
        ).ok,
      ).to.equal(true);
    });
  });

  describe('section table', function () {
    it('rejects a section table cut off by the end of the file', function () {
      const shoff = Number(new DataView(globals.buffer).getBigUint64(40, true));
      expectError(globals.subarray(0, shoff + 100), 'ERR_ELF_TRUNCATED', undefined, { offset: 40 });
    });

    it('rejects a wrong entry size, no sections, and a bad string table index', function () {
      expectError(
        patched(globals, (v) => v.setUint16(58, 40, true)),
        'ERR_ELF_BAD_SECTION_TABLE',
      );
      expectError(
        patched(globals, (v) => v.setUint16(60, 0, true)),
        'ERR_ELF_BAD_SECTION_TABLE',
      );
      expectError(
        patched(globals, (v) => v.setUint16(62, 0xfff, true)),
        'ERR_ELF_BAD_SECTION_TABLE',
      );
      // Section 2 is code, not a string table.
      expectError(
        patched(globals, (v) => v.setUint16(62, 2, true)),
        'ERR_ELF_BAD_SECTION_TABLE',
      );
    });

    it('rejects section contents past the end of the file, naming the header field', function () {
      const header = headerOf(globals, 'xbgp/count');
      expectError(
        patched(globals, (v) => v.setUint32(header + 32, 0x100000, true)),
        'ERR_ELF_TRUNCATED',
        undefined,
        { offset: header + 24 },
      );
    });

    it('rejects a name outside the section name table', function () {
      const header = headerOf(globals, 'xbgp/count');
      expectError(
        patched(globals, (v) => v.setUint32(header, 0xffffff, true)),
        'ERR_ELF_BAD_STRING',
      );
    });

    it('rejects code that is not whole instructions', function () {
      const header = headerOf(globals, 'xbgp/count');
      expectError(
        patched(globals, (v) => v.setUint32(header + 32, 44, true)),
        'ERR_ELF_BAD_SECTION',
        undefined,
        { section: 'xbgp/count' },
      );
    });

    it('rejects an absurdly large .bss instead of allocating it', function () {
      const header = headerOf(globals, '.bss');
      expectError(
        patched(globals, (v) => v.setUint32(header + 36, 1, true)),
        'ERR_ELF_BAD_SECTION',
        undefined,
        { section: '.bss' },
      );
    });

    it('requires a symbol table', function () {
      const header = headerOf(globals, '.symtab');
      expectError(
        patched(globals, (v) => v.setUint32(header + 4, 0x70000000, true)),
        'ERR_ELF_NO_SYMTAB',
      );
    });
  });

  describe('symbols and relocations', function () {
    it('rejects an unsupported relocation type on code, with section and offset', function () {
      const rel = relocationOf(globals, '.relxbgp/count');
      const error = expectError(
        patched(globals, (v) => v.setUint32(rel + 8, 3, true)),
        'ERR_ELF_UNSUPPORTED_RELOCATION',
        'count',
        { section: 'xbgp/count', offset: 0 },
      );
      expect(error.message).to.contain('type 3');
    });

    it('treats the legacy call relocation type 2 like R_BPF_64_32', function () {
      const rel = relocationOf(globals, '.relxbgp/sqrt');
      const result = loadElfProgram(
        patched(globals, (v) => v.setUint32(rel + 8, 2, true)),
        'root',
        resolveHelper,
      );
      if (!result.ok) throw result.error;
      const call = slotAt(result.value.code, 1);
      expect([call.opcode, call.src, call.imm]).to.deep.equal([0x85, 0, 3]);
    });

    it('rejects a call relocation on an lddw', function () {
      const rel = relocationOf(globals, '.relxbgp/count');
      expectError(
        patched(globals, (v) => v.setUint32(rel + 8, 10, true)),
        'ERR_ELF_BAD_RELOCATION',
        'count',
        { section: 'xbgp/count', offset: 0 },
      );
    });

    it('rejects a relocation offset that is misaligned or outside its section', function () {
      const rel = relocationOf(globals, '.relxbgp/count');
      expectError(
        patched(globals, (v) => v.setUint32(rel, 4, true)),
        'ERR_ELF_BAD_RELOCATION',
        undefined,
        { section: '.relxbgp/count', offset: 0 },
      );
      expectError(
        patched(globals, (v) => v.setUint32(rel, 0x1000, true)),
        'ERR_ELF_BAD_RELOCATION',
      );
    });

    it('rejects a relocation on the second slot of an lddw', function () {
      const rel = relocationOf(globals, '.relxbgp/count');
      expectError(
        patched(globals, (v) => v.setUint32(rel, 8, true)),
        'ERR_ELF_BAD_RELOCATION',
        'count',
        { section: 'xbgp/count', offset: 8 },
      );
    });

    it('rejects an address lddw (src=6) that no relocation produced', function () {
      const rel = relocationOf(globals, '.relxbgp/count');
      const code = readElf(globals).sections.find((s) => s.name === 'xbgp/count')!;
      const bytes = patched(globals, (v) => {
        v.setUint32(rel + 8, 0, true); // R_BPF_NONE
        v.setUint8(code.fileOffset + 1, 0x61); // lddw r1 with src 6
      });
      expectError(bytes, 'ERR_ELF_BAD_INSTRUCTION', 'count', { section: 'xbgp/count', offset: 0 });
    });

    it('rejects a relocation naming a symbol past the table', function () {
      const rel = relocationOf(globals, '.relxbgp/count');
      expectError(
        patched(globals, (v) => v.setUint32(rel + 12, 0xffff, true)),
        'ERR_ELF_BAD_RELOCATION',
      );
    });

    it('rejects a symbol in a section that does not exist', function () {
      const symtab = readElf(globals).sections.find((s) => s.name === '.symtab')!;
      // Symbol 2 of clang's table is a local object (table or counter); give it section 0x400.
      expectError(
        patched(globals, (v) => v.setUint16(symtab.fileOffset + 2 * 24 + 6, 0x400, true)),
        'ERR_ELF_BAD_SYMBOL',
      );
    });

    it('rejects RELA relocations for code', function () {
      const header = headerOf(globals, '.relxbgp/count');
      expectError(
        patched(globals, (v) => v.setUint32(header + 4, 4, true)),
        'ERR_ELF_UNSUPPORTED_RELOCATION',
        undefined,
        { section: '.relxbgp/count' },
      );
    });

    it('rejects a jump that leaves its function, which relinking would break', function () {
      const text = readElf(calls).sections.find((s) => s.name === '.text')!;
      const bytes = patched(calls, (v, copy) => {
        // The first conditional jump of .text is fact's loop test; aim it far past the function.
        for (let at = text.fileOffset; at < text.fileOffset + text.size; at += 8) {
          const opcode = copy[at]!;
          if ((opcode & 0x07) === 0x05 && opcode !== 0x85 && opcode !== 0x95 && opcode !== 0x05) {
            v.setInt16(at + 2, -100, true);
            return;
          }
        }
        expect.fail('no conditional jump in .text');
      });
      expectError(bytes, 'ERR_ELF_JUMP_OUTSIDE_FUNCTION', 'factorial', { section: '.text' });
    });

    it('ignores debug sections and their relocations (clang -g)', function () {
      const withDebug = compileBpf('globals', ['-g']);
      const names = readElf(withDebug).sections.map((s) => s.name);
      expect(names).to.include.members(['.rel.debug_info', '.BTF', '.rel.BTF', '.BTF.ext', '.rel.BTF.ext']);
      const plain = loadElf(globals, { resolveHelper });
      const debug = loadElf(withDebug, { resolveHelper });
      if (!plain.ok || !debug.ok) throw new Error('load failed');
      expect(debug.value).to.deep.equal(plain.value);
    });
  });

  describe('fuzz', function () {
    /** What every image must satisfy: whole slots, and each rewritten reference inside the image. */
    function expectSoundImage(image: ProgramImage): void {
      expect(image.code.length % 8).to.equal(0);
      expect(image.entry).to.equal(0);
      const slots = image.code.length / 8;
      for (let i = 0; i < slots; i++) {
        const slot = slotAt(image.code, i);
        if (slot.opcode === 0x85 && slot.src === CALL_SRC_LOCAL) {
          expect(i + 1 + slot.imm, `call at ${i}`).to.be.within(0, slots - 1);
        }
        if (slot.opcode !== 0x18) continue;
        expect(i + 1, `lddw at ${i} is whole`).to.be.below(slots);
        if (slot.src === LDDW_SRC_FUNC) expect(i + 1 + slot.imm, `lddw at ${i}`).to.be.within(0, slots - 1);
        else if (slot.src === LDDW_SRC_DATA) {
          const section = image.data[slot.imm];
          expect(section, `data index of lddw at ${i}`).to.not.equal(undefined);
          expect(slot.nextImm).to.be.within(0, section!.bytes.length);
        } else expect(slot.src, `lddw at ${i}`).to.equal(0);
        i++;
      }
    }

    function outcome(bytes: Uint8Array): void {
      const result = loadElf(bytes, { resolveHelper });
      if (result.ok) {
        for (const image of result.value) expectSoundImage(image);
      } else {
        expect(result.error).to.be.instanceOf(ElfError);
        expect(result.error.code).to.match(/^ERR_ELF_[A-Z_]+$/);
      }
    }

    it('returns an image or an ElfError for every truncation', function () {
      for (const object of [globals, calls]) {
        for (let length = 0; length < object.length; length++) outcome(object.subarray(0, length));
      }
    });

    it('returns an image or an ElfError for random byte mutations', function () {
      const objects = [globals, calls];
      fc.assert(
        fc.property(
          fc.nat(objects.length - 1),
          fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }),
          (which, edits) => {
            const bytes = objects[which]!.slice();
            for (const [at, value] of edits) bytes[at % bytes.length] = value;
            outcome(bytes);
          },
        ),
        { numRuns: 3000, seed: 20261124 },
      );
    });

    it('returns an image or an ElfError for mutated headers and tables', function () {
      // Aim at the structures the loader interprets: the ELF header, the section table, the
      // symbol table and the relocation tables, writing 8-, 16- and 32-bit edge values.
      const object = calls;
      const parsed = readElf(object);
      const shoff = Number(new DataView(object.buffer).getBigUint64(40, true));
      const ranges: [number, number][] = [
        [0, 64],
        [shoff, shoff + parsed.sections.length * 64],
        ...parsed.sections
          .filter((s) => s.name === '.symtab' || s.name.startsWith('.rel'))
          .map((s): [number, number] => [s.fileOffset, s.fileOffset + s.size]),
      ];
      const values = [0, 1, 2, 3, 8, 10, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff];
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              fc.nat(ranges.length - 1),
              fc.nat(),
              fc.constantFrom(...values),
              fc.constantFrom(1, 2, 4),
            ),
            {
              minLength: 1,
              maxLength: 4,
            },
          ),
          (edits) => {
            const bytes = object.slice();
            const view = new DataView(bytes.buffer);
            for (const [range, at, value, width] of edits) {
              const [start, end] = ranges[range]!;
              const offset = start + (at % Math.max(1, end - start - width));
              if (width === 1) view.setUint8(offset, value & 0xff);
              else if (width === 2) view.setUint16(offset, value & 0xffff, true);
              else view.setUint32(offset, value >>> 0, true);
            }
            outcome(bytes);
          },
        ),
        { numRuns: 3000, seed: 7 },
      );
    });
  });
});
