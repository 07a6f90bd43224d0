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
import { compileNextHop, compileSet, withNextHop, type NextHopStep, type Transform } from './actions.js';

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
  /** What `next-hop: self` sets: the sending peer's address on import, ours towards the peer on export. */
  selfNextHop?: Uint8Array | undefined;
  /** What `next-hop: unchanged` restores on export (the route's next hop before the propagation rules). */
  originalNextHop?: Uint8Array | undefined;
}

/**
 * `attributes` is the input's own array object when no rule changed anything. An IPv4 route's next hop is
 * its NEXT_HOP attribute (rewritten in `attributes`); `nextHop` is an IPv6 route's new MP next hop, present
 * only when a rule changed it.
 */
export type PolicyResult =
  | { accept: false }
  | { accept: true; attributes: readonly PathAttribute[]; nextHop?: Uint8Array | undefined };

export interface CompiledPolicy {
  /**
   * 'prefix' when a rule matches on the prefix: the result may differ between prefixes that share an
   * attribute set. Otherwise 'attributes': it depends on the attributes (and next hop) and the input's
   * own/original next hops (fixed per peer or group), and the RIB may cache it per attribute set.
   */
  readonly dependsOn: 'attributes' | 'prefix';
  evaluate(input: PolicyInput): PolicyResult;
}

interface CompiledRule {
  matches: Condition;
  transform: Transform | undefined;
  nextHop: NextHopStep | undefined;
  /** 0 go on, 1 accept, 2 reject. */
  action: 0 | 1 | 2;
}

const rejected: PolicyResult = Object.freeze({ accept: false });

/** Compile a rule list once (at config load); `evaluate` is then cheap and allocates only what it changes. */
export function compilePolicy(rules: readonly PolicyRule[], ctx: PolicyContext): CompiledPolicy {
  const compiled: CompiledRule[] = rules.map((rule) => ({
    matches: compileMatch(rule.match, ctx),
    transform: compileSet(rule.set, ctx),
    nextHop: compileNextHop(rule.set?.nextHop),
    action: rule.action === 'accept' ? 1 : rule.action === 'reject' ? 2 : 0,
  }));
  const dependsOn = rules.some((rule) => rule.match?.prefix !== undefined) ? 'prefix' : 'attributes';
  return {
    dependsOn,
    evaluate(input: PolicyInput): PolicyResult {
      let attributes = input.attributes;
      // The route as later rules see it: a new object only once a rule changes the next hop.
      let route = input;
      let mpNextHop: Uint8Array | undefined;
      for (let i = 0; i < compiled.length; i++) {
        const rule = compiled[i]!;
        if (!rule.matches(route, attributes)) continue;
        if (rule.action === 2) return rejected;
        if (rule.transform !== undefined) attributes = rule.transform(attributes);
        const nextHop = rule.nextHop?.(route);
        if (nextHop !== undefined) {
          if (route.afi === 1) attributes = withNextHop(attributes, nextHop);
          else mpNextHop = nextHop;
          route = { ...route, nextHop };
        }
        if (rule.action === 1) break;
      }
      return mpNextHop === undefined
        ? { accept: true, attributes }
        : { accept: true, attributes, nextHop: mpNextHop };
    },
  };
}

/** The policy that accepts everything unchanged (no policy configured). */
export const acceptAll: CompiledPolicy = compilePolicy([], { localAs: 0 });
