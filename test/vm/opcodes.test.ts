// The interpreter's numeric case labels against the kernel names in vm/opcodes.ts, and the opcode
// table against the interpreter: each opcode name has exactly one interpreter case.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as op from '../../vm/opcodes.js';

const source = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../vm/interpreter.ts'), 'utf8');
const cases = [...source.matchAll(/case (0x[0-9a-f]+): (?:\{\s*)?\/\/ (EBPF_OP_\w+)/g)].map((m) => ({
  value: Number(m[1]),
  name: m[2]!,
}));

describe('vm: opcode table', function () {
  it('labels every interpreter case with the kernel name of its value', function () {
    expect(cases.length).to.be.above(100);
    const wrong = cases.filter((c) => (op as Record<string, unknown>)[c.name] !== c.value);
    expect(wrong).to.deep.equal([]);
  });

  it('has an interpreter case for every EBPF_OP_* opcode, once', function () {
    const names = Object.keys(op).filter((k) => k.startsWith('EBPF_OP_'));
    const handled = cases.map((c) => c.name);
    expect(names.filter((n) => !handled.includes(n))).to.deep.equal([]);
    expect(new Set(handled).size).to.equal(handled.length);
  });
});
