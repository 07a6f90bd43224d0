// Pre-encoding of a feeder's UPDATEs, done before any timing starts: consecutive prefixes with the same
// attribute set are packed into one UPDATE (up to the session's maximum message size), attributes are
// rewritten for an eBGP session (NEXT_HOP = the feeder, the feeder's AS first in AS_PATH, plus as many
// extra copies as the route's `prepend` asks, no LOCAL_PREF),
// and the messages are concatenated into ~1 MiB send blocks so that sending is a few hundred writes.
// IPv6 routes (an IPv6 next hop given) travel in MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760), with the
// next hop there and no NEXT_HOP attribute.
import {
  Afi,
  AttrType,
  Safi,
  decodeAttributes,
  encodeMessage,
  makeAsPath,
  makeMpReach,
  makeMpUnreach,
  makeNextHop,
  type AsPathSegment,
  type DecodeContext,
  type NlriBlock,
  type PathAttribute,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import { parseIpv6 } from '../../daemon/net/address.js';
import type { TableRoute } from './table.js';

/** RFC 4271 4.1: the largest message without RFC 8654 extended messages. */
export const MAX_MESSAGE = 4096;
const HEADER = 19;
const BLOCK_SIZE = 1 << 20;
const MRT_CONTEXT: DecodeContext = { asn4: true, mrtRib: true };
const EMPTY: NlriBlock = {
  afi: Afi.Ipv4,
  safi: Safi.Unicast,
  addPath: false,
  bytes: new Uint8Array(0),
  count: 0,
};

export interface RewriteOptions {
  /** The feeder's AS: put first in AS_PATH unless the path already starts with it (RFC 4271 5.1.2). */
  asn: number;
  /**
   * NEXT_HOP to send, dotted quad (RFC 4271 5.1.3: our own address on eBGP); an IPv6 address makes the
   * routes IPv6 unicast, sent in MP_REACH_NLRI with this next hop (RFC 4760 3).
   */
  nextHop: string;
  /** Keep LOCAL_PREF (iBGP feeders); RFC 4271 5.1.5: not sent to external peers. Default false. */
  keepLocalPref?: boolean;
  /** Largest message (4096, or 65535 with extended messages). */
  maxMessage?: number;
  /** Extra copies of `asn` after the first (AS path prepending, to lengthen the path). Default 0. */
  prepend?: number;
}

/** Pre-encoded messages, concatenated into send blocks. */
export interface EncodedStream {
  blocks: Buffer[];
  messages: number;
  prefixes: number;
  /**
   * Of `prefixes`, those with the well-known community NO_EXPORT or NO_EXPORT_SUBCONFED (not sent to
   * external peers, RFC 1997) and those with NO_ADVERTISE (sent to no peer).
   */
  noExport: number;
  noAdvertise: number;
  octets: number;
  /** CPU time spent encoding (ms). */
  encodeMs: number;
}

function ipv4Number(text: string): number {
  const p = text.split('.').map(Number);
  return (((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!) >>> 0;
}

/** The IPv6 next hop's octets, or undefined for an IPv4 next hop. */
function ipv6NextHop(o: RewriteOptions): Uint8Array | undefined {
  if (!o.nextHop.includes(':')) return undefined;
  const bytes = parseIpv6(o.nextHop);
  if (bytes === undefined) throw new Error(`next hop ${o.nextHop}: not an address`);
  return bytes;
}

/** The attributes a feeder sends for a route held with the MRT attribute bytes `raw`. */
export function rewriteAttributes(raw: Uint8Array, o: RewriteOptions): PathAttribute[] {
  const decoded = decodeAttributes(raw, MRT_CONTEXT).attributes;
  const out: PathAttribute[] = [];
  // IPv6: the next hop goes into MP_REACH_NLRI (encodeAnnouncements), no NEXT_HOP attribute.
  const nextHop = o.nextHop.includes(':') ? [] : [makeNextHop(ipv4Number(o.nextHop))];
  let sawAsPath = false;
  for (const a of decoded) {
    switch (a.type) {
      case 'next-hop':
      case 'mp-reach':
      case 'mp-unreach':
      case 'as4-path':
      case 'as4-aggregator':
      case 'malformed':
        continue;
      case 'local-pref':
        if (o.keepLocalPref) out.push(a);
        continue;
      case 'as-path': {
        sawAsPath = true;
        out.push(makeAsPath(prependAs(a.segments, o.asn, o.prepend ?? 0), true), ...nextHop);
        continue;
      }
      default:
        out.push(a);
    }
  }
  if (!sawAsPath) {
    out.push(makeAsPath(prependAs([], o.asn, o.prepend ?? 0), true), ...nextHop);
    out.sort((a, b) => a.code - b.code);
  }
  return out;
}

/** RFC 1997: 1 for NO_ADVERTISE, 2 for NO_EXPORT / NO_EXPORT_SUBCONFED, else 0. */
function wellKnownScope(attributes: readonly PathAttribute[]): number {
  let scope = 0;
  for (const a of attributes) {
    if (a.type !== 'communities') continue;
    for (const c of a.values) {
      if (c === 0xffffff02) return 1;
      if (c === 0xffffff01 || c === 0xffffff03) scope = 2;
    }
  }
  return scope;
}

/**
 * `segments` with `asn` first (unless already first), as RFC 4271 5.1.2 describes for the sender, and
 * `extra` more copies of it in front (prepending).
 */
function prependAs(segments: readonly AsPathSegment[], asn: number, extra: number): AsPathSegment[] {
  const first = segments[0];
  const own = new Array<number>(extra + 1).fill(asn);
  if (first && first.type === 2 && first.asns[0] === asn) own.pop();
  if (own.length === 0) return segments.slice();
  if (first && first.type === 2 && first.asns.length + own.length <= 255) {
    return [{ type: 2, asns: [...own, ...first.asns] }, ...segments.slice(1)];
  }
  return [{ type: 2, asns: own }, ...segments];
}

/** Collects messages into ~1 MiB blocks. */
class BlockBuilder {
  readonly blocks: Buffer[] = [];
  private block = Buffer.allocUnsafe(BLOCK_SIZE);
  private used = 0;
  messages = 0;
  octets = 0;

  add(message: Uint8Array): void {
    if (this.used + message.length > this.block.length) this.seal();
    this.block.set(message, this.used);
    this.used += message.length;
    this.messages++;
    this.octets += message.length;
  }

  seal(): void {
    if (this.used > 0) this.blocks.push(this.block.subarray(0, this.used));
    this.block = Buffer.allocUnsafe(BLOCK_SIZE);
    this.used = 0;
  }
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function concatNlri(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/**
 * Announcements of `routes`, consecutive routes with the same attribute object (and the same `prepend`)
 * packed together.
 */
export function encodeAnnouncements(routes: readonly TableRoute[], o: RewriteOptions): EncodedStream {
  const start = process.cpuUsage();
  const max = o.maxMessage ?? MAX_MESSAGE;
  const nextHop6 = ipv6NextHop(o);
  const out = new BlockBuilder();
  let i = 0;
  let prefixes = 0;
  let noExport = 0;
  let noAdvertise = 0;
  while (i < routes.length) {
    const raw = routes[i]!.attributes;
    const prepend = routes[i]!.prepend;
    const same = (r: TableRoute): boolean => r.attributes === raw && r.prepend === prepend;
    const attributes = rewriteAttributes(raw, prepend === undefined ? o : { ...o, prepend });
    const scope = wellKnownScope(attributes);
    // IPv6: MP_REACH_NLRI goes in type-code order; `mpAt` is its place.
    let mpAt = attributes.findIndex((a) => a.code > AttrType.MpReachNlri);
    if (mpAt < 0) mpAt = attributes.length;
    if (nextHop6) attributes.splice(mpAt, 0, makeMpReach(nextHop6, { ...EMPTY, afi: Afi.Ipv6 }));
    const update: UpdateMessage = { type: 'update', withdrawn: EMPTY, attributes, nlri: EMPTY };
    // The room left for NLRI once header, the two length fields and the attributes are counted (IPv6:
    // one more octet for MP_REACH_NLRI's extended length).
    const room = max - encodeMessage(update, { extendedMessage: true }).length - (nextHop6 ? 1 : 0);
    while (i < routes.length && same(routes[i]!)) {
      const parts: Uint8Array[] = [];
      let size = 0;
      while (i < routes.length && same(routes[i]!) && size + routes[i]!.nlri.length <= room) {
        parts.push(routes[i]!.nlri);
        size += routes[i]!.nlri.length;
        i++;
      }
      const nlri: NlriBlock = {
        afi: nextHop6 ? Afi.Ipv6 : Afi.Ipv4,
        safi: Safi.Unicast,
        addPath: false,
        bytes: concatNlri(parts, size),
        count: parts.length,
      };
      if (nextHop6) attributes[mpAt] = makeMpReach(nextHop6, nlri);
      else update.nlri = nlri;
      out.add(encodeMessage(update, { extendedMessage: max > MAX_MESSAGE }));
      prefixes += parts.length;
      if (scope === 1) noAdvertise += parts.length;
      else if (scope === 2) noExport += parts.length;
    }
  }
  out.seal();
  return {
    blocks: out.blocks,
    messages: out.messages,
    prefixes,
    noExport,
    noAdvertise,
    octets: out.octets,
    encodeMs: cpuMs(start),
  };
}

/**
 * Withdrawals of every route in `routes` (RFC 4271 4.3 Withdrawn Routes field; with `ipv6`, MP_UNREACH_NLRI
 * of IPv6 unicast, RFC 4760 4), packed densely.
 */
export function encodeWithdrawals(
  routes: readonly TableRoute[],
  maxMessage = MAX_MESSAGE,
  ipv6 = false,
): EncodedStream {
  const start = process.cpuUsage();
  // IPv6: an MP_UNREACH_NLRI header (4, extended length) and AFI/SAFI (3).
  const room = maxMessage - HEADER - 4 - (ipv6 ? 7 : 0);
  const out = new BlockBuilder();
  let i = 0;
  while (i < routes.length) {
    const parts: Uint8Array[] = [];
    let size = 0;
    while (i < routes.length && size + routes[i]!.nlri.length <= room) {
      parts.push(routes[i]!.nlri);
      size += routes[i]!.nlri.length;
      i++;
    }
    const withdrawn: NlriBlock = {
      afi: ipv6 ? Afi.Ipv6 : Afi.Ipv4,
      safi: Safi.Unicast,
      addPath: false,
      bytes: concatNlri(parts, size),
      count: parts.length,
    };
    const update: UpdateMessage = ipv6
      ? { type: 'update', withdrawn: EMPTY, attributes: [makeMpUnreach(withdrawn)], nlri: EMPTY }
      : { type: 'update', withdrawn, attributes: [], nlri: EMPTY };
    out.add(encodeMessage(update, { extendedMessage: maxMessage > MAX_MESSAGE }));
  }
  out.seal();
  return {
    blocks: out.blocks,
    messages: out.messages,
    prefixes: routes.length,
    noExport: 0,
    noAdvertise: 0,
    octets: out.octets,
    encodeMs: cpuMs(start),
  };
}
