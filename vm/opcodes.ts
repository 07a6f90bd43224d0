// eBPF opcode constants with the Linux kernel's names (RFC 9669 section 3 and section 5).
// An opcode byte is `class | source | operation` for arithmetic and jumps and
// `class | size | mode` for loads and stores. The EBPF_OP_* values name every opcode the VM runs.

// ===== instruction classes (RFC 9669 section 3.3) =====
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

// ===== source (RFC 9669 section 4) =====
export const BPF_K = 0x00;
export const BPF_X = 0x08;

// ===== arithmetic operations (RFC 9669 section 4.1, high nibble) =====
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;

// ===== jump operations (RFC 9669 section 4.3) =====
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;

// ===== load/store sizes and modes (RFC 9669 section 5) =====
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;
export const BPF_IMM = 0x00;
export const BPF_MEM = 0x60;
export const BPF_MEMSX = 0x80;
export const BPF_ATOMIC = 0xc0;

// ===== atomic operations in imm (RFC 9669 section 5.3) =====
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;

/** Byte-swap direction bit in the END opcode: to little-endian (0) or big-endian (BPF_X). */
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;

// ===== full opcodes =====
export const EBPF_OP_ADD_IMM = 0x04;
export const EBPF_OP_ADD_REG = 0x0c;
export const EBPF_OP_SUB_IMM = 0x14;
export const EBPF_OP_SUB_REG = 0x1c;
export const EBPF_OP_MUL_IMM = 0x24;
export const EBPF_OP_MUL_REG = 0x2c;
export const EBPF_OP_DIV_IMM = 0x34;
export const EBPF_OP_DIV_REG = 0x3c;
export const EBPF_OP_OR_IMM = 0x44;
export const EBPF_OP_OR_REG = 0x4c;
export const EBPF_OP_AND_IMM = 0x54;
export const EBPF_OP_AND_REG = 0x5c;
export const EBPF_OP_LSH_IMM = 0x64;
export const EBPF_OP_LSH_REG = 0x6c;
export const EBPF_OP_RSH_IMM = 0x74;
export const EBPF_OP_RSH_REG = 0x7c;
export const EBPF_OP_NEG = 0x84;
export const EBPF_OP_MOD_IMM = 0x94;
export const EBPF_OP_MOD_REG = 0x9c;
export const EBPF_OP_XOR_IMM = 0xa4;
export const EBPF_OP_XOR_REG = 0xac;
export const EBPF_OP_MOV_IMM = 0xb4;
export const EBPF_OP_MOV_REG = 0xbc;
export const EBPF_OP_ARSH_IMM = 0xc4;
export const EBPF_OP_ARSH_REG = 0xcc;
export const EBPF_OP_LE = 0xd4;
export const EBPF_OP_BE = 0xdc;

export const EBPF_OP_ADD64_IMM = 0x07;
export const EBPF_OP_ADD64_REG = 0x0f;
export const EBPF_OP_SUB64_IMM = 0x17;
export const EBPF_OP_SUB64_REG = 0x1f;
export const EBPF_OP_MUL64_IMM = 0x27;
export const EBPF_OP_MUL64_REG = 0x2f;
export const EBPF_OP_DIV64_IMM = 0x37;
export const EBPF_OP_DIV64_REG = 0x3f;
export const EBPF_OP_OR64_IMM = 0x47;
export const EBPF_OP_OR64_REG = 0x4f;
export const EBPF_OP_AND64_IMM = 0x57;
export const EBPF_OP_AND64_REG = 0x5f;
export const EBPF_OP_LSH64_IMM = 0x67;
export const EBPF_OP_LSH64_REG = 0x6f;
export const EBPF_OP_RSH64_IMM = 0x77;
export const EBPF_OP_RSH64_REG = 0x7f;
export const EBPF_OP_NEG64 = 0x87;
export const EBPF_OP_MOD64_IMM = 0x97;
export const EBPF_OP_MOD64_REG = 0x9f;
export const EBPF_OP_XOR64_IMM = 0xa7;
export const EBPF_OP_XOR64_REG = 0xaf;
export const EBPF_OP_MOV64_IMM = 0xb7;
export const EBPF_OP_MOV64_REG = 0xbf;
export const EBPF_OP_ARSH64_IMM = 0xc7;
export const EBPF_OP_ARSH64_REG = 0xcf;
export const EBPF_OP_BSWAP = 0xd7;

export const EBPF_OP_LDDW = 0x18;

export const EBPF_OP_LDXW = 0x61;
export const EBPF_OP_LDXH = 0x69;
export const EBPF_OP_LDXB = 0x71;
export const EBPF_OP_LDXDW = 0x79;
export const EBPF_OP_LDXSW = 0x81;
export const EBPF_OP_LDXSH = 0x89;
export const EBPF_OP_LDXSB = 0x91;
export const EBPF_OP_STW = 0x62;
export const EBPF_OP_STH = 0x6a;
export const EBPF_OP_STB = 0x72;
export const EBPF_OP_STDW = 0x7a;
export const EBPF_OP_STXW = 0x63;
export const EBPF_OP_STXH = 0x6b;
export const EBPF_OP_STXB = 0x73;
export const EBPF_OP_STXDW = 0x7b;
export const EBPF_OP_ATOMIC32 = 0xc3;
export const EBPF_OP_ATOMIC64 = 0xdb;

export const EBPF_OP_JA = 0x05;
export const EBPF_OP_JA32 = 0x06;
export const EBPF_OP_JEQ_IMM = 0x15;
export const EBPF_OP_JEQ_REG = 0x1d;
export const EBPF_OP_JGT_IMM = 0x25;
export const EBPF_OP_JGT_REG = 0x2d;
export const EBPF_OP_JGE_IMM = 0x35;
export const EBPF_OP_JGE_REG = 0x3d;
export const EBPF_OP_JSET_IMM = 0x45;
export const EBPF_OP_JSET_REG = 0x4d;
export const EBPF_OP_JNE_IMM = 0x55;
export const EBPF_OP_JNE_REG = 0x5d;
export const EBPF_OP_JSGT_IMM = 0x65;
export const EBPF_OP_JSGT_REG = 0x6d;
export const EBPF_OP_JSGE_IMM = 0x75;
export const EBPF_OP_JSGE_REG = 0x7d;
export const EBPF_OP_CALL = 0x85;
export const EBPF_OP_CALLX = 0x8d;
export const EBPF_OP_EXIT = 0x95;
export const EBPF_OP_JLT_IMM = 0xa5;
export const EBPF_OP_JLT_REG = 0xad;
export const EBPF_OP_JLE_IMM = 0xb5;
export const EBPF_OP_JLE_REG = 0xbd;
export const EBPF_OP_JSLT_IMM = 0xc5;
export const EBPF_OP_JSLT_REG = 0xcd;
export const EBPF_OP_JSLE_IMM = 0xd5;
export const EBPF_OP_JSLE_REG = 0xdd;

export const EBPF_OP_JEQ32_IMM = 0x16;
export const EBPF_OP_JEQ32_REG = 0x1e;
export const EBPF_OP_JGT32_IMM = 0x26;
export const EBPF_OP_JGT32_REG = 0x2e;
export const EBPF_OP_JGE32_IMM = 0x36;
export const EBPF_OP_JGE32_REG = 0x3e;
export const EBPF_OP_JSET32_IMM = 0x46;
export const EBPF_OP_JSET32_REG = 0x4e;
export const EBPF_OP_JNE32_IMM = 0x56;
export const EBPF_OP_JNE32_REG = 0x5e;
export const EBPF_OP_JSGT32_IMM = 0x66;
export const EBPF_OP_JSGT32_REG = 0x6e;
export const EBPF_OP_JSGE32_IMM = 0x76;
export const EBPF_OP_JSGE32_REG = 0x7e;
export const EBPF_OP_JLT32_IMM = 0xa6;
export const EBPF_OP_JLT32_REG = 0xae;
export const EBPF_OP_JLE32_IMM = 0xb6;
export const EBPF_OP_JLE32_REG = 0xbe;
export const EBPF_OP_JSLT32_IMM = 0xc6;
export const EBPF_OP_JSLT32_REG = 0xce;
export const EBPF_OP_JSLE32_IMM = 0xd6;
export const EBPF_OP_JSLE32_REG = 0xde;

/** Instruction class of an opcode byte. */
export function opClass(opcode: number): number {
  return opcode & 0x07;
}

/** Stack frame size per call (RFC 9669 does not fix it; the kernel and uBPF use 512). */
export const STACK_FRAME_SIZE = 512;
/** Maximum number of frames (main program + nested local calls), as uBPF and the kernel. */
export const MAX_CALL_DEPTH = 8;
/** Maximum program length in instruction slots. */
export const MAX_INSNS = 65536;
