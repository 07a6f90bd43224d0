// Peers for the RDE tests driven without sockets: the PeerSpec and PeerSessionInfo handed to Rde.peerUp,
// and the IPv4 UPDATEs they send.
import type { Family } from '../../daemon/config/types.js';
import type { PeerSessionInfo, PeerSpec } from '../../daemon/rde/rde.js';
import {
  buildNlri,
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
