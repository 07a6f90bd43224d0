// The conformance test-file format of uBPF and bpf_conformance (`.data` files): sections
// `-- asm`, `-- raw`, `-- mem`, `-- result`, `-- error` (others, like `-- c`, are ignored), `#`
// comments. A case assembles (or takes raw slots), loads with the test helpers, runs with r1 = the
// memory, r2 = its length, and compares r0 with `-- result`, or the error with `-- error`.
// Our `-- error` sections hold `ERR_VM_CODE at PC n`: the expected code and pc, matched exactly
// against the first words of VerifyError/VmFault/AsmError.describe().
import { assemble } from './assembler.js';
import { AsmError, AsmCodes, VerifyError, VmFault } from './errors.js';
import type { LoadOptions } from './loader.js';
import { loadProgram } from './loader.js';
import { run } from './index.js';

export interface TestCase {
  asm?: string;
  /** Slots from `-- raw` (wins over asm). */
  raw?: bigint[];
  mem?: Uint8Array;
  result?: bigint;
  error?: string;
}

export interface TestOutcome {
  readonly pass: boolean;
  /** What happened: `r0 = 0x..` or the error's describe(). */
  readonly actual: string;
  /** What the file expects. */
  readonly expected: string;
}

/** Parse the text of a `.data` file. */
export function parseTestFile(text: string): TestCase | AsmError {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (line.includes('--') && !line.trimStart().startsWith('#')) {
      const name = ['asm', 'result', 'mem', 'raw', 'error'].find((n) => line.includes(n));
      current = name === undefined ? undefined : [];
      if (name !== undefined) sections.set(name, current!);
      continue;
    }
    current?.push(line);
  }
  const words = (name: string): string[] | undefined =>
    sections
      .get(name)
      ?.flatMap((l) => l.replace(/#.*/, '').trim().split(/\s+/))
      .filter((w) => w !== '');
  const c: TestCase = {};
  if (sections.has('asm')) c.asm = sections.get('asm')!.join('\n');
  try {
    const raw = words('raw');
    if (raw) c.raw = raw.map((w) => BigInt.asUintN(64, BigInt(w)));
    const mem = words('mem');
    if (mem) c.mem = Uint8Array.from(mem.map((w) => parseHexByte(w)));
    const result = words('result');
    if (result && result.length) c.result = BigInt.asUintN(64, BigInt(result[result.length - 1]!));
  } catch (e) {
    return new AsmError(AsmCodes.TEST_FILE, 0, e instanceof Error ? e.message : String(e));
  }
  const error = sections
    .get('error')
    ?.map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
  if (error && error.length) c.error = error.join(' ');
  if (c.asm === undefined && c.raw === undefined)
    return new AsmError(AsmCodes.TEST_FILE, 0, 'no -- asm or -- raw section');
  if (c.result === undefined && c.error === undefined)
    return new AsmError(AsmCodes.TEST_FILE, 0, 'no -- result or -- error section');
  return c;
}

function parseHexByte(w: string): number {
  if (!/^(0x)?[0-9a-f]{1,2}$/i.test(w)) throw new Error(`bad memory byte '${w}'`);
  return parseInt(w.replace(/^0x/i, ''), 16);
}

/** Bytecode of a case: its raw slots, or its assembled text. */
export function caseCode(c: TestCase): Uint8Array | AsmError {
  if (c.raw) {
    const code = new Uint8Array(c.raw.length * 8);
    const view = new DataView(code.buffer);
    c.raw.forEach((v, i) => view.setBigUint64(i * 8, v, true));
    return code;
  }
  return assemble(c.asm ?? '');
}

/** Run one parsed case. */
export function runTestCase(c: TestCase, options: LoadOptions = {}): TestOutcome {
  const expected = c.error !== undefined ? c.error : `r0 = 0x${c.result!.toString(16)}`;
  const code = caseCode(c);
  let actual: string;
  if (code instanceof AsmError) actual = code.describe();
  else {
    const loaded = loadProgram({ code, entry: 0, data: [] }, options);
    if (loaded instanceof VerifyError) actual = loaded.describe();
    else {
      // The conformance contract: a fresh copy of the memory per run.
      const r = run(loaded, c.mem ? { mem: c.mem.slice() } : {});
      actual = r instanceof VmFault ? r.describe() : `r0 = 0x${r.r0.toString(16)}`;
    }
  }
  const pass =
    c.error !== undefined ? actual === c.error || actual.startsWith(c.error + ':') : actual === expected;
  return { pass, actual, expected };
}

/** Parse and run the text of one `.data` file. */
export function runTestFile(text: string, options: LoadOptions = {}): TestOutcome {
  const c = parseTestFile(text);
  if (c instanceof AsmError) return { pass: false, actual: c.describe(), expected: 'a valid test file' };
  return runTestCase(c, options);
}
