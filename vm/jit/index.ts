// The JIT's entry point: compile a loaded program to WebAssembly and instantiate it once, or say
// why it runs in the interpreter instead. See compile.ts (code), runtime.ts (runs), layout.ts.
import type { LoadedProgram } from '../loader.js';
import { REGION_CODE, REGION_CONTEXT, REGION_NULL } from '../memory.js';
import { compile } from './compile.js';
import { JitProgram } from './runtime.js';

export { JitProgram } from './runtime.js';

/**
 * Compile `p` (already verified and loaded); `external` are the ids of regions whose bytes belong
 * to the caller (extra regions). A JitProgram, or the reason the program stays interpreted.
 */
export function compileJit(p: LoadedProgram, external: readonly number[]): JitProgram | string {
  const mem = p.memory;
  const sizes = mem.names.map((_, id) =>
    id === REGION_NULL || id === REGION_CODE || id === REGION_CONTEXT ? -1 : mem.bytes[id]!.length,
  );
  let compiled;
  try {
    compiled = compile(p, sizes);
  } catch (e) {
    return `compiler error: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (typeof compiled === 'string') return compiled;
  try {
    return new JitProgram(p, compiled, external);
  } catch (e) {
    return `WebAssembly module refused: ${e instanceof Error ? e.message : String(e)}`;
  }
}
