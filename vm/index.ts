// The VM's public API: load (verify + map) a ProgramImage once, run it many times.
//   const loaded = loadProgram(image, { helpers, permissions, budget });
//   if (loaded instanceof VerifyError) ...;
//   const result = run(loaded, { mem, user });  // { r0, steps } | VmFault
// Nothing here throws for bad programs or bad runs: errors are returned, with codes and pcs.
import { interpret } from './interpreter.js';
import type { RunContext, RunResult } from './interpreter.js';
import type { LoadedProgram } from './loader.js';
import type { VmFault } from './errors.js';

export { loadProgram, DEFAULT_BUDGET } from './loader.js';
export type { LoadedProgram, LoadOptions, ExtraRegion } from './loader.js';
export type { RunContext, RunResult } from './interpreter.js';
export { VerifyError, VmFault, AsmError, VerifyCodes, FaultCodes, AsmCodes } from './errors.js';
export type { VerifyCode, FaultCode, AsmCode } from './errors.js';
export { HelperRegistry, testHelpers, testHelperRegistry, isPermitted, TEST_PERMISSION } from './helpers.js';
export type { Helper, HelperFn, NumberHelperFn, HelperContext, HelperPermissions } from './helpers.js';
export { regionAddress, REGION_STACK, REGION_CONTEXT, STACK_SIZE } from './memory.js';
export type { MemoryAccess } from './memory.js';
export { defaultChecks, verify } from './verifier.js';
export type { VerifyCheck, VerifyContext } from './verifier.js';
export { assemble } from './assembler.js';
export { disassemble } from './disassembler.js';
export type { ProgramImage, DataSection } from './program.js';

/** Run a loaded program once: {r0, steps}, or the fault that stopped it. Never throws. */
export function run(loaded: LoadedProgram, ctx: RunContext = {}): RunResult | VmFault {
  return loaded.jit ? loaded.jit.run(ctx) : interpret(loaded, ctx);
}
