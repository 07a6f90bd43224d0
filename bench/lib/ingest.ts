// The in-process RDE benchmarks' setting (bench/rde-ingest.ts, bench/rde-ab.ts): the table's messages as
// a feeder would send them, the RDE's options, and the feeder and monitor peers brought up in an RDE.
import { MessageFramer } from '../../daemon/wire/index.js';
import type { Family } from '../../daemon/config/types.js';
import type { PeerSessionInfo, PeerSpec, Rde, RdeOptions } from '../../daemon/rde/rde.js';
import { loadOnePathPerPrefix, type TableRoute } from './table.js';
import { loadIpv6Table } from './table-ipv6.js';
import { IPV6_TABLE_SOURCES, ROUTEVIEWS_TABLE } from './repo.js';
import { encodeAnnouncements, encodeWithdrawals, type EncodedStream } from './updates.js';

export const FEEDER_AS = 4200000001;
export const LOCAL_AS = 4200000000;
export const MONITOR_AS = 4200000002;

/** The table (the RouteViews one, or the IPv6 one of 200,000 prefixes) and its UPDATEs, one message each. */
export interface IngestMessages {
  routes: TableRoute[];
  announce: Uint8Array[];
  withdraw: Uint8Array[];
}

export function messagesOf(stream: EncodedStream): Uint8Array[] {
  const out: Uint8Array[] = [];
  const framer = new MessageFramer();
  for (const block of stream.blocks) framer.feed(block, (m) => out.push(m.slice()));
  return out;
}

export async function ingestMessages(ipv6: boolean): Promise<IngestMessages> {
  const table: { routes: TableRoute[] } = ipv6
    ? await loadIpv6Table(IPV6_TABLE_SOURCES, 200_000)
    : await loadOnePathPerPrefix(ROUTEVIEWS_TABLE);
  const nextHop = ipv6 ? '2001:db8::2' : '127.0.0.2';
  return {
    routes: table.routes,
    announce: messagesOf(encodeAnnouncements(table.routes, { asn: FEEDER_AS, nextHop })),
    withdraw: messagesOf(encodeWithdrawals(table.routes, undefined, ipv6)),
  };
}

/** The RDE's options (no policy required, MED compared as RFC 4271 says), plugin hooks apart. */
export function ingestRdeOptions(): RdeOptions {
  return {
    localAsn: LOCAL_AS,
    routerId: 0x0a000001,
    decision: { alwaysCompareMed: false, deterministicMed: false },
    ebgpRequiresPolicy: false,
  };
}

/**
 * Bring up the feeder (127.0.0.2) and the monitor (127.0.0.3), iBGP where `ibgp` says, with IPv6 unicast
 * too when `ipv6`, and drain the monitor's initial End-of-RIB.
 */
export function ingestPeersUp(rde: Rde, ipv6: boolean, ibgp = { feeder: false, monitor: false }): void {
  const families: Family[] = ipv6 ? ['ipv4-unicast', 'ipv6-unicast'] : ['ipv4-unicast'];
  const info = (routerId: number, isIbgp: boolean): PeerSessionInfo => ({
    routerId,
    ibgp: isIbgp,
    asn4: true,
    families,
    addPathSend: new Set<Family>(),
    maxMessageLength: 4096,
    nextHopIpv4: '127.0.0.1',
    nextHopIpv6: '2001:db8::1',
  });
  const spec = (name: string, address: string, asn: number): PeerSpec => ({
    name,
    address,
    asn,
    nextHopSelf: false,
    sendMed: false,
    minRouteAdvertisementInterval: 0,
  });
  const asn = (isIbgp: boolean, own: number) => (isIbgp ? LOCAL_AS : own);
  const sink = { kick: () => undefined };
  rde.peerUp(spec('feeder', '127.0.0.2', asn(ibgp.feeder, FEEDER_AS)), info(2, ibgp.feeder), sink);
  rde.peerUp(spec('monitor', '127.0.0.3', asn(ibgp.monitor, MONITOR_AS)), info(3, ibgp.monitor), sink);
  for (const _ of rde.pull('monitor')); // the initial End-of-RIB
}
