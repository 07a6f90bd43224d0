// The monitor: a passive-minded BGP session (it connects, then only listens) that counts the IPv4 unicast
// prefixes the DUT announces and withdraws, keeps the set currently announced, and records when the first
// and the last change arrived. Counting walks the UPDATE's Withdrawn Routes and NLRI fields in place
// (RFC 4271 4.3), with no allocation per prefix; MP_REACH/MP_UNREACH (other families) are not counted.
import { BgpTestPeer, type PeerOptions } from './peer.js';

export interface MonitorCounts {
  /** Prefixes currently announced (distinct). */
  present: number;
  /** Announcements and withdrawals received (a prefix announced twice counts twice). */
  announced: number;
  withdrawn: number;
  updates: number;
}

/** Prefix key: address * 64 + length (exact in a double). */
function prefixKey(bytes: Uint8Array, offset: number, length: number): number {
  let address = 0;
  const n = (length + 7) >> 3;
  for (let i = 0; i < 4; i++) address = address * 256 + (i < n ? bytes[offset + i]! : 0);
  return address * 64 + length;
}

export class Monitor {
  readonly peer: BgpTestPeer;
  readonly present = new Set<number>();
  announced = 0;
  withdrawn = 0;
  updates = 0;
  /** hrtime (ns) of the first / last UPDATE that changed something; 0n until then. */
  firstChangeNs = 0n;
  lastChangeNs = 0n;
  private waiters: (() => void)[] = [];

  constructor(options: PeerOptions) {
    this.peer = new BgpTestPeer(options);
    this.peer.handleUpdates((m) => this.countUpdate(m));
  }

  establish(): Promise<void> {
    return this.peer.establish();
  }

  counts(): MonitorCounts {
    return {
      present: this.present.size,
      announced: this.announced,
      withdrawn: this.withdrawn,
      updates: this.updates,
    };
  }

  /** Forget the timestamps (not the table) before the next measured phase. */
  resetTimes(): void {
    this.firstChangeNs = 0n;
    this.lastChangeNs = 0n;
  }

  /** Count one UPDATE (header included); called for every UPDATE the session receives. */
  countUpdate(m: Uint8Array): void {
    this.updates++;
    const end = m.length;
    const withdrawnLength = (m[19]! << 8) | m[20]!;
    let p = 21;
    const withdrawnEnd = Math.min(end, p + withdrawnLength);
    let changed = false;
    while (p < withdrawnEnd) {
      const len = m[p]!;
      if (len > 32) break;
      this.present.delete(prefixKey(m, p + 1, len));
      this.withdrawn++;
      changed = true;
      p += 1 + ((len + 7) >> 3);
    }
    p = withdrawnEnd;
    if (p + 2 > end) return this.changed(changed);
    const attributesLength = (m[p]! << 8) | m[p + 1]!;
    p += 2 + attributesLength;
    while (p < end) {
      const len = m[p]!;
      if (len > 32) break;
      this.present.add(prefixKey(m, p + 1, len));
      this.announced++;
      changed = true;
      p += 1 + ((len + 7) >> 3);
    }
    this.changed(changed);
  }

  private changed(changed: boolean): void {
    if (!changed) return;
    const now = process.hrtime.bigint();
    if (this.firstChangeNs === 0n) this.firstChangeNs = now;
    this.lastChangeNs = now;
    const waiters = this.waiters;
    if (waiters.length > 0) {
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Resolve when `done()` holds, or when nothing has changed for `idleMs` (the DUT has stopped sending:
   * the caller compares the counts with what it expected), or after `timeoutMs` in all. Returns whether
   * `done()` held.
   */
  waitUntil(done: (m: Monitor) => boolean, idleMs = 5000, timeoutMs = 600_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve) => {
      let idle: NodeJS.Timeout | undefined;
      void this.peer.closed.then(() => {
        if (idle) clearTimeout(idle);
        resolve(done(this));
      });
      const check = (): void => {
        if (idle) clearTimeout(idle);
        if (done(this)) return resolve(true);
        if (Date.now() > deadline || this.peer.closeReason !== undefined) return resolve(false);
        idle = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve(done(this));
        }, idleMs);
        this.waiters.push(check);
      };
      check();
    });
  }

  close(): void {
    this.peer.close();
  }
}
