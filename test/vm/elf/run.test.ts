// ELF loader end to end: programs clang compiles from test/vm/elf/c/ are linked by the loader,
// verified and loaded by the VM (vm/index.ts loadProgram) and run by its interpreter (run), with the
// r0 each must give.
import { expect } from 'chai';
import { loadElfProgram } from '../../../vm/elf/index.js';
import { run as runVm, testHelperRegistry, VerifyError, VmFault } from '../../../vm/index.js';
import type { LoadedProgram } from '../../../vm/index.js';
import { requireTools } from '../../helpers/env.js';
import { compileBpf, removeCompiled } from './compile.js';
import { forEachBackend, loadProgram } from '../backends.js';

const helpers = testHelperRegistry();

function load(object: string, program: string, flags: readonly string[] = []): LoadedProgram {
  const linked = loadElfProgram(compileBpf(object, flags), program, helpers.resolver());
  if (!linked.ok) throw linked.error;
  const loaded = loadProgram(linked.value, { helpers });
  if (loaded instanceof VerifyError) throw new Error(loaded.describe());
  return loaded;
}

function run(program: LoadedProgram, args?: bigint[]): bigint {
  const result = runVm(program, args === undefined ? {} : { args });
  if (result instanceof VmFault) throw new Error(result.describe());
  return result.r0;
}

forEachBackend('vm/elf: clang programs run in the VM', function () {
  before(function () {
    requireTools(this, 'clang');
  });
  after(removeCompiled);

  const expected: [object: string, program: string, r0: bigint, what: string][] = [
    ['globals', 'sum_table', 55n, 'sums a static .rodata table (section symbol + imm)'],
    ['globals', 'sum_squares', 140n, 'sums a global .rodata array at the start of the section'],
    ['globals', 'sum_primes', 41n, 'sums a global .rodata array further in (st_value + imm)'],
    ['globals', 'bump_scale', 304n, 'reads and writes an initialised .data global'],
    ['globals', 'strings', 1n, 'passes .rodata.str1.1 literals to an extern helper (strcmp_ext)'],
    ['globals', 'root', 1000n, 'calls an extern helper resolved by name (sqrti)'],
    ['calls', 'calls', 60n, 'calls a same-section static, .text statics and a .text global'],
    ['calls', 'text_prog', 22n, 'runs a program of .text selected by function name'],
    ['calls', 'text_prog_two', 28n, 'runs the other .text program, which calls the first'],
    ['calls', 'xbgp/fact', 120n, 'runs a program selected by section that calls a looping .text static'],
    ['pointers', 'first_letter', 104n, "reads through a string pointer initialised in .data ('h')"],
    [
      'pointers',
      'word_letters',
      295n,
      "reads a constant table of string pointers in .rodata ('a' + 'e' + 'a')",
    ],
    ['pointers', 'third_entry', 70n, 'reads through a pointer into the middle of a .rodata array (30 + 40)'],
    ['pointers', 'pair_sum', 44n, 'writes and reads a global through a pointer to it (4 * 10 + 4)'],
  ];
  for (const [object, program, r0, what] of expected) {
    it(`${program}: ${what} (r0 = ${r0})`, function () {
      expect(run(load(object, program))).to.equal(r0);
    });
  }

  // Other code shapes from the same sources: unoptimised (stack traffic, no inlining) and cpu v3
  // (JMP32 and ALU32), where relocations land on different instructions.
  for (const flags of [['-O0'], ['-mcpu=v3']]) {
    it(`gives the same results when built with ${flags.join(' ')}`, function () {
      const results = expected.map(([object, program]) => run(load(object, program, flags)));
      expect(results).to.deep.equal(expected.map(([, , r0]) => r0));
      const pointer = load('calls', 'pointer', flags);
      expect([run(pointer, [5n]), run(pointer, [0n])]).to.deep.equal([52n, 33n]);
    });
  }

  it('count: keeps .bss between runs of one loaded program, and starts from zero when loaded again', function () {
    const counter = load('globals', 'xbgp/count');
    expect([run(counter), run(counter), run(counter)]).to.deep.equal([1n, 2n, 3n]);
    expect(run(load('globals', 'count'))).to.equal(1n);
  });

  it('bump_scale: .data changes persist across runs but never reach the image', function () {
    const linked = loadElfProgram(compileBpf('globals'), 'bump_scale');
    if (!linked.ok) throw linked.error;
    const first = loadProgram(linked.value, { helpers });
    const second = loadProgram(linked.value, { helpers });
    if (first instanceof VerifyError || second instanceof VerifyError) throw new Error('verifier rejected');
    expect([run(first), run(first)]).to.deep.equal([304n, 405n]);
    expect(run(second)).to.equal(304n);
  });

  it('pointer: calls through function addresses (lddw src=4 and clang 14 callx)', function () {
    const program = load('calls', 'pointer');
    // pick > 0 calls triple(10), else add_one(10); both add text_prog() = 22.
    expect(run(program, [5n])).to.equal(52n);
    expect(run(program, [0n])).to.equal(33n);
  });

  it('advance: a pointer initialised in .data moves along its string run after run, and starts over when loaded again', function () {
    const cursor = load('pointers', 'advance');
    expect([1, 2, 3, 4].map(() => run(cursor))).to.deep.equal([120n, 121n, 122n, 0n]);
    expect(run(load('pointers', 'advance'))).to.equal(120n);
  });

  it('fine: the sound program of an object with refused neighbours runs', function () {
    expect(run(load('bad', 'fine'))).to.equal(7n);
  });
});
