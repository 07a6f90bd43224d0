// Differential test of the interpreter's 64-bit arithmetic (kept in two 32-bit halves) against a
// plain BigInt model of RFC 9669 section 4, written from the RFC text: every ALU/ALU64 operation
// and every conditional jump, register and immediate forms, on edge values and seeded random values.
import { expect } from 'chai';
import { prng } from '../helpers/random.js';
import { run, VerifyError, VmFault } from '../../vm/index.js';
import { encodeInstructions } from '../../vm/instruction.js';
import type { Instruction } from '../../vm/instruction.js';
import { forEachBackend, loadProgram } from './backends.js';

const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const sext = (v: bigint, bits: number): bigint => BigInt.asUintN(64, BigInt.asIntN(bits, v));

/** RFC 9669 section 4.1 for one ALU operation; `is64` is the ALU64 class. src is already the operand (imm sign-extended). */
function refAlu(aop: number, is64: boolean, dst: bigint, src: bigint, off: number): bigint {
  const w = is64 ? 64 : 32;
  const mask = is64 ? M64 : M32;
  const d = dst & mask;
  const s = src & mask;
  const signed = (v: bigint): bigint => BigInt.asIntN(w, v);
  let r: bigint;
  switch (aop) {
    case 0x00:
      r = d + s;
      break;
    case 0x10:
      r = d - s;
      break;
    case 0x20:
      r = d * s;
      break;
    case 0x30:
      r = s === 0n ? 0n : off === 1 ? signed(d) / signed(s) : d / s;
      break;
    case 0x40:
      r = d | s;
      break;
    case 0x50:
      r = d & s;
      break;
    case 0x60:
      r = d << (s & BigInt(w - 1));
      break;
    case 0x70:
      r = d >> (s & BigInt(w - 1));
      break;
    case 0x80:
      r = -d;
      break;
    case 0x90:
      r = s === 0n ? d : off === 1 ? signed(d) % signed(s) : d % s;
      break;
    case 0xa0:
      r = d ^ s;
      break;
    case 0xb0:
      r = off === 0 ? s : BigInt.asIntN(off, s);
      break;
    case 0xc0:
      r = signed(d) >> (s & BigInt(w - 1));
      break;
    default:
      throw new Error(`no model for ${aop}`);
  }
  return BigInt.asUintN(w, r);
}

function swap(v: bigint, width: number): bigint {
  let r = 0n;
  for (let i = 0; i < width / 8; i++) r = (r << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return r;
}

function refJump(jop: number, is64: boolean, a: bigint, b: bigint): boolean {
  const w = is64 ? 64 : 32;
  const x = BigInt.asUintN(w, a);
  const y = BigInt.asUintN(w, b);
  const sx = BigInt.asIntN(w, a);
  const sy = BigInt.asIntN(w, b);
  switch (jop) {
    case 0x10:
      return x === y;
    case 0x20:
      return x > y;
    case 0x30:
      return x >= y;
    case 0x40:
      return (x & y) !== 0n;
    case 0x50:
      return x !== y;
    case 0x60:
      return sx > sy;
    case 0x70:
      return sx >= sy;
    case 0xa0:
      return x < y;
    case 0xb0:
      return x <= y;
    case 0xc0:
      return sx < sy;
    case 0xd0:
      return sx <= sy;
  }
  throw new Error(`no model for ${jop}`);
}

function lddw(dst: number, v: bigint): Instruction[] {
  return [
    { opcode: 0x18, dst, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v)) },
    { opcode: 0, dst: 0, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v >> 32n)) },
  ];
}

function runInsns(insns: Instruction[]): bigint {
  const loaded = loadProgram({ code: encodeInstructions(insns), entry: 0, data: [] });
  if (loaded instanceof VerifyError) throw new Error(loaded.describe());
  const r = run(loaded);
  if (r instanceof VmFault) throw new Error(r.describe());
  return r.r0;
}

const EDGES = [
  0n,
  1n,
  2n,
  3n,
  7n,
  31n,
  32n,
  63n,
  64n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  M64,
  M64 - 1n,
  0x123456789abcdef0n,
  0xfedcba9876543210n,
];

function values(next: () => number, n: number): bigint[] {
  const out = [...EDGES];
  const r32 = (): bigint => BigInt(Math.floor(next() * 0x100000000));
  while (out.length < n) {
    const pick = next();
    if (pick < 0.3) out.push((r32() << 32n) | r32());
    else if (pick < 0.6) out.push(r32());
    else if (pick < 0.8) out.push(u64(-r32()));
    else out.push(BigInt(Math.floor(next() * 64)));
  }
  return out;
}

const ALU_OPS: Array<[string, number, number]> = [
  ['add', 0x00, 0],
  ['sub', 0x10, 0],
  ['mul', 0x20, 0],
  ['div', 0x30, 0],
  ['sdiv', 0x30, 1],
  ['or', 0x40, 0],
  ['and', 0x50, 0],
  ['lsh', 0x60, 0],
  ['rsh', 0x70, 0],
  ['mod', 0x90, 0],
  ['smod', 0x90, 1],
  ['xor', 0xa0, 0],
  ['mov', 0xb0, 0],
  ['arsh', 0xc0, 0],
];

forEachBackend('vm: interpreter against a BigInt model of RFC 9669', function () {
  const next = prng(9669);
  const vals = values(next, 60);
  const pairs: Array<[bigint, bigint]> = [];
  for (let i = 0; i < 400; i++)
    pairs.push([vals[Math.floor(next() * vals.length)]!, vals[Math.floor(next() * vals.length)]!]);

  for (const is64 of [true, false]) {
    for (const [name, aop, off] of ALU_OPS) {
      it(`${name}${is64 ? '' : '32'} (register and immediate forms)`, function () {
        const cls = is64 ? 0x07 : 0x04;
        for (const [a, b] of pairs) {
          const reg = runInsns([
            ...lddw(1, a),
            ...lddw(2, b),
            { opcode: cls | 0x08 | aop, dst: 1, src: 2, off, imm: 0 },
            { opcode: 0xbf, dst: 0, src: 1, off: 0, imm: 0 },
            { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
          ]);
          expect(reg, `${name}${is64 ? '' : '32'} 0x${a.toString(16)}, 0x${b.toString(16)}`).to.equal(
            refAlu(aop, is64, a, b, off),
          );
          const imm = Number(BigInt.asIntN(32, b));
          const immOperand = is64 ? sext(b, 32) : b & M32;
          const viaImm = runInsns([
            ...lddw(1, a),
            { opcode: cls | aop, dst: 1, src: 0, off, imm },
            { opcode: 0xbf, dst: 0, src: 1, off: 0, imm: 0 },
            { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
          ]);
          expect(viaImm, `${name}${is64 ? '' : '32'} 0x${a.toString(16)}, imm ${imm}`).to.equal(
            refAlu(aop, is64, a, immOperand, off),
          );
        }
      });
    }
  }

  it('neg, movsx, le, be and bswap', function () {
    for (const a of vals) {
      const one = (i: Instruction): bigint =>
        runInsns([
          ...lddw(1, a),
          i,
          { opcode: 0xbf, dst: 0, src: 1, off: 0, imm: 0 },
          { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
        ]);
      expect(one({ opcode: 0x87, dst: 1, src: 0, off: 0, imm: 0 })).to.equal(u64(-a));
      expect(one({ opcode: 0x84, dst: 1, src: 0, off: 0, imm: 0 })).to.equal(BigInt.asUintN(32, -a));
      for (const bits of [8, 16, 32]) {
        expect(one({ opcode: 0xbf, dst: 1, src: 1, off: bits, imm: 0 })).to.equal(sext(a, bits));
        if (bits < 32)
          expect(one({ opcode: 0xbc, dst: 1, src: 1, off: bits, imm: 0 })).to.equal(sext(a, bits) & M32);
      }
      for (const width of [16, 32, 64]) {
        const low = a & ((1n << BigInt(width)) - 1n);
        expect(one({ opcode: 0xd4, dst: 1, src: 0, off: 0, imm: width })).to.equal(low);
        expect(one({ opcode: 0xdc, dst: 1, src: 0, off: 0, imm: width })).to.equal(swap(low, width));
        expect(one({ opcode: 0xd7, dst: 1, src: 0, off: 0, imm: width })).to.equal(swap(low, width));
      }
    }
  });

  for (const is64 of [true, false]) {
    it(`conditional jumps (${is64 ? 'JMP' : 'JMP32'}, register and immediate forms)`, function () {
      const cls = is64 ? 0x05 : 0x06;
      for (const jop of [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]) {
        for (const [a, b] of pairs.slice(0, 100)) {
          const tail: Instruction[] = [
            { opcode: 0xb7, dst: 0, src: 0, off: 0, imm: 0 },
            { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
          ];
          const reg = runInsns([
            { opcode: 0xb7, dst: 0, src: 0, off: 0, imm: 1 },
            ...lddw(1, a),
            ...lddw(2, b),
            { opcode: cls | 0x08 | jop, dst: 1, src: 2, off: 1, imm: 0 },
            ...tail,
          ]);
          expect(reg === 1n, `jop 0x${jop.toString(16)} 0x${a.toString(16)} 0x${b.toString(16)}`).to.equal(
            refJump(jop, is64, a, b),
          );
          const imm = Number(BigInt.asIntN(32, b));
          const viaImm = runInsns([
            { opcode: 0xb7, dst: 0, src: 0, off: 0, imm: 1 },
            ...lddw(1, a),
            { opcode: cls | jop, dst: 1, src: 0, off: 1, imm },
            ...tail,
          ]);
          // JMP sign-extends the immediate to 64 bits; JMP32 uses it as 32 bits.
          expect(viaImm === 1n, `jop 0x${jop.toString(16)} 0x${a.toString(16)} imm ${imm}`).to.equal(
            refJump(jop, is64, a, sext(b, 32)),
          );
        }
      }
    });
  }
});
