// The session layer's only source of time and randomness, injectable so tests drive timers by hand.
// `realClock` uses setTimeout (never blocking); `FakeClock` runs due timers when a test calls advance().
// Timers are one-shot handles; "restart" is clear + set by the caller.

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  setTimer(ms: number, fire: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
  /** Uniform in [0, 1): used for timer jitter (RFC 4271 10). */
  random(): number;
}

// ===== real clock =====

class RealClock implements Clock {
  private next = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return performance.now();
  }
  setTimer(ms: number, fire: () => void): TimerHandle {
    const id = this.next++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fire();
    }, ms);
    this.timers.set(id, t);
    return { id };
  }
  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(handle.id);
  }
  random(): number {
    return Math.random();
  }
}

export const realClock: Clock = new RealClock();

// ===== fake clock =====

interface FakeTimer {
  id: number;
  due: number;
  fire: () => void;
}

/** A clock that only moves when told to. Timers due at the same instant fire in creation order. */
export class FakeClock implements Clock {
  private time = 0;
  private next = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(private readonly randomValue = 0.5) {}

  now(): number {
    return this.time;
  }
  setTimer(ms: number, fire: () => void): TimerHandle {
    const id = this.next++;
    this.timers.set(id, { id, due: this.time + ms, fire });
    return { id };
  }
  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }
  random(): number {
    return this.randomValue;
  }
  /** Number of armed timers. */
  get pending(): number {
    return this.timers.size;
  }
  /** Move time forward by `ms`, firing every timer that comes due on the way, in due order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let first: FakeTimer | undefined;
      for (const t of this.timers.values()) if (t.due <= end && (!first || t.due < first.due)) first = t;
      if (!first) break;
      this.timers.delete(first.id);
      this.time = first.due;
      first.fire();
    }
    this.time = end;
  }
}
