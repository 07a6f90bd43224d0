// Peers for the RDE tests driven without sockets: the PeerSpec and PeerSessionInfo handed to Rde.peerUp,
// the IPv4 UPDATEs they send, what the RDE sends them as seen on the wire, and the config of an edge speaker
// for the tests over TCP.
import type { Family } from '../../daemon/config/types.js';
import type { PeerSessionInfo, PeerSpec } from '../../daemon/rde/rde.js';
import {
  buildNlri,
  decodeMessage,
  encodeMessage,
  formatAsPath,
  formatIpv4,
  getAttribute,
  makeAsPath,
  makeNextHop,
  makeOrigin,
  type PathAttribute,
  type UpdateMessage,
} from '../../daemon/wire/index.js';

/** A peer with no next-hop-self, no MED sent and no MRAI, then `over`. */
export function spec(name: string, address: string, asn: number, over: Partial<PeerSpec> = {}): PeerSpec {
  return {
    name,
    address,
    asn,
    nextHopSelf: false,
    sendMed: false,
    minRouteAdvertisementInterval: 0,
    ...over,
  };
}

/** An established session (4-octet AS, 4096-octet messages, no ADD-PATH send) carrying `families`. */
export function info(
  routerId: number,
  ibgp: boolean,
  families: Family[] = ['ipv4-unicast', 'ipv6-unicast'],
): PeerSessionInfo {
  return {
    routerId,
    ibgp,
    asn4: true,
    families,
    addPathSend: new Set<Family>(),
    maxMessageLength: 4096,
    nextHopIpv4: '192.0.2.100',
    nextHopIpv6: '2001:db8::100',
  };
}

/** An IPv4 UPDATE announcing `prefixes` with ORIGIN IGP, AS_PATH `asns` (one sequence), NEXT_HOP, `extra`. */
export function announce(
  prefixes: string[],
  asns: number[],
  nextHop: number,
  extra: PathAttribute[] = [],
): UpdateMessage {
  return {
    type: 'update',
    withdrawn: buildNlri(1, 1, []),
    attributes: [makeOrigin(0), makeAsPath([{ type: 2, asns }], true), makeNextHop(nextHop), ...extra],
    nlri: buildNlri(1, 1, prefixes),
  };
}

/** An IPv4 UPDATE withdrawing `prefixes`. */
export function withdraw(prefixes: string[]): UpdateMessage {
  return { type: 'update', withdrawn: buildNlri(1, 1, prefixes), attributes: [], nlri: buildNlri(1, 1, []) };
}

/** An UPDATE the RDE produced, as the peer sees it: encoded and decoded again (throws if it does not decode). */
export function onTheWire(u: UpdateMessage): UpdateMessage {
  const r = decodeMessage(encodeMessage(u), { asn4: true });
  if (!r.ok || r.message.type !== 'update') throw new Error('bad UPDATE');
  return r.message;
}

/** What a peer is told about an IPv4 prefix. */
export interface Route {
  asPath: string;
  nextHop: string;
  localPref?: number;
  med?: number;
}

/** The route an IPv4 UPDATE announces (AS path, NEXT_HOP, LOCAL_PREF and MED when present). */
export function routeOf(m: UpdateMessage): Route {
  const route: Route = {
    asPath: formatAsPath(getAttribute(m.attributes, 'as-path')!.segments),
    nextHop: formatIpv4(getAttribute(m.attributes, 'next-hop')!.nextHop),
  };
  const lp = getAttribute(m.attributes, 'local-pref');
  if (lp) route.localPref = lp.localPref;
  const med = getAttribute(m.attributes, 'med');
  if (med) route.med = med.med;
  return route;
}

/** The YAML config of an edge speaker (router id 10.0.0.x on 127.0.0.x) peering with the DUT (AS 65000) and originating `originate`. */
export function edgeConfig(id: string, asn: number, port: number, originate: string[]): string {
  return `
router-id: ${id}
asn: ${asn}
peers: [{ name: dut, address: 127.0.0.1, port: ${port}, local-address: ${id.replace('10.0.0', '127.0.0')}, asn: 65000, connect-retry-time: 1 }]
originate: [${originate.map((p) => `{ prefix: ${p} }`).join(', ')}]
`;
}
