// Disassembler: bytecode to the assembler's text syntax, one instruction per line. Jump and call
// targets are printed as relative offsets (+N/-N), so the output assembles back to the same bytes;
// a slot with no canonical text form (unknown opcode, non-zero reserved field) is printed as
// `.raw 0x<u64>` for the same reason.
import { assemble } from './assembler.js';
import { ALU_OPS, ATOMIC_OPS, JMP_OPS, SIZES } from './assembler.js';
import { decodeProgram } from './instruction.js';
import type { Instruction } from './instruction.js';
import * as op from './opcodes.js';
import { CALL_SRC_LOCAL, LDDW_SRC_DATA, LDDW_SRC_FUNC } from './program.js';

const nameOf = (table: Record<string, number>, value: number, skip: string[] = []): string | undefined =>
  Object.keys(table).find((k) => table[k] === value && !skip.includes(k));

const rel = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
const reg = (r: number): string => `%r${r}`;
const memOperand = (r: number, off: number): string =>
  off === 0 ? `[%r${r}]` : off < 0 ? `[%r${r}${off}]` : `[%r${r}+${off}]`;

/** Text of one instruction (lddw needs the second slot's imm as `nextImm`), or undefined if it has no text form. */
export function formatInstruction(i: Instruction, nextImm = 0): string | undefined {
  const cls = i.opcode & 0x07;
  const isReg = (i.opcode & op.BPF_X) !== 0;
  switch (cls) {
    case op.BPF_ALU:
    case op.BPF_ALU64: {
      const suffix = cls === op.BPF_ALU ? '32' : '';
      const aop = i.opcode & 0xf0;
      if (aop === op.BPF_END) {
        const name =
          i.opcode === op.EBPF_OP_LE
            ? 'le'
            : i.opcode === op.EBPF_OP_BE
              ? 'be'
              : i.opcode === op.EBPF_OP_BSWAP
                ? 'bswap'
                : undefined;
        return name && `${name}${i.imm} ${reg(i.dst)}`;
      }
      if (aop === op.BPF_NEG) return `neg${suffix} ${reg(i.dst)}`;
      if (aop === op.BPF_MOV && isReg && i.off !== 0)
        return `movsx${i.off}${cls === op.BPF_ALU ? '32' : '64'} ${reg(i.dst)}, ${reg(i.src)}`;
      const signed = (aop === op.BPF_DIV || aop === op.BPF_MOD) && i.off === 1;
      const name = signed ? (aop === op.BPF_DIV ? 'sdiv' : 'smod') : nameOf(ALU_OPS, aop, ['sdiv', 'smod']);
      return name && `${name}${suffix} ${reg(i.dst)}, ${isReg ? reg(i.src) : i.imm}`;
    }
    case op.BPF_JMP:
    case op.BPF_JMP32: {
      const jop = i.opcode & 0xf0;
      if (i.opcode === op.EBPF_OP_JA) return `ja ${rel(i.off)}`;
      if (i.opcode === op.EBPF_OP_JA32) return `ja32 ${rel(i.imm)}`;
      if (i.opcode === op.EBPF_OP_EXIT) return 'exit';
      if (i.opcode === op.EBPF_OP_CALLX) return `call ${reg(i.dst)}`;
      if (i.opcode === op.EBPF_OP_CALL)
        return i.src === CALL_SRC_LOCAL
          ? `call local ${rel(i.imm)}`
          : i.src === 2
            ? `call runtime ${i.imm}`
            : `call ${i.imm}`;
      const name = nameOf(JMP_OPS, jop);
      const suffix = cls === op.BPF_JMP32 ? '32' : '';
      return name && `${name}${suffix} ${reg(i.dst)}, ${isReg ? reg(i.src) : i.imm}, ${rel(i.off)}`;
    }
    case op.BPF_LD:
      if (i.opcode !== op.EBPF_OP_LDDW) return undefined;
      if (i.src === LDDW_SRC_DATA) return `lddw ${reg(i.dst)}, data ${i.imm}, ${nextImm}`;
      if (i.src === LDDW_SRC_FUNC) return `lddw ${reg(i.dst)}, func ${rel(i.imm)}`;
      return `lddw ${reg(i.dst)}, 0x${((BigInt(nextImm >>> 0) << 32n) | BigInt(i.imm >>> 0)).toString(16)}`;
    case op.BPF_LDX:
    case op.BPF_ST:
    case op.BPF_STX: {
      const size = nameOf(SIZES, i.opcode & 0x18)!;
      const mode = i.opcode & 0xe0;
      if (mode === op.BPF_ATOMIC && cls === op.BPF_STX && (size === 'w' || size === 'dw')) {
        const base = nameOf(ATOMIC_OPS, i.imm) ?? nameOf(ATOMIC_OPS, i.imm & ~op.BPF_FETCH);
        if (base === undefined) return undefined;
        const fetch = (i.imm & op.BPF_FETCH) !== 0 && base !== 'xchg' && base !== 'cmpxchg' ? 'fetch ' : '';
        return `lock ${fetch}${base}${size === 'w' ? '32' : ''} ${memOperand(i.dst, i.off)}, ${reg(i.src)}`;
      }
      if (cls === op.BPF_LDX && (mode === op.BPF_MEM || mode === op.BPF_MEMSX))
        return `ldx${mode === op.BPF_MEMSX ? 's' : ''}${size} ${reg(i.dst)}, ${memOperand(i.src, i.off)}`;
      if (mode !== op.BPF_MEM) return undefined;
      if (cls === op.BPF_ST) return `st${size} ${memOperand(i.dst, i.off)}, ${i.imm}`;
      return `stx${size} ${memOperand(i.dst, i.off)}, ${reg(i.src)}`;
    }
  }
  return undefined;
}

/** `.raw` line of one slot. */
function rawLine(code: Uint8Array, slot: number): string {
  const v = new DataView(code.buffer, code.byteOffset + slot * 8, 8).getBigUint64(0, true);
  return `.raw 0x${v.toString(16).padStart(16, '0')}`;
}

/** Disassemble bytecode (a whole number of slots) into assembler text, one line per instruction. */
export function disassemble(code: Uint8Array): string {
  const p = decodeProgram(code);
  const lines: string[] = [];
  for (let pc = 0; pc < p.length; pc++) {
    const i: Instruction = {
      opcode: p.opcode[pc]!,
      dst: p.dst[pc]!,
      src: p.src[pc]!,
      off: p.off[pc]!,
      imm: p.imm[pc]!,
    };
    const pair = i.opcode === op.EBPF_OP_LDDW && pc + 1 < p.length;
    const width = pair ? 2 : 1;
    const text = formatInstruction(i, pair ? p.imm[pc + 1] : 0);
    // Keep the text only if it assembles back to exactly these bytes.
    const original = code.subarray(pc * 8, (pc + width) * 8);
    const again = text === undefined ? undefined : assemble(text);
    if (again instanceof Uint8Array && sameBytes(again, original)) {
      lines.push(text!);
      pc += width - 1;
    } else lines.push(rawLine(code, pc));
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}
