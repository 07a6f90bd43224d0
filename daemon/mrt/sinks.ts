// The two RouteSinks of `xbgpctl mrt dump`: bgpdump `-m` lines and JSON lines (schema in README.md). Both
// append to one string that the caller takes with take() after each input chunk, so output is written in
// large blocks, never a write per line.
import type { AttrText } from './attr-text.js';
import type { RouteSink } from './routes.js';

/** Attribute presence bits of AttrText.present: MULTI_EXIT_DISC (4) and LOCAL_PREF (5), RFC 4271 §5.1. */
const BIT_MED = 1 << 3;
const BIT_LOCAL_PREF = 1 << 4;

abstract class TextSink implements RouteSink {
  protected text = '';
  lines = 0;

  /** The text built since the last call. */
  take(): string {
    const t = this.text;
    this.text = '';
    return t;
  }

  get pendingLength(): number {
    return this.text.length;
  }

  abstract route(
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
  abstract withdraw(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    prefix: string,
    pathId: number | undefined,
  ): void;
  abstract state(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    oldState: number,
    newState: number,
  ): void;
}

/**
 * `bgpdump -m` lines:
 *   SOURCE|TIME|B or A|PEER|PEER_AS|PREFIX|[PATH_ID|]AS_PATH|ORIGIN|NEXT_HOP|LOCAL_PREF|MED|COMMUNITIES|AG or NAG|AGGREGATOR|
 *   SOURCE|TIME|W|PEER|PEER_AS|PREFIX[|PATH_ID]
 *   SOURCE|TIME|STATE|PEER|PEER_AS|OLD_STATE|NEW_STATE
 */
export class BgpdumpSink extends TextSink {
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
    let line = source + '|' + time + '|' + kind + '|' + peer + '|' + peerAs + '|' + prefix + '|';
    if (pathId !== undefined) line += pathId + '|';
    line += a.asPath + '|' + a.origin + '|';
    if (nextHop !== undefined) line += nextHop + '|' + a.localPref + '|' + a.med + '|';
    line += a.communities + '|' + (a.atomicAggregate ? 'AG|' : 'NAG|') + a.aggregator + '|\n';
    this.text += line;
    this.lines++;
  }

  withdraw(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    prefix: string,
    pathId: number | undefined,
  ): void {
    this.text +=
      source +
      '|' +
      time +
      '|W|' +
      peer +
      '|' +
      peerAs +
      '|' +
      prefix +
      (pathId !== undefined ? '|' + pathId + '\n' : '\n');
    this.lines++;
  }

  state(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    oldState: number,
    newState: number,
  ): void {
    this.text +=
      source + '|' + time + '|STATE|' + peer + '|' + peerAs + '|' + oldState + '|' + newState + '\n';
    this.lines++;
  }
}

/** JSON lines, one object per route, withdrawal or state change (see README.md "JSON lines"). */
export class JsonSink extends TextSink {
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
    const obj: Record<string, unknown> = {
      source,
      ...timeFields(time),
      entry: kind === 'B' ? 'rib' : 'announce',
      peer,
      peer_as: peerAs,
      prefix,
    };
    if (pathId !== undefined) obj.path_id = pathId;
    obj.as_path = a.asPath;
    obj.origin = a.origin;
    obj.next_hop = nextHop ?? null;
    // null when the attribute is absent (bgpdump prints 0 for both cases).
    obj.local_pref = a.present & BIT_LOCAL_PREF ? a.localPref : null;
    obj.med = a.present & BIT_MED ? a.med : null;
    obj.communities = a.communities === '' ? [] : a.communities.split(' ');
    obj.atomic_aggregate = a.atomicAggregate;
    obj.aggregator = a.aggregator === '' ? null : a.aggregator;
    this.text += JSON.stringify(obj) + '\n';
    this.lines++;
  }

  withdraw(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    prefix: string,
    pathId: number | undefined,
  ): void {
    const obj: Record<string, unknown> = {
      source,
      ...timeFields(time),
      entry: 'withdraw',
      peer,
      peer_as: peerAs,
      prefix,
    };
    if (pathId !== undefined) obj.path_id = pathId;
    this.text += JSON.stringify(obj) + '\n';
    this.lines++;
  }

  state(
    source: string,
    time: string,
    peer: string,
    peerAs: number,
    oldState: number,
    newState: number,
  ): void {
    const obj = {
      source,
      ...timeFields(time),
      entry: 'state',
      peer,
      peer_as: peerAs,
      old_state: oldState,
      new_state: newState,
    };
    this.text += JSON.stringify(obj) + '\n';
    this.lines++;
  }
}

function timeFields(time: string): { timestamp: number; microseconds?: number } {
  const dot = time.indexOf('.');
  if (dot < 0) return { timestamp: Number(time) };
  return { timestamp: Number(time.slice(0, dot)), microseconds: Number(time.slice(dot + 1)) };
}
