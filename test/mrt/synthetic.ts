// Hand-built MRT records for the cases the shared captures lack: BGP4MP_ET, MESSAGE_LOCAL, STATE_CHANGE_AS4
// over IPv6, 2-octet-AS messages with AS4_PATH / AS4_AGGREGATOR (RFC 6793), AS_SET and confederation
// segments, well-known communities, MP_REACH/MP_UNREACH for IPv6 with a link-local next hop, and TABLE_DUMP v1
// for both AFIs. Used by the bgpdump comparison test; byte layouts follow RFC 6396 and RFC 4271/4760.
import { parseIpv4, parseIpv6 } from '../../daemon/net/address.js';

const u16 = (v: number): number[] => [v >> 8, v & 255];
const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const addr = (afi: number, text: string): number[] => [...(afi === 2 ? parseIpv6(text) : parseIpv4(text))!];

function record(ts: number, type: number, subtype: number, body: number[], microseconds?: number): Buffer {
  const extra = microseconds === undefined ? [] : u32(microseconds);
  return Buffer.from([
    ...u32(ts),
    ...u16(type),
    ...u16(subtype),
    ...u32(body.length + extra.length),
    ...extra,
    ...body,
  ]);
}

/** One path attribute (RFC 4271 §4.3), extended length when needed. */
export function attr(flags: number, type: number, value: number[]): number[] {
  if (value.length > 255) return [flags | 0x10, type, ...u16(value.length), ...value];
  return [flags, type, value.length, ...value];
}

function segment(type: number, asns: number[], asLen: 2 | 4): number[] {
  return [type, asns.length, ...asns.flatMap((a) => (asLen === 4 ? u32(a) : u16(a)))];
}

function prefix(afi: number, text: string, len: number): number[] {
  return [len, ...addr(afi, text).slice(0, (len + 7) >> 3)];
}

function update(withdrawn: number[], attrs: number[], nlri: number[]): number[] {
  const body = [...u16(withdrawn.length), ...withdrawn, ...u16(attrs.length), ...attrs, ...nlri];
  return [...new Array<number>(16).fill(0xff), ...u16(19 + body.length), 2, ...body];
}

function bgp4mp(
  asLen: 2 | 4,
  afi: number,
  peer: string,
  local: string,
  peerAs: number,
  localAs: number,
  rest: number[],
): number[] {
  const as = (v: number): number[] => (asLen === 4 ? u32(v) : u16(v));
  return [
    ...as(peerAs),
    ...as(localAs),
    ...u16(0),
    ...u16(afi),
    ...addr(afi, peer),
    ...addr(afi, local),
    ...rest,
  ];
}

const ORIGIN_IGP = attr(0x40, 1, [0]);
const ORIGIN_EGP = attr(0x40, 1, [1]);

/** The synthetic records, concatenated (a valid uncompressed MRT file). */
export function syntheticMrt(): Buffer {
  const t = 1_600_000_000;
  const out: Buffer[] = [];

  // BGP4MP_ET MESSAGE_AS4_LOCAL over IPv6: MP_UNREACH then MP_REACH with global + link-local next hop.
  const v6attrs = [
    ...ORIGIN_IGP,
    ...attr(0x40, 2, segment(2, [64512, 4_200_000_001], 4)),
    ...attr(0x80, 15, [...u16(2), 1, ...prefix(2, '2001:db8:dead::', 48)]),
    ...attr(0x80, 14, [
      ...u16(2),
      1,
      32,
      ...addr(2, '2001:db8::1'),
      ...addr(2, 'fe80::1'),
      0,
      ...prefix(2, '2001:db8:beef::', 48),
      ...prefix(2, '2001:db8:f00::', 40),
    ]),
    ...attr(0x80, 4, u32(42)),
  ];
  out.push(
    record(t, 17, 7, bgp4mp(4, 2, '2001:db8::1', '2001:db8::2', 64512, 64513, update([], v6attrs, [])), 123),
  );

  // STATE_CHANGE_AS4 over IPv6 (Established -> Idle), and an ET one over IPv4.
  out.push(
    record(
      t + 1,
      16,
      5,
      bgp4mp(4, 2, '2001:db8::1', '2001:db8::2', 4_200_000_001, 64513, [...u16(6), ...u16(1)]),
    ),
  );
  out.push(
    record(
      t + 1,
      17,
      5,
      bgp4mp(4, 1, '192.0.2.7', '192.0.2.8', 65007, 65008, [...u16(1), ...u16(2)]),
      999_999,
    ),
  );

  // 2-octet-AS MESSAGE (RFC 6793 §4.2.3): AS_PATH with AS_TRANS, AS4_PATH, AGGREGATOR AS_TRANS + AS4_AGGREGATOR.
  const as4attrs = [
    ...ORIGIN_EGP,
    ...attr(0x40, 2, [...segment(2, [65001, 23456, 23456, 65002], 2), ...segment(1, [65003, 65004], 2)]),
    ...attr(0x40, 3, addr(1, '192.0.2.1')),
    ...attr(0x80, 4, u32(7)),
    ...attr(0x40, 5, u32(200)),
    ...attr(0x40, 6, []),
    ...attr(0xc0, 7, [...u16(23456), ...addr(1, '192.0.2.9')]),
    ...attr(0xc0, 8, [
      ...u32(0xffffff01),
      ...u32(0xffffff02),
      ...u32(0xffffff03),
      ...u32((65001 << 16) | 666),
    ]),
    ...attr(0xc0, 17, [
      ...segment(2, [4_200_000_010, 4_200_000_011, 65002], 4),
      ...segment(1, [65003, 65004], 4),
    ]),
    ...attr(0xc0, 18, [...u32(4_200_000_012), ...addr(1, '192.0.2.10')]),
  ];
  out.push(
    record(
      t + 2,
      16,
      1,
      bgp4mp(
        2,
        1,
        '192.0.2.1',
        '192.0.2.2',
        65001,
        65000,
        update(prefix(1, '10.9.0.0', 16), as4attrs, [
          ...prefix(1, '10.10.0.0', 16),
          ...prefix(1, '10.11.128.0', 17),
        ]),
      ),
    ),
  );

  // A 2-octet-AS MESSAGE whose AGGREGATOR is not AS_TRANS: AS4_PATH is then ignored (bgpdump's rule).
  const keepAttrs = [
    ...ORIGIN_IGP,
    ...attr(0x40, 2, segment(2, [65001, 23456], 2)),
    ...attr(0x40, 3, addr(1, '192.0.2.1')),
    ...attr(0xc0, 7, [...u16(65009), ...addr(1, '192.0.2.9')]),
    ...attr(0xc0, 17, segment(2, [4_200_000_020], 4)),
    ...attr(0xc0, 18, [...u32(4_200_000_012), ...addr(1, '192.0.2.10')]),
  ];
  out.push(
    record(
      t + 3,
      16,
      1,
      bgp4mp(2, 1, '192.0.2.1', '192.0.2.2', 65001, 65000, update([], keepAttrs, prefix(1, '10.12.0.0', 16))),
    ),
  );

  // Confederation segments (AS_CONFED_SEQUENCE, AS_CONFED_SET) in a 4-octet message; MESSAGE_AS4_LOCAL.
  const confed = [
    ...ORIGIN_IGP,
    ...attr(0x40, 2, [
      ...segment(3, [65100, 65101], 4),
      ...segment(4, [65102, 65103], 4),
      ...segment(2, [65001], 4),
    ]),
    ...attr(0x40, 3, addr(1, '192.0.2.1')),
  ];
  out.push(
    record(
      t + 4,
      16,
      7,
      bgp4mp(4, 1, '192.0.2.1', '192.0.2.2', 65001, 65000, update([], confed, prefix(1, '10.13.0.0', 16))),
    ),
  );

  // TABLE_DUMP (v1) IPv4 and IPv6 (RFC 6396 §4.2), 2-octet AS.
  const v1attrs = [
    ...ORIGIN_IGP,
    ...attr(0x40, 2, segment(2, [65001, 65002], 2)),
    ...attr(0x40, 3, addr(1, '192.0.2.1')),
  ];
  out.push(
    record(t + 5, 12, 1, [
      ...u16(0),
      ...u16(1),
      ...addr(1, '10.20.0.0'),
      16,
      1,
      ...u32(t),
      ...addr(1, '192.0.2.1'),
      ...u16(65001),
      ...u16(v1attrs.length),
      ...v1attrs,
    ]),
  );
  const v1v6attrs = [
    ...ORIGIN_IGP,
    ...attr(0x40, 2, segment(2, [65001], 2)),
    ...attr(0x80, 14, [...u16(2), 1, 16, ...addr(2, '2001:db8::1'), 0]),
  ];
  out.push(
    record(t + 6, 12, 2, [
      ...u16(0),
      ...u16(2),
      ...addr(2, '2001:db8:30::'),
      48,
      1,
      ...u32(t),
      ...addr(2, '2001:db8::1'),
      ...u16(65001),
      ...u16(v1v6attrs.length),
      ...v1v6attrs,
    ]),
  );
  return Buffer.concat(out);
}

/** The 12 fixed octets of a deprecated BGP (type 5) message record: peer AS, peer IP, local AS, local IP. */
function bgpPeers(peer: string, peerAs: number, local: string, localAs: number): number[] {
  return [...u16(peerAs), ...addr(1, peer), ...u16(localAs), ...addr(1, local)];
}

/** An UPDATE body without its 19-octet header, as the deprecated BGP type records it. */
function updateBody(withdrawn: number[], attrs: number[], nlri: number[]): number[] {
  return [...u16(withdrawn.length), ...withdrawn, ...u16(attrs.length), ...attrs, ...nlri];
}

/**
 * Records of the deprecated BGP type (5, RFC 6396 Appendix B.2.4) as RIS and RouteViews wrote them in
 * 1999-2001: UPDATEs (withdrawals, announcements with every attribute bgpdump prints, one without NEXT_HOP),
 * STATE_CHANGE, OPEN, NOTIFY and KEEPALIVE.
 */
export function legacyBgpMrt(): Buffer {
  const t = 990_000_000;
  const peers = bgpPeers('192.0.2.1', 65001, '192.0.2.2', 65000);
  const full = [
    ...ORIGIN_IGP,
    ...attr(0x40, 2, [...segment(2, [65001, 65002], 2), ...segment(1, [65003, 65004], 2)]),
    ...attr(0x40, 3, addr(1, '192.0.2.1')),
    ...attr(0x80, 4, u32(5)),
    ...attr(0x40, 5, u32(100)),
    ...attr(0x40, 6, []),
    ...attr(0xc0, 7, [...u16(65002), ...addr(1, '192.0.2.9')]),
    ...attr(0xc0, 8, [...u32((65001 << 16) | 1), ...u32(0xffffff01)]),
  ];
  const bare = [...ORIGIN_EGP, ...attr(0x40, 2, segment(2, [65001], 2))];
  return Buffer.concat([
    record(t, 5, 1, [
      ...peers,
      ...updateBody(prefix(1, '10.1.0.0', 16), full, [
        ...prefix(1, '10.2.0.0', 16),
        ...prefix(1, '10.3.128.0', 17),
      ]),
    ]),
    record(t + 1, 5, 1, [...peers, ...updateBody([], bare, prefix(1, '10.4.0.0', 16))]),
    record(t + 2, 5, 1, [
      ...peers,
      ...updateBody([...prefix(1, '10.5.0.0', 16), ...prefix(1, '0.0.0.0', 0)], [], []),
    ]),
    record(t + 3, 5, 3, [...u16(65001), ...addr(1, '192.0.2.1'), ...u16(3), ...u16(6)]),
    record(t + 4, 5, 5, [...peers, 4, ...u16(65001), ...u16(180), ...addr(1, '192.0.2.1'), 0]),
    record(t + 5, 5, 6, [...peers, 6, 2]),
    record(t + 6, 5, 7, peers),
  ]);
}

/**
 * Records `xbgpctl mrt dump` cannot print whole, each after a good one: an unknown type (99), an unknown
 * BGP4MP subtype (2), a deprecated BGP SYNC (4), a malformed BGP4MP record (cut inside its addresses), two
 * BGP4MP UPDATEs whose NLRI does not parse (it stops inside a prefix), and a MESSAGE_AS4 UPDATE written
 * with ADD-PATH path identifiers in its NLRI and MP_REACH_NLRI, as older BIRD versions wrote them.
 */
export function damagedMrt(): Buffer {
  const t = 1_700_000_000;
  const good = (ts: number, p: string): Buffer =>
    record(
      ts,
      16,
      4,
      bgp4mp(
        4,
        1,
        '192.0.2.1',
        '192.0.2.2',
        65001,
        65000,
        update(
          [],
          [...ORIGIN_IGP, ...attr(0x40, 2, segment(2, [65001], 4)), ...attr(0x40, 3, addr(1, '192.0.2.1'))],
          prefix(1, p, 24),
        ),
      ),
    );
  const plainAttrs = [
    ...ORIGIN_IGP,
    ...attr(0x40, 2, segment(2, [65001], 4)),
    ...attr(0x40, 3, addr(1, '192.0.2.1')),
  ];
  const birdAttrs = [
    ...ORIGIN_IGP,
    ...attr(0x40, 2, segment(2, [65001], 4)),
    ...attr(0x40, 3, addr(1, '192.0.2.1')),
    ...attr(0x80, 14, [
      ...u16(2),
      1,
      16,
      ...addr(2, '2001:db8::1'),
      0,
      ...u32(7),
      ...prefix(2, '2001:db8:77::', 48),
    ]),
  ];
  return Buffer.concat([
    good(t, '10.0.1.0'),
    record(t + 1, 99, 0, [1, 2, 3]),
    record(t + 2, 16, 2, [1, 2, 3]),
    record(t + 3, 5, 4, [0, 0]),
    record(t + 4, 16, 4, [...u32(65001), ...u32(65000), ...u16(0), ...u16(1), 192, 0]),
    record(
      t + 5,
      16,
      4,
      bgp4mp(4, 1, '192.0.2.1', '192.0.2.2', 65001, 65000, update([], plainAttrs, [24, 10, 0])),
    ),
    record(
      t + 6,
      16,
      4,
      bgp4mp(4, 1, '192.0.2.1', '192.0.2.2', 65001, 65000, update([], plainAttrs, [24, 10, 0])),
    ),
    record(
      t + 7,
      16,
      4,
      bgp4mp(
        4,
        1,
        '192.0.2.1',
        '192.0.2.2',
        65001,
        65000,
        update([], birdAttrs, [...u32(1), ...prefix(1, '10.0.7.0', 24)]),
      ),
    ),
    good(t + 8, '10.0.8.0'),
  ]);
}
