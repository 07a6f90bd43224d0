// Seeded fuzzing of the whole VM: generated programs (valid opcodes, random operands), mutated
// conformance programs and random bytes, each with random memory. Whatever the input: nothing
// throws, every load is a program or a coded VerifyError, every run ends in r0 (a u64) or a coded
// VmFault (never ERR_VM_INTERNAL) within its budget, and running twice gives the same outcome.
import { expect } from 'chai';
import { prng } from '../helpers/random.js';
import { FaultCodes, loadProgram, run, VerifyCodes, VerifyError, VmFault } from '../../vm/index.js';
import { conformancePrograms, generate, randomMem } from './generate.js';

const BUDGET = 5000;

type Outcome =
  | { kind: 'verify'; code: string; pc: number }
  | { kind: 'r0'; r0: bigint }
  | { kind: 'fault'; code: string; pc: number };

const verifyCodes = new Set<string>(Object.values(VerifyCodes));
const faultCodes = new Set<string>(Object.values(FaultCodes));

function check(code: Uint8Array, mem: Uint8Array): Outcome[] {
  const loaded = loadProgram({ code, entry: 0, data: [] }, { budget: BUDGET });
  const slots = Math.floor(code.length / 8);
  if (loaded instanceof VerifyError) {
    expect(verifyCodes.has(loaded.code), loaded.code).to.equal(true);
    expect(Number.isInteger(loaded.pc) && loaded.pc >= -1 && loaded.pc < slots, `pc ${loaded.pc}`).to.equal(
      true,
    );
    return [{ kind: 'verify', code: loaded.code, pc: loaded.pc }];
  }
  const outcomes: Outcome[] = [];
  for (let i = 0; i < 2; i++) {
    const r = run(loaded, { mem: mem.slice() });
    if (r instanceof VmFault) {
      expect(faultCodes.has(r.code) && r.code !== FaultCodes.INTERNAL, r.describe()).to.equal(true);
      expect(Number.isInteger(r.pc) && r.pc >= 0 && r.pc <= slots, r.describe()).to.equal(true);
      outcomes.push({ kind: 'fault', code: r.code, pc: r.pc });
    } else {
      expect(typeof r.r0).to.equal('bigint');
      expect(r.r0 >= 0n && r.r0 < 1n << 64n).to.equal(true);
      expect(r.steps).to.be.at.most(BUDGET);
      outcomes.push({ kind: 'r0', r0: r.r0 });
    }
  }
  expect(outcomes[1], 'second run differs').to.deep.equal(outcomes[0]);
  return outcomes;
}

describe('vm: seeded fuzzing', function () {
  this.timeout(60000);

  it('generated programs: 5000 runs end in r0 or a coded fault', function () {
    const next = prng(0xb9f);
    const tally = { verify: 0, r0: 0, fault: 0 };
    for (let i = 0; i < 5000; i++) tally[check(generate(next), randomMem(next))[0]!.kind]++;
    // The generator must reach the interpreter, not only the verifier.
    expect(tally.r0 + tally.fault).to.be.above(1000);
  });

  it('mutated conformance programs: 4000 runs', function () {
    const programs = conformancePrograms();
    if (programs.length === 0) this.skip();
    const next = prng(0xc0ffee);
    for (let i = 0; i < 4000; i++) {
      const code = programs[Math.floor(next() * programs.length)]!.slice();
      const flips = 1 + Math.floor(next() * 4);
      for (let f = 0; f < flips; f++) code[Math.floor(next() * code.length)] = Math.floor(next() * 256);
      check(code, randomMem(next));
    }
  });

  it('without any verifier check: 3000 random programs still end in r0 or a coded fault', function () {
    // The interpreter must stay safe even if a caller drops the verifier (checks: []): bad opcodes,
    // wild jumps and registers above r10 end in a fault (ERR_VM_INTERNAL allowed here), never a throw.
    const next = prng(7);
    for (let i = 0; i < 3000; i++) {
      const code = i % 2 === 0 ? generate(next) : new Uint8Array(8 * (1 + Math.floor(next() * 20)));
      if (i % 2 === 1) for (let k = 0; k < code.length; k++) code[k] = Math.floor(next() * 256);
      const loaded = loadProgram({ code, entry: 0, data: [] }, { budget: BUDGET, checks: [] });
      if (loaded instanceof VerifyError) continue;
      const r = run(loaded, { mem: randomMem(next) });
      if (r instanceof VmFault) expect(faultCodes.has(r.code), r.describe()).to.equal(true);
      else expect(r.steps).to.be.at.most(BUDGET);
    }
  });

  it('random bytes: 3000 programs', function () {
    const next = prng(42);
    for (let i = 0; i < 3000; i++) {
      const code = new Uint8Array(Math.floor(next() * 25) * 8 + (next() < 0.05 ? 3 : 0));
      for (let k = 0; k < code.length; k++) code[k] = Math.floor(next() * 256);
      check(code, randomMem(next));
    }
  });
});
