// The helpers that come in both of the VM's calling conventions (registry.ts HelperImpl: a bigint
// function and a number one) must be the same helper: for every such helper of the host, seeded random
// arguments below 2^53 (addresses in every region and beside them, NULL, codes and lengths around the
// byte, 16-, 31- and 32-bit limits) are given to each convention on identical fresh states, which must
// end identical: r0 (or the fault's code, pc and message), the scratch, heap and shared bytes, the
// route's attributes, and the misuse recorded on the Call.
import { expect } from 'chai';
import { VmFault } from '../../../vm/index.js';
import { AttrStore } from '../../../daemon/rde/attr-store.js';
import { RouteState } from '../../../daemon/plugins/route.js';
import { baseHelpers } from '../../../daemon/plugins/helpers/base.js';
import { bgpHelpers } from '../../../daemon/plugins/helpers/bgp.js';
import type { HelperImpl } from '../../../daemon/plugins/helpers/registry.js';
import type { PeerInfo } from '../../../daemon/plugins/call.js';
import {
  makeAsPath,
  makeClusterList,
  makeCommunities,
  makeNextHop,
  makeOrigin,
  makeOriginatorId,
} from '../../../daemon/wire/index.js';
import { helperByName } from '../../../xbgp-api/index.js';
import { prng } from '../../helpers/random.js';
import { Harness, invokeImpl } from './harness.js';

const local: PeerInfo = { asn: 65000, routerId: 0x0a000001, peerType: 1, address: undefined };
const source: PeerInfo = {
  asn: 65000,
  routerId: 0x0a000002,
  peerType: 1,
  address: Uint8Array.of(10, 0, 0, 2),
  local,
};
const destinations: PeerInfo[] = [
  { asn: 65000, routerId: 0x0a000003, peerType: 1, address: Uint8Array.of(10, 0, 0, 3), local },
  {
    asn: 65001,
    routerId: 0x0a000004,
    peerType: 0,
    address: Uint8Array.of(0xfe, 0x80, ...new Array<number>(13).fill(0), 4),
    local,
  },
];

/** A Harness at the outbound filter with a route, its peers, a shared block and scratch contents. */
function fresh(): Harness {
  const h = new Harness({ point: 'bgp_pre_outbound_filter' });
  const store = new AttrStore();
  const set = store.intern([
    makeOrigin(0),
    makeAsPath([{ type: 2, asns: [65001, 65002] }], true),
    makeNextHop(0x0a000002),
    makeOriginatorId(0x0a000009),
    makeClusterList([1, 2, 3]),
    makeCommunities([0x0001_0002]),
  ]);
  const route = new RouteState();
  route.reset(set, false, store);
  h.call.route = route;
  h.call.sourcePeer = source;
  h.call.destinationPeers = destinations;
  h.memory.shmNew(1, 64);
  h.memory.shared.fill(7, 0, 64);
  // A struct path_attribute (ORIGINATOR_ID, optional, length 4) and bytes to copy or add.
  h.put(Uint8Array.of(9, 0x80, 0, 0, 4, 0, 0, 0, 192, 0, 2, 1));
  h.put(Uint8Array.of(8, 0xc0, 0, 0, 8, 0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4));
  for (let i = 0; i < 64; i++) h.scratch[64 + i] = i * 7;
  return h;
}

/** What a call left behind, to compare. */
function outcome(h: Harness, r: bigint | VmFault): unknown {
  const route = h.call.route!;
  return {
    r0: r instanceof VmFault ? { code: r.code, pc: r.pc, message: r.message } : r,
    scratch: [...h.scratch],
    heap: [...h.memory.heap],
    shared: [...h.memory.shared],
    attributes: route.codes().map((code) => {
      const a = route.get(code)!;
      return [code, a.flags, [...a.value]];
    }),
    misuse: h.call.helperFault,
  };
}

/** Argument values below 2^53: addresses in and around each region, and scalars at their limits. */
function pool(h: Harness): bigint[] {
  const heap = h.mem.addressOf('heap')!;
  const shared = h.mem.addressOf('shared')!;
  return [
    0n,
    1n,
    2n,
    4n,
    8n,
    9n,
    10n,
    12n,
    16n,
    0x80n,
    0xffn,
    0x108n,
    0x1ffn,
    0xffffn,
    0x1_0009n,
    0x7fff_ffffn,
    0x8000_0000n,
    0xffff_ffffn,
    0x1_0000_0000n,
    0x1_0000_0009n,
    2n ** 53n - 1n,
    h.scratchBase,
    h.scratchBase + 8n,
    h.scratchBase + 16n,
    h.scratchBase + 64n,
    h.scratchBase + 4094n,
    h.scratchBase + 4096n,
    h.rodataBase,
    h.rodataBase + 60n,
    heap,
    heap + 1020n,
    shared,
    shared + 60n,
  ];
}

/** Arguments that reach each helper's successful paths (random ones seldom do), `s` the scratch base. */
function chosen(name: string, h: Harness): bigint[][] {
  const s = h.scratchBase;
  switch (name) {
    case 'add_attr':
      return [
        [9n, 0x80n, 4n, s + 8n],
        [8n, 0xc0n, 8n, s + 24n],
        [0x109n, 0x180n, 0x1_0004n, s + 8n],
        [2n, 0x40n, 4n, s + 8n],
      ];
    case 'set_attr':
      return [[s], [s + 16n], [s + 8n]];
    case 'ebpf_memcpy':
    case 'ebpf_memcmp':
      return [
        [s + 64n, s + 66n, 8n],
        [s + 66n, s + 64n, 8n],
        [s + 16n, h.rodataBase, 4n],
        [s + 64n, s + 64n, 0n],
      ];
    case 'get_attr_from_code':
      return [[1n], [2n], [3n], [9n], [10n], [0x10an], [0x1_0000_0008n]];
    case 'ctx_shmget':
      return [[1n], [0x1_0000_0001n], [2n]];
    default:
      return [];
  }
}

const impls: Record<string, HelperImpl> = { ...baseHelpers, ...bgpHelpers };
const dual = Object.keys(impls).filter((name) => typeof impls[name] !== 'function');

describe('plugins/helpers: the two calling conventions of a helper agree', function () {
  it('the hot helpers have both', function () {
    for (const name of [
      'get_attr_from_code',
      'add_attr',
      'set_attr',
      'get_peer_info',
      'get_src_peer_info',
      'ctx_malloc',
      'ctx_shmget',
      'ebpf_memcpy',
      'ebpf_htonl',
      'ebpf_ntohs',
    ])
      expect(dual, name).to.include(name);
  });

  for (const name of dual) {
    it(`${name}: identical outcomes on seeded random arguments`, function () {
      const arity = helperByName(name)!.args.length;
      const random = prng(name.length * 7919 + name.charCodeAt(0));
      const values = pool(fresh());
      const cases = chosen(name, fresh());
      for (let round = 0; round < 200; round++)
        cases.push(Array.from({ length: arity }, () => values[Math.floor(random() * values.length)]!));
      for (const regs of cases) {
        const a = fresh();
        const b = fresh();
        const ra = invokeImpl(impls[name], name, regs, a.ctx, 'bigint');
        const rb = invokeImpl(impls[name], name, regs, b.ctx, 'number');
        expect(outcome(b, rb), `${name}(${regs.map((v) => '0x' + v.toString(16)).join(', ')})`).to.deep.equal(
          outcome(a, ra),
        );
      }
    });
  }
});
