// xbgpctl vm: tools around the eBPF VM.
//   vm test [--jit] FILE.data...              run conformance-style files; one PASS/FAIL line each, then "N passed, M failed"
//   vm run PROG [--jit] [--entry NAME] [--mem HEX] [--budget N]
//                                             load PROG (ELF object by magic, assembler text by extension .asm/.s,
//                                             else raw bytecode), run it with the test helpers, print r0 in hex
//                                             (--jit: compiled to WebAssembly, vm/jit/; same output and exit codes)
//   vm asm [IN|-] [-o OUT]                    assembler text -> bytecode (stdin/stdout by default)
//   vm disasm [IN|-]                          bytecode -> assembler text
// Exit status: 0 ok; 1 usage, I/O or failed tests; 2 load/verifier error; 3 run-time fault.
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  assemble,
  disassemble,
  loadProgram,
  run,
  testHelperRegistry,
  VerifyError,
  VmFault,
} from '../../vm/index.js';
import type { ProgramImage } from '../../vm/index.js';
import { runTestFile } from '../../vm/conformance.js';
import { loadElf, loadElfProgram } from '../../vm/elf/index.js';

const USAGE = `usage: xbgpctl vm test [--jit] FILE.data...
       xbgpctl vm run PROG [--jit] [--entry NAME] [--mem HEX] [--budget N]
       xbgpctl vm asm [IN|-] [-o OUT]
       xbgpctl vm disasm [IN|-]`;

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const ASM_EXTENSIONS = new Set(['.asm', '.s', '.S']);

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'test':
      return cmdTest(rest);
    case 'run':
      return cmdRun(rest);
    case 'asm':
      return cmdAsm(rest);
    case 'disasm':
      return cmdDisasm(rest);
    case '-h':
    case '--help':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      process.stderr.write(`${cmd === undefined ? '' : `xbgpctl vm: unknown command '${cmd}'\n`}${USAGE}\n`);
      return 1;
  }
}

// ===== vm test =====
function cmdTest(args: string[]): number {
  const jit = args.includes('--jit');
  const files = args.filter((a) => a !== '--jit');
  if (files.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      process.stdout.write(`FAIL ${file}: ${(e as Error).message}\n`);
      failed++;
      continue;
    }
    const outcome = runTestFile(text, { jit, onJitFallback: warnFallback });
    if (outcome.pass) {
      passed++;
      process.stdout.write(`PASS ${file}\n`);
    } else {
      failed++;
      process.stdout.write(`FAIL ${file}: expected ${outcome.expected}, got ${outcome.actual}\n`);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

// ===== vm run =====
function cmdRun(args: string[]): number {
  let file: string | undefined;
  let entry: string | undefined;
  let memHex: string | undefined;
  let budget: number | undefined;
  let jit = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--jit') jit = true;
    else if (a === '--entry') entry = args[++i];
    else if (a === '--mem') memHex = args[++i];
    else if (a === '--budget') budget = Number(args[++i]);
    else if (file === undefined && !a.startsWith('--')) file = a;
    else return usageError(`unexpected argument '${a}'`);
  }
  if (file === undefined) return usageError('missing PROG');
  if (budget !== undefined && !(Number.isSafeInteger(budget) && budget > 0))
    return usageError('--budget must be a positive integer');
  let mem: Uint8Array | undefined;
  if (memHex !== undefined) {
    const hex = memHex.replace(/\s+/g, '').replace(/^0x/i, '');
    if (!/^([0-9a-f]{2})*$/i.test(hex)) return usageError('--mem must be hex bytes');
    mem = Uint8Array.from(Buffer.from(hex, 'hex'));
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    process.stderr.write(`xbgpctl vm run: ${(e as Error).message}\n`);
    return 1;
  }
  const helpers = testHelperRegistry();
  const image = toImage(file, bytes, entry, helpers.resolver());
  if (typeof image === 'string') {
    process.stderr.write(`xbgpctl vm run: ${image}\n`);
    return 2;
  }
  const loaded = loadProgram(image, {
    helpers,
    ...(budget ? { budget } : {}),
    ...(jit ? { jit, onJitFallback: warnFallback } : {}),
  });
  if (loaded instanceof VerifyError) {
    process.stderr.write(`xbgpctl vm run: ${loaded.describe()}\n`);
    return 2;
  }
  const result = run(loaded, mem ? { mem } : {});
  if (result instanceof VmFault) {
    process.stderr.write(`xbgpctl vm run: ${result.describe()}\n`);
    return 3;
  }
  process.stdout.write(`0x${result.r0.toString(16)}\n`);
  return 0;
}

/** The program image of a file, or why there is none. */
function toImage(
  file: string,
  bytes: Uint8Array,
  entry: string | undefined,
  resolveHelper: (name: string) => number | undefined,
): ProgramImage | string {
  if (ELF_MAGIC.every((b, i) => bytes[i] === b)) {
    if (entry !== undefined) {
      const r = loadElfProgram(bytes, entry, resolveHelper);
      return r.ok ? r.value : r.error.message;
    }
    const r = loadElf(bytes, { resolveHelper });
    if (!r.ok) return r.error.message;
    if (r.value.length !== 1)
      return `${r.value.length} programs in ${file} (${r.value.map((p) => p.name).join(', ')}): choose one with --entry`;
    return r.value[0]!;
  }
  if (entry !== undefined) return '--entry applies to ELF objects only';
  if (ASM_EXTENSIONS.has(extname(file))) {
    const code = assemble(Buffer.from(bytes).toString('utf8'));
    return code instanceof Uint8Array ? { code, entry: 0, data: [], name: file } : code.describe();
  }
  return { code: bytes, entry: 0, data: [], name: file };
}

// ===== vm asm / vm disasm =====
function cmdAsm(args: string[]): number {
  let input: string | undefined;
  let output: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-o') output = args[++i];
    else if (input === undefined) input = args[i];
    else return usageError(`unexpected argument '${args[i]}'`);
  }
  const text = readInput(input);
  if (text === undefined) return 1;
  const code = assemble(text.toString('utf8'));
  if (!(code instanceof Uint8Array)) {
    process.stderr.write(`xbgpctl vm asm: ${code.describe()}\n`);
    return 2;
  }
  if (output === undefined || output === '-') process.stdout.write(code);
  else writeFileSync(output, code);
  return 0;
}

function cmdDisasm(args: string[]): number {
  if (args.length > 1) return usageError(`unexpected argument '${args[1]}'`);
  const bytes = readInput(args[0]);
  if (bytes === undefined) return 1;
  if (bytes.length % 8 !== 0) {
    process.stderr.write(
      `xbgpctl vm disasm: ${bytes.length} bytes is not a whole number of 8-byte instructions\n`,
    );
    return 2;
  }
  process.stdout.write(disassemble(bytes));
  return 0;
}

function readInput(file: string | undefined): Buffer | undefined {
  try {
    return readFileSync(file === undefined || file === '-' ? 0 : file);
  } catch (e) {
    process.stderr.write(`xbgpctl vm: ${(e as Error).message}\n`);
    return undefined;
  }
}

/** A program --jit could not compile runs in the interpreter; say so on stderr. */
function warnFallback(reason: string): void {
  process.stderr.write(`xbgpctl vm: running in the interpreter: ${reason}\n`);
}

function usageError(message: string): number {
  process.stderr.write(`xbgpctl vm: ${message}\n${USAGE}\n`);
  return 1;
}
