// Assembler for the text syntax of the uBPF / bpf_conformance `.data` files (see
// shared/reference/ebpf-vm.md section 4), e.g.
//   mov %r0, 1          add32 %r1, %r2        ldxdw %r0, [%r1+8]      stw [%r10-4], 0x11
//   lddw %r0, 0x1122334455667788              jne %r0, 15, failed     ja +2     exit
//   call 1    call %r2    call local func1    lock fetch add32 [%r10-4], %r1    be16 %r0
// Labels (`name:`) count 8-byte slots; `exit` is also an implicit label for the first exit
// instruction. Comments start at `#`. Two extensions make every slot expressible, so that
// disassembly always assembles back to the same bytes:
//   lddw %rN, data IDX, OFF     (lddw src=6: data section IDX, byte offset OFF)
//   lddw %rN, func +N           (lddw src=4: code address pc + 1 + N, as the kernel's BPF_PSEUDO_FUNC)
//   .raw 0x<u64>                (one literal slot, little-endian like `-- raw` lines)
import { AsmError, AsmCodes } from './errors.js';
import type { Instruction } from './instruction.js';
import { encodeInstructions } from './instruction.js';
import * as op from './opcodes.js';
import { CALL_SRC_LOCAL, LDDW_SRC_DATA, LDDW_SRC_FUNC } from './program.js';

// ===== mnemonic tables =====
export const ALU_OPS: Record<string, number> = {
  add: op.BPF_ADD,
  sub: op.BPF_SUB,
  mul: op.BPF_MUL,
  div: op.BPF_DIV,
  sdiv: op.BPF_DIV,
  or: op.BPF_OR,
  and: op.BPF_AND,
  lsh: op.BPF_LSH,
  rsh: op.BPF_RSH,
  mod: op.BPF_MOD,
  smod: op.BPF_MOD,
  xor: op.BPF_XOR,
  mov: op.BPF_MOV,
  arsh: op.BPF_ARSH,
};
export const JMP_OPS: Record<string, number> = {
  jeq: op.BPF_JEQ,
  jgt: op.BPF_JGT,
  jge: op.BPF_JGE,
  jset: op.BPF_JSET,
  jne: op.BPF_JNE,
  jsgt: op.BPF_JSGT,
  jsge: op.BPF_JSGE,
  jlt: op.BPF_JLT,
  jle: op.BPF_JLE,
  jslt: op.BPF_JSLT,
  jsle: op.BPF_JSLE,
};
export const SIZES: Record<string, number> = { b: op.BPF_B, h: op.BPF_H, w: op.BPF_W, dw: op.BPF_DW };
export const ATOMIC_OPS: Record<string, number> = {
  add: op.BPF_ADD,
  or: op.BPF_OR,
  and: op.BPF_AND,
  xor: op.BPF_XOR,
  xchg: op.BPF_XCHG,
  cmpxchg: op.BPF_CMPXCHG,
};

class Syntax extends Error {}

/** One instruction slot, or a jump whose target label is resolved in the second pass. */
interface Pending {
  insn: Instruction;
  line: number;
  /** Label the jump (off) or local call / gotol / func address (imm) targets. */
  label?: string;
  labelField?: 'off' | 'imm';
}

/** Assemble `text` into bytecode, or say which line is wrong. */
export function assemble(text: string): Uint8Array | AsmError {
  const slots: Pending[] = [];
  const labels = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '').replace(/#.*/, '').trim();
    if (line === '') continue;
    const tokens = line.split(/\s+/);
    if (tokens[0]!.endsWith(':')) {
      labels.set(tokens[0]!.slice(0, -1), slots.length);
      continue;
    }
    try {
      for (const s of parseLine(
        tokens.map((t, j) => (j > 0 && t.endsWith(',') ? t.slice(0, -1) : t)).filter((t) => t !== ''),
      )) {
        slots.push({ ...s, line: i + 1 });
      }
    } catch (e) {
      if (e instanceof Syntax) return new AsmError(AsmCodes.SYNTAX, i + 1, `${e.message}: '${line}'`);
      throw e;
    }
  }
  // The first exit instruction is the implicit label `exit`.
  if (!labels.has('exit')) {
    const at = slots.findIndex((s) => s.insn.opcode === op.EBPF_OP_EXIT && !s.label);
    if (at >= 0) labels.set('exit', at);
  }
  for (let pc = 0; pc < slots.length; pc++) {
    const s = slots[pc]!;
    if (s.label === undefined) continue;
    const target = labels.get(s.label);
    if (target === undefined) return new AsmError(AsmCodes.SYNTAX, s.line, `unknown label '${s.label}'`);
    const delta = target - pc - 1;
    if (s.labelField === 'off') {
      if (delta < -32768 || delta > 32767)
        return new AsmError(AsmCodes.SYNTAX, s.line, `jump to '${s.label}' too far`);
      s.insn.off = delta;
    } else s.insn.imm = delta;
  }
  return encodeInstructions(slots.map((s) => s.insn));
}

// ===== one line =====
function insn(opcode: number, dst = 0, src = 0, off = 0, imm = 0): Instruction {
  return { opcode, dst, src, off, imm };
}

function parseLine(t: string[]): Array<Omit<Pending, 'line'>> {
  const m = t[0]!.toLowerCase();
  const args = t.slice(1);
  const want = (n: number): void => {
    if (args.length !== n) throw new Syntax(`${m} takes ${n} operand${n === 1 ? '' : 's'}`);
  };

  if (m === '.raw') {
    want(1);
    const v = parseU64(args[0]!);
    return [
      {
        insn: insn(
          Number(v & 0xffn),
          Number((v >> 8n) & 0xfn),
          Number((v >> 12n) & 0xfn),
          Number(BigInt.asIntN(16, v >> 16n)),
          Number(BigInt.asIntN(32, v >> 32n)),
        ),
      },
    ];
  }
  if (m === 'exit') {
    want(0);
    return [{ insn: insn(op.EBPF_OP_EXIT) }];
  }
  if (m === 'lddw') return parseLddw(args);
  if (m === 'call') return [parseCall(args)];
  if (m === 'lock') return [parseAtomic(args)];
  if (m === 'ja' || m === 'ja32') {
    want(1);
    const { value, label } = parseTarget(args[0]!);
    if (m === 'ja') return [{ insn: insn(op.EBPF_OP_JA, 0, 0, checkOff(value)), label, labelField: 'off' }];
    return [{ insn: insn(op.EBPF_OP_JA32, 0, 0, 0, value), label, labelField: 'imm' }];
  }

  // ALU: name[32] dst, src|imm ; neg[32] dst ; movsxAB dst, src ; le/be/swap/bswap N dst
  const is32 = m.endsWith('32') && !/^(le|be|swap|bswap)32$/.test(m) && !/^movsx/.test(m);
  const base = is32 ? m.slice(0, -2) : m;
  const cls = is32 ? op.BPF_ALU : op.BPF_ALU64;
  if (base in ALU_OPS) {
    want(2);
    const dst = parseReg(args[0]!);
    const signedOff = base === 'sdiv' || base === 'smod' ? 1 : 0;
    if (isReg(args[1]!))
      return [{ insn: insn(cls | op.BPF_X | ALU_OPS[base]!, dst, parseReg(args[1]!), signedOff) }];
    return [{ insn: insn(cls | op.BPF_K | ALU_OPS[base]!, dst, 0, signedOff, parseImm32(args[1]!)) }];
  }
  if (base === 'neg') {
    want(1);
    return [{ insn: insn(cls | op.BPF_NEG, parseReg(args[0]!)) }];
  }
  const sx = /^movsx(8|16|32)(32|64)$/.exec(m);
  if (sx) {
    want(2);
    const c = sx[2] === '32' ? op.BPF_ALU : op.BPF_ALU64;
    return [{ insn: insn(c | op.BPF_X | op.BPF_MOV, parseReg(args[0]!), parseReg(args[1]!), Number(sx[1])) }];
  }
  const end = /^(le|be|swap|bswap)(16|32|64)$/.exec(m);
  if (end) {
    want(1);
    const opcode = end[1] === 'le' ? op.EBPF_OP_LE : end[1] === 'be' ? op.EBPF_OP_BE : op.EBPF_OP_BSWAP;
    return [{ insn: insn(opcode, parseReg(args[0]!), 0, 0, Number(end[2])) }];
  }

  // Jumps: name[32] dst, src|imm, target
  const jbase = m.endsWith('32') ? m.slice(0, -2) : m;
  if (jbase in JMP_OPS) {
    want(3);
    const c = m.endsWith('32') ? op.BPF_JMP32 : op.BPF_JMP;
    const dst = parseReg(args[0]!);
    const { value, label } = parseTarget(args[2]!);
    const i = isReg(args[1]!)
      ? insn(c | op.BPF_X | JMP_OPS[jbase]!, dst, parseReg(args[1]!), checkOff(value))
      : insn(c | op.BPF_K | JMP_OPS[jbase]!, dst, 0, checkOff(value), parseImm32(args[1]!));
    return [{ insn: i, label, labelField: 'off' }];
  }

  // Memory: ldx[s]SIZE dst, [src+off] ; stSIZE [dst+off], imm ; stxSIZE [dst+off], src
  const mem = /^(ldxs|ldx|stx|st)(b|h|w|dw)$/.exec(m);
  if (mem) {
    want(2);
    const size = SIZES[mem[2]!]!;
    switch (mem[1]) {
      case 'ldx': {
        const [src, off] = parseMem(args[1]!);
        return [{ insn: insn(op.BPF_LDX | op.BPF_MEM | size, parseReg(args[0]!), src, off) }];
      }
      case 'ldxs': {
        if (mem[2] === 'dw') break;
        const [src, off] = parseMem(args[1]!);
        return [{ insn: insn(op.BPF_LDX | op.BPF_MEMSX | size, parseReg(args[0]!), src, off) }];
      }
      case 'st': {
        const [dst, off] = parseMem(args[0]!);
        return [{ insn: insn(op.BPF_ST | op.BPF_MEM | size, dst, 0, off, parseImm32(args[1]!)) }];
      }
      case 'stx': {
        const [dst, off] = parseMem(args[0]!);
        return [{ insn: insn(op.BPF_STX | op.BPF_MEM | size, dst, parseReg(args[1]!), off) }];
      }
    }
  }
  throw new Syntax(`unknown mnemonic '${t[0]}'`);
}

function parseLddw(args: string[]): Array<Omit<Pending, 'line'>> {
  if (args.length < 2) throw new Syntax('lddw takes 2 operands');
  const dst = parseReg(args[0]!);
  if (args[1] === 'data') {
    if (args.length !== 4) throw new Syntax('lddw data takes a section index and an offset');
    return [
      { insn: insn(op.EBPF_OP_LDDW, dst, LDDW_SRC_DATA, 0, parseImm32(args[2]!)) },
      { insn: insn(0, 0, 0, 0, parseImm32(args[3]!)) },
    ];
  }
  if (args[1] === 'func') {
    if (args.length !== 3) throw new Syntax('lddw func takes a target');
    const { value, label } = parseTarget(args[2]!);
    // As the kernel's BPF_PSEUDO_FUNC: the target is pc + 1 + imm, like a local call.
    return [
      { insn: insn(op.EBPF_OP_LDDW, dst, LDDW_SRC_FUNC, 0, value), label, labelField: 'imm' },
      { insn: insn(0) },
    ];
  }
  if (args.length !== 2) throw new Syntax('lddw takes 2 operands');
  const v = parseImm64(args[1]!);
  return [
    { insn: insn(op.EBPF_OP_LDDW, dst, 0, 0, Number(BigInt.asIntN(32, v))) },
    { insn: insn(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))) },
  ];
}

function parseCall(args: string[]): Omit<Pending, 'line'> {
  if (args.length === 1 && isReg(args[0]!)) return { insn: insn(op.EBPF_OP_CALLX, parseReg(args[0]!)) };
  if (args.length === 1) return { insn: insn(op.EBPF_OP_CALL, 0, 0, 0, parseImm32(args[0]!)) };
  if (args.length === 2 && args[0] === 'local') {
    const { value, label } = parseTarget(args[1]!);
    return { insn: insn(op.EBPF_OP_CALL, 0, CALL_SRC_LOCAL, 0, value), label, labelField: 'imm' };
  }
  if (args.length === 2 && args[0] === 'helper')
    return { insn: insn(op.EBPF_OP_CALL, 0, 0, 0, parseImm32(args[1]!)) };
  if (args.length === 2 && args[0] === 'runtime')
    return { insn: insn(op.EBPF_OP_CALL, 0, 2, 0, parseImm32(args[1]!)) };
  throw new Syntax('call takes N, %rN, local TARGET, helper N or runtime N');
}

function parseAtomic(args: string[]): Omit<Pending, 'line'> {
  let rest = args;
  let fetch = false;
  if (rest[0] === 'fetch') {
    fetch = true;
    rest = rest.slice(1);
  }
  if (rest.length !== 3) throw new Syntax('lock takes [fetch] OP [dst+off], src');
  const name = rest[0]!;
  const is32 = name.endsWith('32');
  const base = is32 ? name.slice(0, -2) : name;
  const aop = ATOMIC_OPS[base];
  if (aop === undefined) throw new Syntax(`unknown atomic operation '${name}'`);
  const [dst, off] = parseMem(rest[1]!);
  return {
    insn: insn(
      is32 ? op.EBPF_OP_ATOMIC32 : op.EBPF_OP_ATOMIC64,
      dst,
      parseReg(rest[2]!),
      off,
      aop | (fetch ? op.BPF_FETCH : 0),
    ),
  };
}

// ===== operands =====
function isReg(t: string): boolean {
  return /^%?r\d+$/i.test(t);
}

function parseReg(t: string): number {
  const m = /^%?r(\d+)$/i.exec(t);
  if (!m || Number(m[1]) > 15) throw new Syntax(`bad register '${t}'`);
  return Number(m[1]);
}

/** A 32-bit immediate: hex is unsigned (0xffffffff = -1), decimal is signed. */
function parseImm32(t: string): number {
  const v = parseInteger(t);
  if (v === undefined || v < -0x80000000n || v > 0xffffffffn || (!/0x/i.test(t) && v > 0x7fffffffn))
    throw new Syntax(`bad 32-bit immediate '${t}'`);
  return Number(BigInt.asIntN(32, v));
}

function parseImm64(t: string): bigint {
  const v = parseInteger(t);
  if (v === undefined || v < -(1n << 63n) || v >= 1n << 64n) throw new Syntax(`bad 64-bit immediate '${t}'`);
  return BigInt.asUintN(64, v);
}

function parseU64(t: string): bigint {
  const v = parseInteger(t);
  if (v === undefined || v < 0n || v >= 1n << 64n) throw new Syntax(`bad 64-bit value '${t}'`);
  return v;
}

function parseInteger(t: string): bigint | undefined {
  const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/i.exec(t);
  if (!m) return undefined;
  const v = BigInt(m[2]!);
  return m[1] === '-' ? -v : v;
}

function checkOff(v: number): number {
  if (v < -32768 || v > 32767) throw new Syntax(`offset ${v} outside -32768..32767`);
  return v;
}

/** `[%rN]`, `[%rN+off]`, `[%rN-off]`. */
function parseMem(t: string): [number, number] {
  const m = /^\[(%?r\d+)(?:([+-])(0x[0-9a-f]+|\d+))?\]$/i.exec(t);
  if (!m) throw new Syntax(`bad memory operand '${t}'`);
  const reg = parseReg(m[1]!);
  const mag = m[3] === undefined ? 0 : Number(BigInt(m[3]));
  return [reg, checkOff(m[2] === '-' ? -mag : mag)];
}

/** `+N` / `-N` / `N` (slots after the next instruction), or a label. */
function parseTarget(t: string): { value: number; label?: string } {
  const v = parseInteger(t);
  if (v !== undefined) {
    if (v < -0x80000000n || v > 0x7fffffffn) throw new Syntax(`bad target '${t}'`);
    return { value: Number(v) };
  }
  if (!/^[A-Za-z_.$][\w.$]*$/.test(t)) throw new Syntax(`bad target '${t}'`);
  return { value: 0, label: t };
}
