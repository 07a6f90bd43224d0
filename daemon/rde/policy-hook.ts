// The RDE's view of native policy (daemon/policy, written in parallel): the shapes `compilePolicy`
// returns, and `loadPolicyCompiler`, which picks daemon/policy/index.ts up at run time when it exists and
// falls back to "no policy" (accept all) when it does not, so the RDE builds either way.
import type { PathAttribute } from '../wire/index.js';
import type { PolicyRule } from '../config/types.js';

export interface PolicyInputLike {
  afi: 1 | 2;
  /** Wire form: prefix[prefixOffset..] holds ceil(prefixLength / 8) address octets. */
  prefix: Uint8Array;
  prefixOffset: number;
  prefixLength: number;
  attributes: readonly PathAttribute[];
  nextHop: Uint8Array | undefined;
}

export type PolicyResultLike = { accept: false } | { accept: true; attributes: readonly PathAttribute[] };

export interface CompiledPolicyLike {
  evaluate(input: PolicyInputLike): PolicyResultLike;
  /** false: the result depends only on the attributes, so it may be cached per attribute set. */
  prefixDependent: boolean;
}

export type PolicyCompiler = (rules: PolicyRule[], ctx: { localAs: number }) => CompiledPolicyLike;

/** compilePolicy from daemon/policy/index.ts, or undefined while that module does not exist. */
export async function loadPolicyCompiler(): Promise<PolicyCompiler | undefined> {
  const specifier = '../policy/index.js';
  try {
    const mod = (await import(specifier)) as { compilePolicy?: PolicyCompiler };
    return typeof mod.compilePolicy === 'function' ? mod.compilePolicy : undefined;
  } catch {
    return undefined;
  }
}
