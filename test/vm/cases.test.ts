// Our own data-driven VM cases: test/vm/cases/*.data (semantics: helpers, calls, frames, 64-bit
// edges) and test/vm/cases/errors/*.data (one file per verifier rule and fault kind, each with
// `-- error CODE at PC n`, matched exactly). Also checks that every verifier and fault code that a
// text case can reach has at least one case.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTestFile, parseTestFile } from '../../vm/conformance.js';
import { FaultCodes, VerifyCodes } from '../../vm/errors.js';
import { forEachBackend, backendOptions } from './backends.js';

const casesDir = join(dirname(fileURLToPath(import.meta.url)), 'cases');
const list = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.data'))
    .sort()
    .map((f) => join(dir, f));

forEachBackend('vm: data-driven cases', function () {
  for (const [title, dir] of [
    ['semantics', casesDir],
    ['errors', join(casesDir, 'errors')],
  ] as const) {
    describe(title, function () {
      for (const file of list(dir)) {
        it(file.slice(casesDir.length + 1), function () {
          const outcome = runTestFile(readFileSync(file, 'utf8'), backendOptions());
          expect(outcome.pass, `expected ${outcome.expected}, got ${outcome.actual}`).to.equal(true);
        });
      }
    });
  }

  it('has an error case for every verifier code and fault kind a program can cause', function () {
    const expected = new Set(
      list(join(casesDir, 'errors')).map((f) => {
        const c = parseTestFile(readFileSync(f, 'utf8'));
        if (c instanceof Error) throw c;
        return c.error!.split(' ')[0];
      }),
    );
    // Reached only through the API (covered in verifier.test.ts and run.test.ts): sizes that
    // text cannot express, entry points, permissions, run contexts, internal errors.
    const apiOnly = new Set<string>([
      VerifyCodes.CODE_LENGTH,
      VerifyCodes.BAD_ENTRY,
      VerifyCodes.HELPER_NOT_PERMITTED,
      FaultCodes.BAD_RUN_CONTEXT,
      FaultCodes.INTERNAL,
    ]);
    const missing = [...Object.values(VerifyCodes), ...Object.values(FaultCodes)].filter(
      (code) => !apiOnly.has(code) && !expected.has(code),
    );
    expect(missing).to.deep.equal([]);
  });
});
