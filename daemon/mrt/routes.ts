// Walks decoded MRT records route by route, in the order and with the choices `bgpdump -m` makes, and hands
// each route, withdrawal and state change to a RouteSink (bgpdump text or JSON lines, see sinks.ts). The rules
// (as bgpdump prints; test/mrt compares with bgpdump itself):
// - TABLE_DUMP_V2: one "B" line per RIB entry; the next hop is the MP_REACH_NLRI one (IPv6 first, then IPv4),
//   else NEXT_HOP. RIB_GENERIC and multicast RIBs print nothing.
// - BGP4MP UPDATE: withdrawals first (withdrawn routes, then MP_UNREACH_NLRI), then announcements (NLRI, then
//   MP_REACH_NLRI), for AFI 1/2 and SAFI 1/2/3 only. Host bits of UPDATE prefixes are cleared. OPEN,
//   NOTIFICATION, KEEPALIVE and ROUTE-REFRESH print nothing.
// - STATE_CHANGE: one "STATE" line.
import type { MpReachAttribute } from '../wire/attributes/types.js';
import { formatIpv4At } from '../net/address.js';
import { ipv6At } from './address.js';
import { attrText, BIT_MP_REACH, BIT_MP_UNREACH, type AttrText } from './attr-text.js';
import { decodeAttributeList } from './attributes.js';
import type { MrtHeader } from './framer.js';
import {
  decodeMrtRecord,
  type Bgp4mpMessageRecord,
  type PeerEntry,
  type RibRecord,
  type TableDumpRecord,
} from './records.js';

/** Where routes go. `time` is the record time text ("1401487200" or "1444261860.425340" for BGP4MP_ET). */
export interface RouteSink {
  /** A RIB entry ("B") or an announcement ("A"). `nextHop` undefined: bgpdump omits next hop, LOCAL_PREF and MED. */
  route(
    source: string,
    time: string,
    kind: 'B' | 'A',
    peer: string,
    peerAs: number,
    prefix: string,
    pathId: number | undefined,
    attrs: AttrText,
    nextHop: string | undefined,
  ): void;
  withdraw(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    prefix: string,
    pathId: number | undefined,
  ): void;
  state(source: string, time: string, peer: string, peerAs: number, oldState: number, newState: number): void;
}

const prefixBytes = new Uint8Array(16);

export class RouteWalker {
  /** The last PEER_INDEX_TABLE (RFC 6396 §4.3.1: RIB records refer to it by index). */
  private peers: PeerEntry[] = [];
  /** Records that could not be decoded (bgpdump skips them too). */
  skipped = 0;

  constructor(private readonly sink: RouteSink) {}

  private lastChunk: Uint8Array | undefined;
  private lastView: Uint8Array = new Uint8Array(0);

  /** One framed record (the framer's callback). */
  record(h: MrtHeader, data: Uint8Array, start: number, end: number): void {
    // Decode from a plain Uint8Array view of the chunk: subarray() of a Buffer goes through Buffer's species
    // constructor, several times slower, and the codec takes a few subarrays per attribute.
    if (data !== this.lastChunk) {
      this.lastChunk = data;
      this.lastView = new Uint8Array(data.buffer, data.byteOffset, data.length);
    }
    const rec = decodeMrtRecord(h, this.lastView, start, end);
    switch (rec.kind) {
      case 'rib':
        if (!rec.multicast) this.rib(rec);
        return;
      case 'peer-index-table':
        this.peers = rec.peers;
        return;
      case 'bgp4mp-message':
        this.message(rec);
        return;
      case 'bgp4mp-state-change': {
        const source = rec.et ? 'BGP4MP_ET' : 'BGP4MP';
        this.sink.state(source, timeText(rec), rec.peerAddress, rec.peerAs, rec.oldState, rec.newState);
        return;
      }
      case 'table-dump':
        this.tableDump(rec);
        return;
      case 'malformed':
        this.skipped++;
        return;
      default:
        return;
    }
  }

  // ===== TABLE_DUMP_V2 =====

  private rib(rec: RibRecord): void {
    const source = rec.addPath ? 'TABLE_DUMP2_AP' : 'TABLE_DUMP2';
    const time = String(rec.timestamp);
    const safi = rec.multicast ? 2 : 1;
    const prefix = rec.prefix + '/' + rec.prefixLength;
    for (const e of rec.entries) {
      const peer = this.peers[e.peerIndex];
      if (!peer) {
        this.skipped++;
        continue;
      }
      // RFC 6396 §4.3.4: "the AS_PATH attribute ... MUST be encoded as 4-byte AS numbers".
      const attrs = attrText(decodeAttributeList(e.attributes, true, true, rec.addPath, rec.afi, safi), true);
      let nextHop = attrs.nextHop;
      if (attrs.present & BIT_MP_REACH && attrs.mpReach) {
        const mp = attrs.mpReach;
        if (mp.abbreviated || (mp.afi === 2 && mp.safi === 1) || (mp.afi === 1 && mp.safi === 1)) {
          nextHop = mpNextHopText(mp) ?? nextHop;
        }
      }
      this.sink.route(source, time, 'B', peer.address, peer.asn, prefix, e.pathId, attrs, nextHop);
    }
  }

  // ===== TABLE_DUMP (v1) =====

  private tableDump(rec: TableDumpRecord): void {
    const attrs = attrText(decodeAttributeList(rec.attributes, false, false), false);
    let nextHop = attrs.nextHop;
    const mp = attrs.mpReach;
    if (attrs.present & BIT_MP_REACH && mp && (mp.abbreviated || (mp.afi === 2 && mp.safi === 1))) {
      nextHop = mp.nextHop.length >= 16 ? ipv6At(mp.nextHop, 0) : nextHop;
    }
    const prefix = rec.prefix + '/' + rec.prefixLength;
    this.sink.route(
      'TABLE_DUMP',
      String(rec.timestamp),
      'B',
      rec.peerAddress,
      rec.peerAs,
      prefix,
      undefined,
      attrs,
      nextHop,
    );
  }

  // ===== BGP4MP =====

  private message(rec: Bgp4mpMessageRecord): void {
    const m = rec.message;
    // RFC 4271 §4.1: Length (2) after the 16-octet marker, then Type (1); UPDATE is type 2.
    const declared = (m[16]! << 8) | m[17]!;
    const end = Math.min(m.length, Math.max(declared, 19));
    if (m[18] !== 2) return;
    // RFC 4271 §4.3: Withdrawn Routes Length (2), Withdrawn Routes, Total Path Attribute Length (2), Path
    // Attributes, NLRI. A field running past the message is cut at its end, as bgpdump reads it.
    let o = 19;
    const withdrawnLength = o + 2 <= end ? (m[o]! << 8) | m[o + 1]! : 0;
    o = Math.min(o + 2, end);
    const withdrawnStart = o;
    const withdrawnEnd = Math.min(o + withdrawnLength, end);
    o = withdrawnEnd;
    const attrLength = o + 2 <= end ? (m[o]! << 8) | m[o + 1]! : 0;
    o = Math.min(o + 2, end);
    const attrEnd = Math.min(o + attrLength, end);
    const attrs = attrText(decodeAttributeList(m.subarray(o, attrEnd), rec.as4, false, rec.addPath), rec.as4);
    const nlriStart = attrEnd;

    let source = rec.et ? 'BGP4MP_ET' : 'BGP4MP';
    if (rec.local) source += '_LOCAL';
    if (rec.addPath) source += '_AP';
    const time = timeText(rec);
    const peer = rec.peerAddress;
    const peerAs = rec.peerAs;
    const sink = this.sink;
    const addPath = rec.addPath;

    if (withdrawnEnd > withdrawnStart || attrs.present & BIT_MP_UNREACH) {
      walkPrefixes(m, withdrawnStart, withdrawnEnd, 1, addPath, (prefix, pathId) =>
        sink.withdraw(source, time, peer, peerAs, prefix, pathId),
      );
      const un = attrs.mpUnreach;
      if (un && (un.afi === 1 || un.afi === 2) && un.safi >= 1 && un.safi <= 3) {
        const b = un.withdrawn.bytes;
        walkPrefixes(b, 0, b.length, un.afi, addPath, (prefix, pathId) =>
          sink.withdraw(source, time, peer, peerAs, prefix, pathId),
        );
      }
    }
    if (end > nlriStart || attrs.present & BIT_MP_REACH) {
      walkPrefixes(m, nlriStart, end, 1, addPath, (prefix, pathId) =>
        sink.route(source, time, 'A', peer, peerAs, prefix, pathId, attrs, attrs.nextHop),
      );
      const mp = attrs.mpReach;
      if (mp && !mp.abbreviated && (mp.afi === 1 || mp.afi === 2) && mp.safi >= 1 && mp.safi <= 3) {
        const nextHop = mpNextHopText(mp);
        const b = mp.nlri.bytes;
        walkPrefixes(b, 0, b.length, mp.afi, addPath, (prefix, pathId) =>
          sink.route(source, time, 'A', peer, peerAs, prefix, pathId, attrs, nextHop),
        );
      }
    }
  }
}

function timeText(rec: { timestamp: number; microseconds: number; type: number }): string {
  if (rec.type !== 17) return String(rec.timestamp);
  return rec.timestamp + '.' + String(rec.microseconds).padStart(6, '0');
}

/** bgpdump reads next hops of 4, 16 and 32 (global + link-local) octets; it prints the global one. */
function mpNextHopText(mp: MpReachAttribute): string | undefined {
  const n = mp.nextHop;
  if (n.length === 4) return formatIpv4At(n, 0);
  if (n.length === 16 || n.length === 32) return ipv6At(n, 0);
  return undefined;
}

/**
 * Calls `visit` with "prefix/len" for each prefix in b[start, end). RFC 4271 §4.3: "the Prefix field contains
 * an IP address prefix, followed by the minimum number of trailing bits needed to make the end of the field
 * fall on an octet boundary. Note that the value of trailing bits is irrelevant": they are cleared here. A
 * prefix running past `end` ends the list (it is incomplete, as a recorder cut it).
 */
function walkPrefixes(
  b: Uint8Array,
  start: number,
  end: number,
  afi: number,
  addPath: boolean,
  visit: (prefix: string, pathId: number | undefined) => void,
): void {
  const alen = afi === 2 ? 16 : 4;
  let o = start;
  while (o < end) {
    let pathId: number | undefined;
    if (addPath) {
      if (end - o < 5) return;
      pathId = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
      o += 4;
    }
    const bits = b[o++]!;
    const n = (bits + 7) >> 3;
    if (end - o < n || n > alen) return;
    prefixBytes.fill(0, 0, alen);
    for (let i = 0; i < n; i++) prefixBytes[i] = b[o + i]!;
    // bgpdump prints the network: clear the host bits of the last octet.
    const hostBits = (8 - (bits & 7)) & 7;
    if (hostBits !== 0) prefixBytes[n - 1] = (b[o + n - 1]! >> hostBits) << hostBits;
    o += n;
    visit((afi === 2 ? ipv6At(prefixBytes, 0) : formatIpv4At(prefixBytes, 0)) + '/' + bits, pathId);
  }
}
