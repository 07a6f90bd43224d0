// Decoding and encoding of RFC 9669 instruction slots (section 3): each 8-byte slot is
//   opcode:8 | dst_reg:4 src_reg:4 (dst in the low nibble on little-endian) | offset:16 (signed) | imm:32 (signed)
// little-endian. `lddw` takes two slots; the second carries the upper 32 bits of the constant in imm.
// The interpreter never looks at bytes: the program is decoded once into one typed array per field.

/** One decoded slot, for the assembler, disassembler and tests (the VM uses DecodedProgram). */
export interface Instruction {
  opcode: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

/** The fields of every slot of a program, one typed array per field, indexed by slot. */
export interface DecodedProgram {
  readonly length: number;
  readonly opcode: Uint8Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly off: Int16Array;
  readonly imm: Int32Array;
}

export const INSN_SIZE = 8;

/** Decode `code` (a whole number of slots; a trailing partial slot is ignored). */
export function decodeProgram(code: Uint8Array): DecodedProgram {
  const length = Math.floor(code.length / INSN_SIZE);
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  const opcode = new Uint8Array(length);
  const dst = new Uint8Array(length);
  const src = new Uint8Array(length);
  const off = new Int16Array(length);
  const imm = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const at = i * INSN_SIZE;
    opcode[i] = view.getUint8(at);
    const regs = view.getUint8(at + 1);
    dst[i] = regs & 0x0f;
    src[i] = regs >>> 4;
    off[i] = view.getInt16(at + 2, true);
    imm[i] = view.getInt32(at + 4, true);
  }
  return { length, opcode, dst, src, off, imm };
}

/** The slot at `index` as an object. */
export function instructionAt(p: DecodedProgram, index: number): Instruction {
  return {
    opcode: p.opcode[index]!,
    dst: p.dst[index]!,
    src: p.src[index]!,
    off: p.off[index]!,
    imm: p.imm[index]!,
  };
}

/** Encode instructions (lddw as two slots, as decoded) into bytecode. */
export function encodeInstructions(insns: readonly Instruction[]): Uint8Array {
  const out = new Uint8Array(insns.length * INSN_SIZE);
  const view = new DataView(out.buffer);
  insns.forEach((insn, i) => {
    const at = i * INSN_SIZE;
    view.setUint8(at, insn.opcode & 0xff);
    view.setUint8(at + 1, ((insn.src & 0x0f) << 4) | (insn.dst & 0x0f));
    view.setInt16(at + 2, insn.off, true);
    view.setInt32(at + 4, insn.imm | 0, true);
  });
  return out;
}
