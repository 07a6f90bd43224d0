// The two work queues of the RDE, both free of per-entry hashing so that a full table streams through
// them with sequential memory access:
//   IdFifo     ids of the destinations waiting for the decision (membership is a flag in the family
//              table, `FamilyRib.queued`); also the order of a SendQueue
//   SendQueue  one per peer and family: destination ids whose Adj-RIB-Out entry changed since the peer was
//              last sent them, with whether the peer may hold an announcement (so a withdrawal is owed
//              when there is nothing to announce). Membership is one octet per destination id; each id
//              queued is a mark in the family table (`FamilyRib.mark`), which keeps the destination.
import type { FamilyRib } from './rib.js';

/** Ids per chunk of an `IdFifo` (16 KiB). */
const CHUNK = 4096;
/**
 * Ids in a new queue's first chunk: few, so that `push` makes a chunk and `shift` drops one within a
 * queue's first ids, before V8 optimizes them. Code optimized with those branches never taken gives
 * way where a queue first passes a chunk (a deoptimization and a recompilation in the middle of a table).
 */
const FIRST_CHUNK = 16;

/**
 * A first-in first-out queue of ids (non-negative integers) in Int32Array chunks (after a short first
 * one, of CHUNK ids): four octets an id, and a full table queued grows by chunks instead of copying one
 * large array as it grows.
 */
export class IdFifo {
  private chunks: Int32Array[] = [new Int32Array(FIRST_CHUNK)];
  /** Read position in chunks[0]. */
  private head = 0;
  /** Write position in the last chunk. */
  private tail = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(id: number): void {
    let last = this.chunks[this.chunks.length - 1]!;
    if (this.tail === last.length) {
      last = new Int32Array(CHUNK);
      this.chunks.push(last);
      this.tail = 0;
    }
    last[this.tail++] = id;
    this.count++;
  }

  /** The oldest id, removed; -1 when empty. */
  shift(): number {
    if (this.count === 0) return -1;
    const id = this.chunks[0]![this.head++]!;
    if (--this.count === 0) {
      // Empty: start over in the first chunk.
      if (this.chunks.length > 1) this.chunks = [this.chunks[0]!];
      this.head = 0;
      this.tail = 0;
    } else if (this.head === this.chunks[0]!.length) {
      this.chunks.shift();
      this.head = 0;
    }
    return id;
  }
}

const CLEAN = 0;
const QUEUED = 1;
const QUEUED_HELD = 2;

/** Destination ids owed to one peer for one family, in the order they changed. */
export class SendQueue {
  /** Per destination id: CLEAN, QUEUED (the peer holds nothing) or QUEUED_HELD (it may hold an announcement). */
  private state = new Uint8Array(1024);
  private readonly ids = new IdFifo();
  /** Whether the last id taken may be held by the peer. */
  lastHeld = false;

  /** `rib`: the family table whose ids this queue holds. */
  constructor(private readonly rib: FamilyRib) {}

  /** Ids queued. */
  get size(): number {
    return this.ids.size;
  }

  has(id: number): boolean {
    return id < this.state.length && this.state[id] !== CLEAN;
  }

  /**
   * Queue destination `id` (not already queued: check `has` first) and mark it in the family table, which
   * keeps the destination and its id alive until the id is taken (and the taker unmarks it).
   */
  add(id: number, mayHold: boolean): void {
    this.rib.mark(id);
    if (id >= this.state.length) {
      let n = this.state.length * 2;
      while (n <= id) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.state);
      this.state = grown;
    }
    this.state[id] = mayHold ? QUEUED_HELD : QUEUED;
    this.ids.push(id);
  }

  /** The oldest queued id (its held flag in `lastHeld`), removed; -1 when empty. */
  take(): number {
    const id = this.ids.shift();
    if (id < 0) return -1;
    this.lastHeld = this.state[id] === QUEUED_HELD;
    this.state[id] = CLEAN;
    return id;
  }
}
