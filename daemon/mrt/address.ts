// Addresses as bgpdump prints them. IPv4 is the usual dotted quad (daemon/net/address.ts); IPv6 follows
// bgpdump's own formatter, which differs from RFC 5952 and from inet_ntop: a single zero group is also
// compressed to "::" (the longest run wins, the first on a tie), IPv4-mapped addresses print as
// "::ffff:a.b.c.d" and IPv4-compatible ones (first 96 bits zero, last 32 bits > 1) as "::a.b.c.d". Lookup
// tables keep the hot path free of toString() calls. Parsing is daemon/net/address.ts's.
import { formatIpv4At } from '../net/address.js';

let hexGroups: string[] | undefined;

function hexGroup(w: number): string {
  hexGroups ??= Array.from({ length: 65536 }, (_, i) => i.toString(16));
  return hexGroups[w]!;
}

const groups = new Uint16Array(8);

/** bgpdump's text form of the 16 octets at `off`. */
export function ipv6At(buf: Uint8Array, off: number): string {
  let zeroPrefix = true;
  for (let i = 0; i < 10; i++) {
    if (buf[off + i] !== 0) {
      zeroPrefix = false;
      break;
    }
  }
  if (zeroPrefix) {
    const g5 = (buf[off + 10]! << 8) | buf[off + 11]!;
    if (g5 === 0xffff) return '::ffff:' + formatIpv4At(buf, off + 12);
    if (g5 === 0) {
      const low =
        ((buf[off + 12]! << 24) | (buf[off + 13]! << 16) | (buf[off + 14]! << 8) | buf[off + 15]!) >>> 0;
      if (low > 1) return '::' + formatIpv4At(buf, off + 12);
    }
  }
  for (let i = 0; i < 8; i++) groups[i] = (buf[off + 2 * i]! << 8) | buf[off + 2 * i + 1]!;
  // Longest run of zero groups (length >= 1), the first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += hexGroup(groups[i]!);
    if (i !== 7) s += ':';
  }
  return s;
}

/** Text of an address of family `afi` (1 = IPv4, 2 = IPv6) at `off`. */
export function addressAt(afi: number, buf: Uint8Array, off: number): string {
  return afi === 2 ? ipv6At(buf, off) : formatIpv4At(buf, off);
}
