// Interpreter speed: instructions per second on (a) an ALU loop, (b) a stack store/load loop and
// (d) a 64-bit modulo loop ((c) is the clang prime counter of bench/vm-elf-bench.ts), to compare
// with the uBPF interpreter figures in shared/reference/ebpf-vm.md section 5 (214 M insn/s ALU,
// 69 M insn/s memory on the reference machine). Then the measurement behind the register
// representation: the same 64-bit add/xor/shift work on BigInt64Array registers and on two
// Int32Array halves (what the interpreter uses).
//   npx tsx bench/vm-interp.ts [iterations]      (or node dist/bench/vm-interp.js after npm run build)
// bench/vm-elf-bench.ts imports interpBenchFigures() to print these next to its (c).
import { pathToFileURL } from 'node:url';
import { aluLoop, benchRun, formatFigures, loadAsm, stackLoop } from './vm-harness.js';
import type { BenchFigures } from './vm-harness.js';

/** Run the interpreter loops; returns their figures. */
export function interpFigures(iterations = 10_000_000): BenchFigures[] {
  const programs: Array<[string, string]> = [
    ['(a) ALU loop (add/add/sub/jne)', aluLoop(iterations)],
    ['(b) memory loop (stx/ldx x2)', stackLoop(iterations)],
    [
      '(d) mod loop (mov/mod/add/sub/jne)',
      `mov %r0, 0
       lddw %r1, ${iterations}
     loop:
       mov %r2, %r1
       mod %r2, 7
       add %r0, %r2
       sub %r1, 1
       jne %r1, 0, loop
       exit`,
    ],
  ];
  return programs.map(([label, text]) => benchRun(label, loadAsm(text)));
}

/** Printable lines of the interpreter loops (for bench/vm-elf-bench.ts). */
export function interpBenchFigures(iterations = 10_000_000): string[] {
  return interpFigures(iterations).map(formatFigures);
}

// ===== register representation: BigInt64Array vs two int32 halves =====
function bigintRegisters(n: number): bigint {
  const R = new BigInt64Array(11);
  R[1] = 0x123456789n;
  for (let i = 0; i < n; i++) {
    R[0] = BigInt.asIntN(64, R[0]! + R[1]!);
    R[2] = R[0]! ^ R[1]!;
    R[1] = BigInt.asIntN(64, R[1]! << 1n) | 1n;
  }
  return BigInt.asUintN(64, R[0]! ^ R[2]!);
}

function halfRegisters(n: number): bigint {
  const L = new Int32Array(11);
  const H = new Int32Array(11);
  L[1] = 0x23456789;
  H[1] = 0x1;
  for (let i = 0; i < n; i++) {
    const t = (L[0]! >>> 0) + (L[1]! >>> 0);
    L[0] = t;
    H[0] = H[0]! + H[1]! + (t >= 0x1_0000_0000 ? 1 : 0);
    L[2] = L[0]! ^ L[1]!;
    H[2] = H[0]! ^ H[1]!;
    H[1] = (H[1]! << 1) | (L[1]! >>> 31);
    L[1] = (L[1]! << 1) | 1;
  }
  return (BigInt((H[0]! ^ H[2]!) >>> 0) << 32n) | BigInt((L[0]! ^ L[2]!) >>> 0);
}

function timeIt(f: (n: number) => bigint, n: number): { ns: number; value: bigint } {
  f(n / 10); // warm up
  const cpu0 = process.cpuUsage();
  const value = f(n);
  const cpu = process.cpuUsage(cpu0);
  return { ns: ((cpu.user + cpu.system) * 1000) / n, value };
}

/** Printable lines comparing the two register representations (CPU ns per iteration). */
export function representationFigures(n = 5_000_000): string[] {
  const big = timeIt(bigintRegisters, n);
  const halves = timeIt(halfRegisters, n);
  return [
    `register representation, 64-bit add/xor/shift x ${n} (CPU time per iteration):`,
    `  BigInt64Array registers   ${big.ns.toFixed(1).padStart(7)} ns`,
    `  two Int32Array halves     ${halves.ns.toFixed(1).padStart(7)} ns  (halves / BigInt time ${(halves.ns / big.ns).toFixed(2)}; same result: ${big.value === halves.value})`,
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const iterations = Number(process.argv[2] ?? 10_000_000);
  console.log(`xbgpd eBPF interpreter, ${iterations} iterations per loop, node ${process.version}`);
  for (const line of interpBenchFigures(iterations)) console.log(line);
  for (const line of representationFigures()) console.log(line);
}
