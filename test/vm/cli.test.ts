// `xbgpctl vm run|asm|disasm`, in-process: r0 printed in hex, exit 2 with the coded error for load
// and verifier errors, exit 3 for run-time faults, ELF objects by magic, text/bytecode conversion.
// Once per back end: in the JIT suite every `vm run` gets --jit and must print exactly the same.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureCli } from '../helpers/cli.js';
import { requireTools } from '../helpers/env.js';
import { main as vmCli } from '../../daemon/cli/vm.js';
import { backend, forEachBackend } from './backends.js';

function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return captureCli(
    () => vmCli(argv[0] === 'run' && backend() === 'jit' ? [...argv, '--jit'] : argv),
    'latin1',
  );
}

forEachBackend('xbgpctl vm run, asm, disasm', function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-vm-cli-'));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, content: string | Uint8Array): string => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  it('runs assembler text with --mem and prints r0 in hex', async function () {
    const p = file('sum.asm', 'mov %r0, %r2\nldxb %r1, [%r1+2]\nadd %r0, %r1\nexit\n');
    expect(await cli(['run', p, '--mem', '01 02 fe'])).to.deep.equal({ code: 0, out: '0x101\n', err: '' });
  });

  it('exits 2 with the coded verifier error and its pc', async function () {
    const p = file('bad.asm', 'mov %r0, 0\nja +7\nexit\n');
    const r = await cli(['run', p]);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/ERR_VM_JUMP_OUT_OF_BOUNDS at PC 1: /);
  });

  it('exits 3 with the coded fault and its pc', async function () {
    const p = file('oob.asm', 'mov %r0, 0\nldxdw %r0, [%r1+8]\nexit\n');
    const r = await cli(['run', p, '--mem', '0001020304050607']);
    expect(r.code).to.equal(3);
    expect(r.err).to.match(/ERR_VM_OUT_OF_BOUNDS_LOAD at PC 1: /);
  });

  it('honours --budget', async function () {
    const p = file('loop.asm', 'mov %r0, 0\nloop:\nadd %r0, 1\nja loop\n');
    const r = await cli(['run', p, '--budget', '100']);
    expect(r.code).to.equal(3);
    expect(r.err).to.match(/ERR_VM_BUDGET_EXHAUSTED at PC 2: /);
  });

  it('assembles to bytecode, runs raw bytecode and disassembles it back', async function () {
    const text = 'lddw %r0, 0x1122334455667788\nrsh %r0, 32\nexit\n';
    const src = file('p.s', text);
    const bin = join(dir, 'p.bin');
    expect((await cli(['asm', src, '-o', bin])).code).to.equal(0);
    expect(readFileSync(bin)).to.have.length(32);
    expect(await cli(['run', bin])).to.deep.equal({ code: 0, out: '0x11223344\n', err: '' });
    expect(await cli(['disasm', bin])).to.deep.equal({ code: 0, out: text, err: '' });
  });

  it('reports assembler errors with their line (exit 2)', async function () {
    const r = await cli(['asm', file('e.asm', 'exit\nmov %r99, 1\n')]);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/ERR_VM_ASM_SYNTAX at line 2: /);
  });

  it('rejects disassembly of a partial instruction', async function () {
    const r = await cli(['disasm', file('odd.bin', new Uint8Array(12))]);
    expect(r.code).to.equal(2);
  });

  it('runs a clang-compiled ELF object chosen by --entry, resolving helpers by name', async function () {
    requireTools(this, 'clang');
    const c = file(
      'prog.c',
      `extern unsigned long sqrti(unsigned long x);
       __attribute__((section("xbgp/a"), used)) long a(unsigned char *m) { return m[0] + m[1]; }
       __attribute__((section("xbgp/b"), used)) long b(void) { return sqrti(1000000); }`,
    );
    const o = join(dir, 'prog.o');
    execFileSync('clang', ['-O2', '-target', 'bpf', '-c', c, '-o', o]);
    expect(await cli(['run', o, '--entry', 'a', '--mem', '0203'])).to.deep.equal({
      code: 0,
      out: '0x5\n',
      err: '',
    });
    expect(await cli(['run', o, '--entry', 'b'])).to.deep.equal({ code: 0, out: '0x3e8\n', err: '' });
    const both = await cli(['run', o]);
    expect(both.code).to.equal(2);
    expect(both.err).to.match(/--entry/);
  });

  it('exits 1 on usage errors', async function () {
    expect((await cli(['run'])).code).to.equal(1);
    expect((await cli(['frob'])).code).to.equal(1);
    expect((await cli(['test'])).code).to.equal(1);
  });
});
