// The constants and insertion points of xbgp-api/ (constants.ts, points.ts) against the C headers:
// every value becomes a _Static_assert compiled with clang against include/xbgp_compliant_api, the
// L_* level strings are read from the preprocessor, and the enumerators of enum ubpf_plugins from
// clang's AST must all have a point in points.ts. Plus the pure logic of the tables (verdictOf,
// permits, pointByName).
import { expect } from 'chai';
import * as K from '../../xbgp-api/constants.js';
import { DECISION_STEPS, JOB_POINT, POINTS, pointByName, verdictOf } from '../../xbgp-api/points.js';
import { requireTools } from '../helpers/env.js';
import { astOf, compileText, macrosOf, removeWork } from './cc.js';

/** C name -> value the TypeScript tables give it. */
function expectedValues(): [string, number][] {
  const pairs: [string, number][] = [
    ...Object.entries(K.ArgType),
    ...Object.entries(K.AttrId),
    ...Object.entries(K.VType),
    ...Object.entries(K.SelectionReason),
    ...Object.entries(K.RpkiValidity),
    ...POINTS.map((p): [string, number] => [p.enumName, p.id]),
    [JOB_POINT.enumName, JOB_POINT.id],
  ];
  const scalars = [
    'LO_RESERVED_RETURN_VAL',
    'HI_RESERVED_RETURN_VAL',
    'EXIT_SUCCESS',
    'EXIT_FAILURE',
    'PLUGIN_FILTER_REJECT',
    'PLUGIN_FILTER_ACCEPT',
    'PLUGIN_FILTER_UNKNOWN',
    'BGP_ROUTE_TYPE_UNDEF',
    'BGP_ROUTE_TYPE_NEW',
    'BGP_ROUTE_TYPE_OLD',
    'BGP_ROUTE_TYPE_UNKNOWN',
    'BGP_ROUTE_TYPE_FAIL',
    'BPF_UNDEF',
    'BPF_CONTINUE',
    'BPF_FAILURE',
    'BPF_SUCCESS',
    'BPF_MAX_RESERVED_RETURN_VAL',
    'FAIL',
    'EBGP_SESSION',
    'IBGP_SESSION',
    'LOCAL_SESSION',
    'XBGP_AFI_IPV4',
    'XBGP_AFI_IPV6',
    'XBGP_SAFI_UNICAST',
    'AF_UNSPEC',
    'AF_INET',
    'AF_INET6',
    'ATTR_OPTIONAL',
    'ATTR_TRANSITIVE',
    'ATTR_PARTIAL',
    'ATTR_EXT_LEN',
    'AS_PATH_SEGMENT_SET',
    'AS_PATH_SEGMENT_SEQUENCE',
    'AS_PATH_SEGMENT_CONFED_SEQUENCE',
    'AS_PATH_SEGMENT_CONFED_SET',
    'BGP_ORIGIN_IGP',
    'BGP_ORIGIN_EGP',
    'BGP_ORIGIN_INCOMPLETE',
    'HELPER_ATTR_NONE',
    'HELPER_ATTR_USR_PTR',
    'HELPER_ATTR_WRITE',
    'HELPER_ATTR_READ',
    'HELPER_ATTR_MASK',
    'PLUGIN_SOCKET_MIN',
    'PLUGIN_SOCKET_QUIC',
    'PLUGIN_SOCKET_TCP',
    'PLUGIN_SOCKET_UDP',
    'PLUGIN_SOCKET_MAX',
  ] as const;
  for (const name of scalars) pairs.push([name, K[name]]);
  // xbgp_ubpf_attr.h spells the flags once more
  pairs.push(['ATTR_FLAG_OPT_BIT', K.ATTR_OPTIONAL], ['ATTR_FLAG_TRANSITIVE_BIT', K.ATTR_TRANSITIVE]);
  pairs.push(['ATTR_FLAG_PARTIAL_BIT', K.ATTR_PARTIAL], ['ATTR_FLAGS_EXT_LEN_BIT', K.ATTR_EXT_LEN]);
  return pairs;
}

function constantsSource(values: readonly [string, number][]): string {
  return [
    '#include "xbgp_plugin_api.h"',
    '#include "xbgp_ubpf_attr.h"',
    ...values.map(([name, v]) => `_Static_assert(${name} == ${v}, "${name} == ${v}");`),
    '',
  ].join('\n');
}

/** Decode a C string literal made of octal escapes ("\001") into its bytes. */
function octalBytes(literal: string): number[] {
  const body = /^"(.*)"$/.exec(literal)?.[1] ?? '';
  return [...body.matchAll(/\\([0-7]{1,3})|(.)/g)].map((m) =>
    m[1] ? parseInt(m[1], 8) : m[2]!.charCodeAt(0),
  );
}

describe('xbgp-api: constants and point ids agree with the C headers', function () {
  before(function () {
    requireTools(this, 'clang');
  });
  after(removeWork);

  it('every value of constants.ts and points.ts holds in C', function () {
    const values = expectedValues();
    expect(values.length).to.be.greaterThan(140);
    const result = compileText('constants', constantsSource(values));
    expect(result.ok, result.ok ? '' : result.errors).to.equal(true);
  });

  it('fails to compile, naming the constant, when one value is wrong', function () {
    const result = compileText('constants-wrong', constantsSource([['PLUGIN_FILTER_ACCEPT', 256]]));
    expect(result.ok).to.equal(false);
    if (!result.ok) expect(result.errors).to.contain('PLUGIN_FILTER_ACCEPT == 256');
  });

  it('log levels L_* are one byte each, with the values of LogLevel', function () {
    const macros = macrosOf('levels', '#include "xbgp_plugin_api.h"\n');
    for (const [name, level] of Object.entries(K.LogLevel)) {
      expect(octalBytes(macros.get(name) ?? ''), name).to.deep.equal([level]);
      expect(K.LOG_LEVEL_MAP[level], name).to.be.a('string');
    }
  });

  it('every enumerator of enum ubpf_plugins is a point of points.ts (or BGP_UNUSED)', function () {
    const ast = astOf('points', '#include "xbgp_plugin_api.h"\n') as AstNode;
    const decl = findNode(ast, (n) => n.kind === 'EnumDecl' && n.name === 'ubpf_plugins');
    const names = (decl?.inner ?? []).filter((n) => n.kind === 'EnumConstantDecl').map((n) => n.name);
    const known = [...POINTS.map((p) => p.enumName), JOB_POINT.enumName, 'BGP_UNUSED'];
    expect(names).to.have.length(22);
    expect([...names].sort()).to.deep.equal([...known].sort());
  });
});

describe('xbgp-api: point and permission tables', function () {
  it('names are unique and lowercase forms of the enumerators; bgp_post_decision is its own point', function () {
    const names = POINTS.map((p) => p.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const p of POINTS) expect(p.name).to.equal(p.enumName.toLowerCase());
    expect(pointByName('bgp_post_decision')?.id).to.equal(11);
    expect(pointByName('bgp_pre_decision')?.id).to.equal(1);
    expect(pointByName('bgp_pre')).to.equal(undefined); // no prefix matching
  });

  it('the decision steps run in RFC 4271 order, first and last the xBGP wrappers', function () {
    expect(DECISION_STEPS.map((p) => p.name)).to.deep.equal([
      'bgp_initial_rte_decision',
      'bgp_pre_decision',
      'bgp_nexthop_resolvable_decision',
      'bgp_local_pref_decision',
      'bgp_as_path_length_decision',
      'bgp_use_origin_decision',
      'bgp_med_decision',
      'bgp_prefer_external_peer_decision',
      'bgp_igp_cost_decision',
      'bgp_router_id_decision',
      'bgp_ipaddr_decision',
      'bgp_post_decision',
    ]);
  });

  it('verdictOf: UNKNOWN leaves the step or the filter to the native code; undefined values too', function () {
    const med = pointByName('bgp_med_decision')!;
    expect(verdictOf(med, BigInt(K.BGP_ROUTE_TYPE_NEW))).to.include({
      native: false,
      name: 'BGP_ROUTE_TYPE_NEW',
    });
    expect(verdictOf(med, BigInt(K.BGP_ROUTE_TYPE_UNKNOWN))).to.include({ native: true });
    expect(verdictOf(med, 0n)).to.equal(undefined);
    const inbound = pointByName('bgp_pre_inbound_filter')!;
    expect(verdictOf(inbound, BigInt(K.PLUGIN_FILTER_REJECT))).to.include({ native: false });
    expect(verdictOf(inbound, BigInt(K.PLUGIN_FILTER_ACCEPT))).to.include({ native: true });
    expect(verdictOf(inbound, 0xffff_ffff_ffff_ffffn)).to.equal(undefined);
    const encode = pointByName('bgp_encode_attr')!;
    expect(verdictOf(encode, 7n)).to.deep.equal({ bytes: 7 });
    expect(verdictOf(encode, 0n)).to.equal(undefined);
    expect(verdictOf(encode, 4097n)).to.equal(undefined);
    expect(verdictOf(JOB_POINT, 0n)).to.equal(undefined);
  });

  it('permits: a pluglet needs every bit the helper requires', function () {
    const { read, write, usr_ptr, none } = K.PERMISSION_BITS;
    expect(K.permits(read | write | usr_ptr, write | usr_ptr)).to.equal(true);
    expect(K.permits(write, write | usr_ptr)).to.equal(false);
    expect(K.permits(read, write)).to.equal(false);
    expect(K.permits(none, none)).to.equal(true);
  });
});

interface AstNode {
  readonly kind?: string;
  readonly name?: string;
  readonly inner?: readonly AstNode[];
}

function findNode(node: AstNode, pred: (n: AstNode) => boolean): AstNode | undefined {
  if (pred(node)) return node;
  for (const child of node.inner ?? []) {
    const found = findNode(child, pred);
    if (found) return found;
  }
  return undefined;
}
