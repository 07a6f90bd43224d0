// The bpf_conformance suite (313 files from ../shared) through the in-process runner and through
// `xbgpctl vm test`: every case must pass.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureCli } from '../helpers/cli.js';
import { sharedPath } from '../helpers/env.js';
import { runTestFile } from '../../vm/conformance.js';
import { main as vmCli } from '../../daemon/cli/vm.js';
import { forEachBackend, backendOptions } from './backends.js';

function suiteFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.data'))
    .sort()
    .map((f) => join(dir, f));
}

/** Run the CLI in-process and capture what it prints. */
function runCli(argv: string[]): Promise<{ code: number; out: string }> {
  return captureCli(() => vmCli(argv));
}

forEachBackend('vm: bpf_conformance suite', function (backend) {
  const jitFlag = backend === 'jit' ? ['--jit'] : [];
  it('passes all 313 cases in-process', function () {
    const dir = sharedPath(this, 'conformance', 'bpf_conformance');
    const files = suiteFiles(dir);
    expect(files).to.have.length(313);
    const failures = files
      .map((f) => ({ f, o: runTestFile(readFileSync(f, 'utf8'), backendOptions()) }))
      .filter(({ o }) => !o.pass)
      .map(({ f, o }) => `${f}: expected ${o.expected}, got ${o.actual}`);
    expect(failures).to.deep.equal([]);
  });

  it(`xbgpctl vm test ${jitFlag.join('')} prints one PASS line per file and "313 passed, 0 failed"`, async function () {
    const dir = sharedPath(this, 'conformance', 'bpf_conformance');
    const files = suiteFiles(dir);
    const { code, out } = await runCli(['test', ...jitFlag, ...files]);
    const lines = out.trimEnd().split('\n');
    expect(lines.at(-1)).to.equal('313 passed, 0 failed');
    expect(lines.filter((l) => l.startsWith('PASS '))).to.have.length(313);
    expect(code).to.equal(0);
  });

  it('xbgpctl vm test reports a failing file and exits non-zero', async function () {
    const dir = sharedPath(this, 'conformance', 'bpf_conformance');
    const { code, out } = await runCli(['test', ...jitFlag, join(dir, 'add.data'), '/nonexistent/x.data']);
    expect(out).to.match(/^PASS .*add\.data$/m);
    expect(out).to.match(/^FAIL \/nonexistent\/x\.data: /m);
    expect(out.trimEnd().split('\n').at(-1)).to.equal('1 passed, 1 failed');
    expect(code).to.equal(1);
  });
});
