// The decision insertion points as the decision process's DecisionHook (rde/decision.ts): before the
// steps bgp_initial_rte_decision and bgp_pre_decision, one point per RFC 4271 step (xbgp-api
// DECISION_STEPS; the CLUSTER_LIST step of RFC 4456 has none), and bgp_post_decision when every step
// tied. A replace chain's BGP_ROUTE_TYPE_NEW / _OLD decides; BGP_ROUTE_TYPE_UNKNOWN, _FAIL, the end of
// the chain, a fault or any other value leave the native step to decide (BIRD's reading of UNKNOWN). The
// post anchor of each point sees the outcome (NEW, OLD, or UNKNOWN for a tie) in exec_info, which is how
// a post pluglet counts which step decided. Decision plugins apply to every comparison (not per peer).
import {
  BGP_ROUTE_TYPE_NEW,
  BGP_ROUTE_TYPE_OLD,
  BGP_ROUTE_TYPE_UNKNOWN,
  XBGP_AFI_IPV4,
  XBGP_AFI_IPV6,
  XBGP_SAFI_UNICAST,
  pointByName,
} from '../../../xbgp-api/index.js';
import type { AttrStore } from '../../rde/attr-store.js';
import type { Candidate, DecisionHook } from '../../rde/decision.js';
import { writePrefix as writeRibPrefix, type PrefixKey, type RdePeer, type RibPath } from '../../rde/rib.js';
import { Call, type PeerInfo, type PluginServices } from '../call.js';
import type { PluginHost } from '../host.js';
import { RouteState } from '../route.js';
import { runPost, runPre, runReplace, type Chain, type Plugin } from '../runtime.js';
import { sourcePeerInfo } from './filters.js';

/** The points of rde/decision.ts's steps, by step index (undefined: the step has no point). */
const STEP_POINTS: readonly (string | undefined)[] = [
  'bgp_nexthop_resolvable_decision',
  'bgp_local_pref_decision',
  'bgp_as_path_length_decision',
  'bgp_use_origin_decision',
  'bgp_med_decision',
  'bgp_prefer_external_peer_decision',
  'bgp_igp_cost_decision',
  undefined, // cluster-list-length (RFC 4456): no xBGP point
  'bgp_router_id_decision',
  'bgp_ipaddr_decision',
];

const NEW = BigInt(BGP_ROUTE_TYPE_NEW);
const OLD = BigInt(BGP_ROUTE_TYPE_OLD);
const UNKNOWN = BigInt(BGP_ROUTE_TYPE_UNKNOWN);
const validVerdict = (v: bigint): boolean => v >= 256n && v <= 260n;

/** One decision point: its chain and the Call its pluglets see. */
interface DecisionPoint {
  readonly chain: Chain;
  readonly call: Call;
}

export class HostDecision implements DecisionHook {
  readonly steps: readonly boolean[];
  quiet = false;
  private readonly points: (DecisionPoint | undefined)[];
  private readonly initial: DecisionPoint | undefined;
  private readonly pre: DecisionPoint | undefined;
  private readonly post: DecisionPoint | undefined;
  private readonly routeNew = new RouteState();
  private readonly routeOld = new RouteState();
  private readonly peers = new WeakMap<RdePeer, PeerInfo>();
  private readonly prefixBytes = new Uint8Array(17);
  private ipv6 = false;

  /** The hook, or undefined when no decision point has a pluglet. */
  static create(
    host: PluginHost,
    store: AttrStore,
    local: { asn: number; routerId: number },
    services: (plugin: Plugin) => PluginServices,
  ): HostDecision | undefined {
    const hook = new HostDecision(host, store, local, services);
    const any = hook.initial ?? hook.pre ?? hook.post ?? hook.points.find((p) => p !== undefined);
    return any === undefined ? undefined : hook;
  }

  private constructor(
    private readonly host: PluginHost,
    private readonly store: AttrStore,
    private readonly local: { asn: number; routerId: number },
    private readonly services: (plugin: Plugin) => PluginServices,
  ) {
    this.points = STEP_POINTS.map((name) => (name === undefined ? undefined : this.point(name)));
    this.steps = this.points.map((p) => p !== undefined);
    this.initial = this.point('bgp_initial_rte_decision');
    this.pre = this.point('bgp_pre_decision');
    this.post = this.point('bgp_post_decision');
  }

  private point(name: string): DecisionPoint | undefined {
    const chain = this.host.chain(name, undefined);
    if (chain === undefined) return undefined;
    const call = new Call(pointByName(name)!, this.services);
    call.routeNew = this.routeNew;
    call.routeOld = this.routeOld;
    return { chain, call };
  }

  /** The destination whose candidates are compared next (its prefix for get_prefix). */
  destination(key: PrefixKey, ipv6: boolean): void {
    writeRibPrefix(key, this.prefixBytes, 0);
    this.ipv6 = ipv6;
  }

  before(a: Candidate, b: Candidate): number {
    const first = this.run(this.initial, a, b, 0);
    return first !== 0 ? first : this.run(this.pre, a, b, 0);
  }

  step(index: number, a: Candidate, b: Candidate, native: number): number {
    return this.run(this.points[index], a, b, native);
  }

  after(a: Candidate, b: Candidate): number {
    return this.run(this.post, a, b, 0);
  }

  /** Run a point on (a = NEW, b = OLD): the chain's verdict, or `native` when it gives none. */
  private run(point: DecisionPoint | undefined, a: Candidate, b: Candidate, native: number): number {
    if (point === undefined) return native;
    const { chain, call } = point;
    this.prepare(call, a, b);
    if (!this.quiet) runPre(chain, call, this.host, call.writeInfo);
    const value = runReplace(chain, call, this.host, call.writeInfo, validVerdict);
    const result = value === NEW ? -1 : value === OLD ? 1 : native;
    if (!this.quiet)
      runPost(chain, call, this.host, call.writeInfo, result < 0 ? NEW : result > 0 ? OLD : UNKNOWN);
    return result;
  }

  private prepare(call: Call, a: Candidate, b: Candidate): void {
    this.routeNew.reset(a.attrs, this.ipv6, this.store);
    this.routeOld.reset(b.attrs, this.ipv6, this.store);
    call.peerNew = this.peerOf(a);
    call.peerOld = this.peerOf(b);
    call.prefix = {
      afi: this.ipv6 ? XBGP_AFI_IPV6 : XBGP_AFI_IPV4,
      safi: XBGP_SAFI_UNICAST,
      prefixlen: this.prefixBytes[0]!,
      addr: this.prefixBytes.subarray(1, 1 + (this.ipv6 ? 16 : 4)),
    };
  }

  /** The candidate's peer as the helpers describe it (candidates of the RDE are its RibPaths). */
  private peerOf(c: Candidate): PeerInfo {
    return sourcePeerInfo((c as RibPath).peer, this.local, this.peers);
  }
}
