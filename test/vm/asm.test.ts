// Assembler and disassembler: asm -> bytes -> disasm -> asm gives the same bytes for every
// conformance program and for random slots; the text form of common instructions; coded errors.
import { expect } from 'chai';
import { prng } from '../helpers/random.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from '../helpers/env.js';
import { AsmCodes, AsmError, assemble, disassemble } from '../../vm/index.js';
import { caseCode, parseTestFile } from '../../vm/conformance.js';

function bytesOf(text: string): Uint8Array {
  const code = assemble(text);
  if (code instanceof AsmError) throw new Error(code.describe());
  return code;
}

describe('vm: assembler and disassembler', function () {
  it('round-trips every conformance program through disassembly', function () {
    const dir = sharedPath(this, 'conformance', 'bpf_conformance');
    let checked = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.data'))) {
      const c = parseTestFile(readFileSync(join(dir, f), 'utf8'));
      if (c instanceof AsmError) throw new Error(`${f}: ${c.describe()}`);
      const code = caseCode(c);
      if (code instanceof AsmError) throw new Error(`${f}: ${code.describe()}`);
      const text = disassemble(code);
      expect(text, f).not.to.include('.raw');
      expect(bytesOf(text), f).to.deep.equal(code);
      checked++;
    }
    expect(checked).to.equal(313);
  });

  it('round-trips 20000 random slots (with .raw for slots without a text form)', function () {
    const next = prng(0x5eed);
    const code = new Uint8Array(20000 * 8);
    for (let i = 0; i < code.length; i++) code[i] = Math.floor(next() * 256);
    // Make some slots plausible: known opcode bytes with small register numbers.
    for (let i = 0; i < code.length; i += 16) code[i + 1] = code[i + 1]! & 0x99;
    const text = disassemble(code);
    expect(bytesOf(text)).to.deep.equal(code);
  });

  it('prints instructions in the .data syntax', function () {
    const text = [
      'mov %r0, 1',
      'add32 %r1, -2',
      'sdiv %r2, %r3',
      'movsx1664 %r4, %r5',
      'be16 %r0',
      'bswap64 %r1',
      'ldxsh %r2, [%r1+6]',
      'stdw [%r10-8], 5',
      'stxb [%r1], %r2',
      'lock fetch add32 [%r10-4], %r1',
      'lock cmpxchg [%r10-8], %r1',
      'lddw %r0, 0x1122334455667788',
      'lddw %r1, data 2, 16',
      'lddw %r2, func +1',
      'jsle32 %r1, %r2, -3',
      'jne %r0, 15, +1',
      'ja32 +2',
      'call 5',
      'call local -4',
      'call %r3',
      'exit',
    ].join('\n');
    expect(disassemble(bytesOf(text))).to.equal(text + '\n');
  });

  it('resolves labels, including the implicit exit label', function () {
    const a = bytesOf('jeq %r1, 0, exit\nlddw %r0, 1\nja done\nmov %r0, 2\ndone:\nexit\ncall local done');
    expect(disassemble(a)).to.equal(
      'jeq %r1, 0, +4\nlddw %r0, 0x1\nja +1\nmov %r0, 2\nexit\ncall local -2\n',
    );
  });

  for (const [text, line, what] of [
    ['mov %r0, 1\nfoo %r1', 2, 'unknown mnemonic'],
    ['mov %r16, 1', 1, 'bad register'],
    ['mov %r0, 0x100000000', 1, 'bad 32-bit immediate'],
    ['mov %r0, 2147483648', 1, 'bad 32-bit immediate'],
    ['ja nowhere', 1, 'unknown label'],
    ['ldxw %r0, [%r1+70000]', 1, 'offset'],
    ['add %r0', 1, 'takes 2 operands'],
  ] as const) {
    it(`reports '${what}' with its line`, function () {
      const r = assemble(text);
      expect(r).to.be.instanceOf(AsmError);
      expect((r as AsmError).code).to.equal(AsmCodes.SYNTAX);
      expect((r as AsmError).pc).to.equal(line);
      expect((r as AsmError).message).to.include(what);
    });
  }
});
