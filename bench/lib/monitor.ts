// The monitor: a passive-minded BGP session (it connects, then only listens) that counts the IPv4 and IPv6
// unicast prefixes the DUT announces and withdraws, keeps the set currently announced, and records when
// the first and the last change arrived. Counting walks the UPDATE's Withdrawn Routes and NLRI fields
// (RFC 4271 4.3) and the NLRI of MP_REACH_NLRI / MP_UNREACH_NLRI of IPv6 unicast (RFC 4760) in place; an
// IPv4 prefix is kept as a number, an IPv6 one as a short string (the length, then the address octets).
// Other families are not counted.
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

/** IPv6 prefix key: one char for the length, then one per significant address octet. */
function prefixKey6(bytes: Uint8Array, offset: number, length: number): string {
  const n = (length + 7) >> 3;
  let key = String.fromCharCode(length);
  for (let i = 0; i < n; i++) key += String.fromCharCode(bytes[offset + i]!);
  return key;
}

const MP_REACH = 14;
const MP_UNREACH = 15;

export class Monitor {
  readonly peer: BgpTestPeer;
  readonly present = new Set<number | string>();
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
    const attributesEnd = Math.min(end, p + 2 + attributesLength);
    if (this.countMp(m, p + 2, attributesEnd)) changed = true;
    p = attributesEnd;
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

  /** Count the IPv6 unicast prefixes of MP_REACH_NLRI / MP_UNREACH_NLRI in m[p, end); whether any. */
  private countMp(m: Uint8Array, p: number, end: number): boolean {
    let changed = false;
    while (p + 3 <= end) {
      const extended = (m[p]! & 0x10) !== 0;
      const code = m[p + 1]!;
      const len = extended ? (m[p + 2]! << 8) | m[p + 3]! : m[p + 2]!;
      const value = p + (extended ? 4 : 3);
      const valueEnd = Math.min(end, value + len);
      p = valueEnd;
      if ((code !== MP_REACH && code !== MP_UNREACH) || value + 3 > valueEnd) continue;
      if (((m[value]! << 8) | m[value + 1]!) !== 2 || m[value + 2] !== 1) continue;
      // MP_REACH_NLRI: AFI, SAFI, next hop length, next hop, reserved; MP_UNREACH_NLRI: AFI, SAFI.
      let q = code === MP_REACH ? value + 4 + m[value + 3]! + 1 : value + 3;
      while (q < valueEnd) {
        const plen = m[q]!;
        if (plen > 128) break;
        const key = prefixKey6(m, q + 1, plen);
        if (code === MP_REACH) {
          this.present.add(key);
          this.announced++;
        } else {
          this.present.delete(key);
          this.withdrawn++;
        }
        changed = true;
        q += 1 + ((plen + 7) >> 3);
      }
    }
    return changed;
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
