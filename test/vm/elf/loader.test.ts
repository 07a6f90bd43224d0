// ELF loader on objects clang compiles from test/vm/elf/c/: the structure of the images it links
// (rewritten calls and lddw, data sections, callees pulled across sections), program selection by
// section and function name, and the refusals real C code can trigger.
import { expect } from 'chai';
import { listElfPrograms, loadElf, loadElfProgram, type ElfError } from '../../../vm/elf/index.js';
import type { ProgramImage } from '../../../vm/program.js';
import { CALL_SRC_LOCAL, LDDW_SRC_DATA, LDDW_SRC_FUNC } from '../../../vm/program.js';
import { requireTools } from '../../helpers/env.js';
import { compileBpf, removeCompiled, slotAt, slotsWith } from './compile.js';

const BPF_LD_IMM64 = 0x18;
const BPF_CALL = 0x85;
const BPF_EXIT = 0x95;
const helperIds: Record<string, number> = { sqrti: 3, strcmp_ext: 4 };
const resolveHelper = (name: string): number | undefined => helperIds[name];

function link(object: string, program: string): ProgramImage {
  const result = loadElfProgram(compileBpf(object), program, resolveHelper);
  if (!result.ok) throw result.error;
  return result.value;
}

function failure(object: string, program: string): ElfError {
  const result = loadElfProgram(compileBpf(object), program, resolveHelper);
  expect(result.ok, `loading ${program} should fail`).to.equal(false);
  return (result as { error: ElfError }).error;
}

/** The data address every lddw of `image` loads, as [section name, offset]. */
function dataReferences(image: ProgramImage): [string, number][] {
  return slotsWith(image.code, BPF_LD_IMM64).map((i) => {
    const slot = slotAt(image.code, i);
    expect(slot.src, `lddw at ${i}`).to.equal(LDDW_SRC_DATA);
    return [image.data[slot.imm]!.name, slot.nextImm];
  });
}

function cString(bytes: Uint8Array, offset: number): string {
  return Buffer.from(bytes.subarray(offset, bytes.indexOf(0, offset))).toString('latin1');
}

/** Every local call lands on the first slot of a function (slot 0 or right after an exit). */
function expectCallsOnFunctionStarts(image: ProgramImage): number[] {
  const targets: number[] = [];
  for (const i of slotsWith(image.code, BPF_CALL)) {
    const slot = slotAt(image.code, i);
    if (slot.src !== CALL_SRC_LOCAL) continue;
    const target = i + slot.imm + 1;
    expect(target, `call at ${i}`).to.be.within(0, image.code.length / 8 - 1);
    expect(target === 0 || image.code[(target - 1) * 8] === BPF_EXIT, `call at ${i} -> ${target}`).to.equal(
      true,
    );
    targets.push(target);
  }
  return targets;
}

describe('vm/elf: clang objects', function () {
  before(function () {
    requireTools(this, 'clang');
  });
  after(removeCompiled);

  describe('data sections', function () {
    it('zero-fills .bss (NOBITS) and marks it writable', function () {
      const image = link('globals', 'count');
      expect(image.data).to.have.length(1);
      expect(image.data[0]).to.deep.include({ name: '.bss', writable: true });
      expect([...image.data[0]!.bytes]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0]);
      expect(dataReferences(image)).to.deep.equal([['.bss', 0]]);
    });

    it('reads a static .rodata table through the section symbol, offset in the lddw imm', function () {
      const image = link('globals', 'sum_table');
      expect(image.data).to.have.length(1);
      expect(image.data[0]).to.deep.include({ name: '.rodata', writable: false });
      const [[, offset]] = dataReferences(image) as [[string, number]];
      const view = new DataView(image.data[0]!.bytes.buffer, image.data[0]!.bytes.byteOffset);
      const table = Array.from({ length: 10 }, (_, i) => view.getInt32(offset + i * 4, true));
      expect(table).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('reads a global .rodata array through its STT_OBJECT symbol (st_value + imm)', function () {
      const image = link('globals', 'sum_primes');
      const [[name, offset]] = dataReferences(image) as [[string, number]];
      expect(name).to.equal('.rodata');
      expect(offset, 'primes does not start .rodata').to.be.greaterThan(0);
      const view = new DataView(image.data[0]!.bytes.buffer, image.data[0]!.bytes.byteOffset);
      const primes = Array.from({ length: 6 }, (_, i) => Number(view.getBigInt64(offset + i * 8, true)));
      expect(primes).to.deep.equal([2, 3, 5, 7, 11, 13]);
    });

    it('keeps .data initialised and writable', function () {
      const image = link('globals', 'bump_scale');
      expect(image.data[0]).to.deep.include({ name: '.data', writable: true });
      const [[, offset]] = dataReferences(image) as [[string, number]];
      expect(new DataView(image.data[0]!.bytes.buffer).getBigInt64(offset, true)).to.equal(3n);
    });

    it('points into .rodata.str1.1 (SHF_MERGE|STRINGS) at each literal', function () {
      const image = link('globals', 'strings');
      expect(image.data.map((d) => d.name)).to.deep.equal(['.rodata.str1.1']);
      const strings = dataReferences(image).map(([, offset]) => cString(image.data[0]!.bytes, offset));
      expect(strings).to.deep.equal(['route-map', 'route-map', 'abc', 'abd']);
    });

    it('gives each image its own copy of the initial bytes', function () {
      const bytes = compileBpf('globals');
      const first = loadElf(bytes, { programs: ['bump_scale'] });
      const second = loadElf(bytes, { programs: ['bump_scale'] });
      if (!first.ok || !second.ok) throw new Error('load failed');
      first.value[0]!.data[0]!.bytes.fill(0xff);
      expect(second.value[0]!.data[0]!.bytes[0]).to.equal(3);
    });
  });

  describe('calls', function () {
    it('resolves extern functions by name to helper calls (src 0, imm id)', function () {
      const image = link('globals', 'strings');
      const calls = slotsWith(image.code, BPF_CALL).map((i) => slotAt(image.code, i));
      expect(calls.map((c) => [c.src, c.imm])).to.deep.equal([
        [0, 4],
        [0, 4],
      ]);
      const root = link('globals', 'root');
      const call = slotAt(root.code, slotsWith(root.code, BPF_CALL)[0]!);
      expect([call.src, call.imm]).to.deep.equal([0, 3]);
    });

    it('links callees from .text and from the caller section after the entry, each once', function () {
      const image = link('calls', 'calls');
      expect(image.entry).to.equal(0);
      expect(image.name).to.equal('calls');
      const targets = expectCallsOnFunctionStarts(image);
      // square (same section), triple and add_one (.text statics), text_prog (.text global); text_prog
      // calls triple and add_one again, which must not be copied twice.
      expect(new Set(targets).size).to.equal(4);
      const exits = slotsWith(image.code, BPF_EXIT).length;
      expect(exits, 'one exit per linked function').to.equal(5);
      expect(image.code.length % 8).to.equal(0);
    });

    it('keeps a callee whose body jumps (loop) intact when it moves', function () {
      const image = link('calls', 'factorial');
      const [target] = expectCallsOnFunctionStarts(image) as [number];
      expect(target).to.equal(3);
      // The loop's backward branch stays relative to the moved function.
      const branches = [];
      for (let i = target; i < image.code.length / 8; i++) {
        const slot = slotAt(image.code, i);
        if ((slot.opcode & 0x07) === 0x05 && slot.opcode !== BPF_EXIT && slot.opcode !== BPF_CALL) {
          branches.push(i + slot.off + 1);
        }
      }
      expect(branches.length).to.be.greaterThan(0);
      for (const to of branches) expect(to).to.be.within(target, image.code.length / 8 - 1);
    });

    it('turns function addresses into lddw src=4 relative to the second slot (pc + 1 + imm)', function () {
      const image = link('calls', 'pointer');
      const pointers = slotsWith(image.code, BPF_LD_IMM64).map((i) => ({ i, slot: slotAt(image.code, i) }));
      expect(pointers).to.have.length(2);
      for (const { i, slot } of pointers) {
        expect(slot.src).to.equal(LDDW_SRC_FUNC);
        expect(slot.nextImm).to.equal(0);
        const target = i + 1 + slot.imm;
        expect(image.code[(target - 1) * 8], `pointer at ${i} names a function start`).to.equal(BPF_EXIT);
      }
      expect(image.data).to.deep.equal([]);
    });

    it("rewrites clang 14's callx (register in imm) to RFC 9669's (register in dst)", function () {
      const image = link('calls', 'pointer');
      const callx = slotsWith(image.code, 0x8d).map((i) => slotAt(image.code, i));
      expect(callx.map((c) => [c.dst, c.src, c.imm])).to.deep.equal([[2, 0, 0]]);
    });
  });

  describe('program selection', function () {
    it('lists every program with its section', function () {
      const listed = listElfPrograms(compileBpf('calls'));
      if (!listed.ok) throw listed.error;
      expect(listed.value.map((p) => [p.name, p.section])).to.deep.equal([
        ['text_prog', '.text'],
        ['text_prog_two', '.text'],
        ['calls', 'xbgp/calls'],
        ['factorial', 'xbgp/fact'],
        ['pointer', 'xbgp/pointer'],
      ]);
    });

    it('selects by section name or by function name alike', function () {
      expect(link('calls', 'xbgp/calls')).to.deep.equal(link('calls', 'calls'));
      expect(link('globals', 'xbgp/count').code).to.deep.equal(link('globals', 'count').code);
    });

    it('loads several programs of one object in selector order', function () {
      const result = loadElf(compileBpf('globals'), {
        programs: ['xbgp/count', 'sum_table', 'root'],
        resolveHelper,
      });
      if (!result.ok) throw result.error;
      expect(result.value.map((image) => image.name)).to.deep.equal(['count', 'sum_table', 'root']);
    });

    it('loads every program when none is selected', function () {
      const result = loadElf(compileBpf('calls'));
      if (!result.ok) throw result.error;
      expect(result.value.map((image) => image.name)).to.deep.equal([
        'text_prog',
        'text_prog_two',
        'calls',
        'factorial',
        'pointer',
      ]);
    });

    it('selects one of two global functions of .text by name, and refuses the section name', function () {
      expect(link('calls', 'text_prog_two').name).to.equal('text_prog_two');
      const error = failure('calls', '.text');
      expect(error.code).to.equal('ERR_ELF_AMBIGUOUS_PROGRAM');
      expect(error.message).to.contain('text_prog, text_prog_two');
    });

    it('offers no program from static .text functions, but selects one by name', function () {
      const bytes = compileBpf('statics');
      const listed = listElfPrograms(bytes);
      if (!listed.ok) throw listed.error;
      expect(listed.value).to.deep.equal([]);
      const all = loadElf(bytes);
      expect(all.ok).to.equal(false);
      expect((all as { error: ElfError }).error.code).to.equal('ERR_ELF_PROGRAM_NOT_FOUND');
      expect(link('statics', 'only_static').name).to.equal('only_static');
    });

    it('reports an unknown selector', function () {
      expect(failure('calls', 'xbgp/nope').code).to.equal('ERR_ELF_PROGRAM_NOT_FOUND');
    });
  });

  describe('refusals', function () {
    it('names the extern helper the resolver does not know, with section and offset', function () {
      const error = failure('bad', 'unknown_helper');
      expect(error.code).to.equal('ERR_ELF_UNKNOWN_HELPER');
      expect(error.message).to.contain("'no_such_helper'");
      expect(error.section).to.equal('xbgp/unknown_helper');
      expect(error.offset).to.be.a('number');
    });

    it('refuses a data section holding a function pointer (a pointer into code)', function () {
      const error = failure('bad', 'data_pointer');
      expect(error.code).to.equal('ERR_ELF_DATA_RELOCATION');
      expect(error.section).to.equal('.data');
      expect(error.message).to.contain('function pointers are not supported');
    });

    it('links pointers initialised in data as DataPointers to the sections they aim into', function () {
      const image = link('pointers', 'word_letters');
      const text = (p: { data: number; addend: number }): string => {
        const bytes = image.data[p.data]!.bytes;
        return Buffer.from(bytes.subarray(p.addend, bytes.indexOf(0, p.addend))).toString();
      };
      const strings = (name: string): string[] =>
        image.data
          .find((d) => d.name === name)!
          .pointers!.filter((p) => image.data[p.data]!.name.startsWith('.rodata.str'))
          .map(text);
      expect(strings('.rodata'), 'the constant table of strings').to.deep.equal(['alpha', 'beta', 'gamma']);
      expect(strings('.data'), 'greeting and cursor').to.deep.equal(['hello', 'xyz']);
      const rodata = image.data.find((d) => d.name === '.rodata')!;
      expect(rodata.writable).to.equal(false);
      // The 8 bytes of each pointer are left zero in the image: the VM writes the address at load.
      for (const p of rodata.pointers!)
        expect([...rodata.bytes.subarray(p.offset, p.offset + 8)]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0]);
    });

    it('still loads the sound program of the same object', function () {
      expect(link('bad', 'fine').code.length).to.equal(16);
    });

    it('fails a whole multi-program load on the first bad program', function () {
      const result = loadElf(compileBpf('bad'), { resolveHelper });
      expect(result.ok).to.equal(false);
    });
  });
});
