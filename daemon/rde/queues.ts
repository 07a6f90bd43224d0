// The two work queues of the RDE, both free of per-entry hashing so that a full table streams through
// them with sequential memory access:
//   Fifo       destinations waiting for the decision (membership is a flag on the destination)
//   SendQueue  one per peer and family: destination ids whose Adj-RIB-Out entry changed since the peer was
//              last sent them, with whether the peer may hold an announcement (so a withdrawal is owed
//              when there is nothing to announce). Membership is one octet per destination id; each id
//              queued is a mark in the family table (`FamilyRib.mark`), which keeps the destination.
import type { FamilyRib } from './rib.js';

/** A first-in first-out queue on an array with a moving head (compacted when the dead head grows). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 65536 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

const CLEAN = 0;
const QUEUED = 1;
const QUEUED_HELD = 2;

/** Destination ids owed to one peer for one family, in the order they changed. */
export class SendQueue {
  /** Per destination id: CLEAN, QUEUED (the peer holds nothing) or QUEUED_HELD (it may hold an announcement). */
  private state = new Uint8Array(1024);
  private readonly ids = new Fifo<number>();
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
    if (id === undefined) return -1;
    this.lastHeld = this.state[id] === QUEUED_HELD;
    this.state[id] = CLEAN;
    return id;
  }
}
