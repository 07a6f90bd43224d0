// Text forms of IPv4/IPv6 addresses and prefixes as bgpdump prints them. IPv6 follows bgpdump's own
// formatter, which differs from RFC 5952 and from inet_ntop: a single zero group is also compressed to
// "::" (the longest run wins, the first on a tie), IPv4-mapped addresses print as "::ffff:a.b.c.d" and
// IPv4-compatible ones (first 96 bits zero, last 32 bits > 1) as "::a.b.c.d". Lookup tables keep the
// hot path free of toString() calls.

const DECIMAL_OCTET: string[] = Array.from({ length: 256 }, (_, i) => String(i));
let hexGroups: string[] | undefined;

function hexGroup(w: number): string {
  hexGroups ??= Array.from({ length: 65536 }, (_, i) => i.toString(16));
  return hexGroups[w]!;
}

/** Dotted quad of the 4 octets at `off`. */
export function ipv4At(buf: Uint8Array, off: number): string {
  return (
    DECIMAL_OCTET[buf[off]!]! +
    '.' +
    DECIMAL_OCTET[buf[off + 1]!]! +
    '.' +
    DECIMAL_OCTET[buf[off + 2]!]! +
    '.' +
    DECIMAL_OCTET[buf[off + 3]!]!
  );
}

/** Dotted quad of a 32-bit unsigned value. */
export function ipv4FromU32(v: number): string {
  return (
    DECIMAL_OCTET[v >>> 24]! +
    '.' +
    DECIMAL_OCTET[(v >>> 16) & 255]! +
    '.' +
    DECIMAL_OCTET[(v >>> 8) & 255]! +
    '.' +
    DECIMAL_OCTET[v & 255]!
  );
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
    if (g5 === 0xffff) return '::ffff:' + ipv4At(buf, off + 12);
    if (g5 === 0) {
      const low =
        ((buf[off + 12]! << 24) | (buf[off + 13]! << 16) | (buf[off + 14]! << 8) | buf[off + 15]!) >>> 0;
      if (low > 1) return '::' + ipv4At(buf, off + 12);
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
  return afi === 2 ? ipv6At(buf, off) : ipv4At(buf, off);
}

// ===== parsing (for the writer) =====

/** The 4 octets of a dotted quad, or undefined when `text` is not one. */
export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

/** The 16 octets of an IPv6 address in any RFC 4291 §2.2 text form, or undefined. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  let groupsText = text;
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > 0) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (!tail) return undefined;
    groupsText = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = groupsText.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...rest];
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/** Octets of an address of family `afi` (1 = IPv4, 2 = IPv6), or undefined when `text` is not one. */
export function parseAddress(afi: number, text: string): Uint8Array | undefined {
  return afi === 2 ? parseIpv6(text) : parseIpv4(text);
}
