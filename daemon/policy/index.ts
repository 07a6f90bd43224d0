// Native routing policy (YAML `policies`, peer `import` / `export`; see README.md): an ordered rule list
// compiled once into closures, then evaluated per route by the RIB's import and export stages. It is the
// native fallback of the inbound and outbound filter insertion points, which plugins may replace.
//
// Semantics (daemon/config/types.ts): rules are tried in order; a rule whose `match` holds (all its
// conditions) applies its `set`, then its `action`: 'accept' or 'reject' end the evaluation, no action
// goes on with the next rule, which sees the attributes as changed so far. The end of the list accepts.
// Peer input never throws here: evaluation only reads decoded attributes and builds new ones.
import type { PathAttribute } from '../wire/index.js';
import type { PolicyRule } from '../config/types.js';
import { compileMatch, type Condition } from './match.js';
import { compileSet, type Transform } from './actions.js';

export interface PolicyContext {
  /** Our AS: the default ASN of `prepend`, and the origin AS of a route with an empty AS_PATH. */
  localAs: number;
}

export interface PolicyInput {
  /** 1 IPv4, 2 IPv6. */
  afi: 1 | 2;
  /** The prefix in wire form: `prefixLength` bits from `prefix[prefixOffset]` on. */
  prefix: Uint8Array;
  prefixOffset: number;
  prefixLength: number;
  /** The route's attributes (AS_PATH in 4-octet form, as the RIB holds it). */
  attributes: readonly PathAttribute[];
  /** NEXT_HOP (4 octets) or MP_REACH_NLRI next hop (16, or 32 for global + link-local). */
  nextHop: Uint8Array | undefined;
}

/** `attributes` is the input's own array object when no rule changed anything. */
export type PolicyResult = { accept: false } | { accept: true; attributes: readonly PathAttribute[] };

export interface CompiledPolicy {
  /** True when a rule matches on the prefix: the result may differ between prefixes that share an
   *  attribute set. Otherwise it depends on the attributes (and next hop) only, and the RIB may cache it
   *  per attribute set. */
  readonly prefixDependent: boolean;
  evaluate(input: PolicyInput): PolicyResult;
}

interface CompiledRule {
  matches: Condition;
  transform: Transform | undefined;
  /** 0 go on, 1 accept, 2 reject. */
  action: 0 | 1 | 2;
}

const rejected: PolicyResult = Object.freeze({ accept: false });

/** Compile a rule list once (at config load); `evaluate` is then cheap and allocates only what it changes. */
export function compilePolicy(rules: readonly PolicyRule[], ctx: PolicyContext): CompiledPolicy {
  const compiled: CompiledRule[] = rules.map((rule) => ({
    matches: compileMatch(rule.match, ctx),
    transform: compileSet(rule.set, ctx),
    action: rule.action === 'accept' ? 1 : rule.action === 'reject' ? 2 : 0,
  }));
  const prefixDependent = rules.some((rule) => rule.match?.prefix !== undefined);
  return {
    prefixDependent,
    evaluate(input: PolicyInput): PolicyResult {
      let attributes = input.attributes;
      for (let i = 0; i < compiled.length; i++) {
        const rule = compiled[i]!;
        if (!rule.matches(input, attributes)) continue;
        if (rule.action === 2) return rejected;
        if (rule.transform !== undefined) attributes = rule.transform(attributes);
        if (rule.action === 1) break;
      }
      return { accept: true, attributes };
    },
  };
}

/** The policy that accepts everything unchanged (no policy configured). */
export const acceptAll: CompiledPolicy = compilePolicy([], { localAs: 0 });
