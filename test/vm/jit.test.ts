// Differential test of the JIT (vm/jit/) against the interpreter: the same seeded random programs
// (generate.ts: generated, mutated conformance programs) loaded twice, once per back end, with data
// sections, random context memory and budgets from tiny to ample, must give identical outcomes: r0
// and steps, or fault code, pc and message; the same context memory and data sections afterwards;
// and the same again on a second run (globals persist). XBGPD_JIT_FUZZ=N scales the program counts.
// Then what random programs rarely reach: context memory larger than the module's reserve, extra
// regions the caller and helpers change during a run (also from a nested program), re-entrancy,
// and fallbacks; and the wasm writer's integer encoding.
import { expect } from 'chai';
import { prng } from '../helpers/random.js';
import { assemble, HelperRegistry, loadProgram, run, VerifyError, VmFault } from '../../vm/index.js';
import type { DataSection, LoadedProgram, LoadOptions, ProgramImage } from '../../vm/index.js';
import { Bytes } from '../../vm/jit/wasm.js';
import { conformancePrograms, generate, generateWithCalls, randomMem } from './generate.js';

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
  this.timeout(120000 * SCALE);

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

  it(`programs of functions calling each other: ${8000 * SCALE} programs`, function () {
    const next = prng(0xca11);
    const tally = emptyTally();
    for (let i = 0; i < 8000 * SCALE; i++) {
      const code = generateWithCalls(next);
      const data = next() < 0.3 ? dataSections(next) : [];
      const budget = BUDGETS[Math.floor(next() * BUDGETS.length)]!;
      compare({ code, entry: 0, data }, randomMem(next), budget, tally);
    }
    expect(tally.compiled).to.be.above(2000 * SCALE);
    expect(tally.faults.get('ERR_VM_CALL_DEPTH') ?? 0, 'call depth faults').to.be.above(20);
    expect(tally.faults.get('ERR_VM_BUDGET_EXHAUSTED') ?? 0, 'budget faults').to.be.above(100);
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

function asm(text: string, data: DataSection[] = []): ProgramImage {
  const code = assemble(text);
  if (!(code instanceof Uint8Array)) throw new Error(code.describe());
  return { code, entry: 0, data };
}

/** Load `image` once per back end; the JIT one must compile. */
function loadBoth(image: ProgramImage, options: LoadOptions = {}): [LoadedProgram, LoadedProgram] {
  const a = loadProgram(image, options);
  const b = loadProgram(image, { ...options, jit: true });
  if (a instanceof VerifyError || b instanceof VerifyError) throw new Error('rejected');
  expect(b.jit, b.jitFallback).to.not.equal(undefined);
  return [a, b];
}

describe('vm/jit: memory the caller and helpers share', function () {
  it('grows for a context larger than its reserve and keeps working with small ones', function () {
    // r0 = last byte + first byte; then the last byte is incremented.
    const text = `
      mov %r3, %r1
      add %r3, %r2
      ldxb %r0, [%r3-1]
      ldxb %r4, [%r1]
      add %r0, %r4
      ldxb %r4, [%r3-1]
      add %r4, 1
      stxb [%r3-1], %r4
      exit`;
    const [interp, jit] = loadBoth(asm(text));
    for (const size of [16, 100_000, 8, 300_000, 1]) {
      const mem = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
      const memI = mem.slice();
      const memJ = mem.slice();
      expect(describeOutcome(run(jit, { mem: memJ }))).to.equal(describeOutcome(run(interp, { mem: memI })));
      expect(memJ).to.deep.equal(memI);
    }
  });

  it('a read-only context is never written', function () {
    const [, jit] = loadBoth(asm('stb [%r1], 1\nexit'));
    const mem = new Uint8Array(4);
    const r = run(jit, { mem, memWritable: false });
    expect(r instanceof VmFault && r.describe()).to.match(/^ERR_VM_OUT_OF_BOUNDS_STORE at PC 0: /);
    expect([...mem]).to.deep.equal([0, 0, 0, 0]);
  });

  it('sees extra-region bytes a helper or a nested program changes during the run', function () {
    const shared = new Uint8Array(16);
    let inner: LoadedProgram | undefined;
    const registry = new HelperRegistry()
      .register({
        id: 1,
        name: 'shared_addr',
        permission: 'test',
        fn: (_a, _b, _c, _d, _e, ctx) => ctx.mem.addressOf('shared') ?? 0n,
      })
      .register({
        id: 2,
        name: 'poke',
        permission: 'test',
        // Writes the caller's array directly, as host code may.
        fn: (v) => {
          shared[8] = Number(v & 0xffn);
          return 0n;
        },
      })
      .register({
        id: 3,
        name: 'run_inner',
        permission: 'test',
        fn: () => {
          const r = run(inner!, {});
          return r instanceof VmFault ? r : r.r0;
        },
      });
    const outer = `
      call 1
      mov %r6, %r0
      stb [%r6+0], 5
      mov %r1, 9
      call 2
      call 3
      ldxb %r0, [%r6+8]
      ldxb %r7, [%r6+1]
      lsh %r7, 8
      or %r0, %r7
      ldxb %r7, [%r6+0]
      lsh %r7, 16
      or %r0, %r7
      exit`;
    // The inner program (another loaded program on the same bytes) reads byte 0 and writes byte 1.
    const innerText = `
      call 1
      ldxb %r1, [%r0+0]
      add %r1, 1
      stxb [%r0+1], %r1
      mov %r0, 0
      exit`;
    const results: string[] = [];
    for (const jit of [false, true]) {
      shared.fill(0);
      const options = {
        helpers: registry,
        regions: [{ name: 'shared', bytes: shared, writable: true }],
        jit,
      };
      const a = loadProgram(asm(outer), options);
      const b = loadProgram(asm(innerText), options);
      if (a instanceof VerifyError || b instanceof VerifyError) throw new Error('rejected');
      expect(Boolean(a.jit && b.jit)).to.equal(jit);
      inner = b;
      results.push(`${describeOutcome(run(a, {}))} ${[...shared].join(',')}`);
    }
    expect(results[1]).to.equal(results[0]);
    // r0 = 0x050609: 9 from the helper, 6 from the inner program, 5 from the outer one.
    expect(results[0]).to.match(/^r0 = 329225, steps = \d+ 5,6,0,0,0,0,0,0,9,/);
  });

  it('refuses to run a program from its own helper, as the interpreter', function () {
    let self: LoadedProgram | undefined;
    const registry = new HelperRegistry().register({
      id: 1,
      name: 'again',
      permission: 'test',
      fn: () => {
        const r = run(self!, {});
        return r instanceof VmFault ? r : 0n;
      },
    });
    const [interp, jit] = loadBoth(asm('call 1\nexit'), { helpers: registry });
    self = interp;
    const a = describeOutcome(run(interp, {}));
    self = jit;
    expect(describeOutcome(run(jit, {}))).to.equal(a);
    expect(a).to.match(/^ERR_VM_BAD_RUN_CONTEXT at PC 0: /);
  });
});

describe('vm/jit: fallback', function () {
  it('leaves runs with a budget that is not a whole number to the interpreter', function () {
    const [interp, jit] = loadBoth(asm('mov %r0, 1\nadd %r0, 1\nadd %r0, 1\nexit'));
    for (const budget of [2.5, 0, -1, Infinity, NaN, 4, 3])
      expect(describeOutcome(run(jit, { budget }))).to.equal(describeOutcome(run(interp, { budget })));
  });

  it('runs a program it does not compile in the interpreter and says why, once', function () {
    const reasons: string[] = [];
    // Without verifier checks: an unknown opcode the interpreter reports at run time.
    const code = Uint8Array.from([0xb7, 0, 0, 0, 1, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0]);
    const p = loadProgram(
      { code, entry: 0, data: [] },
      { checks: [], jit: true, onJitFallback: (r) => reasons.push(r) },
    );
    if (p instanceof VerifyError) throw p;
    expect(p.jit).to.equal(undefined);
    expect(p.jitFallback).to.match(/unknown opcode 0xff at pc 1/);
    expect(reasons).to.deep.equal([p.jitFallback]);
    const r = run(p, {});
    expect(r instanceof VmFault && r.code).to.equal('ERR_VM_INTERNAL');
    expect(reasons).to.have.length(1);
  });
});

describe('vm/jit: wasm writer', function () {
  /** Signed LEB128 decoded back (spec section 5.2.2), as a bigint. */
  const decodeSigned = (b: Uint8Array): bigint => {
    let v = 0n;
    let shift = 0n;
    for (const byte of b) {
      v |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) {
        if (byte & 0x40) v -= 1n << shift;
        break;
      }
    }
    return v;
  };

  it('encodes integers as LEB128 that decode to the same value, by number and by bigint', function () {
    const next = prng(3);
    const values = [
      0,
      1,
      -1,
      63,
      64,
      -64,
      -65,
      127,
      128,
      0x7fffffff,
      -0x80000000,
      0xffffffff,
      2 ** 53 - 1,
      -(2 ** 53) + 1,
    ];
    for (let i = 0; i < 2000; i++) values.push(Math.floor((next() - 0.5) * 2 ** Math.floor(next() * 54)));
    for (const v of values) {
      const byNumber = new Bytes();
      byNumber.sNum(v);
      const byBigint = new Bytes();
      byBigint.s64(BigInt(v));
      expect([...byNumber.view()], String(v)).to.deep.equal([...byBigint.view()]);
      expect(decodeSigned(byNumber.view())).to.equal(BigInt(v));
    }
    for (const v of [-(2n ** 63n), 2n ** 63n - 1n, 0x8000000000000000n]) {
      const b = new Bytes();
      b.s64(v);
      expect(decodeSigned(b.view())).to.equal(BigInt.asIntN(64, v));
    }
  });
});
