// Reusable pieces for VM benchmarks: the workloads (the ALU and stack loops as assembler text, the clang
// prime counter built for BPF and natively), loading a program from assembler text or an image, running
// it a few times with a large budget, and reporting instructions per second (best of the runs). Used by
// bench/vm-interp.ts, bench/vm-elf-bench.ts and bench/vm-jit.ts. Never passes or fails on timing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './lib/repo.js';
import { assemble, loadProgram, run, VerifyError, VmFault } from '../vm/index.js';
import type { LoadedProgram, LoadOptions, ProgramImage, RunContext } from '../vm/index.js';

export interface BenchFigures {
  readonly label: string;
  readonly r0: bigint;
  /** Instructions executed per run. */
  readonly steps: number;
  /** Best wall time of one run, seconds. */
  readonly seconds: number;
  /** CPU time of that run (user + system), seconds: steadier than wall time on a busy machine. */
  readonly cpuSeconds: number;
  readonly insnsPerSecond: number;
}

/** Load assembler text as a program with entry 0 and no data; throws on errors (benchmarks are not tests). */
export function loadAsm(text: string, options: LoadOptions = {}): LoadedProgram {
  const code = assemble(text);
  if (!(code instanceof Uint8Array)) throw new Error(code.describe());
  return loadImage({ code, entry: 0, data: [] }, options);
}

export function loadImage(image: ProgramImage, options: LoadOptions = {}): LoadedProgram {
  const loaded = loadProgram(image, { budget: Number.MAX_SAFE_INTEGER, ...options });
  if (loaded instanceof VerifyError) throw new Error(loaded.describe());
  return loaded;
}

/** Run `loaded` `runs` times (after one warm-up run) and keep the fastest. */
export function benchRun(
  label: string,
  loaded: LoadedProgram,
  ctx: () => RunContext = () => ({}),
  runs = 3,
): BenchFigures {
  let best = Infinity;
  let bestCpu = Infinity;
  let last: { r0: bigint; steps: number } | undefined;
  for (let i = 0; i <= runs; i++) {
    const c = ctx();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = run(loaded, c);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    if (r instanceof VmFault) throw new Error(`${label}: ${r.describe()}`);
    last = r;
    if (i > 0) {
      best = Math.min(best, seconds);
      bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
    }
  }
  return {
    label,
    r0: last!.r0,
    steps: last!.steps,
    seconds: best,
    cpuSeconds: bestCpu,
    insnsPerSecond: last!.steps / best,
  };
}

/** One aligned line: label, instructions, wall time, M insn/s (wall), M insn/s (CPU time). */
export function formatFigures(f: BenchFigures): string {
  return `${f.label.padEnd(34)} ${String(f.steps).padStart(12)} insns  ${f.seconds.toFixed(3).padStart(8)} s  ${(f.insnsPerSecond / 1e6).toFixed(1).padStart(7)} M insn/s  (${(f.steps / f.cpuSeconds / 1e6).toFixed(1)} by CPU time; r0 = ${f.r0})`;
}

// ===== workloads =====

/** (a) the ALU loop: add/add/sub/jne, `iterations` times. */
export function aluLoop(iterations: number): string {
  return `mov %r0, 0
    lddw %r1, ${iterations}
  loop:
    add %r0, %r1
    add %r0, 3
    sub %r1, 1
    jne %r1, 0, loop
    exit`;
}

/** (b) the stack loop: a 64-bit and a 32-bit store/load pair r10-relative, `iterations` times. */
export function stackLoop(iterations: number): string {
  return `mov %r0, 0
    lddw %r1, ${iterations}
  loop:
    stxdw [%r10-8], %r1
    ldxdw %r2, [%r10-8]
    stxw [%r10-16], %r2
    ldxw %r3, [%r10-16]
    add %r0, %r3
    sub %r1, 1
    jne %r1, 0, loop
    exit`;
}

/** Whether a command is on the PATH. */
export function haveTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * (c) bench/c/primes.c built for the VM (`clang -O2 -target bpf`, `object`) and natively (`gcc -O2`,
 * `binary`) in a temp folder, which `use` may read until it returns.
 */
export async function withPrimes<T>(
  use: (built: { object: string; binary: string }) => T | Promise<T>,
): Promise<T> {
  const source = join(repoRoot(), 'bench', 'c', 'primes.c');
  const work = mkdtempSync(join(tmpdir(), 'xbgpd-bench-'));
  try {
    const object = join(work, 'primes.o');
    const binary = join(work, 'primes-native');
    execFileSync('clang', ['-O2', '-target', 'bpf', '-c', source, '-o', object]);
    execFileSync('gcc', ['-O2', '-o', binary, source]);
    return await use({ object, binary });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
