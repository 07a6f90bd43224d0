// Runs a VM test suite once per back end: the interpreter and the JIT (vm/jit/). Suites call
// `forEachBackend` instead of `describe` and load through this module's `loadProgram`, which adds
// `jit: true` while a JIT suite runs. There a program the JIT does not compile fails the test
// (unless the test replaced the verifier checks): the suite must exercise the compiled code.
import { loadProgram as vmLoadProgram } from '../../vm/index.js';
import type { LoadedProgram, LoadOptions, ProgramImage, VerifyError } from '../../vm/index.js';

export type Backend = 'interpreter' | 'jit';
export const BACKENDS: readonly Backend[] = ['interpreter', 'jit'];

let current: Backend = 'interpreter';

/** `describe(title [backend], body)` once per back end. */
export function forEachBackend(title: string, body: (this: Mocha.Suite, backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend}]`, function () {
      before(() => {
        current = backend;
      });
      after(() => {
        current = 'interpreter';
      });
      body.call(this, backend);
    });
  }
}

/** The back end of the suite running now. */
export function backend(): Backend {
  return current;
}

/** Load options selecting the current back end (a JIT fallback throws unless checks were replaced). */
export function backendOptions(options: LoadOptions = {}): LoadOptions {
  if (current === 'interpreter') return options;
  return {
    jit: true,
    onJitFallback: (reason) => {
      if (options.checks === undefined) throw new Error(`the JIT did not compile the program: ${reason}`);
    },
    ...options,
  };
}

export function loadProgram(image: ProgramImage, options: LoadOptions = {}): LoadedProgram | VerifyError {
  return vmLoadProgram(image, backendOptions(options));
}
