// Decoding of MRT record bodies (RFC 6396 §4, RFC 8050) into typed records. Path attributes and BGP messages
// stay as bytes here (`attributes`, `message`): they are decoded by daemon/wire through attributes.ts. Peer
// input never throws: a body that does not fit its layout becomes a `malformed` record with the reason.
import { addressAt } from './address.js';
import {
  AFI_IPV4,
  AFI_IPV6,
  BGP_KEEPALIVE,
  BGP_NOTIFY,
  BGP_OPEN,
  BGP_STATE_CHANGE,
  BGP_UPDATE,
  BGP4MP_MESSAGE_ADDPATH,
  BGP4MP_MESSAGE_AS4_LOCAL,
  BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH,
  BGP4MP_MESSAGE_LOCAL,
  BGP4MP_MESSAGE_LOCAL_ADDPATH,
  BGP4MP_STATE_CHANGE,
  BGP4MP_STATE_CHANGE_AS4,
  isBgp4mpAs4Subtype,
  isBgp4mpMessageSubtype,
  MRT_BGP,
  MRT_BGP4MP,
  MRT_BGP4MP_ET,
  MRT_TABLE_DUMP,
  MRT_TABLE_DUMP_V2,
  PEER_TYPE_AS4,
  PEER_TYPE_IPV6,
  TABLE_DUMP_AFI_IPV4,
  TABLE_DUMP_AFI_IPV6,
  TDV2_PEER_INDEX_TABLE,
  TDV2_RIB_GENERIC,
  TDV2_RIB_GENERIC_ADDPATH,
  TDV2_RIB_IPV4_MULTICAST,
  TDV2_RIB_IPV4_MULTICAST_ADDPATH,
  TDV2_RIB_IPV4_UNICAST,
  TDV2_RIB_IPV4_UNICAST_ADDPATH,
  TDV2_RIB_IPV6_MULTICAST,
  TDV2_RIB_IPV6_MULTICAST_ADDPATH,
  TDV2_RIB_IPV6_UNICAST,
  TDV2_RIB_IPV6_UNICAST_ADDPATH,
} from './constants.js';
import type { MrtHeader } from './framer.js';

// ===== record types =====

interface RecordBase {
  timestamp: number;
  /** BGP4MP_ET only, else 0. */
  microseconds: number;
  type: number;
  subtype: number;
}

/** RFC 6396 §4.3.1 PEER_INDEX_TABLE entry. Addresses are text (bgpdump's form). */
export interface PeerEntry {
  afi: 1 | 2;
  /** The Peer Type's AS4 bit: whether the AS was written in 4 octets. */
  as4: boolean;
  bgpId: string;
  address: string;
  asn: number;
}

export interface PeerIndexTableRecord extends RecordBase {
  kind: 'peer-index-table';
  collectorId: string;
  viewName: string;
  peers: PeerEntry[];
}

/** RFC 6396 §4.3.4 RIB Entry (RFC 8050 §4 adds the Path Identifier). */
export interface RibEntry {
  peerIndex: number;
  originatedTime: number;
  /** ADDPATH subtypes only. */
  pathId: number | undefined;
  /** Raw path attributes: AS_PATH always 4-octet, MP_REACH_NLRI abbreviated (RFC 6396 §4.3.4). */
  attributes: Uint8Array;
}

/** RIB_IPV4_UNICAST / RIB_IPV4_MULTICAST / RIB_IPV6_* and their ADDPATH variants. */
export interface RibRecord extends RecordBase {
  kind: 'rib';
  afi: 1 | 2;
  multicast: boolean;
  addPath: boolean;
  sequence: number;
  /** Prefix text as stored (host bits are not masked, as bgpdump prints them), e.g. "10.0.0.0". */
  prefix: string;
  prefixLength: number;
  entries: RibEntry[];
}

/** RIB_GENERIC(_ADDPATH): kept opaque. */
export interface RibGenericRecord extends RecordBase {
  kind: 'rib-generic';
  addPath: boolean;
  body: Uint8Array;
}

/** RFC 6396 §4.2 TABLE_DUMP (v1): one route per record, 2-octet AS numbers. */
export interface TableDumpRecord extends RecordBase {
  kind: 'table-dump';
  afi: 1 | 2;
  viewNumber: number;
  sequence: number;
  prefix: string;
  prefixLength: number;
  status: number;
  originatedTime: number;
  peerAddress: string;
  peerAs: number;
  attributes: Uint8Array;
}

interface Bgp4mpBase extends RecordBase {
  /** BGP4MP_ET (microsecond timestamps). */
  et: boolean;
  as4: boolean;
  peerAs: number;
  localAs: number;
  interfaceIndex: number;
  afi: 1 | 2;
  peerAddress: string;
  localAddress: string;
}

/** RFC 6396 §4.4.2-4.4.7 BGP4MP_MESSAGE family; RFC 8050 §3 ADDPATH variants. */
export interface Bgp4mpMessageRecord extends Bgp4mpBase {
  kind: 'bgp4mp-message';
  /** MESSAGE_LOCAL variants: a message the collector itself sent. */
  local: boolean;
  addPath: boolean;
  /** The whole BGP message, marker included, as recorded (may be cut short by the recorder). */
  message: Uint8Array;
}

/** RFC 6396 §4.4.1 / §4.4.4 STATE_CHANGE(_AS4). */
export interface Bgp4mpStateChangeRecord extends Bgp4mpBase {
  kind: 'bgp4mp-state-change';
  oldState: number;
  newState: number;
}

/**
 * Deprecated BGP type (5) UPDATE, OPEN, NOTIFY or KEEPALIVE (RFC 6396 Appendix B.2.4): 2-octet ASNs, IPv4
 * addresses, and the BGP message contents without the 19-octet header.
 */
export interface BgpMessageRecord extends RecordBase {
  kind: 'bgp-message';
  message: 'update' | 'open' | 'notification' | 'keepalive';
  peerAs: number;
  peerAddress: string;
  localAs: number;
  localAddress: string;
  /** The message after its header: for UPDATE, Withdrawn Routes Length onwards. */
  body: Uint8Array;
}

/** Deprecated BGP type (5) STATE_CHANGE: the peer, the old and the new state (RFC 4271 8.2.2 numbers). */
export interface BgpStateChangeRecord extends RecordBase {
  kind: 'bgp-state-change';
  peerAs: number;
  peerAddress: string;
  oldState: number;
  newState: number;
}

export interface UnknownRecord extends RecordBase {
  kind: 'unknown';
  body: Uint8Array;
}

/** A body that does not fit its type's layout. */
export interface MalformedRecord extends RecordBase {
  kind: 'malformed';
  reason: string;
}

export type MrtRecord =
  | PeerIndexTableRecord
  | RibRecord
  | RibGenericRecord
  | TableDumpRecord
  | Bgp4mpMessageRecord
  | Bgp4mpStateChangeRecord
  | BgpMessageRecord
  | BgpStateChangeRecord
  | UnknownRecord
  | MalformedRecord;

// ===== decoding =====

const prefixScratch = new Uint8Array(16);

/** Decode the body `data[start, end)` of the record described by `h`. Never throws. */
export function decodeMrtRecord(h: MrtHeader, data: Uint8Array, start: number, end: number): MrtRecord {
  switch (h.type) {
    case MRT_TABLE_DUMP_V2:
      return decodeTableDumpV2(h, data, start, end);
    case MRT_BGP4MP:
    case MRT_BGP4MP_ET:
      return decodeBgp4mp(h, data, start, end);
    case MRT_TABLE_DUMP:
      return decodeTableDump(h, data, start, end);
    case MRT_BGP:
      return decodeBgp(h, data, start, end);
    default:
      return {
        timestamp: h.timestamp,
        microseconds: h.microseconds,
        type: h.type,
        subtype: h.subtype,
        kind: 'unknown',
        body: data.subarray(start, end),
      };
  }
}

function malformed(h: MrtHeader, reason: string): MalformedRecord {
  return {
    timestamp: h.timestamp,
    microseconds: h.microseconds,
    type: h.type,
    subtype: h.subtype,
    kind: 'malformed',
    reason,
  };
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function decodeTableDumpV2(h: MrtHeader, d: Uint8Array, start: number, end: number): MrtRecord {
  switch (h.subtype) {
    case TDV2_PEER_INDEX_TABLE:
      return decodePeerIndexTable(h, d, start, end);
    case TDV2_RIB_IPV4_UNICAST:
    case TDV2_RIB_IPV4_MULTICAST:
    case TDV2_RIB_IPV6_UNICAST:
    case TDV2_RIB_IPV6_MULTICAST:
    case TDV2_RIB_IPV4_UNICAST_ADDPATH:
    case TDV2_RIB_IPV4_MULTICAST_ADDPATH:
    case TDV2_RIB_IPV6_UNICAST_ADDPATH:
    case TDV2_RIB_IPV6_MULTICAST_ADDPATH:
      return decodeRib(h, d, start, end);
    case TDV2_RIB_GENERIC:
    case TDV2_RIB_GENERIC_ADDPATH:
      return {
        timestamp: h.timestamp,
        microseconds: h.microseconds,
        type: h.type,
        subtype: h.subtype,
        kind: 'rib-generic',
        addPath: h.subtype === TDV2_RIB_GENERIC_ADDPATH,
        body: d.subarray(start, end),
      };
    default:
      return {
        timestamp: h.timestamp,
        microseconds: h.microseconds,
        type: h.type,
        subtype: h.subtype,
        kind: 'unknown',
        body: d.subarray(start, end),
      };
  }
}

//    Collector BGP ID (4) | View Name Length (2) | View Name (variable) | Peer Count (2) | Peer Entries
//    Peer Entry: Peer Type (1) | Peer BGP ID (4) | Peer IP Address (4 or 16) | Peer AS (2 or 4)
function decodePeerIndexTable(h: MrtHeader, d: Uint8Array, start: number, end: number): MrtRecord {
  let o = start;
  if (end - o < 6) return malformed(h, 'PEER_INDEX_TABLE shorter than its fixed fields');
  const collectorId = addressAt(AFI_IPV4, d, o);
  const nameLength = u16(d, o + 4);
  o += 6;
  if (end - o < nameLength + 2) return malformed(h, 'PEER_INDEX_TABLE view name overruns the record');
  const viewName = Buffer.from(d.buffer, d.byteOffset + o, nameLength).toString('utf8');
  o += nameLength;
  const count = u16(d, o);
  o += 2;
  const peers: PeerEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (end - o < 1) return malformed(h, `PEER_INDEX_TABLE entry ${i} overruns the record`);
    const peerType = d[o]!;
    // RFC 6396 §4.3.1: "Bit 7 ... the Peer IP Address field is IPv6 ... Bit 6 ... the Peer AS field is 32 bits"
    // (bits numbered from the most significant: 0x01 and 0x02).
    const afi = peerType & PEER_TYPE_IPV6 ? AFI_IPV6 : AFI_IPV4;
    const as4 = (peerType & PEER_TYPE_AS4) !== 0;
    const size = 1 + 4 + (afi === AFI_IPV6 ? 16 : 4) + (as4 ? 4 : 2);
    if (end - o < size) return malformed(h, `PEER_INDEX_TABLE entry ${i} overruns the record`);
    const bgpId = addressAt(AFI_IPV4, d, o + 1);
    const address = addressAt(afi, d, o + 5);
    const asAt = o + 5 + (afi === AFI_IPV6 ? 16 : 4);
    peers.push({ afi, as4, bgpId, address, asn: as4 ? u32(d, asAt) : u16(d, asAt) });
    o += size;
  }
  return {
    timestamp: h.timestamp,
    microseconds: h.microseconds,
    type: h.type,
    subtype: h.subtype,
    kind: 'peer-index-table',
    collectorId,
    viewName,
    peers,
  };
}

//    Sequence Number (4) | Prefix Length (1) | Prefix (variable) | Entry Count (2) | RIB Entries
//    RIB Entry: Peer Index (2) | Originated Time (4) | [Path Identifier (4)] | Attribute Length (2) | Attributes
function decodeRib(h: MrtHeader, d: Uint8Array, start: number, end: number): MrtRecord {
  const st = h.subtype;
  const afi =
    st === TDV2_RIB_IPV6_UNICAST ||
    st === TDV2_RIB_IPV6_MULTICAST ||
    st === TDV2_RIB_IPV6_UNICAST_ADDPATH ||
    st === TDV2_RIB_IPV6_MULTICAST_ADDPATH
      ? AFI_IPV6
      : AFI_IPV4;
  const multicast =
    st === TDV2_RIB_IPV4_MULTICAST ||
    st === TDV2_RIB_IPV6_MULTICAST ||
    st === TDV2_RIB_IPV4_MULTICAST_ADDPATH ||
    st === TDV2_RIB_IPV6_MULTICAST_ADDPATH;
  const addPath = st >= TDV2_RIB_IPV4_UNICAST_ADDPATH;
  let o = start;
  if (end - o < 5) return malformed(h, 'RIB record shorter than its fixed fields');
  const sequence = u32(d, o);
  const prefixLength = d[o + 4]!;
  o += 5;
  const maxBits = afi === AFI_IPV6 ? 128 : 32;
  if (prefixLength > maxBits) return malformed(h, `RIB prefix length ${prefixLength} exceeds ${maxBits}`);
  const prefixBytes = (prefixLength + 7) >> 3;
  if (end - o < prefixBytes + 2) return malformed(h, 'RIB prefix overruns the record');
  prefixScratch.fill(0);
  for (let i = 0; i < prefixBytes; i++) prefixScratch[i] = d[o + i]!;
  const prefix = addressAt(afi, prefixScratch, 0);
  o += prefixBytes;
  const count = u16(d, o);
  o += 2;
  const entries: RibEntry[] = new Array(count);
  const fixed = addPath ? 12 : 8;
  for (let i = 0; i < count; i++) {
    if (end - o < fixed) return malformed(h, `RIB entry ${i} overruns the record`);
    const peerIndex = u16(d, o);
    const originatedTime = u32(d, o + 2);
    const pathId = addPath ? u32(d, o + 6) : undefined;
    const attrLength = u16(d, o + fixed - 2);
    o += fixed;
    if (end - o < attrLength) return malformed(h, `RIB entry ${i} attributes overrun the record`);
    entries[i] = { peerIndex, originatedTime, pathId, attributes: d.subarray(o, o + attrLength) };
    o += attrLength;
  }
  return {
    timestamp: h.timestamp,
    microseconds: h.microseconds,
    type: h.type,
    subtype: h.subtype,
    kind: 'rib',
    afi,
    multicast,
    addPath,
    sequence,
    prefix,
    prefixLength,
    entries,
  };
}

//    View Number (2) | Sequence Number (2) | Prefix (4 or 16) | Prefix Length (1) | Status (1)
//    Originated Time (4) | Peer IP Address (4 or 16) | Peer AS (2) | Attribute Length (2) | Attributes
function decodeTableDump(h: MrtHeader, d: Uint8Array, start: number, end: number): MrtRecord {
  if (h.subtype !== TABLE_DUMP_AFI_IPV4 && h.subtype !== TABLE_DUMP_AFI_IPV6) {
    return malformed(h, `TABLE_DUMP subtype ${h.subtype} is not an AFI`);
  }
  const afi = h.subtype === TABLE_DUMP_AFI_IPV6 ? AFI_IPV6 : AFI_IPV4;
  const alen = afi === AFI_IPV6 ? 16 : 4;
  const fixed = 2 + 2 + alen + 1 + 1 + 4 + alen + 2 + 2;
  if (end - start < fixed) return malformed(h, 'TABLE_DUMP record shorter than its fixed fields');
  let o = start;
  const viewNumber = u16(d, o);
  const sequence = u16(d, o + 2);
  const prefix = addressAt(afi, d, o + 4);
  o += 4 + alen;
  const prefixLength = d[o]!;
  const status = d[o + 1]!;
  const originatedTime = u32(d, o + 2);
  const peerAddress = addressAt(afi, d, o + 6);
  o += 6 + alen;
  const peerAs = u16(d, o);
  const attrLength = u16(d, o + 2);
  o += 4;
  if (end - o < attrLength) return malformed(h, 'TABLE_DUMP attributes overrun the record');
  return {
    timestamp: h.timestamp,
    microseconds: h.microseconds,
    type: h.type,
    subtype: h.subtype,
    kind: 'table-dump',
    afi,
    viewNumber,
    sequence,
    prefix,
    prefixLength,
    status,
    originatedTime,
    peerAddress,
    peerAs,
    attributes: d.subarray(o, o + attrLength),
  };
}

const BGP_MARKER_LENGTH = 16;

//    Peer AS (2 or 4) | Local AS (2 or 4) | Interface Index (2) | Address Family (2)
//    Peer IP Address (4 or 16) | Local IP Address (4 or 16) | BGP Message or Old State (2) + New State (2)
function decodeBgp4mp(h: MrtHeader, d: Uint8Array, start: number, end: number): MrtRecord {
  const st = h.subtype;
  const isState = st === BGP4MP_STATE_CHANGE || st === BGP4MP_STATE_CHANGE_AS4;
  if (!isState && !isBgp4mpMessageSubtype(st)) {
    return {
      timestamp: h.timestamp,
      microseconds: h.microseconds,
      type: h.type,
      subtype: h.subtype,
      kind: 'unknown',
      body: d.subarray(start, end),
    };
  }
  const as4 = isBgp4mpAs4Subtype(st);
  const et = h.type === MRT_BGP4MP_ET;
  const asLen = as4 ? 4 : 2;
  let o = start;
  if (end - o < 2 * asLen + 4) return malformed(h, 'BGP4MP record shorter than its fixed fields');
  const peerAs = as4 ? u32(d, o) : u16(d, o);
  const localAs = as4 ? u32(d, o + asLen) : u16(d, o + asLen);
  o += 2 * asLen;
  // Old Zebra wrote 8-octet STATE_CHANGE bodies without interface, family or addresses.
  if (isState && !as4 && end - start === 8) {
    return {
      timestamp: h.timestamp,
      microseconds: h.microseconds,
      type: h.type,
      subtype: h.subtype,
      kind: 'bgp4mp-state-change',
      et,
      as4,
      peerAs,
      localAs,
      interfaceIndex: 0,
      afi: AFI_IPV4,
      peerAddress: '0.0.0.0',
      localAddress: '0.0.0.0',
      oldState: u16(d, o),
      newState: u16(d, o + 2),
    };
  }
  const interfaceIndex = u16(d, o);
  const family = u16(d, o + 2);
  o += 4;
  if (family !== AFI_IPV4 && family !== AFI_IPV6) return malformed(h, `BGP4MP address family ${family}`);
  const afi = family as 1 | 2;
  const alen = afi === AFI_IPV6 ? 16 : 4;
  if (end - o < 2 * alen) return malformed(h, 'BGP4MP addresses overrun the record');
  const peerAddress = addressAt(afi, d, o);
  const localAddress = addressAt(afi, d, o + alen);
  o += 2 * alen;
  if (isState) {
    if (end - o !== 4) return malformed(h, `BGP4MP STATE_CHANGE body of ${end - start} octets`);
    return {
      timestamp: h.timestamp,
      microseconds: h.microseconds,
      type: h.type,
      subtype: h.subtype,
      kind: 'bgp4mp-state-change',
      et,
      as4,
      peerAs,
      localAs,
      interfaceIndex,
      afi,
      peerAddress,
      localAddress,
      oldState: u16(d, o),
      newState: u16(d, o + 2),
    };
  }
  // RFC 4271 §4.1: the marker "MUST be set to all ones".
  if (end - o < BGP_MARKER_LENGTH + 3) return malformed(h, 'BGP4MP message shorter than a BGP header');
  for (let i = 0; i < BGP_MARKER_LENGTH; i++) {
    if (d[o + i] !== 0xff) return malformed(h, 'BGP4MP message has a bad BGP marker');
  }
  const local =
    st === BGP4MP_MESSAGE_LOCAL ||
    st === BGP4MP_MESSAGE_AS4_LOCAL ||
    st === BGP4MP_MESSAGE_LOCAL_ADDPATH ||
    st === BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;
  const addPath = st >= BGP4MP_MESSAGE_ADDPATH;
  return {
    timestamp: h.timestamp,
    microseconds: h.microseconds,
    type: h.type,
    subtype: h.subtype,
    kind: 'bgp4mp-message',
    et,
    as4,
    local,
    addPath,
    peerAs,
    localAs,
    interfaceIndex,
    afi,
    peerAddress,
    localAddress,
    message: d.subarray(o, end),
  };
}

export { isBgp4mpMessageSubtype } from './constants.js';

// ===== deprecated BGP (type 5) =====

const BGP_MESSAGE_SUBTYPES: Readonly<Record<number, BgpMessageRecord['message']>> = {
  [BGP_UPDATE]: 'update',
  [BGP_OPEN]: 'open',
  [BGP_NOTIFY]: 'notification',
  [BGP_KEEPALIVE]: 'keepalive',
};

/**
 * RFC 6396 Appendix B.2.4 (the older MRT draft's BGP type): UPDATE, OPEN, NOTIFY and KEEPALIVE bodies are Peer
 * AS (2), Peer IP (4), Local AS (2), Local IP (4), then the message without its header; STATE_CHANGE is Peer AS
 * (2), Peer IP (4), Old State (2), New State (2). NULL, PREF_UPDATE and SYNC are returned as unknown.
 */
function decodeBgp(h: MrtHeader, d: Uint8Array, start: number, end: number): MrtRecord {
  const base = { timestamp: h.timestamp, microseconds: h.microseconds, type: h.type, subtype: h.subtype };
  if (h.subtype === BGP_STATE_CHANGE) {
    if (end - start < 10) return malformed(h, `BGP STATE_CHANGE body of ${end - start} octets`);
    return {
      ...base,
      kind: 'bgp-state-change',
      peerAs: u16(d, start),
      peerAddress: addressAt(AFI_IPV4, d, start + 2),
      oldState: u16(d, start + 6),
      newState: u16(d, start + 8),
    };
  }
  const message = BGP_MESSAGE_SUBTYPES[h.subtype];
  if (message === undefined) return { ...base, kind: 'unknown', body: d.subarray(start, end) };
  if (end - start < 12) return malformed(h, `BGP ${message} record shorter than its 12 fixed octets`);
  return {
    ...base,
    kind: 'bgp-message',
    message,
    peerAs: u16(d, start),
    peerAddress: addressAt(AFI_IPV4, d, start + 2),
    localAs: u16(d, start + 6),
    localAddress: addressAt(AFI_IPV4, d, start + 8),
    body: d.subarray(start + 12, end),
  };
}
