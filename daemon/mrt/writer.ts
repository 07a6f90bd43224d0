// MRT writer: TABLE_DUMP_V2 (PEER_INDEX_TABLE, RIB_IPV4_UNICAST, RIB_IPV6_UNICAST and their ADDPATH variants)
// and BGP4MP(_ET) MESSAGE_AS4, for the daemon to dump its RIBs and record sessions. Path attributes and BGP
// messages are taken as bytes (encode them with daemon/wire; RIB entries need the RFC 6396 §4.3.4 forms: AS_PATH
// with 4-octet ASNs and, for IPv6, the abbreviated MP_REACH_NLRI, see `abbreviatedMpReachNlri`).
// The encode* functions return whole records; MrtWriter writes them to a stream and honours backpressure.
import type { Writable } from 'node:stream';
import { parseIpv4, parseIpv6 } from '../net/address.js';
import {
  AFI_IPV4,
  AFI_IPV6,
  BGP4MP_MESSAGE_AS4,
  BGP4MP_MESSAGE_AS4_ADDPATH,
  MRT_BGP4MP,
  MRT_BGP4MP_ET,
  MRT_HEADER_LENGTH,
  MRT_TABLE_DUMP_V2,
  PEER_TYPE_AS4,
  PEER_TYPE_IPV6,
  TDV2_PEER_INDEX_TABLE,
  TDV2_RIB_IPV4_UNICAST,
  TDV2_RIB_IPV4_UNICAST_ADDPATH,
  TDV2_RIB_IPV6_UNICAST,
  TDV2_RIB_IPV6_UNICAST_ADDPATH,
} from './constants.js';
import { MrtError } from './errors.js';

export interface PeerIndexTableInput {
  collectorId: string;
  viewName: string;
  /** `as4` defaults to true (always 4-octet AS in the table). */
  peers: { afi: 1 | 2; bgpId: string; address: string; asn: number; as4?: boolean }[];
}

export interface RibInput {
  afi: 1 | 2;
  /** Writes the RIB_*_UNICAST_ADDPATH subtype (RFC 8050), which needs a `pathId` in every entry. */
  addPath?: boolean;
  sequence: number;
  prefix: string;
  prefixLength: number;
  entries: { peerIndex: number; originatedTime: number; pathId?: number; attributes: Uint8Array }[];
}

export interface Bgp4mpMessageInput {
  peerAs: number;
  localAs: number;
  interfaceIndex?: number;
  afi: 1 | 2;
  peerAddress: string;
  localAddress: string;
  /** The whole BGP message, marker included. */
  message: Uint8Array;
  /** Writes the MESSAGE_AS4_ADDPATH subtype (RFC 8050 §3). */
  addPath?: boolean;
}

// ===== helpers =====

class Builder {
  private buf: Buffer;
  length = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v;
    return this;
  }
  u16(v: number): this {
    this.room(2);
    this.buf.writeUInt16BE(v, this.length);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.length);
    this.length += 4;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  /** Fill in the MRT Length field (header at 0) and return the record. */
  finish(): Buffer {
    this.buf.writeUInt32BE(this.length - MRT_HEADER_LENGTH, 8);
    return this.buf.subarray(0, this.length);
  }
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new MrtError('ERR_MRT_ENCODE', what);
}

function checkU(v: number, bits: 8 | 16 | 32, what: string): void {
  check(Number.isInteger(v) && v >= 0 && v < 2 ** bits, `${what} ${v} does not fit ${bits} bits`);
}

function address(afi: number, text: string, what: string): Uint8Array {
  const bytes = afi === AFI_IPV6 ? parseIpv6(text) : parseIpv4(text);
  if (!bytes)
    throw new MrtError(
      'ERR_MRT_ENCODE',
      `${what} '${text}' is not an IPv${afi === AFI_IPV6 ? 6 : 4} address`,
    );
  return bytes;
}

function header(b: Builder, timestamp: number, type: number, subtype: number): void {
  checkU(timestamp, 32, 'timestamp');
  b.u32(timestamp).u16(type).u16(subtype).u32(0);
}

// ===== TABLE_DUMP_V2 =====

/** RFC 6396 §4.3.1 PEER_INDEX_TABLE record. */
export function encodePeerIndexTable(timestamp: number, t: PeerIndexTableInput): Buffer {
  const b = new Builder(64 + t.peers.length * 32);
  header(b, timestamp, MRT_TABLE_DUMP_V2, TDV2_PEER_INDEX_TABLE);
  const name = Buffer.from(t.viewName, 'utf8');
  checkU(name.length, 16, 'view name length');
  checkU(t.peers.length, 16, 'peer count');
  b.bytes(address(AFI_IPV4, t.collectorId, 'collector BGP ID'))
    .u16(name.length)
    .bytes(name)
    .u16(t.peers.length);
  for (const p of t.peers) {
    const as4 = p.as4 ?? true;
    checkU(p.asn, as4 ? 32 : 16, 'peer AS');
    b.u8((p.afi === AFI_IPV6 ? PEER_TYPE_IPV6 : 0) | (as4 ? PEER_TYPE_AS4 : 0));
    b.bytes(address(AFI_IPV4, p.bgpId, 'peer BGP ID')).bytes(address(p.afi, p.address, 'peer address'));
    if (as4) b.u32(p.asn);
    else b.u16(p.asn);
  }
  return b.finish();
}

/** RFC 6396 §4.3.2 RIB_IPV4_UNICAST / RIB_IPV6_UNICAST record (RFC 8050 §4 ADDPATH variants). */
export function encodeRib(timestamp: number, r: RibInput): Buffer {
  const b = new Builder(64 + r.entries.reduce((n, e) => n + 16 + e.attributes.length, 0));
  const subtype =
    r.afi === AFI_IPV6
      ? r.addPath
        ? TDV2_RIB_IPV6_UNICAST_ADDPATH
        : TDV2_RIB_IPV6_UNICAST
      : r.addPath
        ? TDV2_RIB_IPV4_UNICAST_ADDPATH
        : TDV2_RIB_IPV4_UNICAST;
  header(b, timestamp, MRT_TABLE_DUMP_V2, subtype);
  const maxBits = r.afi === AFI_IPV6 ? 128 : 32;
  check(
    Number.isInteger(r.prefixLength) && r.prefixLength >= 0 && r.prefixLength <= maxBits,
    'prefix length',
  );
  checkU(r.sequence, 32, 'sequence number');
  checkU(r.entries.length, 16, 'entry count');
  const prefix = address(r.afi, r.prefix, 'prefix');
  b.u32(r.sequence)
    .u8(r.prefixLength)
    .bytes(prefix.subarray(0, (r.prefixLength + 7) >> 3));
  b.u16(r.entries.length);
  for (const e of r.entries) {
    checkU(e.peerIndex, 16, 'peer index');
    checkU(e.originatedTime, 32, 'originated time');
    checkU(e.attributes.length, 16, 'attribute length');
    b.u16(e.peerIndex).u32(e.originatedTime);
    if (r.addPath) {
      check(e.pathId !== undefined, 'an ADDPATH RIB entry needs a pathId');
      checkU(e.pathId!, 32, 'path identifier');
      b.u32(e.pathId!);
    }
    b.u16(e.attributes.length).bytes(e.attributes);
  }
  return b.finish();
}

/**
 * The RFC 6396 §4.3.4 abbreviated MP_REACH_NLRI attribute of a RIB entry: flags, type 14, length, then only
 * "the Next Hop Address Length and Next Hop Address fields" (AFI, SAFI and NLRI are implied by the record).
 * `nextHops` is one address (global) or two (global and link-local) of family `afi`.
 */
export function abbreviatedMpReachNlri(afi: 1 | 2, nextHops: string[]): Uint8Array {
  check(nextHops.length === 1 || nextHops.length === 2, 'one or two next hops');
  const hops = nextHops.map((h) => address(afi, h, 'next hop'));
  const hopLength = hops.reduce((n, h) => n + h.length, 0);
  const out = new Uint8Array(3 + 1 + hopLength);
  out[0] = 0x80; // Optional, non-transitive (RFC 4760 §3)
  out[1] = 14;
  out[2] = 1 + hopLength;
  out[3] = hopLength;
  let o = 4;
  for (const h of hops) {
    out.set(h, o);
    o += h.length;
  }
  return out;
}

// ===== BGP4MP =====

/**
 * RFC 6396 §4.4.3 BGP4MP_MESSAGE_AS4 record (or BGP4MP_ET when `microseconds` is given, RFC 6396 §3; or the
 * RFC 8050 MESSAGE_AS4_ADDPATH subtype).
 */
export function encodeBgp4mpMessageAs4(
  timestamp: number,
  m: Bgp4mpMessageInput,
  microseconds?: number,
): Buffer {
  const b = new Builder(64 + m.message.length);
  const subtype = m.addPath ? BGP4MP_MESSAGE_AS4_ADDPATH : BGP4MP_MESSAGE_AS4;
  header(b, timestamp, microseconds === undefined ? MRT_BGP4MP : MRT_BGP4MP_ET, subtype);
  if (microseconds !== undefined) {
    check(Number.isInteger(microseconds) && microseconds >= 0 && microseconds < 1_000_000, 'microseconds');
    b.u32(microseconds);
  }
  checkU(m.peerAs, 32, 'peer AS');
  checkU(m.localAs, 32, 'local AS');
  checkU(m.interfaceIndex ?? 0, 16, 'interface index');
  b.u32(m.peerAs)
    .u32(m.localAs)
    .u16(m.interfaceIndex ?? 0)
    .u16(m.afi);
  b.bytes(address(m.afi, m.peerAddress, 'peer address')).bytes(
    address(m.afi, m.localAddress, 'local address'),
  );
  b.bytes(m.message);
  return b.finish();
}

// ===== stream writer =====

/**
 * Writes records to a stream. Each method returns what `stream.write` returned: false means wait for 'drain'.
 * The ET microseconds field is counted in the MRT Length by encodeBgp4mpMessageAs4 (RFC 6396 §3).
 */
export class MrtWriter {
  constructor(private readonly out: Writable) {}

  peerIndexTable(timestamp: number, t: PeerIndexTableInput): boolean {
    return this.out.write(encodePeerIndexTable(timestamp, t));
  }

  rib(timestamp: number, r: RibInput): boolean {
    return this.out.write(encodeRib(timestamp, r));
  }

  bgp4mpMessageAs4(timestamp: number, m: Bgp4mpMessageInput, microseconds?: number): boolean {
    return this.out.write(encodeBgp4mpMessageAs4(timestamp, m, microseconds));
  }
}
