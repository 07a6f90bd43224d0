// The admin API's JSON forms of what the daemon holds: a route's attributes decoded to JSON (`attributesJson`),
// a path with its peer (`pathJson`), a peer's session with its negotiation and counters (`peerJson`), and
// their JSON schemas (schemas.ts uses them in every route). Built only when an operator asks.
import { formatAsPath, formatIpv4, formatMpNextHop, formatNextHop, formatAttribute } from '../wire/index.js';
import { formatCommunities, formatExtendedCommunities, formatLargeCommunities } from '../wire/index.js';
import { type AttrSet, asPathIn, attributesOf, nextHopOf } from '../rde/attr-store.js';
import type { RibPath } from '../rde/rib.js';
import type { PrefixCounts } from '../rde/inspect.js';
import type { Session } from '../session/session.js';
import type { OpenSummary } from '../session/negotiate.js';
import { familyKeyName } from '../session/received.js';
import { allFamilies, type Family } from '../config/types.js';

const originNames = ['igp', 'egp', 'incomplete'] as const;

export interface AttributesJson {
  origin?: string;
  asPath: string;
  nextHop?: string;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: string;
  communities?: string[];
  extendedCommunities?: string[];
  largeCommunities?: string[];
  originatorId?: string;
  clusterList?: string[];
  /** Attributes xbgpd does not decode (or a plugin added): code, flags and the value in hex. */
  other?: { code: number; flags: number; value: string }[];
}

const split = (text: string): string[] => (text === '' ? [] : text.split(' '));

/** Every attribute of a set, decoded. */
export function attributesJson(set: AttrSet): AttributesJson {
  const attributes = attributesOf(set);
  const out: AttributesJson = { asPath: formatAsPath(asPathIn(attributes)) };
  const nh = nextHopOf(set);
  if (nh !== undefined) out.nextHop = formatNextHop(nh);
  for (const a of attributes) {
    switch (a.type) {
      case 'origin':
        out.origin = originNames[a.origin];
        break;
      case 'next-hop':
        out.nextHop ??= formatIpv4(a.nextHop);
        break;
      case 'mp-reach':
        out.nextHop = formatMpNextHop(a);
        break;
      case 'med':
        out.med = a.med;
        break;
      case 'local-pref':
        out.localPref = a.localPref;
        break;
      case 'atomic-aggregate':
        out.atomicAggregate = true;
        break;
      case 'aggregator':
        out.aggregator = `${a.asn} ${formatIpv4(a.address)}`;
        break;
      case 'communities':
        out.communities = split(formatCommunities(a.values));
        break;
      case 'extended-communities':
        out.extendedCommunities = split(formatExtendedCommunities(a.values));
        break;
      case 'large-communities':
        out.largeCommunities = split(formatLargeCommunities(a.values));
        break;
      case 'originator-id':
        out.originatorId = formatIpv4(a.originatorId);
        break;
      case 'cluster-list':
        out.clusterList = Array.from(a.clusterIds, formatIpv4);
        break;
      case 'as-path':
      case 'as4-path':
      case 'as4-aggregator':
      case 'mp-unreach':
        break;
      default:
        (out.other ??= []).push({ code: a.code, flags: a.flags, value: formatAttribute(a) });
    }
  }
  return out;
}

export const attributesSchema = {
  type: 'object',
  required: ['asPath'],
  properties: {
    origin: { type: 'string', enum: ['igp', 'egp', 'incomplete'] },
    asPath: { type: 'string', description: 'AS numbers separated by spaces, AS_SET members in braces' },
    nextHop: { type: 'string' },
    med: { type: 'integer' },
    localPref: { type: 'integer' },
    atomicAggregate: { type: 'boolean' },
    aggregator: { type: 'string' },
    communities: { type: 'array', items: { type: 'string' } },
    extendedCommunities: { type: 'array', items: { type: 'string' } },
    largeCommunities: { type: 'array', items: { type: 'string' } },
    originatorId: { type: 'string' },
    clusterList: { type: 'array', items: { type: 'string' } },
    other: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'flags', 'value'],
        properties: { code: { type: 'integer' }, flags: { type: 'integer' }, value: { type: 'string' } },
      },
    },
  },
} as const;

/** The peer a path came from, as the API names it ('(local)' for our own routes). */
export function pathPeer(p: RibPath): string {
  return p.peer.local ? '(local)' : p.peer.name;
}

// ===== peers =====

const messageTypes = ['other', 'open', 'update', 'notification', 'keepalive', 'route-refresh'] as const;

function messageCounts(counts: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  messageTypes.forEach((t, i) => (out[t] = counts[i] ?? 0));
  return out;
}

const messageCountsSchema = {
  type: 'object',
  required: [...messageTypes],
  properties: Object.fromEntries(messageTypes.map((t) => [t, { type: 'integer' }])),
};

export interface PeerTimes {
  /** The clock's now (ms) and the wall-clock now, to turn clock times into dates. */
  now: number;
  wallNow: number;
}

function isoAt(times: PeerTimes, clockMs: number): string {
  return new Date(times.wallNow - (times.now - clockMs)).toISOString();
}

/** One peer: configuration, FSM state and since when, negotiation, counters, prefix counts. */
export function peerJson(
  session: Session,
  counts: Record<Family, PrefixCounts> | undefined,
  times: PeerTimes,
  detail: boolean,
): Record<string, unknown> {
  const status = session.status();
  const out: Record<string, unknown> = {
    name: status.name,
    address: status.address,
    asn: status.asn,
    state: status.state,
    since: isoAt(times, session.since),
    adminDown: status.adminDown,
    flaps: status.flaps,
  };
  if (session.peer.description !== undefined) out.description = session.peer.description;
  const up = session.upSince;
  if (up !== undefined) out.uptimeSeconds = Math.floor((times.now - up) / 1000);
  if (status.remoteId !== undefined) out.remoteId = status.remoteId;
  if (status.localAddress !== undefined) out.localAddress = status.localAddress;
  if (status.holdTime !== undefined) out.holdTime = status.holdTime;
  if (status.lastError !== undefined) out.lastError = status.lastError;
  if (status.lastNotification !== undefined) out.lastNotification = status.lastNotification;
  out.prefixes = prefixesJson(counts);
  if (!detail) return out;
  const n = session.establishedConnection?.negotiated;
  if (n !== undefined) {
    out.negotiated = {
      remoteAsn: n.remoteAsn,
      ibgp: n.ibgp,
      holdTime: n.holdTime,
      keepaliveTime: n.keepaliveTime,
      families: n.families,
      fourOctetAs: n.asn4,
      routeRefresh: n.routeRefresh,
      enhancedRouteRefresh: n.enhancedRouteRefresh,
      extendedMessage: n.extendedMessage,
      gracefulRestart: n.peerGracefulRestart !== undefined,
      addPathReceive: [...n.addPathReceive],
      addPathSend: [...n.addPathSend],
    };
  }
  const open = session.establishedConnection?.remoteOpen;
  if (open !== undefined) out.capabilities = capabilityNames(open);
  out.messages = {
    received: messageCounts(session.messageCounts.received),
    sent: messageCounts(session.messageCounts.sent),
  };
  return out;
}

/** The capabilities the peer's OPEN advertised, by name (`mp:ipv4-unicast`, `add-path:ipv4-unicast:send`...). */
function capabilityNames(open: OpenSummary): string[] {
  const c = open.capabilities;
  const family = (afi: number, safi: number): string => familyKeyName(afi, safi);
  const names = c.multiprotocol.map((m) => `mp:${family(m.afi, m.safi)}`);
  if (c.routeRefresh) names.push('route-refresh');
  if (c.enhancedRouteRefresh) names.push('enhanced-route-refresh');
  if (c.extendedMessage) names.push('extended-message');
  if (c.fourOctetAs !== undefined) names.push('four-octet-as');
  const modes = ['', 'receive', 'send', 'both'];
  for (const a of c.addPath) names.push(`add-path:${family(a.afi, a.safi)}:${modes[a.mode] ?? a.mode}`);
  if (c.gracefulRestart !== undefined) names.push('graceful-restart');
  return names;
}

function prefixesJson(counts: Record<Family, PrefixCounts> | undefined): Record<string, PrefixCounts> {
  const out: Record<string, PrefixCounts> = {};
  for (const f of allFamilies) if (counts !== undefined) out[f] = counts[f];
  return out;
}

const prefixCountsSchema = {
  type: 'object',
  required: ['received', 'accepted', 'best', 'advertised'],
  properties: {
    received: { type: 'integer', description: 'paths in the Adj-RIB-In (pre-policy)' },
    accepted: { type: 'integer', description: 'paths accepted by import' },
    best: { type: 'integer', description: 'paths that are the best of their prefix' },
    advertised: { type: 'integer', description: "prefixes in the peer's Adj-RIB-Out" },
  },
};

const notificationSchema = {
  type: 'object',
  required: ['direction', 'code', 'subcode', 'name'],
  properties: {
    direction: { type: 'string', enum: ['sent', 'received'] },
    code: { type: 'integer' },
    subcode: { type: 'integer' },
    name: { type: 'string', description: 'code and subcode names' },
    shutdownCommunication: { type: 'string', description: 'RFC 9003 message' },
  },
};

export const peerSchema = {
  type: 'object',
  required: ['name', 'address', 'asn', 'state', 'since', 'adminDown', 'flaps', 'prefixes'],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    address: { type: 'string' },
    asn: { type: 'integer' },
    state: {
      type: 'string',
      enum: ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'],
    },
    since: { type: 'string', format: 'date-time', description: 'when the peer entered this state' },
    uptimeSeconds: { type: 'integer', description: 'seconds Established' },
    adminDown: { type: 'boolean' },
    flaps: { type: 'integer' },
    remoteId: { type: 'string' },
    localAddress: { type: 'string' },
    holdTime: { type: 'integer', description: 'negotiated hold time (s)' },
    lastError: { type: 'string' },
    lastNotification: notificationSchema,
    prefixes: {
      type: 'object',
      description: 'per family, while Established',
      properties: Object.fromEntries(allFamilies.map((f) => [f, prefixCountsSchema])),
    },
    negotiated: {
      type: 'object',
      properties: {
        remoteAsn: { type: 'integer' },
        ibgp: { type: 'boolean' },
        holdTime: { type: 'integer' },
        keepaliveTime: { type: 'integer' },
        families: { type: 'array', items: { type: 'string' } },
        fourOctetAs: { type: 'boolean' },
        routeRefresh: { type: 'boolean' },
        enhancedRouteRefresh: { type: 'boolean' },
        extendedMessage: { type: 'boolean' },
        gracefulRestart: { type: 'boolean' },
        addPathReceive: { type: 'array', items: { type: 'string' } },
        addPathSend: { type: 'array', items: { type: 'string' } },
      },
    },
    capabilities: {
      type: 'array',
      items: { type: 'string' },
      description:
        "what the peer's OPEN advertised (mp:FAMILY, route-refresh, four-octet-as, add-path:FAMILY:MODE...)",
    },
    messages: {
      type: 'object',
      required: ['received', 'sent'],
      properties: { received: messageCountsSchema, sent: messageCountsSchema },
    },
  },
} as const;
