// The two RouteSinks of `xbgpctl mrt dump`: bgpdump `-m` lines and JSON lines (schema in README.md). Both
// append to one string that the caller takes with take() after each input chunk, so output is written in
// large blocks, never a write per line.
import type { AttrText } from './attr-text.js';
import type { MrtSkipCode } from './errors.js';
import type { MrtHeader } from './framer.js';
import type { RouteSink } from './routes.js';

/** Attribute presence bits of AttrText.present: MULTI_EXIT_DISC (4) and LOCAL_PREF (5), RFC 4271 §5.1. */
const BIT_MED = 1 << 3;
const BIT_LOCAL_PREF = 1 << 4;

/**
 * Make V8 store a concatenated string flat (ToNumber flattens it in place), so that copying it into every
 * line that shares it does not walk the concatenation tree again each time.
 */
function flatten(s: string): string {
  void ((s as unknown as number) | 0);
  return s;
}

/** Node's latin1 writer (one byte per char; every character we print is ASCII). Untyped in @types/node. */
const latin1Write = (
  Buffer.prototype as unknown as { latin1Write(this: Buffer, s: string, offset: number): number }
).latin1Write;

const BLOCK_SIZE = 1 << 20;
const EMPTY = Buffer.alloc(0);

abstract class TextSink {
  // Lines are written straight into a byte buffer: no joined string to build and encode later, and the
  // block handed to the output stream is already bytes.
  protected buf = Buffer.allocUnsafe(BLOCK_SIZE);
  protected pos = 0;
  lines = 0;

  protected add(line: string): void {
    if (this.pos + line.length > this.buf.length) this.grow(line.length);
    this.pos += latin1Write.call(this.buf, line, this.pos);
    this.lines++;
  }

  /** Make room for `n` more octets. */
  protected room(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written since the last call (the sink starts a new buffer: the block may be kept). */
  take(): Buffer {
    if (this.pos === 0) return EMPTY;
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(BLOCK_SIZE);
    this.pos = 0;
    return out;
  }

  get pendingLength(): number {
    return this.pos;
  }
}

/**
 * `bgpdump -m` lines:
 *   SOURCE|TIME|B or A|PEER|PEER_AS|PREFIX|[PATH_ID|]AS_PATH|ORIGIN|NEXT_HOP|LOCAL_PREF|MED|COMMUNITIES|AG or NAG|AGGREGATOR|
 *   SOURCE|TIME|W|PEER|PEER_AS|PREFIX[|PATH_ID]
 *   SOURCE|TIME|STATE|PEER|PEER_AS|OLD_STATE|NEW_STATE
 */
export class BgpdumpSink extends TextSink implements RouteSink {
  // Consecutive lines share their head (SOURCE|TIME|KIND|PEER|PEER_AS|) and, within one RIB entry or UPDATE,
  // their tail (AS_PATH|...|AGGREGATOR|): both are built once and reused, so a line costs one prefix string.
  private headSource = '';
  private headTime = '';
  private headKind = '';
  private headPeer = '';
  private headPeerAs = -1;
  private head = '';
  private tailAttrs: AttrText | undefined;
  private tailNextHop: string | undefined;
  private tail = '';
  // Where the current head and tail were last written in `buf` (start, length), so the next line sharing them
  // copies octets instead of encoding the string again; -1 when not in the current buffer.
  private headAt = -1;
  private tailAt = -1;
  private headIn: Buffer | undefined;
  private tailIn: Buffer | undefined;

  /** Write `s` (ASCII) at pos, or copy it from `at` in the current buffer when it was written there before. */
  private piece(s: string, at: number, written: Buffer | undefined): number {
    const buf = this.buf;
    const start = this.pos;
    const n = s.length;
    if (written === buf && at >= 0) {
      if (n < 16) for (let i = 0; i < n; i++) buf[start + i] = buf[at + i]!;
      else buf.copyWithin(start, at, at + n);
    } else if (n < 24) {
      for (let i = 0; i < n; i++) buf[start + i] = s.charCodeAt(i);
    } else {
      latin1Write.call(buf, s, start);
    }
    this.pos = start + n;
    return start;
  }

  /** One line: head, prefix (+ "|pathId"), tail; head and tail reuse earlier octets when unchanged. */
  private line(head: string, prefix: string, pathId: number | undefined, tail: string): void {
    const p = pathId === undefined ? prefix : prefix + '|' + pathId;
    this.room(head.length + p.length + tail.length);
    const headAt = this.piece(head, this.headAt, this.headIn);
    this.headAt = headAt;
    this.headIn = this.buf;
    this.piece(p, -1, undefined);
    const tailAt = this.piece(tail, this.tailAt, this.tailIn);
    this.tailAt = tailAt;
    this.tailIn = this.buf;
    this.lines++;
  }

  private headFor(source: string, time: string, kind: string, peer: string, peerAs: number): string {
    if (
      source !== this.headSource ||
      time !== this.headTime ||
      kind !== this.headKind ||
      peer !== this.headPeer ||
      peerAs !== this.headPeerAs
    ) {
      this.headSource = source;
      this.headTime = time;
      this.headKind = kind;
      this.headPeer = peer;
      this.headPeerAs = peerAs;
      this.head = flatten(lineHead(source, time, kind, peer, peerAs));
      this.headIn = undefined;
    }
    return this.head;
  }

  route(
    source: string,
    time: string,
    kind: 'B' | 'A',
    peer: string,
    peerAs: number,
    prefix: string,
    pathId: number | undefined,
    a: AttrText,
    nextHop: string | undefined,
  ): void {
    const head = this.headFor(source, time, kind, peer, peerAs);
    if (a !== this.tailAttrs || nextHop !== this.tailNextHop) {
      this.tailAttrs = a;
      this.tailNextHop = nextHop;
      let tail = '|' + a.asPath + '|' + a.origin + '|';
      if (nextHop !== undefined) tail += nextHop + '|' + a.localPref + '|' + a.med + '|';
      this.tailIn = undefined;
      this.tail = flatten(
        tail + a.communities + '|' + (a.atomicAggregate ? 'AG|' : 'NAG|') + a.aggregator + '|\n',
      );
    }
    this.line(head, prefix, pathId, this.tail);
  }

  withdraw(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    prefix: string,
    pathId: number | undefined,
  ): void {
    const head = this.headFor(source, time, 'W', peer, peerAs);
    if (this.tail !== '\n') {
      this.tail = '\n';
      this.tailAttrs = undefined;
      this.tailIn = undefined;
    }
    this.line(head, prefix, pathId, '\n');
  }

  state(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    oldState: number,
    newState: number,
  ): void {
    this.add(lineHead(source, time, 'STATE', peer, peerAs) + oldState + '|' + newState + '\n');
  }

  /**
   * A deprecated BGP (type 5) announcement as bgpdump 1.6.2 writes it (mrtd_table_line_announce): the fields of
   * the other announcements, but no "|" between the MED and the communities when there are communities.
   */
  bgpRoute(time: string, peer: string, peerAs: number, prefix: string, a: AttrText): void {
    const communities = a.communities === '' ? '|' : a.communities + '|';
    this.add(
      lineHead('BGP', time, 'A', peer, peerAs) +
        prefix +
        `|${a.asPath}|${a.origin}|${a.nextHop}|${a.localPref}|${a.med}` +
        communities +
        (a.atomicAggregate ? 'AG|' : 'NAG|') +
        a.aggregator +
        '|\n',
    );
  }

  /** bgpdump prints nothing for what it skips; the warnings go to stderr (see dump.ts). */
  skipped(): void {}
}

/** JSON lines, one object per route, withdrawal or state change (see README.md "JSON lines"). */
export class JsonSink extends TextSink implements RouteSink {
  route(
    source: string,
    time: string,
    kind: 'B' | 'A',
    peer: string,
    peerAs: number,
    prefix: string,
    pathId: number | undefined,
    a: AttrText,
    nextHop: string | undefined,
  ): void {
    const obj = jsonHead(source, time, kind === 'B' ? 'rib' : 'announce', peer, peerAs, prefix, pathId);
    obj.as_path = a.asPath;
    obj.origin = a.origin;
    obj.next_hop = nextHop ?? null;
    // null when the attribute is absent (bgpdump prints 0 for both cases).
    obj.local_pref = a.present & BIT_LOCAL_PREF ? a.localPref : null;
    obj.med = a.present & BIT_MED ? a.med : null;
    obj.communities = a.communities === '' ? [] : a.communities.split(' ');
    obj.atomic_aggregate = a.atomicAggregate;
    obj.aggregator = a.aggregator === '' ? null : a.aggregator;
    this.add(JSON.stringify(obj) + '\n');
  }

  withdraw(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    prefix: string,
    pathId: number | undefined,
  ): void {
    this.add(JSON.stringify(jsonHead(source, time, 'withdraw', peer, peerAs, prefix, pathId)) + '\n');
  }

  state(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    oldState: number,
    newState: number,
  ): void {
    const obj = jsonHead(source, time, 'state', peer, peerAs);
    obj.old_state = oldState;
    obj.new_state = newState;
    this.add(JSON.stringify(obj) + '\n');
  }

  bgpRoute(time: string, peer: string, peerAs: number, prefix: string, a: AttrText): void {
    this.route('BGP', time, 'A', peer, peerAs, prefix, undefined, a, a.nextHop);
  }

  /** An entry saying what was not printed and why (README.md "JSON lines"). */
  skipped(record: number, h: MrtHeader, code: MrtSkipCode, reason: string): void {
    const obj: Record<string, unknown> = {
      source: 'MRT',
      timestamp: h.timestamp,
      entry: 'skipped',
      record,
      type: h.type,
      subtype: h.subtype,
      code,
      reason,
    };
    this.add(JSON.stringify(obj) + '\n');
  }
}

/** SOURCE|TIME|KIND|PEER|PEER_AS| , the head of every bgpdump line. */
function lineHead(source: string, time: string, kind: string, peer: string, peerAs: number): string {
  return source + '|' + time + '|' + kind + '|' + peer + '|' + peerAs + '|';
}

/** The fields every JSON line starts with, in README order; `prefix` and `path_id` for routes and withdrawals. */
function jsonHead(
  source: string,
  time: string,
  entry: string,
  peer: string,
  peerAs: number,
  prefix?: string,
  pathId?: number,
): Record<string, unknown> {
  const obj: Record<string, unknown> = { source, ...timeFields(time), entry, peer, peer_as: peerAs };
  if (prefix !== undefined) obj.prefix = prefix;
  if (pathId !== undefined) obj.path_id = pathId;
  return obj;
}

function timeFields(time: string): { timestamp: number; microseconds?: number } {
  const dot = time.indexOf('.');
  if (dot < 0) return { timestamp: Number(time) };
  return { timestamp: Number(time.slice(0, dot)), microseconds: Number(time.slice(dot + 1)) };
}
