// Pre-encoding of a feeder's UPDATEs, done before any timing starts: consecutive prefixes with the same
// attribute set are packed into one UPDATE (up to the session's maximum message size), attributes are
// rewritten for an eBGP session (NEXT_HOP = the feeder, the feeder's AS first in AS_PATH, plus as many
// extra copies as the route's `prepend` asks, no LOCAL_PREF),
// and the messages are concatenated into ~1 MiB send blocks so that sending is a few hundred writes.
import {
  Afi,
  Safi,
  decodeAttributes,
  encodeMessage,
  makeAsPath,
  makeNextHop,
  type AsPathSegment,
  type DecodeContext,
  type NlriBlock,
  type PathAttribute,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
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
  /** NEXT_HOP to send, dotted quad (RFC 4271 5.1.3: our own address on eBGP). */
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
  octets: number;
  /** CPU time spent encoding (ms). */
  encodeMs: number;
}

function ipv4Number(text: string): number {
  const p = text.split('.').map(Number);
  return (((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!) >>> 0;
}

/** The attributes a feeder sends for a route held with the MRT attribute bytes `raw`. */
export function rewriteAttributes(raw: Uint8Array, o: RewriteOptions): PathAttribute[] {
  const decoded = decodeAttributes(raw, MRT_CONTEXT).attributes;
  const out: PathAttribute[] = [];
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
        out.push(makeAsPath(prependAs(a.segments, o.asn, o.prepend ?? 0), true));
        out.push(makeNextHop(ipv4Number(o.nextHop)));
        continue;
      }
      default:
        out.push(a);
    }
  }
  if (!sawAsPath) {
    out.push(makeAsPath(prependAs([], o.asn, o.prepend ?? 0), true));
    out.push(makeNextHop(ipv4Number(o.nextHop)));
  }
  return out;
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
  const out = new BlockBuilder();
  let i = 0;
  let prefixes = 0;
  while (i < routes.length) {
    const raw = routes[i]!.attributes;
    const prepend = routes[i]!.prepend;
    const same = (r: TableRoute): boolean => r.attributes === raw && r.prepend === prepend;
    const attributes = rewriteAttributes(raw, prepend === undefined ? o : { ...o, prepend });
    const update: UpdateMessage = { type: 'update', withdrawn: EMPTY, attributes, nlri: EMPTY };
    // The room left for NLRI once header, the two length fields and the attributes are counted.
    const room = max - encodeMessage(update, { extendedMessage: true }).length;
    while (i < routes.length && same(routes[i]!)) {
      const parts: Uint8Array[] = [];
      let size = 0;
      while (i < routes.length && same(routes[i]!) && size + routes[i]!.nlri.length <= room) {
        parts.push(routes[i]!.nlri);
        size += routes[i]!.nlri.length;
        i++;
      }
      update.nlri = {
        afi: Afi.Ipv4,
        safi: Safi.Unicast,
        addPath: false,
        bytes: concatNlri(parts, size),
        count: parts.length,
      };
      out.add(encodeMessage(update, { extendedMessage: max > MAX_MESSAGE }));
      prefixes += parts.length;
    }
  }
  out.seal();
  return { blocks: out.blocks, messages: out.messages, prefixes, octets: out.octets, encodeMs: cpuMs(start) };
}

/** Withdrawals of every route in `routes` (RFC 4271 4.3 Withdrawn Routes field), packed densely. */
export function encodeWithdrawals(routes: readonly TableRoute[], maxMessage = MAX_MESSAGE): EncodedStream {
  const start = process.cpuUsage();
  const room = maxMessage - HEADER - 4;
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
      afi: Afi.Ipv4,
      safi: Safi.Unicast,
      addPath: false,
      bytes: concatNlri(parts, size),
      count: parts.length,
    };
    out.add(
      encodeMessage(
        { type: 'update', withdrawn, attributes: [], nlri: EMPTY },
        { extendedMessage: maxMessage > MAX_MESSAGE },
      ),
    );
  }
  out.seal();
  return {
    blocks: out.blocks,
    messages: out.messages,
    prefixes: routes.length,
    octets: out.octets,
    encodeMs: cpuMs(start),
  };
}
