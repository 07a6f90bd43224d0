// Interpreter speed: instructions per second on (a) an ALU loop and (b) a stack store/load loop,
// to compare with the uBPF interpreter figures in shared/reference/ebpf-vm.md section 5
// (214 M insn/s ALU, 69 M insn/s memory on the reference machine).
//   npx tsx bench/vm-interp.ts [iterations]      (or node dist/bench/vm-interp.js after npm run build)
import { benchRun, formatFigures, loadAsm } from './vm-harness.js';

const iterations = Number(process.argv[2] ?? 20_000_000);

// (a) 64-bit ALU: add/add/sub/jne per iteration.
const aluLoop = loadAsm(`
  mov %r0, 0
  lddw %r1, ${iterations}
loop:
  add %r0, %r1
  add %r0, 3
  sub %r1, 1
  jne %r1, 0, loop
  exit
`);

// (b) memory: store, load back, accumulate, through the bounds-checked stack.
const memLoop = loadAsm(`
  mov %r0, 0
  lddw %r1, ${iterations}
loop:
  stxdw [%r10-8], %r1
  ldxdw %r2, [%r10-8]
  stxw [%r10-16], %r2
  ldxw %r3, [%r10-16]
  add %r0, %r3
  sub %r1, 1
  jne %r1, 0, loop
  exit
`);

// (c) 64-bit division and modulo with 32-bit operands (the prime counter's inner loop).
const divLoop = loadAsm(`
  mov %r0, 0
  lddw %r1, ${iterations}
loop:
  mov %r2, %r1
  mod %r2, 7
  add %r0, %r2
  sub %r1, 1
  jne %r1, 0, loop
  exit
`);

console.log(`xbgpd eBPF interpreter, ${iterations} iterations per loop, node ${process.version}`);
for (const [label, loaded] of [
  ['(a) ALU loop (add/add/sub/jne)', aluLoop],
  ['(b) memory loop (stx/ldx x2)', memLoop],
  ['(c) mod loop (mov/mod/add/sub/jne)', divLoop],
] as const) {
  console.log(formatFigures(benchRun(label, loaded)));
}
