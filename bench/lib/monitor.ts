// The monitor: a passive-minded BGP session (it connects, then only listens) that counts the IPv4 and IPv6
// unicast prefixes the DUT announces and withdraws, keeps the set currently announced, and records when
// the first and the last change arrived. Counting walks the UPDATE's Withdrawn Routes and NLRI fields
// (RFC 4271 4.3) and the NLRI of MP_REACH_NLRI / MP_UNREACH_NLRI of IPv6 unicast (RFC 4760) in place; an
// IPv4 prefix is kept as a number in a PrefixTable (no allocation per prefix), an IPv6 one as a short
// string (the length, then the address octets). Other families are not counted.
// Optionally (`watchPaths`, IPv4 prefixes) it follows which neighbour AS the DUT's path goes through for a
// set of prefixes (an AS_PATH position, 4-octet ASNs) and counts those that differ from what the caller
// expects, so a benchmark can wait for the decision process's final answer, not only for the count.
import { BgpTestPeer, type PeerOptions } from './peer.js';
import { PrefixTable } from './prefix-table.js';

export interface MonitorCounts {
  /** Prefixes currently announced (distinct). */
  present: number;
  /** Announcements and withdrawals received (a prefix announced twice counts twice). */
  announced: number;
  withdrawn: number;
  updates: number;
}

/** Prefix key: address * 64 + length (exact in a double). */
export function prefixKey(bytes: Uint8Array, offset: number, length: number): number {
  let address = 0;
  const n = (length + 7) >> 3;
  for (let i = 0; i < 4; i++) address = address * 256 + (i < n ? bytes[offset + i]! : 0);
  return address * 64 + length;
}

/** The key of a prefix in NLRI wire form (length octet, then the address octets). */
export function nlriKey(nlri: Uint8Array): number {
  return prefixKey(nlri, 1, nlri[0]!);
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

/** A watched prefix that should not be announced, or is not. */
export const ABSENT = -1;

/**
 * The ASN at position `index` of the AS_PATH in the path attributes m[start, end) (4-octet ASNs, segments
 * in order), or ABSENT when the path is shorter or missing.
 */
export function asPathAt(m: Uint8Array, start: number, end: number, index: number): number {
  let p = start;
  while (p + 3 <= end) {
    const flags = m[p]!;
    const type = m[p + 1]!;
    const extended = (flags & 0x10) !== 0;
    const length = extended ? (m[p + 2]! << 8) | m[p + 3]! : m[p + 2]!;
    const value = p + (extended ? 4 : 3);
    if (type === 2) {
      let q = value;
      let seen = 0;
      const valueEnd = Math.min(end, value + length);
      while (q + 2 <= valueEnd) {
        const count = m[q + 1]!;
        if (index < seen + count) {
          const a = q + 2 + (index - seen) * 4;
          return a + 4 <= valueEnd
            ? ((m[a]! << 24) | (m[a + 1]! << 16) | (m[a + 2]! << 8) | m[a + 3]!) >>> 0
            : ABSENT;
        }
        seen += count;
        q += 2 + count * 4;
      }
      return ABSENT;
    }
    p = value + length;
  }
  return ABSENT;
}

/** The prefixes a monitor holds: IPv4 keys (prefixKey) in a PrefixTable, IPv6 keys (strings) in a Set. */
export class PresentPrefixes {
  readonly ipv4 = new PrefixTable(1 << 16);
  readonly ipv6 = new Set<string>();

  /** How many, both families. */
  get size(): number {
    return this.ipv4.size + this.ipv6.size;
  }
}

export class Monitor {
  readonly peer: BgpTestPeer;
  /** The prefixes currently announced (`present.size` is their count). */
  readonly present = new PresentPrefixes();
  announced = 0;
  withdrawn = 0;
  updates = 0;
  /** hrtime (ns) of the first / last UPDATE that changed something; 0n until then. */
  firstChangeNs = 0n;
  lastChangeNs = 0n;
  private waiters: (() => void)[] = [];
  /** Watched prefixes: key -> the ASN expected at `viaIndex` of AS_PATH (ABSENT: not announced). */
  private expectedVia = new PrefixTable();
  /** Watched prefixes: key -> the ASN at `viaIndex` of the path the DUT announced last (absent: none). */
  private readonly via = new PrefixTable();
  private viaIndex = 1;
  /** Watched prefixes whose announced path differs from the expected one (or is there when it should not be). */
  mismatched = 0;

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

  /**
   * Follow the ASN at AS_PATH position `index` (1: the one after the DUT's own AS on eBGP, the neighbour
   * the DUT chose) for the prefixes of `expected` and count in `mismatched` those whose path differs from
   * the value given (ABSENT: the prefix should be withdrawn). May be called again with new expectations
   * for the same prefixes (e.g. after sessions went down).
   */
  watchPaths(expected: PrefixTable, index = 1): void {
    this.expectedVia = expected;
    this.viaIndex = index;
    this.mismatched = 0;
    expected.forEach((want, key) => {
      if ((this.via.get(key) ?? ABSENT) !== want) this.mismatched++;
    });
  }

  /** The ASN the watched prefix's current path goes through (ABSENT: not announced or not watched). */
  viaOf(key: number): number {
    return this.via.get(key) ?? ABSENT;
  }

  private setVia(key: number, value: number): void {
    const want = this.expectedVia.get(key);
    if (want === undefined) return;
    const before = this.via.get(key) ?? ABSENT;
    if (before === value) return;
    if (value === ABSENT) this.via.delete(key);
    else this.via.set(key, value);
    if (before === want) this.mismatched++;
    else if (value === want) this.mismatched--;
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
    const watching = this.expectedVia.size > 0;
    while (p < withdrawnEnd) {
      const len = m[p]!;
      if (len > 32) break;
      const key = prefixKey(m, p + 1, len);
      this.present.ipv4.delete(key);
      if (watching) this.setVia(key, ABSENT);
      this.withdrawn++;
      changed = true;
      p += 1 + ((len + 7) >> 3);
    }
    p = withdrawnEnd;
    if (p + 2 > end) return this.changed(changed);
    const attributesLength = (m[p]! << 8) | m[p + 1]!;
    const attributesStart = p + 2;
    const attributesEnd = Math.min(end, attributesStart + attributesLength);
    if (this.countMp(m, attributesStart, attributesEnd)) changed = true;
    p = attributesEnd;
    let via: number | undefined;
    while (p < end) {
      const len = m[p]!;
      if (len > 32) break;
      const key = prefixKey(m, p + 1, len);
      this.present.ipv4.set(key);
      if (watching && this.expectedVia.has(key)) {
        via ??= asPathAt(m, attributesStart, attributesEnd, this.viaIndex);
        this.setVia(key, via);
      }
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
          this.present.ipv6.add(key);
          this.announced++;
        } else {
          this.present.ipv6.delete(key);
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
