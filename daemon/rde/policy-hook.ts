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
  /** The route's next hop: NEXT_HOP (IPv4, as in `attributes`) or the MP next hop (IPv6). */
  nextHop: Uint8Array | undefined;
  /**
   * What `next-hop: self` sets: on export our address towards the peer; on import the address of the peer
   * that sent the route (FRR's `peer-address`). Undefined when the session has no address of the family.
   */
  selfNextHop: Uint8Array | undefined;
  /** What `next-hop: unchanged` restores on export: the route's next hop in the Loc-RIB (undefined on import). */
  originalNextHop: Uint8Array | undefined;
}

/**
 * `attributes` is the input's own array when the policy changed nothing. An IPv4 route's next hop is its
 * NEXT_HOP attribute; `nextHop` is an IPv6 route's new MP next hop, when the policy set one.
 */
export type PolicyResultLike =
  | { accept: false }
  | { accept: true; attributes: readonly PathAttribute[]; nextHop?: Uint8Array | undefined };

/**
 * What a filter's result depends on, so the RDE knows which answers it may reuse. Every filter runs in a
 * context (the peer's for import, the peer group's for export) whose settings it may read:
 * - 'attributes': the attribute set alone. Cached per set in its context.
 * - 'source': the set and the peer the route came from (export: a plugin's verdict, get_src_peer_info).
 *   Cached per source peer and set (on import the context is that peer's: the same as 'attributes').
 * - 'prefix': the set and the prefix. Evaluated per route; never answered from a per-set cache.
 * - 'anything': may read what changes on its own (the peer's state, time, shared memory). Evaluated per
 *   route and again on every re-announcement, even of unchanged attributes.
 */
export type FilterDependency = 'attributes' | 'source' | 'prefix' | 'anything';

export interface CompiledPolicyLike {
  evaluate(input: PolicyInputLike): PolicyResultLike;
  readonly dependsOn: FilterDependency;
}

export type PolicyCompiler = (rules: PolicyRule[], ctx: { localAs: number }) => CompiledPolicyLike;
