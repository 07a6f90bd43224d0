// The RIBs. Per family a compact prefix table (IPv4 key: address * 64 + length as a number; IPv6 key: a
// short string of 16-bit code units) -> a destination id, a dense index. Per id the table keeps the list
// of Adj-RIB-In entries of every peer for that prefix (`firstOf`: pre-policy AttrSet and post-policy
// AttrSet, or null when rejected), the Loc-RIB entry (`bestOf`), and in typed arrays the key, the
// decision reason, the decision-queue flag and the send-queue marks. The Adj-RIB-Out of each peer group
// (rde.ts) is an array indexed by the id too. No strings or objects per IPv4 prefix beyond its paths;
// `Destination` objects are made only for dumps and views that ask for them.
import { Afi, formatAddress, ipv4PrefixKey } from '../wire/index.js';
import type { AttrSet } from './attr-store.js';
import { IdArray } from './id-array.js';
import { Ipv4PrefixIndex, Ipv6PrefixIndex } from './prefix-index.js';
import { decisionReasons, type DecisionPeer, type DecisionReason } from './decision.js';
import type { Family } from '../config/types.js';

export type PrefixKey = number | string;

/** Per-id arrays start this long and double. */
const INITIAL_IDS = 1024;

/** A source of routes: a BGP peer, or the local pseudo-peer for originated routes (id 0). */
export interface RdePeer extends DecisionPeer {
  readonly id: number;
  readonly name: string;
  /** The peer's AS (ours for the local pseudo-peer). */
  readonly asn: number;
  /** The peer's address as text ('' for the local pseudo-peer). */
  readonly address: string;
  readonly local: boolean;
}

/** Why import did not accept a path. */
export type Rejection = 'as-loop' | 'policy' | 'no-policy' | 'plugin';

/** Rejections by code (`RibPath.tag`); 0 is none. */
const rejections: readonly (Rejection | undefined)[] = [
  undefined,
  'as-loop',
  'policy',
  'no-policy',
  'plugin',
];
const rejectionCodes: Readonly<Record<Rejection, number>> = {
  'as-loop': 1,
  policy: 2,
  'no-policy': 3,
  plugin: 4,
};

/**
 * One Adj-RIB-In entry. A plain object made by `newRibPath` from one object literal, not a class: V8
 * pretenures the objects of a literal's allocation site once it sees them survive (a full table's half a
 * million paths are allocated straight into the old generation instead of being copied out of the young
 * one by the scavenger); it does not do so for `new` of a class. `copyPath` makes the same shape.
 */
export interface RibPath {
  readonly peer: RdePeer;
  /**
   * The path id and the rejection code in one field (pathId * 8 + code): a full table holds half a million
   * paths. A small integer while path ids stay below 2^28, as they do in practice; exact above. Read it
   * through `pathIdOf` and `rejectionOf`.
   */
  tag: number;
  /** Pre-policy attributes (kept so import policy can be re-applied without asking the peer). */
  pre: AttrSet;
  /** Post-policy attributes, or null when rejected (import policy, AS loop, RFC 8212). */
  attrs: AttrSet | null;
  /** The destination's next path (paths form a list in arrival order, as BIRD chains a net's routes). */
  next: RibPath | undefined;
}

/** A path of `peer` with RFC 7911 path identifier `pathId` (0 without ADD-PATH), not yet filtered. */
export function newRibPath(peer: RdePeer, pathId: number, pre: AttrSet): RibPath {
  return { peer, tag: pathId * 8, pre, attrs: null, next: undefined };
}

/** RFC 7911 path identifier (0 without ADD-PATH). */
export function pathIdOf(p: RibPath): number {
  return Math.floor(p.tag / 8);
}

/** Why import rejected the path (undefined when accepted). */
export function rejectionOf(p: RibPath): Rejection | undefined {
  return rejections[p.tag - pathIdOf(p) * 8];
}

export function setRejection(p: RibPath, why: Rejection | undefined): void {
  p.tag = pathIdOf(p) * 8 + (why === undefined ? 0 : rejectionCodes[why]);
}

/** A copy outside any list (`next` undefined), holding no extra references. */
export function copyPath(p: RibPath): RibPath {
  return { peer: p.peer, tag: p.tag, pre: p.pre, attrs: p.attrs, next: undefined };
}

/**
 * A prefix in a family table as dumps and views read it: what the table held for `id` when it was asked
 * (`FamilyRib.at`, `get`, `all`, `values`); made on request, so it does not follow later changes. The RDE
 * itself works on ids (`firstOf`, `bestOf`).
 */
export interface Destination {
  /**
   * Dense index in the family table, reused once the destination is dropped: the Adj-RIB-Out of a peer
   * group, the send queue of a peer and the table's own per-destination arrays are indexed by it.
   */
  readonly id: number;
  /**
   * The Adj-RIB-In entries of every peer for this prefix, as a list through `RibPath.next` (most
   * destinations have one path: a list costs no array per destination). `pathList` gives an array.
   */
  readonly first: RibPath | undefined;
  /** The Loc-RIB entry. */
  readonly best: RibPath | undefined;
}

/** Per number of address code units (0..8): the reused argument array of the IPv6 key's one String.fromCharCode. */
const KEY_UNITS: number[][] = Array.from({ length: 9 }, (_, n) => new Array<number>(n + 1).fill(0));

/** The table key of a wire prefix (host bits cleared). */
export function prefixKey(afi: number, length: number, bytes: Uint8Array, offset: number): PrefixKey {
  if (afi !== Afi.Ipv6) return ipv4PrefixKey(bytes, offset, length);
  const octets = (length + 7) >> 3;
  // One flat string from one call (concatenating a char at a time made a string per code unit).
  const units = KEY_UNITS[(octets + 1) >> 1]!;
  units[0] = length;
  for (let i = 0, u = 1; i < octets; i += 2, u++) {
    let hi = bytes[offset + i]!;
    let lo = i + 1 < octets ? bytes[offset + i + 1]! : 0;
    // Clear host bits in the last octet.
    const bitsHere = length - i * 8;
    if (bitsHere < 8) hi &= (0xff << (8 - bitsHere)) & 0xff;
    if (bitsHere < 16) lo &= bitsHere <= 8 ? 0 : (0xff << (16 - bitsHere)) & 0xff;
    units[u] = (hi << 8) | lo;
  }
  return String.fromCharCode.apply(null, units);
}

/** The length of an IPv4 key (address * 64 + length); floor and multiply, as `%` on a double is a slow call. */
function ipv4KeyLength(key: number): number {
  return key - Math.floor(key / 64) * 64;
}

export function keyLength(key: PrefixKey): number {
  return typeof key === 'number' ? ipv4KeyLength(key) : key.charCodeAt(0);
}

/** Write the wire form of a prefix key (length octet + address octets) at out[pos]; returns the new pos. */
export function writePrefix(key: PrefixKey, out: Uint8Array, pos: number): number {
  const length = keyLength(key);
  const octets = (length + 7) >> 3;
  out[pos++] = length;
  if (typeof key === 'number') {
    const addr = Math.floor(key / 64);
    for (let i = 0; i < octets; i++) out[pos++] = (addr >>> (24 - 8 * i)) & 255;
  } else {
    for (let i = 0; i < octets; i++) {
      const w = key.charCodeAt(1 + (i >> 1));
      out[pos++] = (i & 1) === 0 ? w >> 8 : w & 255;
    }
  }
  return pos;
}

/** Octets of the wire form of a prefix (without path id). */
export function prefixWireLength(key: PrefixKey): number {
  return 1 + ((keyLength(key) + 7) >> 3);
}

/** "10.0.0.0/8" / "2001:db8::/32". */
export function formatKey(key: PrefixKey): string {
  const buf = new Uint8Array(17);
  writePrefix(key, buf, 0);
  return `${formatAddress(typeof key === 'number' ? Afi.Ipv4 : Afi.Ipv6, buf, 1)}/${keyLength(key)}`;
}

/** An address as a string that sorts in address order (IPv4 before IPv6). */
export function addressOrderKey(address: string): string {
  if (!address.includes(':'))
    return `4${address
      .split('.')
      .map((p) => Number(p).toString(16).padStart(2, '0'))
      .join('')}`;
  return `6${address}`;
}

/** The paths of a destination as an array (dumps, tests; the hot paths walk the list). */
export function pathList(d: Destination): RibPath[] {
  const out: RibPath[] = [];
  for (let p = d.first; p !== undefined; p = p.next) out.push(p);
  return out;
}

/** Decision reason codes (`FamilyRib.reasons`): 0 is no reason (no best path). */
const reasonCodes = new Map<DecisionReason, number>(decisionReasons.map((r, i) => [r, i + 1]));
const ONLY_PATH_CODE = reasonCodes.get('only-path')!;

/**
 * One family's table: prefix -> destination id. Prefixes are found through a typed-array hash table
 * (prefix-index.ts) giving the id: IPv4 by address and length, IPv6 by the string key. Per id it keeps the
 * destination's paths and best path (arrays of pointers) and, in typed arrays, what needs no object field
 * (a double field would box every IPv4 key): the key, the decision reason, whether the destination waits
 * for the decision, and how many send queues hold its id.
 */
export class FamilyRib {
  private readonly index4 = new Ipv4PrefixIndex();
  private readonly index6 = new Ipv6PrefixIndex();
  /** What `idsOf`'s first pass read last (stored so that the compiler keeps the reads; nothing else reads it). */
  warmed = 0;
  /** idsOf's scratch (IPv4): addresses and lengths of the keys. */
  private batchAddrs = new Uint32Array(0);
  private batchLengths = new Uint8Array(0);
  /** The path list of each id (`RibPath.next`). */
  private readonly firsts = new IdArray<RibPath>();
  /** The Loc-RIB entry of each id. */
  private readonly bests = new IdArray<RibPath>();
  /** Ids handed out so far (live or free). */
  private ids = 0;
  private readonly freeIds: number[] = [];
  /** 1 for a live id, 0 for a free one. */
  private live = new Uint8Array(INITIAL_IDS);
  /** IPv4 key by id (empty for the IPv6 table). */
  private keys4: Float64Array;
  /** IPv6 key by id (empty for the IPv4 table). */
  private readonly keys6: string[] = [];
  /** Decision reason code by id (`reasonCodes`; 0: none). */
  private reasons = new Uint8Array(INITIAL_IDS);
  /** 1 while the destination waits in the decision queue. */
  private queuedFlags = new Uint8Array(INITIAL_IDS);
  /** Send queues holding the id: the destination is not dropped (nor its id reused) while > 0. */
  private marks = new Uint32Array(INITIAL_IDS);
  private readonly ipv6: boolean;

  constructor(readonly family: Family) {
    this.ipv6 = family === 'ipv6-unicast';
    this.keys4 = new Float64Array(this.ipv6 ? 0 : INITIAL_IDS);
  }

  get size(): number {
    return this.index6.size + this.index4.size;
  }

  // ===== by id (the RDE's paths) =====

  /** Whether `id` is a destination of the table now. */
  isLive(id: number): boolean {
    return id < this.ids && this.live[id] === 1;
  }

  /** The first of the destination's paths (the list goes on through `RibPath.next`). */
  firstOf(id: number): RibPath | undefined {
    return this.firsts.get(id);
  }

  setFirst(id: number, path: RibPath | undefined): void {
    this.firsts.set(id, path);
  }

  /** The Loc-RIB entry of the destination. */
  bestOf(id: number): RibPath | undefined {
    return this.bests.get(id);
  }

  setBest(id: number, path: RibPath | undefined): void {
    this.bests.set(id, path);
  }

  /** Remove `p` from the path list of `id`; `prev` is the path before it (undefined when `p` is first). */
  unlink(id: number, prev: RibPath | undefined, p: RibPath): void {
    if (prev === undefined) this.firsts.set(id, p.next);
    else prev.next = p.next;
  }

  /** The prefix key of destination `id`. */
  keyAt(id: number): PrefixKey {
    return this.ipv6 ? this.keys6[id]! : this.keys4[id]!;
  }

  /** The decision step that chose the best path of `id` (undefined: no best path). */
  reasonAt(id: number): DecisionReason | undefined {
    const code = this.reasons[id]!;
    return code === 0 ? undefined : decisionReasons[code - 1];
  }

  setReason(id: number, reason: DecisionReason | undefined): void {
    // 'only-path' (most destinations) without the Map lookup. undefined tested first: a pointer test, where
    // a string comparison met with undefined (a table's first withdrawal) deoptimizes.
    this.reasons[id] =
      reason === undefined ? 0 : reason === 'only-path' ? ONLY_PATH_CODE : reasonCodes.get(reason)!;
  }

  /** Whether `id` waits for the decision. */
  queued(id: number): boolean {
    return this.queuedFlags[id] !== 0;
  }

  setQueued(id: number, queued: boolean): void {
    this.queuedFlags[id] = queued ? 1 : 0;
  }

  /** A send queue took id `id` in: its destination stays (and its id is not reused) until `unmark`. */
  mark(id: number): void {
    this.marks[id]!++;
  }

  /** A send queue let go of id `id`; the destination is dropped when nothing else holds it. */
  unmark(id: number): void {
    if (--this.marks[id]! === 0) this.prune(id);
  }

  /** The id of the destination of `key`, or -1. */
  idOf(key: PrefixKey): number {
    if (typeof key === 'string') return this.index6.get(key);
    const addr = Math.floor(key / 64);
    return this.index4.get(addr, key - addr * 64);
  }

  /**
   * The ids of the destinations of keys[0, n) into ids[0, n) (-1: none), each key read once and the prefix
   * table in two passes (`Ipv4PrefixIndex.getMany`): a withdrawal's hundreds of prefixes.
   */
  idsOf(keys: readonly PrefixKey[], n: number, ids: Int32Array): void {
    // The first pass's reads, kept a 32-bit integer: a sum past it would make `warmed` a double, a change
    // of the object's map that deoptimizes every method compiled for the old one.
    if (this.ipv6) this.warmed = this.index6.getMany(keys as readonly string[], n, ids) | 0;
    else {
      this.growBatch(n);
      const { batchAddrs, batchLengths } = this;
      for (let i = 0; i < n; i++) {
        const key = keys[i] as number;
        const addr = Math.floor(key / 64);
        batchAddrs[i] = addr;
        batchLengths[i] = key - addr * 64;
      }
      this.warmed = this.index4.getMany(batchAddrs, batchLengths, n, ids) | 0;
    }
  }

  /**
   * idsOf for IPv6 prefixes in wire form: the length octet at bytes[at[k]], the address after it (as
   * `prefixKey` reads it, host bits ignored), k < n. No key string is made.
   */
  idsOfWire(bytes: Uint8Array, at: Int32Array, n: number, ids: Int32Array): void {
    this.warmed = this.index6.getManyWire(bytes, at, n, ids) | 0;
  }

  /** Room for n keys in idsOf's scratch. */
  private growBatch(n: number): void {
    if (this.batchAddrs.length >= n) return;
    this.batchAddrs = new Uint32Array(2 * n);
    this.batchLengths = new Uint8Array(2 * n);
  }

  /** The id of the destination of `key`, made when there is none. */
  idFor(key: PrefixKey): number {
    if (typeof key === 'string') {
      const found = this.index6.lookup(key);
      if (found >= 0) return found;
      const id = this.create();
      this.keys6[id] = key;
      this.index6.insertAt(found, key, id);
      return id;
    }
    const addr = Math.floor(key / 64);
    const length = key - addr * 64;
    const found = this.index4.lookup(addr, length);
    if (found >= 0) return found;
    const id = this.create();
    this.keys4[id] = key;
    this.index4.insertAt(found, addr, length, id);
    return id;
  }

  /**
   * Drop a destination that has no path left and no work pending (not queued for the decision, in no
   * send queue); its id becomes free. The caller has emptied its Adj-RIB-Out entries (the decision does).
   */
  prune(id: number): void {
    if (
      !this.isLive(id) ||
      this.firsts.get(id) !== undefined ||
      this.queuedFlags[id] !== 0 ||
      this.marks[id]! > 0
    )
      return;
    // Live: the prefix table holds it.
    if (this.ipv6) {
      this.index6.removeHeld(id);
      this.keys6[id] = '';
    } else this.index4.removeHeld(id);
    this.reasons[id] = 0;
    this.bests.set(id, undefined);
    this.live[id] = 0;
    this.freeIds.push(id);
  }

  /** Every live id in id order (cheap; for work that needs no order). */
  *liveIds(): Generator<number> {
    for (let id = 0; id < this.ids; id++) if (this.live[id] === 1) yield id;
  }

  // ===== Destination objects (dumps and views) =====

  /** The destination with id `id`, if any, as it is now. */
  at(id: number): Destination | undefined {
    return this.isLive(id) ? { id, first: this.firsts.get(id), best: this.bests.get(id) } : undefined;
  }

  get(key: PrefixKey): Destination | undefined {
    const id = this.idOf(key);
    return id < 0 ? undefined : this.at(id);
  }

  /** The prefix key of destination `d`. */
  keyOf(d: Destination): PrefixKey {
    return this.keyAt(d.id);
  }

  /** The decision step that chose `d.best` (undefined: no best path). */
  reasonOf(d: Destination): DecisionReason | undefined {
    return this.reasonAt(d.id);
  }

  /** Every destination in id order (for work that needs no order). */
  *all(): Generator<Destination> {
    for (const id of this.liveIds()) yield this.at(id)!;
  }

  /** Every destination in prefix order (address, then length): for dumps and views. */
  values(): Destination[] {
    const out = [...this.all()];
    return out.sort((a, b) => comparePrefixKeys(this.keyAt(a.id), this.keyAt(b.id)));
  }

  // ===== ids =====

  private create(): number {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.ids++;
    if (id === this.live.length) this.grow();
    this.live[id] = 1;
    this.firsts.set(id, undefined);
    this.bests.set(id, undefined);
    return id;
  }

  /** Double the per-id typed arrays. */
  private grow(): void {
    const n = this.live.length * 2;
    const keys4 = new Float64Array(this.ipv6 ? 0 : n);
    keys4.set(this.keys4);
    this.keys4 = keys4;
    this.live = grown(this.live, new Uint8Array(n));
    this.reasons = grown(this.reasons, new Uint8Array(n));
    this.queuedFlags = grown(this.queuedFlags, new Uint8Array(n));
    this.marks = grown(this.marks, new Uint32Array(n));
  }
}

/** `to` (a larger array of the same kind) with `from` copied in. */
function grown<T extends Uint8Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Prefix order: address, then length (IPv4 keys are address * 64 + length; IPv6 keys length char + address). */
export function comparePrefixKeys(a: PrefixKey, b: PrefixKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  const x = sa.slice(1);
  const y = sb.slice(1);
  if (x !== y) return x < y ? -1 : 1;
  return sa.charCodeAt(0) - sb.charCodeAt(0);
}
