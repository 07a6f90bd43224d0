// The RDE's view of native policy: the shapes daemon/policy's `compilePolicy` takes and returns, so the
// RDE (and plugins replacing the filter stages later) depend on an interface, not on daemon/policy.
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
