// Differential test of the JIT (vm/jit/) against the interpreter: the same seeded random programs
// (generate.ts: generated, mutated conformance programs) loaded twice, once per back end, with data
// sections, random context memory and budgets from tiny to ample, must give identical outcomes: r0
// and steps, or fault code, pc and message; the same context memory and data sections afterwards;
// and the same again on a second run (globals persist). XBGPD_JIT_FUZZ=N scales the program counts.
import { expect } from 'chai';
import { prng } from '../helpers/random.js';
import { loadProgram, run, VerifyError, VmFault } from '../../vm/index.js';
import type { DataSection, LoadedProgram, ProgramImage } from '../../vm/index.js';
import { conformancePrograms, generate, randomMem } from './generate.js';

const SCALE = Number(process.env['XBGPD_JIT_FUZZ'] ?? 1);
const BUDGETS = [1, 3, 7, 20, 100, 1000, 5000];

function describeOutcome(r: ReturnType<typeof run>): string {
  return r instanceof VmFault ? r.describe() : `r0 = ${r.r0}, steps = ${r.steps}`;
}

function dataSections(next: () => number): DataSection[] {
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
  return [
    { name: '.data', bytes: bytes(24), writable: true },
    { name: '.rodata', bytes: bytes(16), writable: false },
  ];
}

interface Tally {
  compiled: number;
  interpretedOnly: number;
  r0: number;
  faults: Map<string, number>;
}

/** Run `image` on both back ends (twice each) and compare everything observable. */
function compare(image: ProgramImage, mem: Uint8Array, budget: number, tally: Tally): void {
  const interp = loadProgram(image, { budget });
  const fallbacks: string[] = [];
  const jit = loadProgram(image, { budget, jit: true, onJitFallback: (r) => fallbacks.push(r) });
  if (interp instanceof VerifyError || jit instanceof VerifyError) {
    expect(jit instanceof VerifyError && interp instanceof VerifyError && jit.describe()).to.equal(
      interp instanceof VerifyError && interp.describe(),
    );
    return;
  }
  if (jit.jit) tally.compiled++;
  else {
    tally.interpretedOnly++;
    expect(fallbacks, 'a fallback is reported').to.have.length(1);
  }
  const memI = mem.slice();
  const memJ = mem.slice();
  for (let round = 0; round < 2; round++) {
    const a = run(interp, { mem: memI });
    const b = run(jit, { mem: memJ });
    expect(describeOutcome(b), hex(image)).to.equal(describeOutcome(a));
    expect(memJ, `context memory after run ${round}`).to.deep.equal(memI);
    expect(regionBytes(jit), 'data sections').to.deep.equal(regionBytes(interp));
    if (round === 0) {
      if (a instanceof VmFault) tally.faults.set(a.code, (tally.faults.get(a.code) ?? 0) + 1);
      else tally.r0++;
    }
  }
}

function regionBytes(p: LoadedProgram): number[][] {
  return p.memory.bytes.slice(4).map((b) => [...b]);
}

function hex(image: ProgramImage): string {
  return `program ${Buffer.from(image.code).toString('hex')}`;
}

function emptyTally(): Tally {
  return { compiled: 0, interpretedOnly: 0, r0: 0, faults: new Map() };
}

describe('vm/jit: differential against the interpreter', function () {
  this.timeout(120000);

  it(`generated programs: ${20000 * SCALE} programs, identical outcomes, memory and steps`, function () {
    const next = prng(0x17);
    const tally = emptyTally();
    for (let i = 0; i < 20000 * SCALE; i++) {
      const code = generate(next);
      const data = next() < 0.5 ? dataSections(next) : [];
      const budget = BUDGETS[Math.floor(next() * BUDGETS.length)]!;
      compare({ code, entry: 0, data }, randomMem(next), budget, tally);
    }
    // Both back ends must really be exercised: compiled programs ending in r0 and in each kind of fault.
    expect(tally.compiled).to.be.above(5000 * SCALE);
    expect(tally.r0).to.be.above(1000 * SCALE);
    for (const code of [
      'ERR_VM_BUDGET_EXHAUSTED',
      'ERR_VM_OUT_OF_BOUNDS_LOAD',
      'ERR_VM_OUT_OF_BOUNDS_STORE',
      'ERR_VM_PC_OUT_OF_RANGE',
    ])
      expect(tally.faults.get(code) ?? 0, code).to.be.above(50);
  });

  it(`mutated conformance programs: ${8000 * SCALE} programs`, function () {
    const programs = conformancePrograms();
    if (programs.length === 0) this.skip();
    const next = prng(0x5eed);
    const tally = emptyTally();
    for (let i = 0; i < 8000 * SCALE; i++) {
      const code = programs[Math.floor(next() * programs.length)]!.slice();
      const flips = Math.floor(next() * 3);
      for (let f = 0; f < flips; f++) code[Math.floor(next() * code.length)] = Math.floor(next() * 256);
      const budget = next() < 0.3 ? BUDGETS[Math.floor(next() * BUDGETS.length)]! : 100000;
      compare({ code, entry: 0, data: [] }, randomMem(next), budget, tally);
    }
    expect(tally.compiled).to.be.above(2000 * SCALE);
  });

  it('unverified programs (checks: []) either compile or fall back, and agree', function () {
    const next = prng(99);
    for (let i = 0; i < 2000; i++) {
      const code = new Uint8Array(8 * (1 + Math.floor(next() * 12)));
      for (let k = 0; k < code.length; k++) code[k] = Math.floor(next() * 256);
      const image = { code, entry: 0, data: [] };
      const a = loadProgram(image, { checks: [], budget: 200 });
      const b = loadProgram(image, { checks: [], budget: 200, jit: true, onJitFallback: () => {} });
      if (a instanceof VerifyError || b instanceof VerifyError) continue;
      const mem = randomMem(next);
      expect(describeOutcome(run(b, { mem: mem.slice() }))).to.equal(
        describeOutcome(run(a, { mem: mem.slice() })),
      );
    }
  });
});
