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
  /**
   * Optional: make a running timer fire `ms` from now instead (what clear + set does, without a new
   * timer for the Hold and Keepalive timers restarted per UPDATE). False when `handle` is not running.
   */
  restartTimer?(handle: TimerHandle, ms: number): boolean;
}

// ===== real clock =====

interface RealTimer {
  timeout: NodeJS.Timeout;
  /** When the timer is due (performance.now() ms). */
  due: number;
  /** When `timeout` fires; never after `due`. A restart only moves `due` unless it comes earlier. */
  scheduled: number;
  readonly fire: () => void;
}

class RealClock implements Clock {
  private next = 1;
  private readonly timers = new Map<number, RealTimer>();

  now(): number {
    return performance.now();
  }
  setTimer(ms: number, fire: () => void): TimerHandle {
    const id = this.next++;
    const due = performance.now() + ms;
    const timer: RealTimer = { timeout: undefined as unknown as NodeJS.Timeout, due, scheduled: due, fire };
    timer.timeout = setTimeout(() => this.expire(id, timer), ms);
    this.timers.set(id, timer);
    return { id };
  }
  restartTimer(handle: TimerHandle, ms: number): boolean {
    const timer = this.timers.get(handle.id);
    if (timer === undefined) return false;
    const due = performance.now() + ms;
    timer.due = due;
    if (due < timer.scheduled) this.arm(handle.id, timer, ms);
    return true;
  }
  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t !== undefined) clearTimeout(t.timeout);
    this.timers.delete(handle.id);
  }
  private arm(id: number, timer: RealTimer, ms: number): void {
    clearTimeout(timer.timeout);
    timer.scheduled = performance.now() + ms;
    timer.timeout = setTimeout(() => this.expire(id, timer), ms);
  }
  private expire(id: number, timer: RealTimer): void {
    if (this.timers.get(id) !== timer) return;
    // Restarted since it was armed: wait for the rest (setTimeout's own ms rounding aside).
    const left = timer.due - performance.now();
    if (left >= 1) {
      this.arm(id, timer, left);
      return;
    }
    this.timers.delete(id);
    timer.fire();
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
