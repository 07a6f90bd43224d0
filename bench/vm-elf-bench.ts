// Benchmark: the VM interpreter against native code on one clang-compiled workload, prime counting
// by trial division (bench/c/primes.c). The C file is compiled twice: `clang -O2 -target bpf` for the
// VM (loaded through the ELF loader) and `gcc -O2` natively; the native binary times itself (best of
// several runs, no process start-up in the figure). Prints instructions/s, wall times and the VM/native
// ratio. Reference (ebpf-vm.md section 5): uBPF's C interpreter runs this 59x slower than native.
// Also prints the VM core's ALU and memory loop figures when bench/vm-interp.ts exports them.
//
//   npm run build && node dist/bench/vm-elf-bench.js [--n 200000] [--repeats 3]
//
// The uBPF reference used N = 2,000,000 (about 2.2 G instructions); the default N keeps a run short.
// Times are best-of wall clock and CPU time; on a busy machine the CPU-time ratio is the steadier one.
//
// Figures only: this script never fails on timing (it exits non-zero only when it cannot run).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadElfProgram } from '../vm/elf/index.js';
import { benchRun, formatFigures, haveTool, loadImage, withPrimes, type BenchFigures } from './vm-harness.js';

/** uBPF interpreter / native on this workload, measured for ebpf-vm.md section 5. */
const UBPF_INTERPRETER_RATIO = 59;
/** What we aim for. */
const TARGET_RATIO = 100;

/** Best of `repeats` interpreter runs (after a warm-up) of the clang object's prime counter for `n`. */
function runVm(object: Uint8Array, n: number, repeats: number): BenchFigures {
  const linked = loadElfProgram(object, 'count_primes_prog');
  if (!linked.ok) throw linked.error;
  const loaded = loadImage(linked.value);
  const context = new Uint8Array(8);
  new DataView(context.buffer).setBigUint64(0, BigInt(n), true);
  return benchRun(`(c) prime count below ${n} (clang ELF)`, loaded, () => ({ mem: context }), repeats);
}

/** The native binary's own best-of-`repeats` wall and CPU times. */
function runNative(
  binary: string,
  n: number,
  repeats: number,
): { count: bigint; seconds: number; cpuSeconds: number } {
  const [count, wallNs, cpuNs] = execFileSync(binary, [String(n), String(repeats)], { encoding: 'utf8' })
    .trim()
    .split(' ');
  return { count: BigInt(count!), seconds: Number(wallNs) / 1e9, cpuSeconds: Number(cpuNs) / 1e9 };
}

/**
 * The VM core's ALU and memory loop figures, when bench/vm-interp exports `interpBenchFigures()`
 * (returning printable lines). Its module runs its own benchmark when imported without that export,
 * so the built file is read first rather than imported blindly.
 */
async function coreFigures(): Promise<void> {
  const path = join(dirname(fileURLToPath(import.meta.url)), 'vm-interp.js');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (!/export (async )?function interpBenchFigures\b/.test(text)) {
    console.log(
      '(a) ALU loop, (b) memory loop: not exported by bench/vm-interp; run node dist/bench/vm-interp.js',
    );
    return;
  }
  const module = (await import(pathToFileURL(path).href)) as { interpBenchFigures: () => unknown };
  const lines = await module.interpBenchFigures();
  for (const line of Array.isArray(lines) ? lines : [lines]) console.log(String(line));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { n: { type: 'string', default: '200000' }, repeats: { type: 'string', default: '3' } },
  });
  const n = Number(values.n);
  const repeats = Math.max(1, Number(values.repeats));
  if (!Number.isSafeInteger(n) || n < 2) {
    console.error(`--n must be an integer >= 2, not ${values.n}`);
    return 2;
  }
  const missing = ['clang', 'gcc'].filter((tool) => !haveTool(tool));
  if (missing.length > 0) {
    console.error(`vm-elf-bench needs ${missing.join(' and ')}`);
    return 1;
  }

  return withPrimes(async ({ object, binary }) => {
    console.log(`node ${process.version}; best of ${repeats} runs each, after a warm-up run`);
    await coreFigures();
    const vm = runVm(new Uint8Array(readFileSync(object)), n, repeats);
    const native = runNative(binary, n, repeats);
    if (vm.r0 !== native.count) {
      console.error(`VM counted ${vm.r0} primes, native ${native.count}`);
      return 1;
    }
    console.log(formatFigures(vm));
    console.log(
      `${'(c) same C, native gcc -O2'.padEnd(34)} ${''.padStart(18)} ${native.seconds.toFixed(3).padStart(8)} s  (${native.cpuSeconds.toFixed(3)} s CPU time)`,
    );
    const wallRatio = vm.seconds / native.seconds;
    const cpuRatio = vm.cpuSeconds / native.cpuSeconds;
    console.log(
      `    VM/native: ${wallRatio.toFixed(1)}x wall, ${cpuRatio.toFixed(1)}x CPU time ` +
        `(uBPF interpreter ${UBPF_INTERPRETER_RATIO}x, target within ${TARGET_RATIO}x)`,
    );
    return 0;
  });
}

process.exitCode = await main();
