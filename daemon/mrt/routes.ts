// Walks decoded MRT records route by route, in the order and with the choices `bgpdump -m` makes, and hands
// each route, withdrawal and state change to a RouteSink (bgpdump text or JSON lines, see sinks.ts). The rules
// (as bgpdump prints; test/mrt compares with bgpdump itself):
// - TABLE_DUMP_V2: one "B" line per RIB entry; the next hop is the MP_REACH_NLRI one (IPv6 first, then IPv4),
//   else NEXT_HOP. RIB_GENERIC and multicast RIBs print nothing.
// - BGP4MP UPDATE: withdrawals first (withdrawn routes, then MP_UNREACH_NLRI), then announcements (NLRI, then
//   MP_REACH_NLRI), for AFI 1/2 and SAFI 1/2/3 only. Host bits of UPDATE prefixes are cleared. OPEN,
//   NOTIFICATION, KEEPALIVE and ROUTE-REFRESH print nothing.
// - STATE_CHANGE: one "STATE" line.
// - Deprecated BGP (type 5): UPDATE withdrawals and announcements of the IPv4 fields only (bgpdump reads no MP
//   attribute there), its announcement lines without the "|" before the communities, as bgpdump writes them;
//   STATE_CHANGE as a "STATE" line; OPEN, NOTIFY and KEEPALIVE print nothing.
// Nothing is left out silently: a record of an unknown type or subtype, a malformed one, a RIB entry of an
// unknown peer and a BGP message that does not decode are counted per kind (`skips`) and told to the sink.
// BGP4MP messages of a non-ADDPATH subtype whose prefix fields parse only with RFC 7911 path identifiers (as
// older BIRD versions wrote them) are read with them and counted in `addPathInPlain`.
import type { MpReachAttribute, PathAttribute } from '../wire/attributes/types.js';
import { formatIpv4At } from '../net/address.js';
import { ipv6At } from './address.js';
import { attrText, BIT_MP_REACH, BIT_MP_UNREACH, type AttrText } from './attr-text.js';
import { decodeAttributeList } from './attributes.js';
import type { MrtHeader } from './framer.js';
import type { MrtSkip, MrtSkipCode } from './errors.js';
import {
  decodeMrtRecord,
  type Bgp4mpMessageRecord,
  type BgpMessageRecord,
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
  /** An announcement of a deprecated BGP (type 5) UPDATE (bgpdump writes its line differently). */
  bgpRoute(time: string, peer: string, peerAs: number, prefix: string, attrs: AttrText): void;
  /** Record `record` (1-based), or part of it, was not printed: `code` and `reason` say why. */
  skipped(record: number, h: MrtHeader, code: MrtSkipCode, reason: string): void;
}

/** Names of the MRT types this reader knows, for messages. */
const TYPE_NAMES: Readonly<Record<number, string>> = {
  5: 'BGP',
  12: 'TABLE_DUMP',
  13: 'TABLE_DUMP_V2',
  16: 'BGP4MP',
  17: 'BGP4MP_ET',
};

/** The withdrawn routes, attributes and NLRI of one UPDATE body, located in a message. */
interface UpdateFields {
  withdrawnStart: number;
  withdrawnEnd: number;
  attrStart: number;
  attrEnd: number;
  nlriEnd: number;
  /** A length field runs past the message (the fields were cut at its end). */
  cut: boolean;
}

const prefixBytes = new Uint8Array(16);

export class RouteWalker {
  /** The last PEER_INDEX_TABLE (RFC 6396 §4.3.1: RIB records refer to it by index). */
  private peers: PeerEntry[] = [];
  /** Records seen so far; the current record's number (1-based). */
  records = 0;
  /** What was left out, per kind (code and type/subtype), in the order first seen. */
  readonly skips = new Map<string, MrtSkip>();
  /** BGP4MP messages of non-ADDPATH subtypes read with path identifiers: how many, the first record. */
  addPathInPlain: { first: number; count: number } | undefined;
  private header: MrtHeader | undefined;

  constructor(private readonly sink: RouteSink) {}

  /** Records (or RIB entries) left out, all kinds. */
  get skipped(): number {
    let n = 0;
    for (const s of this.skips.values()) n += s.count;
    return n;
  }

  private skip(code: MrtSkipCode, reason: string, kindKey = ''): void {
    const h = this.header!;
    const key = `${code}|${h.type}/${h.subtype}|${kindKey}`;
    const known = this.skips.get(key);
    if (known) known.count++;
    else this.skips.set(key, { code, reason, first: this.records, count: 1 });
    this.sink.skipped(this.records, h, code, reason);
  }

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
    this.records++;
    this.header = h;
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
      case 'bgp-message':
        if (rec.message === 'update') this.bgpUpdate(rec);
        return;
      case 'bgp-state-change':
        this.sink.state(
          'BGP',
          String(rec.timestamp),
          rec.peerAddress,
          rec.peerAs,
          rec.oldState,
          rec.newState,
        );
        return;
      case 'malformed': {
        const name = TYPE_NAMES[h.type] ?? `type ${h.type}`;
        this.skip('ERR_MRT_MALFORMED_RECORD', `${name} subtype ${h.subtype}: ${rec.reason}`);
        return;
      }
      case 'unknown': {
        const name = TYPE_NAMES[h.type];
        if (name === undefined) this.skip('ERR_MRT_UNKNOWN_TYPE', `unknown MRT type ${h.type}`);
        else this.skip('ERR_MRT_UNKNOWN_SUBTYPE', `${name} subtype ${h.subtype} is not supported`);
        return;
      }
      default:
        // PEER_INDEX_TABLE is kept above; RIB_GENERIC prints nothing, as in bgpdump.
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
        this.skip(
          'ERR_MRT_UNKNOWN_PEER_INDEX',
          `RIB entry of peer index ${e.peerIndex}, not in the PEER_INDEX_TABLE`,
        );
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
    if (m.length < 19) {
      this.skip('ERR_MRT_BGP_MESSAGE', `BGP message of ${m.length} octets, shorter than its header`, 'short');
      return;
    }
    // RFC 4271 §4.1: Length (2) after the 16-octet marker, then Type (1); UPDATE is type 2.
    const declared = (m[16]! << 8) | m[17]!;
    const end = Math.min(m.length, Math.max(declared, 19));
    if (m[18] !== 2) return;
    const f = updateFields(m, 19, end);
    const rawAttrs = m.subarray(f.attrStart, f.attrEnd);
    let addPath = rec.addPath;
    let attributes = decodeAttributeList(rawAttrs, rec.as4, false, addPath);
    if (!addPath && !fieldsParse(m, f, attributes, false)) {
      // An older BIRD wrote RFC 7911 path identifiers in MESSAGE / MESSAGE_AS4 records of ADD-PATH sessions.
      const withIds = decodeAttributeList(rawAttrs, rec.as4, false, true);
      if (fieldsParse(m, f, withIds, true)) {
        addPath = true;
        attributes = withIds;
        if (this.addPathInPlain) this.addPathInPlain.count++;
        else this.addPathInPlain = { first: this.records, count: 1 };
      }
    }
    const attrs = attrText(attributes, rec.as4);
    let source = rec.et ? 'BGP4MP_ET' : 'BGP4MP';
    if (rec.local) source += '_LOCAL';
    if (addPath) source += '_AP';
    this.updateLines(source, timeText(rec), rec.peerAddress, rec.peerAs, m, f, attrs, addPath, false);
    this.checkDecoded(m, f, attributes, addPath, false);
  }

  // ===== deprecated BGP (type 5) =====

  private bgpUpdate(rec: BgpMessageRecord): void {
    const m = rec.body;
    const f = updateFields(m, 0, m.length);
    // 2-octet ASNs (the type predates RFC 6793); no path identifiers.
    const attributes = decodeAttributeList(m.subarray(f.attrStart, f.attrEnd), false, false);
    const attrs = attrText(attributes, false);
    this.updateLines('BGP', String(rec.timestamp), rec.peerAddress, rec.peerAs, m, f, attrs, false, true);
    this.checkDecoded(m, f, attributes, false, true);
  }

  // ===== UPDATE =====

  /** The lines of one UPDATE. `legacy`: a deprecated BGP record (IPv4 fields only, its own line form). */
  private updateLines(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    m: Uint8Array,
    f: UpdateFields,
    attrs: AttrText,
    addPath: boolean,
    legacy: boolean,
  ): void {
    const sink = this.sink;
    if (f.withdrawnEnd > f.withdrawnStart || (!legacy && attrs.present & BIT_MP_UNREACH)) {
      walkPrefixes(m, f.withdrawnStart, f.withdrawnEnd, 1, addPath, (prefix, pathId) =>
        sink.withdraw(source, time, peer, peerAs, prefix, pathId),
      );
      const un = attrs.mpUnreach;
      if (!legacy && un && (un.afi === 1 || un.afi === 2) && un.safi >= 1 && un.safi <= 3) {
        const b = un.withdrawn.bytes;
        walkPrefixes(b, 0, b.length, un.afi, addPath, (prefix, pathId) =>
          sink.withdraw(source, time, peer, peerAs, prefix, pathId),
        );
      }
    }
    if (legacy) {
      walkPrefixes(m, f.attrEnd, f.nlriEnd, 1, false, (prefix) =>
        sink.bgpRoute(time, peer, peerAs, prefix, attrs),
      );
      return;
    }
    if (f.nlriEnd > f.attrEnd || attrs.present & BIT_MP_REACH) {
      walkPrefixes(m, f.attrEnd, f.nlriEnd, 1, addPath, (prefix, pathId) =>
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

  /** Count what of the UPDATE could not be printed: a cut field, a prefix field or MP attribute that fails. */
  private checkDecoded(
    m: Uint8Array,
    f: UpdateFields,
    attributes: readonly PathAttribute[],
    addPath: boolean,
    legacy: boolean,
  ): void {
    let reason: string | undefined;
    if (f.cut) reason = 'UPDATE length fields run past the message';
    else if (!prefixFieldParses(m, f.withdrawnStart, f.withdrawnEnd, 1, addPath))
      reason = 'withdrawn routes do not parse';
    else if (!prefixFieldParses(m, f.attrEnd, f.nlriEnd, 1, addPath)) reason = 'NLRI does not parse';
    else if (!legacy && mpMalformed(attributes)) reason = 'MP_REACH_NLRI or MP_UNREACH_NLRI does not decode';
    if (reason !== undefined)
      this.skip('ERR_MRT_BGP_MESSAGE', `UPDATE: ${reason}; its prefixes are not all printed`);
  }
}

/** Locate the fields of an UPDATE body m[start, end) (RFC 4271 §4.3), cutting a field at the end, as bgpdump. */
function updateFields(m: Uint8Array, start: number, end: number): UpdateFields {
  let o = start;
  let cut = end - o < 4;
  const withdrawnLength = o + 2 <= end ? (m[o]! << 8) | m[o + 1]! : 0;
  o = Math.min(o + 2, end);
  const withdrawnStart = o;
  const withdrawnEnd = Math.min(o + withdrawnLength, end);
  if (o + withdrawnLength > end) cut = true;
  o = withdrawnEnd;
  const attrLength = o + 2 <= end ? (m[o]! << 8) | m[o + 1]! : 0;
  o = Math.min(o + 2, end);
  const attrEnd = Math.min(o + attrLength, end);
  if (o + attrLength > end) cut = true;
  return { withdrawnStart, withdrawnEnd, attrStart: o, attrEnd, nlriEnd: end, cut };
}

/** Whether every prefix field of the UPDATE parses with (or without) path identifiers. */
function fieldsParse(
  m: Uint8Array,
  f: UpdateFields,
  attributes: readonly PathAttribute[],
  addPath: boolean,
): boolean {
  return (
    prefixFieldParses(m, f.withdrawnStart, f.withdrawnEnd, 1, addPath) &&
    prefixFieldParses(m, f.attrEnd, f.nlriEnd, 1, addPath) &&
    !mpMalformed(attributes)
  );
}

/** An MP_REACH_NLRI or MP_UNREACH_NLRI the codec could not decode (its prefixes are lost). */
function mpMalformed(attributes: readonly PathAttribute[]): boolean {
  for (const a of attributes) if (a.type === 'malformed' && (a.code === 14 || a.code === 15)) return true;
  return false;
}

/** Whether b[start, end) is a whole list of prefixes of the family (RFC 4271 §4.3, RFC 7911 §3). */
function prefixFieldParses(
  b: Uint8Array,
  start: number,
  end: number,
  afi: number,
  addPath: boolean,
): boolean {
  const maxBits = afi === 2 ? 128 : 32;
  let o = start;
  while (o < end) {
    if (addPath) {
      if (end - o < 5) return false;
      o += 4;
    }
    const bits = b[o++]!;
    if (bits > maxBits) return false;
    o += (bits + 7) >> 3;
  }
  return o === end;
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
