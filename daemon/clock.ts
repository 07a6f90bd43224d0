// The daemon's only source of time, deferred work and randomness (sessions and the RDE), injectable so
// tests (and replay tests) drive it by hand. `realClock` uses setTimeout and setImmediate (never
// blocking); `FakeClock` runs deferred work and due timers when a test calls advance() or runDeferred(),
// and its wall clock (wallNow) moves with it.
// Timers are one-shot handles; "restart" is clear + set by the caller.

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  /** Optional: the wall clock, milliseconds since the UNIX epoch (plugins' get_realtime). */
  wallNow?(): number;
  setTimer(ms: number, fire: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
  /** Uniform in [0, 1): used for timer jitter (RFC 4271 10). */
  random(): number;
  /** Run `fn` on a later turn of the event loop, after I/O already waiting (setImmediate). */
  defer(fn: () => void): void;
  /**
   * Optional: make a running timer fire `ms` from now instead (what clear + set does, without a new
   * timer for the Hold and Keepalive timers restarted per UPDATE). False when `handle` is not running.
   */
  restartTimer?(handle: TimerHandle, ms: number): boolean;
}

/**
 * Drive work cut into slices (a generator that yields between them): the first slice now, each next one
 * on a later turn of the loop through `clock.defer`, then `done` with what the generator returned.
 */
export function runSliced<T>(clock: Clock, slices: Generator<void, T, void>, done: (value: T) => void): void {
  const step = (): void => {
    const r = slices.next();
    if (r.done === true) done(r.value);
    else clock.defer(step);
  };
  step();
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
  wallNow(): number {
    return performance.timeOrigin + performance.now();
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
  defer(fn: () => void): void {
    setImmediate(fn);
  }
}

export const realClock: Clock = new RealClock();

// ===== fake clock =====

interface FakeTimer {
  id: number;
  due: number;
  fire: () => void;
}

/**
 * A clock that only moves when told to. Timers due at the same instant fire in creation order; deferred
 * work runs (in order, including work it defers in turn) before time moves on.
 */
export class FakeClock implements Clock {
  private time = 0;
  private next = 1;
  private readonly timers = new Map<number, FakeTimer>();
  private deferred: (() => void)[] = [];

  /** The wall clock at time 0 (ms since the epoch): wallNow() moves with advance(). */
  wallOrigin = 1_700_000_000_000;

  constructor(private readonly randomValue = 0.5) {}

  now(): number {
    return this.time;
  }
  wallNow(): number {
    return this.wallOrigin + this.time;
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
  defer(fn: () => void): void {
    this.deferred.push(fn);
  }
  /** Run deferred work until none is left (work deferred meanwhile included); returns how many ran. */
  runDeferred(): number {
    let n = 0;
    while (this.deferred.length > 0) {
      const batch = this.deferred;
      this.deferred = [];
      for (const fn of batch) fn();
      n += batch.length;
    }
    return n;
  }
  /** Number of armed timers. */
  get pending(): number {
    return this.timers.size;
  }
  /** Move time forward by `ms`, firing every timer that comes due on the way, in due order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.runDeferred();
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
