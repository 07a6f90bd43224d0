// BGP capabilities (RFC 5492) carried in OPEN optional parameter type 2: multiprotocol (1, RFC 4760),
// route refresh (2, RFC 2918), extended next hop (5, RFC 8950), extended message (6, RFC 8654), graceful
// restart (64, RFC 4724), 4-octet AS (65, RFC 6793), ADD-PATH (69, RFC 7911), enhanced route refresh
// (70, RFC 7313), FQDN (73, draft-walton-bgp-hostname-capability). Others are kept as opaque bytes.
// Every capability keeps its value bytes (`raw`) so an OPEN re-encodes as received.
//
// RFC 5492 4:
//   +------------------------------+
//   | Capability Code (1 octet)    |
//   +------------------------------+
//   | Capability Length (1 octet)  |
//   +------------------------------+
//   | Capability Value (variable)  |
//   +------------------------------+
import { CapabilityCode } from './iana.js';
import { getU16, getU32 } from './reader.js';
import type { WireWriter } from './writer.js';

interface CapabilityBase {
  code: number;
  /** Capability value as on the wire. */
  raw: Uint8Array;
}

export interface MultiprotocolCapability extends CapabilityBase {
  type: 'multiprotocol';
  afi: number;
  safi: number;
}
export interface RouteRefreshCapability extends CapabilityBase {
  type: 'route-refresh';
}
export interface ExtendedNextHopCapability extends CapabilityBase {
  type: 'extended-next-hop';
  /** RFC 8950 4: NLRI AFI/SAFI that may use a next hop of `nextHopAfi`. */
  entries: { afi: number; safi: number; nextHopAfi: number }[];
}
export interface ExtendedMessageCapability extends CapabilityBase {
  type: 'extended-message';
}
export interface GracefulRestartCapability extends CapabilityBase {
  type: 'graceful-restart';
  /** Restart Flags (high 4 bits of the first octet: R = 0x8, N = 0x4 per RFC 8538). */
  flags: number;
  /** Restart Time in seconds (12 bits). */
  restartTime: number;
  /** Per family; `flags` bit 0x80 = Forwarding State preserved. */
  families: { afi: number; safi: number; flags: number }[];
}
export interface FourOctetAsCapability extends CapabilityBase {
  type: 'four-octet-as';
  asn: number;
}
export interface AddPathCapability extends CapabilityBase {
  type: 'add-path';
  /** sendReceive: 1 receive, 2 send, 3 both (RFC 7911 4). */
  families: { afi: number; safi: number; sendReceive: number }[];
}
export interface EnhancedRouteRefreshCapability extends CapabilityBase {
  type: 'enhanced-route-refresh';
}
export interface FqdnCapability extends CapabilityBase {
  type: 'fqdn';
  hostname: string;
  domain: string;
}
export interface UnknownCapability extends CapabilityBase {
  type: 'unknown';
}

export type Capability =
  | MultiprotocolCapability
  | RouteRefreshCapability
  | ExtendedNextHopCapability
  | ExtendedMessageCapability
  | GracefulRestartCapability
  | FourOctetAsCapability
  | AddPathCapability
  | EnhancedRouteRefreshCapability
  | FqdnCapability
  | UnknownCapability;

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Decode one capability value; a string is the reason it is malformed. */
export function decodeCapability(code: number, raw: Uint8Array): Capability | string {
  const n = raw.length;
  switch (code) {
    case CapabilityCode.Multiprotocol:
      // RFC 4760 8: AFI (2), Reserved (1), SAFI (1).
      if (n !== 4) return `multiprotocol capability length ${n}`;
      return { type: 'multiprotocol', code, raw, afi: getU16(raw, 0), safi: raw[3]! };
    case CapabilityCode.RouteRefresh:
      if (n !== 0) return `route refresh capability length ${n}`;
      return { type: 'route-refresh', code, raw };
    case CapabilityCode.ExtendedNextHop: {
      // RFC 8950 4: a list of (NLRI AFI 2, NLRI SAFI 2, Nexthop AFI 2).
      if (n % 6 !== 0) return `extended next hop capability length ${n}`;
      const entries: ExtendedNextHopCapability['entries'] = [];
      for (let p = 0; p < n; p += 6)
        entries.push({ afi: getU16(raw, p), safi: getU16(raw, p + 2), nextHopAfi: getU16(raw, p + 4) });
      return { type: 'extended-next-hop', code, raw, entries };
    }
    case CapabilityCode.ExtendedMessage:
      if (n !== 0) return `extended message capability length ${n}`;
      return { type: 'extended-message', code, raw };
    case CapabilityCode.GracefulRestart: {
      // RFC 4724 3: Restart Flags (4 bits), Restart Time (12 bits), then (AFI 2, SAFI 1, Flags 1) per family.
      if (n < 2 || (n - 2) % 4 !== 0) return `graceful restart capability length ${n}`;
      const families: GracefulRestartCapability['families'] = [];
      for (let p = 2; p < n; p += 4)
        families.push({ afi: getU16(raw, p), safi: raw[p + 2]!, flags: raw[p + 3]! });
      return {
        type: 'graceful-restart',
        code,
        raw,
        flags: raw[0]! >> 4,
        restartTime: getU16(raw, 0) & 0xfff,
        families,
      };
    }
    case CapabilityCode.FourOctetAs:
      if (n !== 4) return `4-octet AS capability length ${n}`;
      return { type: 'four-octet-as', code, raw, asn: getU32(raw, 0) };
    case CapabilityCode.AddPath: {
      // RFC 7911 4: (AFI 2, SAFI 1, Send/Receive 1) per family.
      if (n === 0 || n % 4 !== 0) return `ADD-PATH capability length ${n}`;
      const families: AddPathCapability['families'] = [];
      for (let p = 0; p < n; p += 4)
        families.push({ afi: getU16(raw, p), safi: raw[p + 2]!, sendReceive: raw[p + 3]! });
      return { type: 'add-path', code, raw, families };
    }
    case CapabilityCode.EnhancedRouteRefresh:
      if (n !== 0) return `enhanced route refresh capability length ${n}`;
      return { type: 'enhanced-route-refresh', code, raw };
    case CapabilityCode.Fqdn: {
      // draft-walton-bgp-hostname-capability: Hostname Length (1), Hostname, Domain Name Length (1), Domain Name.
      if (n < 1) return 'FQDN capability empty';
      const hl = raw[0]!;
      if (1 + hl + 1 > n) return 'FQDN hostname overruns';
      const dl = raw[1 + hl]!;
      if (2 + hl + dl > n) return 'FQDN domain overruns';
      return {
        type: 'fqdn',
        code,
        raw,
        hostname: utf8.decode(raw.subarray(1, 1 + hl)),
        domain: utf8.decode(raw.subarray(2 + hl, 2 + hl + dl)),
      };
    }
    default:
      return { type: 'unknown', code, raw };
  }
}

/** Decode a capabilities optional parameter value (a sequence of capability TLVs). */
export function decodeCapabilities(value: Uint8Array): Capability[] | string {
  const out: Capability[] = [];
  let p = 0;
  while (p < value.length) {
    if (p + 2 > value.length) return 'capability header truncated';
    const code = value[p]!;
    const len = value[p + 1]!;
    if (p + 2 + len > value.length) return `capability ${code} length ${len} overruns the parameter`;
    const c = decodeCapability(code, value.subarray(p + 2, p + 2 + len));
    if (typeof c === 'string') return c;
    out.push(c);
    p += 2 + len;
  }
  return out;
}

export function writeCapabilities(w: WireWriter, caps: readonly Capability[]): void {
  for (const c of caps) w.u8(c.code).u8(c.raw.length).bytes(c.raw);
}

// ===== Builders =====

export function makeMultiprotocol(afi: number, safi: number): MultiprotocolCapability {
  return {
    type: 'multiprotocol',
    code: CapabilityCode.Multiprotocol,
    raw: Uint8Array.of(afi >> 8, afi & 255, 0, safi),
    afi,
    safi,
  };
}

export function makeRouteRefreshCapability(): RouteRefreshCapability {
  return { type: 'route-refresh', code: CapabilityCode.RouteRefresh, raw: new Uint8Array(0) };
}

export function makeEnhancedRouteRefreshCapability(): EnhancedRouteRefreshCapability {
  return {
    type: 'enhanced-route-refresh',
    code: CapabilityCode.EnhancedRouteRefresh,
    raw: new Uint8Array(0),
  };
}

export function makeExtendedMessageCapability(): ExtendedMessageCapability {
  return { type: 'extended-message', code: CapabilityCode.ExtendedMessage, raw: new Uint8Array(0) };
}

export function makeFourOctetAs(asn: number): FourOctetAsCapability {
  return {
    type: 'four-octet-as',
    code: CapabilityCode.FourOctetAs,
    raw: Uint8Array.of(asn >>> 24, (asn >>> 16) & 255, (asn >>> 8) & 255, asn & 255),
    asn,
  };
}

export function makeAddPathCapability(families: AddPathCapability['families']): AddPathCapability {
  const raw = new Uint8Array(families.length * 4);
  families.forEach((f, i) => raw.set([f.afi >> 8, f.afi & 255, f.safi, f.sendReceive], i * 4));
  return { type: 'add-path', code: CapabilityCode.AddPath, raw, families };
}

export function makeExtendedNextHopCapability(
  entries: ExtendedNextHopCapability['entries'],
): ExtendedNextHopCapability {
  const raw = new Uint8Array(entries.length * 6);
  entries.forEach((e, i) =>
    raw.set(
      [e.afi >> 8, e.afi & 255, e.safi >> 8, e.safi & 255, e.nextHopAfi >> 8, e.nextHopAfi & 255],
      i * 6,
    ),
  );
  return { type: 'extended-next-hop', code: CapabilityCode.ExtendedNextHop, raw, entries };
}

export function makeGracefulRestartCapability(
  flags: number,
  restartTime: number,
  families: GracefulRestartCapability['families'],
): GracefulRestartCapability {
  const raw = new Uint8Array(2 + families.length * 4);
  raw[0] = ((flags & 0xf) << 4) | ((restartTime >> 8) & 0xf);
  raw[1] = restartTime & 255;
  families.forEach((f, i) => raw.set([f.afi >> 8, f.afi & 255, f.safi, f.flags], 2 + i * 4));
  return {
    type: 'graceful-restart',
    code: CapabilityCode.GracefulRestart,
    raw,
    flags,
    restartTime,
    families,
  };
}

export function makeFqdnCapability(hostname: string, domain: string): FqdnCapability {
  const h = encoder.encode(hostname).subarray(0, 255);
  const d = encoder.encode(domain).subarray(0, 255);
  const raw = new Uint8Array(2 + h.length + d.length);
  raw[0] = h.length;
  raw.set(h, 1);
  raw[1 + h.length] = d.length;
  raw.set(d, 2 + h.length);
  return { type: 'fqdn', code: CapabilityCode.Fqdn, raw, hostname, domain };
}
