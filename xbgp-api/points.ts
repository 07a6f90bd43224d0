// The insertion points of the xBGP plugin API: ids (`enum ubpf_plugins`), manifest names, the
// get_arg arguments each offers, what its helpers can reach, and what a replace chain's return
// value means in xbgpd, plus the anchors and the job-plugin pseudo point. The C header
// include/xbgp_compliant_api/xbgp_plugin_api.h documents the same semantics for plugin authors;
// a test checks the ids against the header.
import {
  BGP_ROUTE_TYPE_FAIL,
  BGP_ROUTE_TYPE_NEW,
  BGP_ROUTE_TYPE_OLD,
  BGP_ROUTE_TYPE_UNKNOWN,
  EXIT_FAILURE,
  EXIT_SUCCESS,
  INSERTION_POINT_RESERVED,
  MAX_ENCODED_ATTR_BYTES,
  PLUGIN_FILTER_ACCEPT,
  PLUGIN_FILTER_REJECT,
  PLUGIN_FILTER_UNKNOWN,
  type ArgTypeName,
} from './constants.js';

/**
 * Where a pluglet sits at a point. pre and post pluglets all run in seq order and their return
 * values are ignored (post ones get the outcome in exec_info_t); replace pluglets chain with next().
 */
export type Anchor = 'pre' | 'replace' | 'post';
export const ANCHORS: readonly Anchor[] = ['pre', 'replace', 'post'];

/**
 * What a point offers to helpers. A helper (helpers.ts `needs`) has a meaning at a point only when
 * the point offers everything it needs; elsewhere it returns NULL / -1 (xbgpd may also count it as
 * a fault of the call).
 * - attributes: the current route's attributes, readable (get_attr_from_code...).
 * - attributes-writable: the same, changeable (add_attr, set_attr).
 * - prefix: the current route's prefix (get_prefix).
 * - route: the current route as a whole (get_bgp_route(UNDEF), get_route_info, get_nexthop(NULL)).
 * - route-pair: the two routes a decision step compares (get_bgp_route(NEW/OLD),
 *   get_attr_from_code_by_route, set_attr_to_route).
 * - vrf: the VRF of the route (get_vrf).
 * - source-peer: the peer the route or message came from (get_src_peer_info).
 * - destination-peers: the peers a route or message goes to (get_peer_info).
 * - current-attribute: the attribute being encoded (get_attr).
 * - output: bytes being built for the wire (write_to_buffer).
 * - job: a job plugin's run (reschedule_plugin).
 */
export type PointContext =
  | 'attributes'
  | 'attributes-writable'
  | 'prefix'
  | 'route'
  | 'route-pair'
  | 'vrf'
  | 'source-peer'
  | 'destination-peers'
  | 'current-attribute'
  | 'output'
  | 'job';

export type PointFamily = 'message' | 'decode' | 'inbound' | 'decision' | 'outbound' | 'encode' | 'job';

/** One return value a replace chain may give, and what xbgpd does with it. */
export interface VerdictCode {
  readonly value: number;
  /** The C name (`PLUGIN_FILTER_REJECT`, `EXIT_SUCCESS`...). */
  readonly name: string;
  /** What xbgpd does; `native: true` when the native code runs anyway. */
  readonly meaning: string;
  readonly native: boolean;
}

/**
 * How a point reads the r0 of its replace chain. Any value the point does not define, a fault and
 * the end of the chain (the last pluglet called next()) all mean: the native code runs.
 */
export type VerdictSpec =
  | { readonly kind: 'codes'; readonly codes: readonly VerdictCode[] }
  /** bgp_encode_attr: r0 must equal the bytes written with write_to_buffer, within [min, max]. */
  | { readonly kind: 'byte-count'; readonly min: number; readonly max: number }
  /** Job plugins: r0 means nothing. */
  | { readonly kind: 'ignored' };

export interface PointSpec {
  /** `enum ubpf_plugins` value (exec_info_t.insertion_point_id, whereami()). */
  readonly id: number;
  /** Manifest name (`insertion_points` key). */
  readonly name: string;
  /** The C enumerator. */
  readonly enumName: string;
  readonly family: PointFamily;
  /** Whether xbgpd runs the point; a manifest naming a point it does not run is refused. */
  readonly runs: boolean;
  /** When xbgpd calls it. */
  readonly when: string;
  /** The get_arg types the point answers (heap copies; others give NULL). */
  readonly args: readonly ArgTypeName[];
  readonly context: readonly PointContext[];
  readonly verdict: VerdictSpec;
}

const code = (value: number, name: string, meaning: string, native = false): VerdictCode => ({
  value,
  name,
  meaning,
  native,
});

const FILTER_VERDICTS: VerdictSpec = {
  kind: 'codes',
  codes: [
    code(PLUGIN_FILTER_REJECT, 'PLUGIN_FILTER_REJECT', 'filtered: the route goes no further'),
    code(PLUGIN_FILTER_ACCEPT, 'PLUGIN_FILTER_ACCEPT', 'no final say: the native policy still runs', true),
    code(PLUGIN_FILTER_UNKNOWN, 'PLUGIN_FILTER_UNKNOWN', 'no opinion: the native policy still runs', true),
  ],
};

const DECISION_VERDICTS: VerdictSpec = {
  kind: 'codes',
  codes: [
    code(BGP_ROUTE_TYPE_NEW, 'BGP_ROUTE_TYPE_NEW', 'the new route is better'),
    code(BGP_ROUTE_TYPE_OLD, 'BGP_ROUTE_TYPE_OLD', 'the old route is better'),
    code(
      BGP_ROUTE_TYPE_UNKNOWN,
      'BGP_ROUTE_TYPE_UNKNOWN',
      'no opinion: the native step runs (as BIRD)',
      true,
    ),
    code(BGP_ROUTE_TYPE_FAIL, 'BGP_ROUTE_TYPE_FAIL', 'the pluglet failed: the native step runs', true),
  ],
};

const DECISION_CONTEXT: readonly PointContext[] = ['route-pair', 'prefix', 'vrf'];

function decisionStep(id: number, name: string, enumName: string, when: string): PointSpec {
  return {
    id,
    name,
    enumName,
    family: 'decision',
    runs: true,
    when,
    args: [],
    context: DECISION_CONTEXT,
    verdict: DECISION_VERDICTS,
  };
}

/** The decision steps in the order xbgpd's decision process runs them (RFC 4271 9.1.2.2). */
export const DECISION_STEPS: readonly PointSpec[] = [
  decisionStep(20, 'bgp_initial_rte_decision', 'BGP_INITIAL_RTE_DECISION', 'first, per comparison'),
  decisionStep(1, 'bgp_pre_decision', 'BGP_PRE_DECISION', 'before the first RFC step'),
  decisionStep(
    2,
    'bgp_nexthop_resolvable_decision',
    'BGP_NEXTHOP_RESOLVABLE_DECISION',
    'next-hop reachability step',
  ),
  decisionStep(3, 'bgp_local_pref_decision', 'BGP_LOCAL_PREF_DECISION', 'LOCAL_PREF step'),
  decisionStep(4, 'bgp_as_path_length_decision', 'BGP_AS_PATH_LENGTH_DECISION', 'AS_PATH length step'),
  decisionStep(6, 'bgp_use_origin_decision', 'BGP_USE_ORIGIN_DECISION', 'ORIGIN step'),
  decisionStep(5, 'bgp_med_decision', 'BGP_MED_DECISION', 'MULTI_EXIT_DISC step'),
  decisionStep(
    7,
    'bgp_prefer_external_peer_decision',
    'BGP_PREFER_EXTERNAL_PEER_DECISION',
    'eBGP over iBGP step',
  ),
  decisionStep(8, 'bgp_igp_cost_decision', 'BGP_IGP_COST_DECISION', 'IGP cost to the next hop step'),
  decisionStep(9, 'bgp_router_id_decision', 'BGP_ROUTER_ID_DECISION', 'BGP identifier step'),
  decisionStep(10, 'bgp_ipaddr_decision', 'BGP_IPADDR_DECISION', 'peer address step'),
  decisionStep(11, 'bgp_post_decision', 'BGP_POST_DECISION', 'after the last step, when no step decided'),
];

/** Every insertion point of the published API, by id. */
export const POINTS: readonly PointSpec[] = [
  ...DECISION_STEPS,
  {
    id: 17,
    name: 'bgp_decode_message',
    enumName: 'BGP_DECODE_MESSAGE',
    family: 'message',
    runs: true,
    when: 'every message received; replace only for types xbgpd does not handle itself',
    args: ['ARG_BGP_MESSAGE', 'ARG_LENGTH', 'ARG_TYPE'],
    context: ['source-peer'],
    verdict: {
      kind: 'codes',
      codes: [code(EXIT_SUCCESS, 'EXIT_SUCCESS', 'handled by the pluglet: the message is consumed')],
    },
  },
  {
    id: 12,
    name: 'bgp_decode_attr',
    enumName: 'BGP_DECODE_ATTR',
    family: 'decode',
    runs: true,
    when: 'once per path attribute of a received UPDATE',
    args: ['ARG_CODE', 'ARG_FLAGS', 'ARG_DATA', 'ARG_LENGTH'],
    context: ['attributes', 'attributes-writable', 'source-peer'],
    verdict: {
      kind: 'codes',
      codes: [
        code(
          EXIT_SUCCESS,
          'EXIT_SUCCESS',
          'consumed: the route carries what the pluglet stored with add_attr',
        ),
        code(PLUGIN_FILTER_REJECT, 'PLUGIN_FILTER_REJECT', 'treat the UPDATE as a withdrawal (RFC 7606)'),
        code(EXIT_FAILURE, 'EXIT_FAILURE', 'not handled: xbgpd decodes the attribute natively', true),
      ],
    },
  },
  {
    id: 15,
    name: 'bgp_pre_inbound_filter',
    enumName: 'BGP_PRE_INBOUND_FILTER',
    family: 'inbound',
    runs: true,
    when: 'per received route, before the import policy',
    args: ['ARG_BGP_PREFIX'],
    context: ['attributes', 'attributes-writable', 'prefix', 'route', 'vrf', 'source-peer'],
    verdict: FILTER_VERDICTS,
  },
  {
    id: 16,
    name: 'bgp_pre_outbound_filter',
    enumName: 'BGP_PRE_OUTBOUND_FILTER',
    family: 'outbound',
    runs: true,
    when: 'per route and destination peer group, before the export policy',
    args: ['ARG_BGP_PREFIX'],
    context: [
      'attributes',
      'attributes-writable',
      'prefix',
      'route',
      'vrf',
      'source-peer',
      'destination-peers',
    ],
    verdict: FILTER_VERDICTS,
  },
  {
    id: 13,
    name: 'bgp_encode_attr',
    enumName: 'BGP_ENCODE_ATTR',
    family: 'encode',
    runs: true,
    when: 'once per attribute a plugin handles or added, while an UPDATE is built',
    args: ['ARG_BGP_ATTRIBUTE'],
    context: ['current-attribute', 'attributes', 'output', 'source-peer', 'destination-peers'],
    verdict: { kind: 'byte-count', min: 1, max: MAX_ENCODED_ATTR_BYTES },
  },
  {
    id: 18,
    name: 'bgp_encode_message',
    enumName: 'BGP_ENCODE_MESSAGE',
    family: 'message',
    runs: true,
    when: 'every message sent; replace only for types xbgpd does not encode itself',
    args: ['ARG_TYPE', 'ARG_BGP_MESSAGE', 'ARG_LENGTH'],
    context: ['output', 'destination-peers'],
    verdict: {
      kind: 'codes',
      codes: [
        code(EXIT_SUCCESS, 'EXIT_SUCCESS', 'send the message the pluglet wrote with write_to_buffer instead'),
      ],
    },
  },
  {
    id: 14,
    name: 'bgp_encode_custom_attr',
    enumName: 'BGP_ENCODE_CUSTOM_ATTR',
    family: 'encode',
    runs: false,
    when: 'not run by xbgpd (FRRouting: once per UPDATE); use bgp_encode_attr',
    args: [],
    context: [],
    verdict: { kind: 'byte-count', min: 1, max: MAX_ENCODED_ATTR_BYTES },
  },
  {
    id: 19,
    name: 'bgp_open_sent',
    enumName: 'BGP_OPEN_SENT',
    family: 'message',
    runs: false,
    when: 'not run by xbgpd (no published host runs it)',
    args: [],
    context: [],
    verdict: { kind: 'ignored' },
  },
];

/**
 * Job plugins: not an insertion point but a timer (manifest `"job_plugin": {"schedule": s}`), run
 * on xbgpd's main loop, never concurrently with a point. whereami() and
 * exec_info_t.insertion_point_id give this id; libxbgp names it "job_plugins".
 */
export const JOB_POINT: PointSpec = {
  id: INSERTION_POINT_RESERVED,
  name: 'job_plugins',
  enumName: 'INSERTION_POINT_RESERVED',
  family: 'job',
  runs: true,
  when: 'every "schedule" seconds (reschedule_plugin changes it)',
  args: [],
  context: ['job'],
  verdict: { kind: 'ignored' },
};

const byName = new Map(POINTS.map((p) => [p.name, p]));
const byId = new Map([...POINTS, JOB_POINT].map((p) => [p.id, p]));

/** The point a manifest names (exact match: xBGP's prefix matching is a bug), or undefined. */
export function pointByName(name: string): PointSpec | undefined {
  return byName.get(name);
}

export function pointById(id: number): PointSpec | undefined {
  return byId.get(id);
}

/**
 * What a replace chain's r0 means at `point`: the verdict code, `{ bytes }` for a valid encode
 * count (the caller still compares it with the bytes actually written), or undefined when the
 * native code runs (a value the point does not define).
 */
export function verdictOf(
  point: PointSpec,
  r0: bigint,
): VerdictCode | { readonly bytes: number } | undefined {
  const v = point.verdict;
  if (v.kind === 'ignored') return undefined;
  if (v.kind === 'byte-count') {
    return r0 >= BigInt(v.min) && r0 <= BigInt(v.max) ? { bytes: Number(r0) } : undefined;
  }
  return v.codes.find((c) => BigInt(c.value) === r0);
}
