// Issue 14 acceptance: xbgpd with plugins/route_reflector reflects routes exactly as FRR's native route
// reflector does, for real BIRD and FRR clients.
//
//            c1 (BIRD, client)   c2 (FRR, client)   c3 (BIRD, client)   nc (FRR, non-client)
//                        \              |                  |              /
//                         ------------- rr (AS 65000, CLUSTER_ID 10.255.255.1) ----
//
// Every router is in AS 65000 and originates one prefix; each client and the non-client peers with rr
// only. The topology runs twice: rr is xbgpd with the plugin (clients listed in its extra
// configuration), then FRR with `route-reflector-client` on the three clients. In each run every
// client must hold the routes of the other clients, the non-client's and rr's own, and the non-client
// those of the clients and rr's (not its own); then, per router and prefix, the NEXT_HOP, ORIGINATOR_ID
// and CLUSTER_LIST must be the same in both runs (and the ones RFC 4456 gives: the originator's router
// id, [CLUSTER_ID], the originator's address; rr's own route without either attribute).
import { expect } from 'chai';
import { requireTools } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import type { BirdRouter } from '../lab/bird.js';
import type { FrrRouter } from '../lab/frr.js';
import { Lab, openLab } from '../lab/lab.js';
import type { Link } from '../lab/netns.js';
import type { NeighborSpec, RouterSpec } from '../lab/types.js';
import { waitFor } from '../lab/wait.js';
import { labWaits } from '../lab/waits.js';

const AS = 65000;
const CLUSTER = '10.255.255.1';
const RR_ID = '10.255.0.1';
const RR_ROUTE = '192.0.2.0/24';

/** The routers around rr: name, daemon, router id, prefix, client or not. */
const EDGE = [
  { name: 'c1', kind: 'bird', id: '10.255.0.11', route: '198.51.100.0/24', client: true },
  { name: 'c2', kind: 'frr', id: '10.255.0.12', route: '203.0.113.0/24', client: true },
  { name: 'c3', kind: 'bird', id: '10.255.0.13', route: '100.64.3.0/24', client: true },
  { name: 'nc', kind: 'frr', id: '10.255.0.14', route: '100.64.4.0/24', client: false },
] as const;
type Edge = (typeof EDGE)[number];

/** What a router holds for one prefix learned from rr. */
interface Held {
  nextHop: string;
  originatorId: string | null;
  clusterList: string[] | null;
}
/** Per edge router, per prefix. */
type Ribs = Record<string, Record<string, Held>>;

const waits = labWaits(30_000);

/** The prefixes `edge` must hold: rr's, every client's but its own, the non-client's if it is a client. */
function expectedPrefixes(edge: Edge): string[] {
  const others = EDGE.filter((e) => e !== edge && (edge.client || e.client)).map((e) => e.route);
  return [RR_ROUTE, ...others].sort();
}

/** FRR's routes from `from`, with ORIGINATOR_ID and CLUSTER_LIST (`show bgp ipv4 unicast PREFIX json`). */
async function frrRib(frr: FrrRouter, from: string): Promise<Record<string, Held>> {
  const out: Record<string, Held> = {};
  for (const r of await frr.receivedRoutes()) {
    if (r.from !== from) continue;
    const detail = await frr.vtyshJson(`show bgp ipv4 unicast ${r.prefix} json`);
    const path = ((detail?.paths as any[] | undefined) ?? []).find((p) => p?.peer?.peerId === from);
    const list = path?.clusterList?.list as string[] | undefined;
    out[r.prefix] = {
      nextHop: String(path?.nexthops?.[0]?.ip ?? r.nextHop),
      originatorId: (path?.originatorId as string | undefined) ?? null,
      clusterList: list ?? null,
    };
  }
  return out;
}

async function birdRib(bird: BirdRouter, from: string): Promise<Record<string, Held>> {
  const out: Record<string, Held> = {};
  for (const r of await bird.receivedRoutes()) {
    if (r.from !== from) continue;
    out[r.prefix] = {
      nextHop: r.nextHop ?? '',
      originatorId: r.originatorId ?? null,
      clusterList: r.clusterList ?? null,
    };
  }
  return out;
}

/**
 * Build the topology with rr as `reflector`, wait until every edge router holds exactly its expected
 * prefixes from rr, read their RIBs, tear the lab down.
 */
async function runTopology(ctx: Mocha.Context, reflector: 'xbgpd' | 'frr'): Promise<Ribs> {
  const lab: Lab = openLab(ctx);
  try {
    const links: Record<string, Link> = {};
    for (const e of EDGE) links[e.name] = await lab.link('rr', e.name);
    const edgeRouters: Record<string, BirdRouter | FrrRouter> = {};
    for (const e of EDGE) {
      const link = links[e.name]!;
      // BIRD: iBGP as multihop (the default for iBGP), so next hops of other links are kept (unresolved).
      const neighbor: NeighborSpec = {
        address: link.a.ipv4,
        localAddress: link.b.ipv4,
        asn: AS,
        multihop: true,
      };
      const spec: RouterSpec = { routerId: e.id, asn: AS, routes: [e.route], neighbors: [neighbor] };
      edgeRouters[e.name] = e.kind === 'bird' ? await lab.bird(e.name, spec) : await lab.frr(e.name, spec);
    }
    if (reflector === 'xbgpd') {
      await lab.xbgpd('rr', {
        routerId: RR_ID,
        asn: AS,
        listen: EDGE.map((e) => ({ address: links[e.name]!.a.ipv4 })),
        peers: EDGE.map((e) => ({
          name: e.name,
          address: links[e.name]!.b.ipv4,
          asn: AS,
          families: ['ipv4-unicast'],
        })),
        originate: [{ prefix: RR_ROUTE }],
        plugins: [
          {
            manifest: shippedPlugin('route_reflector'),
            conf: {
              cluster_id: { type_arg: 'ipv4', arg: CLUSTER },
              clients: {
                type_arg: 'list',
                arg: EDGE.filter((e) => e.client).map((e) => ({
                  type_arg: 'ipv4',
                  arg: links[e.name]!.b.ipv4,
                })),
              },
            },
          },
        ],
      });
    } else {
      await lab.frr('rr', {
        routerId: RR_ID,
        asn: AS,
        clusterId: CLUSTER,
        routes: [RR_ROUTE],
        neighbors: EDGE.map((e) => ({
          address: links[e.name]!.b.ipv4,
          localAddress: links[e.name]!.a.ipv4,
          asn: AS,
          routeReflectorClient: e.client,
        })),
      });
    }
    const ribs: Ribs = {};
    for (const e of EDGE) {
      const router = edgeRouters[e.name]!;
      const rr = links[e.name]!.a.ipv4;
      await waits.established(router, rr);
      const read = (): Promise<Record<string, Held>> =>
        router.kind === 'bird' ? birdRib(router, rr) : frrRib(router as FrrRouter, rr);
      const want = JSON.stringify(expectedPrefixes(e));
      ribs[e.name] = await waitFor(
        `${reflector} run: ${e.name} holds ${want}`,
        async () => {
          const rib = await read();
          return JSON.stringify(Object.keys(rib).sort()) === want ? rib : undefined;
        },
        { timeoutMs: 30_000 },
      );
    }
    // Nothing more arrives later (a route sent where RFC 4456 says not to would show up here).
    await new Promise((r) => setTimeout(r, 2000));
    for (const e of EDGE) {
      const router = edgeRouters[e.name]!;
      const rr = links[e.name]!.a.ipv4;
      const again =
        router.kind === 'bird' ? await birdRib(router, rr) : await frrRib(router as FrrRouter, rr);
      expect(again, `${reflector} run: ${e.name}, 2 s later`).to.deep.equal(ribs[e.name]);
    }
    // The next hops name links; the same links get the same addresses in both runs (the lab numbers them
    // in creation order), but say them by router to compare: the originator's address on its link.
    const byRouter = new Map<string, string>();
    for (const e of EDGE) {
      byRouter.set(links[e.name]!.b.ipv4, e.name);
      byRouter.set(links[e.name]!.a.ipv4, `rr@${e.name}`);
    }
    for (const rib of Object.values(ribs))
      for (const held of Object.values(rib)) held.nextHop = byRouter.get(held.nextHop) ?? held.nextHop;
    return ribs;
  } finally {
    await lab.teardown();
  }
}

describe('scenario: route reflection, xbgpd with plugins/route_reflector against FRR as the native reflector', function () {
  this.timeout(180_000);
  let withXbgpd: Ribs;
  let withFrr: Ribs;

  before(async function () {
    requireTools(this, 'clang');
    withXbgpd = await runTopology(this, 'xbgpd');
    withFrr = await runTopology(this, 'frr');
  });

  it("every client holds the other clients', the non-client's and rr's routes; the non-client the clients' and rr's", function () {
    for (const e of EDGE) {
      expect(Object.keys(withXbgpd[e.name]!).sort(), `xbgpd run: ${e.name}`).to.deep.equal(
        expectedPrefixes(e),
      );
      expect(Object.keys(withFrr[e.name]!).sort(), `FRR run: ${e.name}`).to.deep.equal(expectedPrefixes(e));
    }
  });

  it("reflected routes carry the originator's router id, [CLUSTER_ID] and the originator's next hop; rr's own route neither attribute", function () {
    for (const e of EDGE) {
      const rib = withXbgpd[e.name]!;
      expect(rib[RR_ROUTE], `${e.name}: rr's route`).to.deep.equal({
        nextHop: `rr@${e.name}`,
        originatorId: null,
        clusterList: null,
      });
      for (const o of EDGE.filter((x) => rib[x.route] !== undefined))
        expect(rib[o.route], `${e.name}: ${o.name}'s route`).to.deep.equal({
          nextHop: o.name,
          originatorId: o.id,
          clusterList: [CLUSTER],
        });
    }
  });

  it('every router holds the same routes with the same NEXT_HOP, ORIGINATOR_ID and CLUSTER_LIST in both runs', function () {
    expect(withXbgpd).to.deep.equal(withFrr);
  });
});
