// Test support for the ELF loader tests: compiles the C sources of test/vm/elf/c/ with Debian's clang
// (`clang -O2 -target bpf -c`) into a per-process temp directory, once each, and decodes
// instruction slots of the resulting images.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/env.js';

const sourceDir = join(repoRoot, 'test', 'vm', 'elf', 'c');
const compiled = new Map<string, Uint8Array>();
let outDir: string | undefined;

/**
 * The BPF object clang makes of `test/vm/elf/c/<name>.c` with `extraFlags` (e.g. `-g`). Callers check
 * `requireTools(this, 'clang')` first.
 */
export function compileBpf(name: string, extraFlags: readonly string[] = []): Uint8Array {
  const key = [name, ...extraFlags].join(' ');
  let bytes = compiled.get(key);
  if (bytes === undefined) {
    outDir ??= mkdtempSync(join(tmpdir(), 'xbgpd-elf-'));
    const out = join(outDir, `${name}-${compiled.size}.o`);
    const source = join(sourceDir, `${name}.c`);
    execFileSync('clang', ['-O2', '-target', 'bpf', '-Wall', ...extraFlags, '-c', source, '-o', out]);
    bytes = new Uint8Array(readFileSync(out));
    compiled.set(key, bytes);
  }
  return bytes;
}

/** Remove the temp directory (call from a root `after` hook). */
export function removeCompiled(): void {
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
  outDir = undefined;
  compiled.clear();
}

export interface Slot {
  readonly opcode: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
  /** imm of the following slot (the high half of an lddw). */
  readonly nextImm: number;
}

/** Decode instruction slot `index` of `code`. */
export function slotAt(code: Uint8Array, index: number): Slot {
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  const at = index * 8;
  return {
    opcode: view.getUint8(at),
    dst: view.getUint8(at + 1) & 0x0f,
    src: view.getUint8(at + 1) >> 4,
    off: view.getInt16(at + 2, true),
    imm: view.getInt32(at + 4, true),
    nextImm: at + 12 <= code.length ? view.getInt32(at + 12, true) : 0,
  };
}

/** Indexes of every slot of `code` with `opcode` (skipping lddw second halves). */
export function slotsWith(code: Uint8Array, opcode: number): number[] {
  const found: number[] = [];
  for (let i = 0; i < code.length / 8; i++) {
    const op = code[i * 8]!;
    if (op === opcode) found.push(i);
    if (op === 0x18) i++;
  }
  return found;
}
