// Seeded fuzzing of the whole VM: generated programs (valid opcodes, random operands), mutated
// conformance programs and random bytes, each with random memory. Whatever the input: nothing
// throws, every load is a program or a coded VerifyError, every run ends in r0 (a u64) or a coded
// VmFault (never ERR_VM_INTERNAL) within its budget, and running twice gives the same outcome.
import { expect } from 'chai';
import { prng } from '../helpers/random.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '../helpers/env.js';
import { FaultCodes, loadProgram, run, VerifyCodes, VerifyError, VmFault } from '../../vm/index.js';
import { caseCode, parseTestFile } from '../../vm/conformance.js';
import { encodeInstructions } from '../../vm/instruction.js';
import type { Instruction } from '../../vm/instruction.js';
import * as op from '../../vm/opcodes.js';

const OPCODES = Object.entries(op)
  .filter(([k]) => k.startsWith('EBPF_OP_'))
  .map(([, v]) => v as number);
const IMMS = [0, 1, -1, 2, 7, 8, 16, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0xff, 0x1234, -512, -8];
const ATOMIC_IMMS = [0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1];
const BUDGET = 5000;

function generate(next: () => number): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const reg = (max: number): number => Math.floor(next() * (max + 1));
  const rel = (): number => pick([-4, -3, -2, 0, 1, 2, 3, 4]);
  const memOff = (): number => pick([-8, -16, -4, -1, 0, 2, 4, 8, -512, -513, 100]);
  const n = 1 + Math.floor(next() * 30);
  // Most programs use valid field combinations (to reach the interpreter); some use raw random fields.
  const loose = next() < 0.15;
  const insns: Instruction[] = [];
  while (insns.length < n) {
    const opcode = pick(OPCODES);
    let i: Instruction = { opcode, dst: 0, src: 0, off: 0, imm: 0 };
    if (loose) i = { opcode, dst: reg(15), src: reg(15), off: rel(), imm: pick(IMMS) };
    else if (opcode === op.EBPF_OP_LDDW) {
      const src = next() < 0.9 ? 0 : pick([4, 6]);
      insns.push({ opcode, dst: reg(9), src, off: 0, imm: src === 4 ? rel() : pick(IMMS) });
      i = { opcode: 0, dst: 0, src: 0, off: 0, imm: src === 0 ? pick(IMMS) : 0 };
    } else {
      const cls = opcode & 0x07;
      const isReg = (opcode & 0x08) !== 0;
      const kind = opcode & 0xf0;
      if (cls === op.BPF_ALU || cls === op.BPF_ALU64) {
        i.dst = reg(9);
        if (kind === op.BPF_END) i.imm = pick([16, 32, 64]);
        else if (kind !== op.BPF_NEG) {
          if (isReg) i.src = reg(10);
          else i.imm = pick(IMMS);
          if (kind === op.BPF_DIV || kind === op.BPF_MOD) i.off = pick([0, 1]);
          if (kind === op.BPF_MOV && isReg) i.off = pick(cls === op.BPF_ALU64 ? [0, 8, 16, 32] : [0, 8, 16]);
        }
      } else if (cls === op.BPF_JMP || cls === op.BPF_JMP32) {
        if (opcode === op.EBPF_OP_JA) i.off = rel();
        else if (opcode === op.EBPF_OP_JA32) i.imm = rel();
        else if (opcode === op.EBPF_OP_CALL) {
          i.src = pick([0, 0, 1]);
          i.imm = i.src === 1 ? rel() : reg(5);
        } else if (opcode === op.EBPF_OP_CALLX) i.dst = reg(10);
        else if (opcode !== op.EBPF_OP_EXIT) {
          i.dst = reg(10);
          if (isReg) i.src = reg(10);
          else i.imm = pick(IMMS);
          i.off = rel();
        }
      } else if (cls === op.BPF_LDX) {
        i.dst = reg(9);
        i.src = pick([1, 10, reg(10)]);
        i.off = memOff();
      } else if (cls === op.BPF_ST) {
        i.dst = pick([1, 10, reg(10)]);
        i.off = memOff();
        i.imm = pick(IMMS);
      } else {
        i.dst = pick([1, 10, reg(10)]);
        i.src = reg(9);
        i.off = memOff();
        if (opcode === op.EBPF_OP_ATOMIC32 || opcode === op.EBPF_OP_ATOMIC64) i.imm = pick(ATOMIC_IMMS);
      }
    }
    insns.push(i);
  }
  if (next() < 0.8) insns.push({ opcode: op.EBPF_OP_EXIT, dst: 0, src: 0, off: 0, imm: 0 });
  return encodeInstructions(insns);
}

function conformancePrograms(): Uint8Array[] {
  const dir = join(sharedDir, 'conformance', 'bpf_conformance');
  if (!existsSync(dir)) return [];
  const out: Uint8Array[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.data'))) {
    const c = parseTestFile(readFileSync(join(dir, f), 'utf8'));
    if (c instanceof Error) continue;
    const code = caseCode(c);
    if (code instanceof Uint8Array) out.push(code);
  }
  return out;
}

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

function randomMem(next: () => number): Uint8Array {
  const mem = new Uint8Array(Math.floor(next() * 65));
  for (let i = 0; i < mem.length; i++) mem[i] = Math.floor(next() * 256);
  return mem;
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
