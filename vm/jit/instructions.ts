// The JIT's code for each eBPF instruction (RFC 9669): ALU and ALU64 (division and modulo with the
// RFC's zero and overflow rules, byte swaps, sign extensions), lddw, loads and stores through
// checked addresses, atomics, jumps, calls, callx and exit. Each leaves the machine state exactly as
// the interpreter's case for that opcode does.
import { REGION_CODE } from '../memory.js';
import * as op from '../opcodes.js';
import { FunctionBuilder, Op } from './wasm.js';
import { BLK, Emitter, R, S32, T, T2, W } from './emitter.js';

const u32 = (x: number): number => x >>> 0;
const sext = (x: number): number => x | 0;

// ===== opcode tables =====
const CMP64: Record<number, number> = {
  [op.BPF_JEQ]: Op.i64_eq,
  [op.BPF_JNE]: Op.i64_ne,
  [op.BPF_JGT]: Op.i64_gt_u,
  [op.BPF_JGE]: Op.i64_ge_u,
  [op.BPF_JLT]: Op.i64_lt_u,
  [op.BPF_JLE]: Op.i64_le_u,
  [op.BPF_JSGT]: Op.i64_gt_s,
  [op.BPF_JSGE]: Op.i64_ge_s,
  [op.BPF_JSLT]: Op.i64_lt_s,
  [op.BPF_JSLE]: Op.i64_le_s,
};
const CMP32: Record<number, number> = {
  [op.BPF_JEQ]: Op.i32_eq,
  [op.BPF_JNE]: Op.i32_ne,
  [op.BPF_JGT]: Op.i32_gt_u,
  [op.BPF_JGE]: Op.i32_ge_u,
  [op.BPF_JLT]: Op.i32_lt_u,
  [op.BPF_JLE]: Op.i32_le_u,
  [op.BPF_JSGT]: Op.i32_gt_s,
  [op.BPF_JSGE]: Op.i32_ge_s,
  [op.BPF_JSLT]: Op.i32_lt_s,
  [op.BPF_JSLE]: Op.i32_le_s,
};
const ALU64: Record<number, number> = {
  [op.BPF_ADD]: Op.i64_add,
  [op.BPF_SUB]: Op.i64_sub,
  [op.BPF_MUL]: Op.i64_mul,
  [op.BPF_OR]: Op.i64_or,
  [op.BPF_AND]: Op.i64_and,
  [op.BPF_XOR]: Op.i64_xor,
  [op.BPF_LSH]: Op.i64_shl,
  [op.BPF_RSH]: Op.i64_shr_u,
  [op.BPF_ARSH]: Op.i64_shr_s,
};
const ALU32: Record<number, number> = {
  [op.BPF_ADD]: Op.i32_add,
  [op.BPF_SUB]: Op.i32_sub,
  [op.BPF_MUL]: Op.i32_mul,
  [op.BPF_OR]: Op.i32_or,
  [op.BPF_AND]: Op.i32_and,
  [op.BPF_XOR]: Op.i32_xor,
  [op.BPF_LSH]: Op.i32_shl,
  [op.BPF_RSH]: Op.i32_shr_u,
  [op.BPF_ARSH]: Op.i32_shr_s,
};
const LOAD: Record<string, number> = {
  '1u': Op.i64_load8_u,
  '1s': Op.i64_load8_s,
  '2u': Op.i64_load16_u,
  '2s': Op.i64_load16_s,
  '4u': Op.i64_load32_u,
  '4s': Op.i64_load32_s,
  '8u': Op.i64_load,
};
const STORE: Record<number, number> = {
  1: Op.i64_store8,
  2: Op.i64_store16,
  4: Op.i64_store32,
  8: Op.i64_store,
};

// ===== instructions =====
export function emitInstruction(em: Emitter, pc: number, k: number): void {
  const { f, p, cfg } = em;
  const { opcode, dst, src, off, imm } = p.code;
  const c = opcode[pc]!;
  const d = dst[pc]!;
  const s = src[pc]!;
  const o = off[pc]!;
  const i = imm[pc]!;
  const cls = c & 7;
  switch (cls) {
    case op.BPF_ALU64:
      return alu64(f, c, d, s, o, i);
    case op.BPF_ALU:
      return alu32(f, c, d, s, o, i);
    case op.BPF_LD: // lddw (addresses resolved at load)
      f.i64((BigInt(u32(imm[pc + 1]!)) << 32n) | BigInt(u32(i))).set(R(d));
      return;
    case op.BPF_LDX: {
      const size = [4, 2, 1, 8][(c >> 3) & 3]!;
      const signed = (c & 0xe0) === op.BPF_MEMSX;
      const at = em.address(pc, k, s, o, size, false);
      f.mem(LOAD[`${size}${signed ? 's' : 'u'}`]!, at).set(R(d));
      return;
    }
    case op.BPF_ST:
    case op.BPF_STX: {
      const size = [4, 2, 1, 8][(c >> 3) & 3]!;
      if (c === op.EBPF_OP_ATOMIC32 || c === op.EBPF_OP_ATOMIC64) return atomic(em, pc, k, c, d, s, o, i);
      const at = em.address(pc, k, d, o, size, true);
      if (cls === op.BPF_ST) f.i64(sext(i));
      else f.get(R(s));
      f.mem(STORE[size]!, at);
      return;
    }
  }
  // ===== jumps, calls, exit =====
  const next = (t: number): number => cfg.blockOf[t]!;
  switch (c) {
    case op.EBPF_OP_JA:
      return em.jump(next(pc + 1 + o));
    case op.EBPF_OP_JA32:
      return em.jump(next(pc + 1 + i));
    case op.EBPF_OP_EXIT:
      return em.exit();
    case op.EBPF_OP_CALL: {
      if (s !== 0) return em.localCall(pc, k, next(pc + 1 + i));
      if (!p.helpers.get(i)) return em.handover(pc, k);
      return em.helperCall(pc, k, i);
    }
    case op.EBPF_OP_CALLX:
      return callx(em, pc, k, d);
  }
  // Conditional jumps: push the condition.
  const is64 = cls === op.BPF_JMP;
  const isReg = (c & op.BPF_X) !== 0;
  const jop = c & 0xf0;
  if (is64) {
    f.get(R(d));
    if (isReg) f.get(R(s));
    else f.i64(sext(i));
  } else {
    f.get(R(d)).op(Op.i32_wrap_i64);
    if (isReg) f.get(R(s)).op(Op.i32_wrap_i64);
    else f.i32(i);
  }
  if (jop === op.BPF_JSET) {
    if (is64) f.op(Op.i64_and).op(Op.i64_eqz).op(Op.i32_eqz);
    else f.op(Op.i32_and).op(Op.i32_eqz).op(Op.i32_eqz);
  } else f.op((is64 ? CMP64 : CMP32)[jop]!);
  em.jumpIf(next(pc + 1 + o));
}

function callx(em: Emitter, pc: number, k: number, d: number): void {
  const { f, layout, p } = em;
  // Only function addresses (code region, 8-aligned, an instruction that starts a block) run here;
  // helper ids and bad targets go to the interpreter.
  f.get(R(d)).i64(32).op(Op.i64_shr_u).i64(REGION_CODE).op(Op.i64_ne);
  f.get(R(d)).i64(7).op(Op.i64_and).i64(0).op(Op.i64_ne).op(Op.i32_or);
  f.get(R(d))
    .op(Op.i32_wrap_i64)
    .i32(3)
    .op(Op.i32_shr_u)
    .tee(S32)
    .i32(p.length)
    .op(Op.i32_ge_u)
    .op(Op.i32_or);
  f.open(Op.if);
  em.handover(pc, k);
  f.end();
  f.get(S32).i32(2).op(Op.i32_shl).mem(Op.i32_load, layout.pcToBlockAt).tee(S32).i32(0).op(Op.i32_lt_s);
  f.open(Op.if);
  em.handover(pc, k);
  f.end();
  f.get(S32).set(BLK);
  em.localCall(pc, k, undefined);
}

/** Pushes the second operand of an ALU64 instruction. */
function operand64(f: FunctionBuilder, isReg: boolean, s: number, i: number): void {
  if (isReg) f.get(R(s));
  else f.i64(sext(i));
}

function alu64(f: FunctionBuilder, c: number, d: number, s: number, o: number, i: number): void {
  const isReg = (c & op.BPF_X) !== 0;
  const aop = c & 0xf0;
  if (ALU64[aop] !== undefined) {
    f.get(R(d));
    operand64(f, isReg, s, i);
    f.op(ALU64[aop]!).set(R(d));
    return;
  }
  switch (aop) {
    case op.BPF_NEG:
      f.i64(0).get(R(d)).op(Op.i64_sub).set(R(d));
      return;
    case op.BPF_MOV:
      if (!isReg) f.i64(sext(i)).set(R(d));
      else {
        f.get(R(s));
        if (o === 8) f.op(Op.i64_extend8_s);
        else if (o === 16) f.op(Op.i64_extend16_s);
        else if (o !== 0) f.op(Op.i64_extend32_s);
        f.set(R(d));
      }
      return;
    case op.BPF_END: // bswap (0xd7)
      return byteSwap(f, d, i);
    case op.BPF_DIV:
    case op.BPF_MOD:
      return divmod(f, aop === op.BPF_MOD, true, o === 1, d, isReg ? s : -1, i);
  }
}

function alu32(f: FunctionBuilder, c: number, d: number, s: number, o: number, i: number): void {
  const isReg = (c & op.BPF_X) !== 0;
  const aop = c & 0xf0;
  const second = (): void => {
    if (isReg) f.get(R(s)).op(Op.i32_wrap_i64);
    else f.i32(i);
  };
  if (ALU32[aop] !== undefined) {
    f.get(R(d)).op(Op.i32_wrap_i64);
    second();
    f.op(ALU32[aop]!).op(Op.i64_extend_i32_u).set(R(d));
    return;
  }
  switch (aop) {
    case op.BPF_NEG:
      f.i32(0).get(R(d)).op(Op.i32_wrap_i64).op(Op.i32_sub).op(Op.i64_extend_i32_u).set(R(d));
      return;
    case op.BPF_MOV:
      if (!isReg) f.i64(u32(i)).set(R(d));
      else {
        f.get(R(s)).op(Op.i32_wrap_i64);
        if (o === 8) f.op(Op.i32_extend8_s);
        else if (o === 16) f.op(Op.i32_extend16_s);
        f.op(Op.i64_extend_i32_u).set(R(d));
      }
      return;
    case op.BPF_END:
      if (c === op.EBPF_OP_LE) {
        if (i === 16) f.get(R(d)).i64(0xffff).op(Op.i64_and).set(R(d));
        else if (i !== 64) f.get(R(d)).i64(0xffffffff).op(Op.i64_and).set(R(d));
        return;
      }
      return byteSwap(f, d, i);
    case op.BPF_DIV:
    case op.BPF_MOD:
      return divmod(f, aop === op.BPF_MOD, false, o === 1, d, isReg ? s : -1, i);
  }
}

/** Byte swap of the low `width` bits of r_d, zero-extended (width other than 16/32 means 64). */
function byteSwap(f: FunctionBuilder, d: number, width: number): void {
  if (width === 16) {
    f.get(R(d)).i64(0xff).op(Op.i64_and).i64(8).op(Op.i64_shl);
    f.get(R(d)).i64(8).op(Op.i64_shr_u).i64(0xff).op(Op.i64_and);
    f.op(Op.i64_or).set(R(d));
    return;
  }
  if (width === 32) {
    // (rotl(x, 8) & 0x00ff00ff) | (rotr(x, 8) & 0xff00ff00) on the low 32 bits.
    f.get(R(d)).op(Op.i32_wrap_i64).tee(S32).i32(8).op(Op.i32_rotl).i32(0x00ff00ff).op(Op.i32_and);
    f.get(S32)
      .i32(8)
      .op(Op.i32_rotr)
      .i32(0xff00ff00 | 0)
      .op(Op.i32_and);
    f.op(Op.i32_or).op(Op.i64_extend_i32_u).set(R(d));
    return;
  }
  // Swap bytes within 16-bit lanes, then 16-bit lanes within 32-bit halves, then the halves.
  const m8 = 0x00ff00ff00ff00ffn;
  const m16 = 0x0000ffff0000ffffn;
  f.get(R(d)).i64(m8).op(Op.i64_and).i64(8).op(Op.i64_shl);
  f.get(R(d)).i64(8).op(Op.i64_shr_u).i64(m8).op(Op.i64_and).op(Op.i64_or).set(T);
  f.get(T).i64(m16).op(Op.i64_and).i64(16).op(Op.i64_shl);
  f.get(T).i64(16).op(Op.i64_shr_u).i64(m16).op(Op.i64_and).op(Op.i64_or);
  f.i64(32).op(Op.i64_rotl).set(R(d));
}

/**
 * div/mod with RFC 9669's rules: x / 0 = 0, x % 0 = x, signed INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0.
 * `s` is the source register, or -1 for the immediate `i` (sign-extended for 64 bits).
 */
function divmod(
  f: FunctionBuilder,
  isMod: boolean,
  is64: boolean,
  signed: boolean,
  d: number,
  s: number,
  i: number,
): void {
  const div = is64
    ? isMod
      ? signed
        ? Op.i64_rem_s
        : Op.i64_rem_u
      : signed
        ? Op.i64_div_s
        : Op.i64_div_u
    : isMod
      ? signed
        ? Op.i32_rem_s
        : Op.i32_rem_u
      : signed
        ? Op.i32_div_s
        : Op.i32_div_u;
  const dividend = (): void => {
    f.get(R(d));
    if (!is64) f.op(Op.i32_wrap_i64);
  };
  const widen = (): void => {
    if (!is64) f.op(Op.i64_extend_i32_u);
  };
  if (s < 0) {
    // Constant divisor: the special cases are known now.
    if (i === 0) {
      if (isMod) {
        if (!is64) f.get(R(d)).i64(0xffffffff).op(Op.i64_and).set(R(d));
      } else f.i64(0).set(R(d));
      return;
    }
    if (signed && i === -1) {
      if (isMod) f.i64(0).set(R(d));
      else {
        if (is64) f.i64(0).get(R(d)).op(Op.i64_sub);
        else f.i32(0).get(R(d)).op(Op.i32_wrap_i64).op(Op.i32_sub).op(Op.i64_extend_i32_u);
        f.set(R(d));
      }
      return;
    }
    dividend();
    if (is64) f.i64(sext(i));
    else f.i32(i);
    f.op(div);
    widen();
    f.set(R(d));
    return;
  }
  // Register divisor: keep it in T (64) or S32 (32) before testing it.
  if (is64) f.get(R(s)).tee(T).op(Op.i64_eqz);
  else f.get(R(s)).op(Op.i32_wrap_i64).tee(S32).op(Op.i32_eqz);
  f.open(Op.if);
  if (isMod) {
    if (!is64) f.get(R(d)).i64(0xffffffff).op(Op.i64_and).set(R(d));
  } else f.i64(0).set(R(d));
  f.else();
  if (signed) {
    if (is64) f.get(T).i64(-1).op(Op.i64_eq);
    else f.get(S32).i32(-1).op(Op.i32_eq);
    f.open(Op.if);
    if (isMod) f.i64(0).set(R(d));
    else {
      if (is64) f.i64(0).get(R(d)).op(Op.i64_sub);
      else f.i32(0).get(R(d)).op(Op.i32_wrap_i64).op(Op.i32_sub).op(Op.i64_extend_i32_u);
      f.set(R(d));
    }
    f.else();
  }
  dividend();
  f.get(is64 ? T : S32);
  f.op(div);
  widen();
  f.set(R(d));
  if (signed) f.end();
  f.end();
}

function atomic(
  em: Emitter,
  pc: number,
  k: number,
  c: number,
  d: number,
  s: number,
  o: number,
  i: number,
): void {
  const { f } = em;
  const is64 = c === op.EBPF_OP_ATOMIC64;
  const size = is64 ? 8 : 4;
  const at = em.address(pc, k, d, o, size, true);
  // The wasm address (plus `at`) in W; old value in T (zero-extended), src value in T2.
  f.set(W);
  const load = (): void => {
    f.get(W).mem(is64 ? Op.i64_load : Op.i64_load32_u, at);
  };
  const storeFrom = (push: () => void): void => {
    f.get(W);
    push();
    f.mem(is64 ? Op.i64_store : Op.i64_store32, at);
  };
  load();
  f.set(T);
  f.get(R(s)).set(T2);
  const base = i & ~op.BPF_FETCH;
  const binary: Record<number, number> = {
    [op.BPF_ADD]: Op.i64_add,
    [op.BPF_OR]: Op.i64_or,
    [op.BPF_AND]: Op.i64_and,
    [op.BPF_XOR]: Op.i64_xor,
  };
  if (binary[base] !== undefined) storeFrom(() => f.get(T).get(T2).op(binary[base]!));
  else if (i === op.BPF_XCHG) storeFrom(() => f.get(T2));
  else {
    // cmpxchg: compare r0 (its low 32 bits for the 32-bit form) with the old value.
    if (is64) f.get(R(0)).get(T).op(Op.i64_eq);
    else f.get(R(0)).op(Op.i32_wrap_i64).get(T).op(Op.i32_wrap_i64).op(Op.i32_eq);
    f.open(Op.if);
    storeFrom(() => f.get(T2));
    f.end();
    f.get(T).set(R(0));
    return;
  }
  if (i & op.BPF_FETCH) f.get(T).set(R(s));
}
