// Seeded random programs for the VM tests (fuzz.test.ts, jit.test.ts): generated programs with
// valid opcodes and random operands (mostly valid field combinations, some raw), the bpf_conformance
// programs to mutate, programs made of several functions that call each other, and random memory.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '../helpers/env.js';
import { caseCode, parseTestFile } from '../../vm/conformance.js';
import { decodeProgram, encodeInstructions, instructionAt } from '../../vm/instruction.js';
import type { Instruction } from '../../vm/instruction.js';
import * as op from '../../vm/opcodes.js';

const OPCODES = Object.entries(op)
  .filter(([k]) => k.startsWith('EBPF_OP_'))
  .map(([, v]) => v as number);
const IMMS = [0, 1, -1, 2, 7, 8, 16, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0xff, 0x1234, -512, -8];
const ATOMIC_IMMS = [0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1];
export function generate(next: () => number): Uint8Array {
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
      // src 6: data section 0..2 (programs may come with two), byte offset 0..16.
      const first = src === 4 ? rel() : src === 6 ? pick([0, 1, 2]) : pick(IMMS);
      insns.push({ opcode, dst: reg(9), src, off: 0, imm: first });
      i = {
        opcode: 0,
        dst: 0,
        src: 0,
        off: 0,
        imm: src === 0 ? pick(IMMS) : src === 6 ? pick([0, 4, 8, 16]) : 0,
      };
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

export function conformancePrograms(): Uint8Array[] {
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

export function randomMem(next: () => number): Uint8Array {
  const mem = new Uint8Array(Math.floor(next() * 65));
  for (let i = 0; i < mem.length; i++) mem[i] = Math.floor(next() * 256);
  return mem;
}

/**
 * A program of 1..4 functions (each a generated body ending in exit) whose jumps are retargeted to
 * stay inside their function and whose local calls and function addresses (lddw src=4, for callx)
 * name function starts, recursion included: programs the verifier accepts that make deep calls.
 */
export function generateWithCalls(next: () => number): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const insns: Instruction[] = [];
  const starts: number[] = [];
  const count = 1 + Math.floor(next() * 4);
  for (let f = 0; f < count; f++) {
    starts.push(insns.length);
    // Often a call first thing (retargeted below), so recursion goes deep before anything faults.
    if (next() < 0.4) insns.push({ opcode: op.EBPF_OP_CALL, dst: 0, src: 1, off: 0, imm: 0 });
    const d = decodeProgram(generate(next));
    for (let k = 0; k < d.length; k++) insns.push(instructionAt(d, k));
    insns.push({ opcode: op.EBPF_OP_EXIT, dst: 0, src: 0, off: 0, imm: 0 });
  }
  const ends = [...starts.slice(1), insns.length];
  const second = new Uint8Array(insns.length);
  for (let pc = 0; pc + 1 < insns.length; pc++) if (insns[pc]!.opcode === op.EBPF_OP_LDDW) second[++pc] = 1;
  for (let f = 0; f < count; f++) {
    const [s, e] = [starts[f]!, ends[f]!];
    for (let pc = s; pc < e; pc++) {
      const i = insns[pc]!;
      if (second[pc]) continue;
      const cls = i.opcode & 7;
      if (i.opcode === op.EBPF_OP_LDDW && i.src === 4) i.imm = pick(starts) - pc - 1;
      if (cls !== op.BPF_JMP && cls !== op.BPF_JMP32) continue;
      if (i.opcode === op.EBPF_OP_CALL) {
        if (i.src === 1) i.imm = pick(starts) - pc - 1;
        continue;
      }
      if (i.opcode === op.EBPF_OP_EXIT || i.opcode === op.EBPF_OP_CALLX) continue;
      const usesImm = i.opcode === op.EBPF_OP_JA32;
      const target = pc + 1 + (usesImm ? i.imm : i.off);
      if (target >= s && target < e && target !== pc && !second[target]) continue;
      const options: number[] = [];
      for (let t = s; t < e; t++) if (t !== pc && !second[t]) options.push(t);
      if (options.length === 0) continue;
      const delta = pick(options) - pc - 1;
      if (usesImm) i.imm = delta;
      else i.off = delta;
    }
  }
  return encodeInstructions(insns);
}
