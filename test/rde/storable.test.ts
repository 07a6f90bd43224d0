// The decoder's fast path (wire cleanSection, UpdateMessage.storableSection / storableIpv6) and the RDE's
// interning of such a section without decoding (AttrStore.internSection) against the full decode: on
// every UPDATE of the real BGP4MP files in ../shared/data (IPv4 in the body, IPv6 in MP_REACH_NLRI /
// MP_UNREACH_NLRI), on ADD-PATH copies of the IPv6 ones and on seeded byte mutations of them, under eBGP,
// iBGP and plain contexts. Where the fast path is taken, the full decode must find nothing to report and
// the RDE's decode must give the routes and the set the decoded attributes give; where the full decode
// finds a clean UPDATE the fast path could have taken, it must have been taken. And each descriptor's
// `valid` agrees with its `decode`.
// Data: RIPE NCC RIS and University of Oregon RouteViews, via ripe-bgpdump, caida-libbgpstream and ryu.
import { expect } from 'chai';
import {
  Afi,
  AttrType,
  attributeDescriptor,
  checkMandatory,
  decodeAttributes,
  buildNlri,
  decodeMessage,
  encodeMessage,
  familyKey,
  makeAsPath,
  makeMpReach,
  makeMpUnreach,
  makeOrigin,
  Safi,
  type DecodeContext,
  type MpReachAttribute,
  type MpUnreachAttribute,
  type NlriBlock,
  type PathAttribute,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import { AttrStore, nextHopOf } from '../../daemon/rde/attr-store.js';
import { decode, normaliseAttributes, type DecodedRoutes } from '../../daemon/rde/pipeline.js';
import { Rde } from '../../daemon/rde/rde.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import { info, spec } from './peers.js';
import { requireTools, sharedPath } from '../helpers/env.js';
import { updateFiles } from '../wire/helpers/data-files.js';
import { bgpMessages, readCompressed } from '../wire/helpers/mrt-walk.js';

const CONTEXTS: readonly DecodeContext[] = [
  { asn4: true, peerType: 'ebgp' },
  { asn4: true, peerType: 'ibgp' },
  { asn4: true },
  { asn4: true, peerType: 'ebgp', confedPeer: true },
  { asn4: false, peerType: 'ebgp' },
];

/** Codes the fast path may hold: those whose descriptor has `valid`. */
function storableCode(code: number): boolean {
  return attributeDescriptor(code)?.valid !== undefined;
}

/** Octet values at the edges of the descriptors' checks. */
const EDGE = [0, 1, 2, 3, 4, 5, 128, 255];

interface Tally {
  fast: number;
  /** Of `fast`: IPv6 UPDATEs (storableIpv6), those with ADD-PATH, those with a 32-octet next hop. */
  fast6: number;
  fast6AddPath: number;
  fast6LinkLocal: number;
  full: number;
}

const IPV6_ADD_PATH: ReadonlySet<number> = new Set([familyKey(Afi.Ipv6, Safi.Unicast)]);

/** The RDE's decode results, copied (the fast path's are reused by the next call). */
function routesOf(update: UpdateMessage, asn4: boolean, store: AttrStore): DecodedRoutes[] {
  return decode(update, asn4, false, store).map((r) => ({
    ...r,
    announced: r.announced.slice(0, r.announcedCount),
    announcedIds: r.announcedIds.slice(0, r.announcedCount),
    // Prefixes the fast path left in wire form as their keys, so that both paths compare alike.
    withdrawn:
      r.withdrawnWire === undefined
        ? r.withdrawn.slice(0, r.withdrawnCount)
        : Array.from(r.withdrawnAt.subarray(0, r.withdrawnCount), (at) =>
            prefixKey(Afi.Ipv6, r.withdrawnWire![at]!, r.withdrawnWire!, at + 1),
          ),
    withdrawnIds: r.withdrawnIds.slice(0, r.withdrawnCount),
    withdrawnWire: undefined,
    withdrawnAt: new Int32Array(0),
  }));
}

/** Whether the fast path serves an UPDATE with these (fully decoded, clean) attributes, and for which family. */
function servedFamily(update: UpdateMessage, attributes: readonly PathAttribute[], ctx: DecodeContext) {
  if (!ctx.asn4) return undefined;
  const reach = attributes.find((a): a is MpReachAttribute => a.type === 'mp-reach');
  const unreach = attributes.find((a): a is MpUnreachAttribute => a.type === 'mp-unreach');
  if (update.nlri.count > 0) return reach === undefined && unreach === undefined ? 'ipv4' : undefined;
  if (update.withdrawn.bytes.length > 0) return undefined;
  const ipv6 = (a: { afi: number; safi: number } | undefined) =>
    a === undefined || (a.afi === Afi.Ipv6 && a.safi === Safi.Unicast);
  if (!ipv6(reach) || !ipv6(unreach)) return undefined;
  if (reach !== undefined) return reach.nlri.count > 0 ? 'ipv6' : undefined;
  return unreach !== undefined && unreach.withdrawn.count > 0 ? 'ipv6' : undefined;
}

/** Check one message under `ctx` against the full decode; counts the path taken. */
function check(message: Uint8Array, ctx: DecodeContext, store: AttrStore, tally: Tally): void {
  const r = decodeMessage(message, ctx);
  if (!r.ok || r.message.type !== 'update') return;
  const update = r.message as UpdateMessage;
  const attrStart = 19 + 4 + ((message[19]! << 8) | message[20]!);
  const attrLength = (message[attrStart - 2]! << 8) | message[attrStart - 1]!;
  const section = message.subarray(attrStart, attrStart + attrLength);
  const full = decodeAttributes(section, ctx);
  const clean =
    full.action === 'none' &&
    checkMandatory({
      type: 'update',
      withdrawn: update.withdrawn,
      nlri: update.nlri,
      attributes: full.attributes,
    }) === undefined &&
    full.attributes.every((a) => storableCode(a.code)) &&
    full.attributes.length === countAttributes(section);
  const served = servedFamily(update, full.attributes, ctx);
  const storable = update.storableSection;
  if (storable === undefined) {
    // Not taken: then the full decode has something to say, or the UPDATE is not one the path serves.
    expect(clean && served !== undefined, 'a clean UPDATE missed the fast path').to.equal(false);
    tally.full++;
    return;
  }
  tally.fast++;
  expect(r.errors).to.deep.equal([]);
  expect(clean, 'the fast path took an UPDATE the full decode finds fault with').to.equal(true);
  expect(served, 'the fast path took an UPDATE it does not serve').to.not.equal(undefined);
  expect(update.storableIpv6 !== undefined).to.equal(served === 'ipv6');
  expect(Buffer.from(storable).equals(Buffer.from(section))).to.equal(true);
  expect(update.attributes).to.deep.equal(full.attributes);
  // The set, from the section and from the attribute objects (IPv6: with the MP next hop, no NEXT_HOP).
  const reach = full.attributes.find((a): a is MpReachAttribute => a.type === 'mp-reach');
  const ipv6 = update.storableIpv6;
  const at = ipv6 ?? update.storableIpv4!;
  expect(Buffer.from(at.body.subarray(at.sectionAt, at.sectionEnd)).equals(Buffer.from(section))).to.equal(
    true,
  );
  const fromSection =
    ipv6 === undefined
      ? store.internSection(at.body, at.sectionAt, at.sectionEnd)
      : store.internSection(at.body, at.sectionAt, at.sectionEnd, ipv6.mpNextHop, ipv6.mpNextHopEnd);
  const fromObjects = store.intern(normaliseAttributes(full.attributes, true), reach?.nextHop);
  expect(fromSection).to.equal(fromObjects);
  if (reach !== undefined) {
    expect(nextHopOf(fromSection)).to.deep.equal(new Uint8Array(reach.nextHop));
    tally.fast6++;
    if (reach.nextHop.length === 32) tally.fast6LinkLocal++;
  } else if (ipv6 !== undefined) tally.fast6++;
  if (ipv6?.addPath === true) tally.fast6AddPath++;
  store.release(fromSection);
  store.release(fromObjects);
  // The RDE's decode: the same routes, path ids and set as from the fully decoded message.
  const fast = routesOf(update, ctx.asn4, store);
  const objects = {
    type: 'update' as const,
    withdrawn: update.withdrawn,
    nlri: update.nlri,
    attributes: full.attributes,
  };
  const slow = routesOf(objects, ctx.asn4, store);
  expect(fast).to.deep.equal(slow);
  for (let i = 0; i < fast.length; i++) {
    expect(fast[i]!.attrs).to.equal(slow[i]!.attrs);
    if (fast[i]!.attrs !== undefined) {
      store.release(fast[i]!.attrs!);
      store.release(slow[i]!.attrs!);
    }
  }
}

/**
 * The UPDATE `message` with a path identifier before each prefix of its IPv6 unicast MP attributes (RFC
 * 7911 3), or undefined when it has none. Attributes are rewritten with the Extended Length flag.
 */
function withIpv6PathIds(message: Uint8Array): Uint8Array | undefined {
  const withdrawnLength = (message[19]! << 8) | message[20]!;
  if (withdrawnLength !== 0) return undefined;
  const attrLength = (message[21]! << 8) | message[22]!;
  const section = message.subarray(23, 23 + attrLength);
  if (23 + attrLength !== message.length) return undefined;
  const out: number[] = [];
  let changed = false;
  for (let p = 0; p + 3 <= section.length;) {
    const extended = (section[p]! & 0x10) !== 0;
    const length = extended ? (section[p + 2]! << 8) | section[p + 3]! : section[p + 2]!;
    const value = p + (extended ? 4 : 3);
    if (value + length > section.length) return undefined;
    const code = section[p + 1]!;
    let bytes = Array.from(section.subarray(value, value + length));
    const mp = code === AttrType.MpReachNlri || code === AttrType.MpUnreachNlri;
    if (mp && length >= 3 && bytes[0] === 0 && bytes[1] === Afi.Ipv6 && bytes[2] === Safi.Unicast) {
      const nlriAt = code === AttrType.MpUnreachNlri ? 3 : 5 + bytes[3]!;
      const prefixes: number[] = [];
      for (let q = nlriAt, id = 1; q < bytes.length; id++) {
        const n = 1 + ((bytes[q]! + 7) >> 3);
        prefixes.push(0, 0, id >> 8, id & 255, ...bytes.slice(q, q + n));
        q += n;
      }
      bytes = [...bytes.slice(0, nlriAt), ...prefixes];
      changed = true;
    }
    out.push(section[p]! | 0x10, code, bytes.length >> 8, bytes.length & 255, ...bytes);
    p = value + length;
  }
  if (!changed) return undefined;
  const total = 23 + out.length;
  return Uint8Array.from([
    ...message.subarray(0, 16),
    total >> 8,
    total & 255,
    2,
    0,
    0,
    out.length >> 8,
    out.length & 255,
    ...out,
  ]);
}

/** Attributes in a section by walking the headers (duplicates included, which the decoder drops). */
function countAttributes(section: Uint8Array): number {
  let n = 0;
  for (let p = 0; p + 3 <= section.length; n++) {
    const extended = (section[p]! & 0x10) !== 0;
    p += extended ? 4 + ((section[p + 2]! << 8) | section[p + 3]!) : 3 + section[p + 2]!;
  }
  return n;
}

describe('rde: UPDATEs stored from their attribute section (the decoder fast path)', function () {
  this.timeout(240_000);

  it('agrees with the full decode on every real UPDATE and on byte mutations of them', function () {
    sharedPath(this, 'data', 'ripe-bgpdump', 'test_data');
    requireTools(this, 'bzip2');
    const store = new AttrStore();
    const tally: Tally = { fast: 0, fast6: 0, fast6AddPath: 0, fast6LinkLocal: 0, full: 0 };
    let seed = 0x9e3779b9;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 8) % n;
    };
    let mutated = 0;
    for (const file of updateFiles()) {
      let i = 0;
      for (const m of bgpMessages(readCompressed(file))) {
        if (m.message[18] !== 2) continue;
        const ctx = CONTEXTS[i++ % CONTEXTS.length]!;
        check(m.message, { ...ctx, ...(m.ctx.addPath ? { addPath: m.ctx.addPath } : {}) }, store, tally);
        // IPv6 routes: the same UPDATE with path identifiers, under a context receiving them (and, one in
        // four, one not receiving them).
        const pathIds = m.ctx.addPath ? undefined : withIpv6PathIds(m.message);
        if (pathIds !== undefined) {
          const addPath = i % 4 === 0 ? undefined : IPV6_ADD_PATH;
          check(pathIds, { ...ctx, extendedMessage: true, ...(addPath ? { addPath } : {}) }, store, tally);
          if (i % 8 === 0) {
            const copy = pathIds.slice();
            copy[23 + random(copy.length - 23)] = random(256);
            check(copy, { ...ctx, extendedMessage: true, addPath: IPV6_ADD_PATH }, store, tally);
            mutated++;
          }
        }
        // One in eight: a copy with one octet of the attribute section changed.
        if (i % 8 !== 0 || m.message.length <= 23) continue;
        const copy = m.message.slice();
        copy[23 + random(copy.length - 23)] = random(256);
        check(copy, ctx, store, tally);
        mutated++;
      }
    }
    // Both paths are exercised at scale, the mutations too.
    expect(tally.fast).to.be.above(10_000);
    expect(tally.fast6).to.be.above(1_000);
    expect(tally.fast6AddPath).to.be.above(500);
    expect(tally.fast6LinkLocal).to.be.above(100);
    expect(tally.full).to.be.above(10_000);
    expect(mutated).to.be.above(5_000);
    expect(store.size, 'every reference released').to.equal(0);
  });

  it('takes exactly the IPv6 unicast UPDATEs it serves among edge cases', function () {
    const attr = (flags: number, code: number, ...value: number[]) => [flags, code, value.length, ...value];
    const origin = attr(0x40, AttrType.Origin, 0);
    const asPath = attr(0x40, AttrType.AsPath, 2, 1, 0, 0, 0xfd, 0xe8);
    const nextHop = attr(0x40, AttrType.NextHop, 192, 0, 2, 1);
    const v6NextHop = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1];
    const reach = (afi: number, ...nlri: number[]) =>
      attr(
        0x80,
        AttrType.MpReachNlri,
        0,
        afi,
        1,
        afi === Afi.Ipv6 ? 16 : 4,
        ...(afi === Afi.Ipv6 ? v6NextHop : [192, 0, 2, 1]),
        0,
        ...nlri,
      );
    const unreach = (afi: number, ...withdrawn: number[]) =>
      attr(0x80, AttrType.MpUnreachNlri, 0, afi, 1, ...withdrawn);
    const v6Prefix = [32, 0x20, 0x01, 0x0d, 0xb8];
    const v4Prefix = [24, 198, 51, 100];
    const update = (section: number[], body: number[] = []) => {
      const total = 23 + section.length + body.length;
      return Uint8Array.from([
        ...new Array<number>(16).fill(255),
        total >> 8,
        total & 255,
        2,
        0,
        0,
        section.length >> 8,
        section.length & 255,
        ...section,
        ...body,
      ]);
    };
    const cases: [string, Uint8Array, boolean][] = [
      ['MP_REACH_NLRI', update([...origin, ...asPath, ...reach(Afi.Ipv6, ...v6Prefix)]), true],
      ['with NEXT_HOP', update([...origin, ...asPath, ...nextHop, ...reach(Afi.Ipv6, ...v6Prefix)]), true],
      [
        'and MP_UNREACH_NLRI',
        update([...origin, ...asPath, ...reach(Afi.Ipv6, ...v6Prefix), ...unreach(Afi.Ipv6, ...v6Prefix)]),
        true,
      ],
      [
        'and an empty MP_UNREACH_NLRI',
        update([...origin, ...asPath, ...reach(Afi.Ipv6, ...v6Prefix), ...unreach(Afi.Ipv6)]),
        true,
      ],
      ['MP_UNREACH_NLRI alone', update(unreach(Afi.Ipv6, ...v6Prefix, ...v6Prefix)), true],
      ['MP_UNREACH_NLRI with attributes', update([...origin, ...unreach(Afi.Ipv6, ...v6Prefix)]), true],
      ['End-of-RIB', update(unreach(Afi.Ipv6)), false],
      ['an empty MP_REACH_NLRI', update([...origin, ...asPath, ...reach(Afi.Ipv6)]), false],
      [
        'an empty MP_REACH_NLRI and MP_UNREACH_NLRI',
        update([...origin, ...asPath, ...reach(Afi.Ipv6), ...unreach(Afi.Ipv6, ...v6Prefix)]),
        false,
      ],
      ['no AS_PATH', update([...origin, ...reach(Afi.Ipv6, ...v6Prefix)]), false],
      ['IPv4 in MP_REACH_NLRI', update([...origin, ...asPath, ...reach(Afi.Ipv4, ...v4Prefix)]), false],
      [
        'IPv4 in MP_UNREACH_NLRI',
        update([...origin, ...asPath, ...reach(Afi.Ipv6, ...v6Prefix), ...unreach(Afi.Ipv4, ...v4Prefix)]),
        false,
      ],
      [
        'body NLRI too',
        update([...origin, ...asPath, ...nextHop, ...reach(Afi.Ipv6, ...v6Prefix)], v4Prefix),
        false,
      ],
      [
        'body NLRI and MP_UNREACH_NLRI',
        update([...origin, ...asPath, ...nextHop, ...unreach(Afi.Ipv6, ...v6Prefix)], v4Prefix),
        false,
      ],
    ];
    const store = new AttrStore();
    for (const [name, message, fast] of cases) {
      const tally: Tally = { fast: 0, fast6: 0, fast6AddPath: 0, fast6LinkLocal: 0, full: 0 };
      for (const ctx of CONTEXTS) check(message, ctx, store, tally);
      // Taken under the four 4-octet AS contexts.
      expect(tally.fast, name).to.equal(fast ? 4 : 0);
    }
    expect(store.size, 'every reference released').to.equal(0);
  });

  it("each descriptor's valid agrees with its decode", function () {
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 8) % n;
    };
    const contexts: DecodeContext[] = [...CONTEXTS, { asn4: true, mrtRib: true }, { asn4: false }];
    let checked = 0;
    for (let code = 0; code < 256; code++) {
      const d = attributeDescriptor(code);
      if (d?.valid === undefined) continue;
      for (let k = 0; k < 600; k++) {
        // Every length up to 23 many times; octets all alike (each of EDGE), small (segment types and
        // counts, ORIGIN values) or anything.
        const len = k % 24;
        const bytes = new Uint8Array(len + 6);
        const same = EDGE[Math.floor(k / 24) % EDGE.length]!;
        for (let i = 0; i < bytes.length; i++)
          bytes[i] = k % 3 === 0 ? same : k % 3 === 1 ? random(6) : random(256);
        const ctx = contexts[k % contexts.length]!;
        const raw = bytes.subarray(3, 3 + len);
        const decoded = d.decode(raw, d.flags, ctx);
        const ok = (decoded as { kind?: string }).kind !== 'update';
        expect(
          d.valid(bytes, 3, 3 + len, d.flags, ctx),
          `${d.name} ${Buffer.from(raw).toString('hex')}`,
        ).to.equal(ok);
        checked++;
      }
    }
    expect(checked).to.equal(14 * 600);
  });

  it("MP_REACH_NLRI's and MP_UNREACH_NLRI's valid agree with their decode on near-valid values", function () {
    let seed = 11;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 8) % n;
    };
    const contexts: DecodeContext[] = [
      { asn4: true },
      { asn4: true, addPath: IPV6_ADD_PATH },
      { asn4: true, addPath: new Set([familyKey(Afi.Ipv4, Safi.Unicast), familyKey(Afi.Ipv6, 2)]) },
      { asn4: true, mrtRib: true },
    ];
    const verdicts = { valid: 0, invalid: 0 };
    for (const d of [
      attributeDescriptor(AttrType.MpReachNlri)!,
      attributeDescriptor(AttrType.MpUnreachNlri)!,
    ])
      for (let k = 0; k < 4000; k++) {
        // A family (IPv4/IPv6 unicast/multicast, or one kept opaque), a next hop of a length near the
        // allowed ones, prefixes (with path ids one time in two), then one octet in five changed.
        const afi = [Afi.Ipv4, Afi.Ipv6, Afi.Ipv6, 25][random(4)]!;
        const safi = [Safi.Unicast, Safi.Unicast, 2, 128][random(4)]!;
        const bytes = [0, afi >> 8, afi & 255, safi];
        if (d.code === AttrType.MpReachNlri) {
          const nh = [0, 4, 15, 16, 16, 32, 33][random(7)]!;
          bytes.push(nh);
          for (let i = 0; i < nh; i++) bytes.push(random(256));
          bytes.push(0);
        }
        const ids = random(2) === 0;
        for (let n = random(4); n > 0; n--) {
          if (ids) bytes.push(0, 0, 0, random(256));
          const length = random(140);
          bytes.push(length);
          for (let i = 0; i < (length + 7) >> 3; i++) bytes.push(random(256));
        }
        for (let i = 0; i < bytes.length; i++) if (random(5) === 0) bytes[i] = random(256);
        const value = Uint8Array.from(bytes.slice(1 + random(2)));
        const ctx = contexts[k % contexts.length]!;
        const decoded = d.decode(value, d.flags, ctx);
        const ok = (decoded as { kind?: string }).kind !== 'update';
        const framed = Uint8Array.from([9, ...value, 9]);
        expect(
          d.valid!(framed, 1, 1 + value.length, d.flags, ctx),
          `${d.name} ${Buffer.from(value).toString('hex')}`,
        ).to.equal(ok);
        verdicts[ok ? 'valid' : 'invalid']++;
      }
    // Both verdicts, often.
    expect(verdicts.valid).to.be.above(800);
    expect(verdicts.invalid).to.be.above(800);
  });
});

describe('rde: IPv6 withdrawals taken from their wire form (the decoder fast path)', function () {
  it('withdraws by the octets: host bits set, absent prefixes, batches small and large, every family peer left alone', function () {
    const rde = new Rde({
      localAsn: 65000,
      routerId: 1,
      decision: { alwaysCompareMed: false, deterministicMed: false },
      ebgpRequiresPolicy: false,
    });
    const sink = { kick: () => undefined };
    rde.peerUp(spec('a', '192.0.2.1', 65001), info(0x0a000001, false), sink);
    rde.peerUp(spec('b', '192.0.2.2', 65002), info(0x0a000002, false), sink);
    const ctx: DecodeContext = { asn4: true };
    // 60 prefixes of every kind of length; a and b both announce the first ten, a alone the rest.
    const lengths = [0, 1, 7, 8, 9, 16, 29, 32, 45, 48, 56, 63, 64, 100, 127, 128];
    const prefixes = Array.from({ length: 60 }, (_, i) => {
      const length = lengths[i % lengths.length]!;
      const address = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, i, 0x5a, ...new Array<number>(10).fill(0xa5));
      return { length, address, key: prefixKey(Afi.Ipv6, length, address, 0) };
    });
    const distinct = new Set(prefixes.map((p) => p.key)).size;
    const wire = (p: { length: number; address: Uint8Array }): number[] => [
      p.length,
      ...p.address.subarray(0, (p.length + 7) >> 3), // host bits as received: set
    ];
    const receive = (peer: string, m: UpdateMessage): void => {
      const r = decodeMessage(encodeMessage(m), ctx);
      if (!r.ok || r.message.type !== 'update') throw new Error('not an UPDATE');
      rde.receive(peer, r.message, true, false);
      rde.flush();
      // The peers' UPDATEs taken (a destination stays while a send queue holds it).
      for (const name of ['a', 'b']) for (const u of rde.pull(name)) expect(u.type).to.equal('update');
    };
    const none = buildNlri(Afi.Ipv4, Safi.Unicast, []);
    const block = (ps: typeof prefixes): NlriBlock => {
      const bytes = Uint8Array.from(ps.flatMap(wire));
      return { afi: Afi.Ipv6, safi: Safi.Unicast, addPath: false, bytes, count: ps.length };
    };
    const announce = (ps: typeof prefixes, asn: number): UpdateMessage => ({
      type: 'update',
      withdrawn: none,
      nlri: none,
      attributes: [
        makeOrigin(0),
        makeAsPath([{ type: 2, asns: [asn] }], true),
        makeMpReach(
          Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), asn & 255),
          block(ps),
        ),
      ],
    });
    const withdraw = (ps: typeof prefixes): UpdateMessage => ({
      type: 'update',
      withdrawn: none,
      nlri: none,
      attributes: [makeMpUnreach(block(ps))],
    });
    const paths = (peer: string): number => rde.adjRibInCount(peer);
    receive('a', announce(prefixes, 65001));
    receive('b', announce(prefixes.slice(0, 10), 65002));
    const rib = rde.ribs['ipv6-unicast'];
    expect(rib.size).to.equal(distinct);
    const aHeld = paths('a');
    // A large withdrawal from b (its ten and twenty it never announced: absent for b, held for a).
    receive('b', withdraw(prefixes.slice(0, 30)));
    expect(paths('b')).to.equal(0);
    expect(paths('a')).to.equal(aHeld);
    expect(rib.size).to.equal(distinct);
    // From a: a small one (three), then a large one with the rest, then the same again (all absent now).
    receive('a', withdraw(prefixes.slice(0, 3)));
    const gone = new Set(prefixes.slice(0, 3).map((p) => p.key));
    expect(paths('a')).to.equal(new Set(prefixes.map((p) => p.key).filter((k) => !gone.has(k))).size);
    receive('a', withdraw(prefixes.slice(3)));
    expect(paths('a')).to.equal(0);
    expect(rib.size).to.equal(0);
    receive('a', withdraw(prefixes));
    expect(rib.size).to.equal(0);
    expect(rde.store.size).to.equal(0);
  });
});
