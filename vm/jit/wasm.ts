// A small WebAssembly binary writer: just what the JIT emits (one module with imported memory and
// functions, a few defined functions, exports), following the WebAssembly core specification's
// binary format (section 5). `FunctionBuilder` appends instructions and keeps the structured control
// stack, so a branch names its target label and the builder computes the relative depth.
// Also the minimal typing of the host's WebAssembly API (the tsconfig has no DOM library).

// ===== value types and opcodes (binary format section 5.4) =====
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export type ValType = typeof I32 | typeof I64 | typeof F64;

/** Instruction opcodes used by the JIT (spec names, '.' replaced by '_'). */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  i64_load: 0x29,
  f64_load: 0x2b,
  i64_load8_s: 0x30,
  i64_load8_u: 0x31,
  i64_load16_s: 0x32,
  i64_load16_u: 0x33,
  i64_load32_s: 0x34,
  i64_load32_u: 0x35,
  i32_store: 0x36,
  i64_store: 0x37,
  f64_store: 0x39,
  i32_store8: 0x3a,
  i32_store16: 0x3b,
  i64_store8: 0x3c,
  i64_store16: 0x3d,
  i64_store32: 0x3e,
  i32_const: 0x41,
  i64_const: 0x42,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i64_eqz: 0x50,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_lt_u: 0x54,
  i64_gt_s: 0x55,
  i64_gt_u: 0x56,
  i64_le_s: 0x57,
  i64_le_u: 0x58,
  i64_ge_s: 0x59,
  i64_ge_u: 0x5a,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_div_u: 0x6e,
  i32_rem_s: 0x6f,
  i32_rem_u: 0x70,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i32_rotl: 0x77,
  i32_rotr: 0x78,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_div_s: 0x7f,
  i64_div_u: 0x80,
  i64_rem_s: 0x81,
  i64_rem_u: 0x82,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_s: 0x87,
  i64_shr_u: 0x88,
  i64_rotl: 0x89,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad,
  i64_trunc_f64_s: 0xb0,
  f64_convert_i64_s: 0xb9,
  i32_extend8_s: 0xc0,
  i32_extend16_s: 0xc1,
  i64_extend8_s: 0xc2,
  i64_extend16_s: 0xc3,
  i64_extend32_s: 0xc4,
} as const;

const BLOCK_EMPTY = 0x40;
const PREFIX_FC = 0xfc;
const MEMORY_FILL = 11;
const MEMORY_COPY = 10;

// ===== byte output =====
/** A growable byte buffer with LEB128 encoders. */
export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): void {
    if (this.length === this.buf.length) this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(bs: ArrayLike<number>): void {
    this.reserve(bs.length);
    this.buf.set(bs, this.length);
    this.length += bs.length;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^32. */
  u32(v: number): void {
    let x = v >>> 0;
    do {
      const b = x & 0x7f;
      x >>>= 7;
      this.byte(x === 0 ? b : b | 0x80);
    } while (x !== 0);
  }

  /** Signed LEB128 of a 32-bit integer. */
  s32(v: number): void {
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of a safe integer (|v| < 2^53), without BigInt. */
  sNum(v: number): void {
    let x = v;
    for (;;) {
      const b = x & 0x7f;
      x = Math.floor(x / 128);
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of a 64-bit integer. */
  s64(v: bigint): void {
    let x = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  name(s: string): void {
    const utf8 = Buffer.from(s, 'utf8');
    this.u32(utf8.length);
    this.bytes(utf8);
  }

  /** A vector: its length (LEB128) then the contents. */
  vec(b: Bytes): void {
    this.u32(b.length);
    this.append(b);
  }

  append(b: Bytes): void {
    this.bytes(b.view());
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

// ===== functions =====
/** Builds one function body: locals, then instructions with a tracked control stack. */
export class FunctionBuilder {
  readonly code = new Bytes();
  private readonly locals: ValType[] = [];
  /** Open labels, innermost last (a label id per block/loop/if; -1 for anonymous ones). */
  private readonly stack: number[] = [];
  /** Position of each named label in `stack`. */
  private readonly labelPos = new Map<number, number>();

  constructor(readonly params: readonly ValType[]) {}

  /** A new local of type `t`; returns its index. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }

  op(o: number): this {
    this.code.byte(o);
    return this;
  }

  get(l: number): this {
    this.code.byte(Op.local_get);
    this.code.u32(l);
    return this;
  }

  set(l: number): this {
    this.code.byte(Op.local_set);
    this.code.u32(l);
    return this;
  }

  tee(l: number): this {
    this.code.byte(Op.local_tee);
    this.code.u32(l);
    return this;
  }

  i32(v: number): this {
    this.code.byte(Op.i32_const);
    this.code.s32(v);
    return this;
  }

  /** i64.const: a number (a safe integer) or a bigint (taken modulo 2^64, as signed). */
  i64(v: bigint | number): this {
    this.code.byte(Op.i64_const);
    if (typeof v === 'number' && Number.isSafeInteger(v)) this.code.sNum(v);
    else this.code.s64(BigInt(v));
    return this;
  }

  /** A load or store with alignment hint 0 and a constant offset. */
  mem(o: number, offset: number): this {
    this.code.byte(o);
    this.code.u32(0);
    this.code.u32(offset);
    return this;
  }

  call(fn: number): this {
    this.code.byte(Op.call);
    this.code.u32(fn);
    return this;
  }

  memoryFill(): this {
    this.code.byte(PREFIX_FC);
    this.code.u32(MEMORY_FILL);
    this.code.byte(0);
    return this;
  }

  memoryCopy(): this {
    this.code.byte(PREFIX_FC);
    this.code.u32(MEMORY_COPY);
    this.code.byte(0);
    this.code.byte(0);
    return this;
  }

  /** Open a block (`kind` = Op.block, Op.loop or Op.if) with no result, labelled `label` (>= 0) or anonymous. */
  open(kind: number, label = -1): this {
    this.code.byte(kind);
    this.code.byte(BLOCK_EMPTY);
    if (label >= 0) this.labelPos.set(label, this.stack.length);
    this.stack.push(label);
    return this;
  }

  else(): this {
    this.code.byte(Op.else);
    return this;
  }

  end(): this {
    const label = this.stack.pop();
    if (label === undefined) throw new Error('wasm: end without open block');
    if (label >= 0) this.labelPos.delete(label);
    this.code.byte(Op.end);
    return this;
  }

  /** Relative depth of label `label` from here. */
  depth(label: number): number {
    const pos = this.labelPos.get(label);
    if (pos === undefined) throw new Error(`wasm: label ${label} is not open`);
    return this.stack.length - 1 - pos;
  }

  br(label: number): this {
    this.code.byte(Op.br);
    this.code.u32(this.depth(label));
    return this;
  }

  brIf(label: number): this {
    this.code.byte(Op.br_if);
    this.code.u32(this.depth(label));
    return this;
  }

  /** br_table over `labels` (index i goes to labels[i]) with default `fallback`. */
  brTable(labels: readonly number[], fallback: number): this {
    this.code.byte(Op.br_table);
    this.code.u32(labels.length);
    for (const l of labels) this.code.u32(this.depth(l));
    this.code.u32(this.depth(fallback));
    return this;
  }

  /** The function's code entry: locals (run-length grouped), body, end. */
  encode(): Bytes {
    if (this.stack.length !== 0) throw new Error('wasm: unclosed blocks');
    const groups: Array<[number, ValType]> = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = new Bytes();
    body.u32(groups.length);
    for (const [n, t] of groups) {
      body.u32(n);
      body.byte(t);
    }
    body.append(this.code);
    body.byte(Op.end);
    return body;
  }
}

// ===== modules =====
export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** One module: imported memory "env.memory", imported functions, defined functions, function exports. */
export class ModuleBuilder {
  private readonly types: FuncType[] = [];
  private readonly imports: Array<{ name: string; type: number }> = [];
  private readonly funcs: Array<{ type: number; body: FunctionBuilder | undefined }> = [];
  private readonly exports: Array<{ name: string; index: number }> = [];

  constructor(private readonly memoryPages: number) {}

  private typeIndex(t: FuncType): number {
    const key = (x: FuncType): string => `${x.params.join(',')}>${x.results.join(',')}`;
    const i = this.types.findIndex((u) => key(u) === key(t));
    if (i >= 0) return i;
    this.types.push(t);
    return this.types.length - 1;
  }

  /** Import function `env.name`; returns its function index. Import all functions before defining any. */
  importFunction(name: string, t: FuncType): number {
    if (this.funcs.length > 0) throw new Error('wasm: imports must come before functions');
    this.imports.push({ name, type: this.typeIndex(t) });
    return this.imports.length - 1;
  }

  /** Declare a function (its body is given later with `define`); returns its function index. */
  declareFunction(t: FuncType): number {
    this.funcs.push({ type: this.typeIndex(t), body: undefined });
    return this.imports.length + this.funcs.length - 1;
  }

  define(index: number, body: FunctionBuilder): void {
    this.funcs[index - this.imports.length]!.body = body;
  }

  exportFunction(name: string, index: number): void {
    this.exports.push({ name, index });
  }

  encode(): Uint8Array {
    const out = new Bytes();
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, content: Bytes): void => {
      out.byte(id);
      out.vec(content);
    };
    const types = new Bytes();
    types.u32(this.types.length);
    for (const t of this.types) {
      types.byte(0x60);
      types.u32(t.params.length);
      types.bytes(t.params);
      types.u32(t.results.length);
      types.bytes(t.results);
    }
    section(1, types);
    const imports = new Bytes();
    imports.u32(this.imports.length + 1);
    imports.name('env');
    imports.name('memory');
    imports.byte(0x02);
    imports.byte(0x00);
    imports.u32(this.memoryPages);
    for (const imp of this.imports) {
      imports.name('env');
      imports.name(imp.name);
      imports.byte(0x00);
      imports.u32(imp.type);
    }
    section(2, imports);
    const funcs = new Bytes();
    funcs.u32(this.funcs.length);
    for (const f of this.funcs) funcs.u32(f.type);
    section(3, funcs);
    const exports = new Bytes();
    exports.u32(this.exports.length);
    for (const e of this.exports) {
      exports.name(e.name);
      exports.byte(0x00);
      exports.u32(e.index);
    }
    section(7, exports);
    const code = new Bytes();
    code.u32(this.funcs.length);
    for (const f of this.funcs) {
      if (!f.body) throw new Error('wasm: function declared but not defined');
      code.vec(f.body.encode());
    }
    section(10, code);
    return out.view().slice();
  }
}

// ===== the host API (typed here: the tsconfig has no DOM library) =====
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

/** The host's WebAssembly namespace (Node.js has it built in). */
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const WASM_PAGE = 65536;
