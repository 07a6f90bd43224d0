// The benchmark feeder's pre-encoding (bench/lib/table.ts, bench/lib/updates.ts): UPDATEs decoded back with
// daemon/wire must carry exactly the prefixes given, packed per attribute set within 4096 octets, with the
// eBGP rewrite (NEXT_HOP = the feeder, the feeder's AS first, no LOCAL_PREF, other attributes kept).
// IPv6 routes travel in MP_REACH_NLRI / MP_UNREACH_NLRI with the feeder's IPv6 next hop and no NEXT_HOP.
// The monitor (bench/lib/monitor.ts) must count those UPDATEs exactly: distinct prefixes present, announcements, withdrawals,
// and follow the watched prefixes' paths (a route's `prepend` lengthens its AS_PATH, IPv4 and IPv6 alike).
// The IPv6 table (bench/lib/table-ipv6.ts) built from the pyasn and RouteViews dumps is deterministic and has
// distinct prefixes with the lengths and attributes of the real ones.
import { expect } from 'chai';
import { ABSENT, Monitor, nlriKey } from '../../bench/lib/monitor.js';
import { PrefixTable } from '../../bench/lib/prefix-table.js';
import { ipv4Nlri, nlriText, type TableRoute } from '../../bench/lib/table.js';
import { loadIpv6Table } from '../../bench/lib/table-ipv6.js';
import { encodeAnnouncements, encodeWithdrawals, MAX_MESSAGE } from '../../bench/lib/updates.js';
import { formatIpv6At } from '../../daemon/net/address.js';
import { sharedPath } from '../helpers/env.js';
import {
  WireWriter,
  decodeMessage,
  formatIpv4,
  getAttribute,
  makeAsPath,
  makeCommunities,
  makeLocalPref,
  makeMed,
  makeNextHop,
  makeOrigin,
  prefixList,
  writeAttribute,
  type PathAttribute,
  type UpdateMessage,
} from '../../daemon/wire/index.js';

/** An MRT RIB entry's attribute section (4-octet AS_PATH) for `asns`. */
function mrtAttributes(asns: number[], med: number): Uint8Array {
  const attrs: PathAttribute[] = [
    makeOrigin(0),
    makeAsPath([{ type: 2, asns }], true),
    makeNextHop(0xc0000201),
    makeMed(med),
    makeLocalPref(200),
    makeCommunities([(65010 << 16) | 7]),
  ];
  const w = new WireWriter(256);
  for (const a of attrs) writeAttribute(w, a);
  return w.finish();
}

/** Split a send block into its messages and decode them as UPDATEs (4-octet AS session, eBGP). */
function updatesOf(blocks: Buffer[]): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  for (const block of blocks) {
    for (let p = 0; p < block.length;) {
      const length = block.readUInt16BE(p + 16);
      expect(length).to.be.at.most(MAX_MESSAGE);
      const r = decodeMessage(block.subarray(p, p + length), { asn4: true, peerType: 'ebgp' });
      if (!r.ok || r.message.type !== 'update') throw new Error(`not a valid UPDATE at ${p}`);
      expect(r.errors).to.deep.equal([]);
      out.push(r.message);
      p += length;
    }
  }
  return out;
}

describe('lab feeder: UPDATE pre-encoding', function () {
  it('keeps the significant octets of a prefix and clears host bits', function () {
    expect([...ipv4Nlri('10.1.2.3', 23)]).to.deep.equal([23, 10, 1, 2]);
    expect(nlriText(ipv4Nlri('10.1.3.255', 23))).to.equal('10.1.2.0/23');
    expect(nlriText(ipv4Nlri('0.0.0.0', 0))).to.equal('0.0.0.0/0');
  });

  it('packs consecutive prefixes with one attribute set, rewrites attributes for eBGP', function () {
    const a = mrtAttributes([65010, 65020], 5);
    const b = mrtAttributes([65030], 9);
    const routes: TableRoute[] = [];
    // 3000 /24s with set a (more than one 4096-octet UPDATE holds), then 2 with set b, then 1 with a again.
    for (let i = 0; i < 3000; i++)
      routes.push({ nlri: ipv4Nlri(`10.${i >> 8}.${i & 255}.0`, 24), attributes: a });
    routes.push(
      { nlri: ipv4Nlri('192.0.2.0', 24), attributes: b },
      { nlri: ipv4Nlri('198.51.100.0', 22), attributes: b },
    );
    routes.push({ nlri: ipv4Nlri('203.0.113.0', 24), attributes: a });
    const stream = encodeAnnouncements(routes, { asn: 4200000001, nextHop: '127.0.0.2' });
    const updates = updatesOf(stream.blocks);
    expect(stream.messages).to.equal(updates.length);
    expect(stream.prefixes).to.equal(routes.length);
    const announced = updates.flatMap((u) => prefixList(u.nlri).map((p) => p.prefix));
    expect(announced).to.deep.equal(routes.map((r) => nlriText(r.nlri)));
    // 3000 prefixes of 4 octets need 3 UPDATEs of at most 4096 octets; then one for b, one for a.
    expect(updates.length).to.equal(5);
    const second = updates[3]!;
    expect(prefixList(second.nlri).map((p) => p.prefix)).to.deep.equal(['192.0.2.0/24', '198.51.100.0/22']);
    for (const u of updates) {
      expect(formatIpv4(getAttribute(u.attributes, 'next-hop')!.nextHop)).to.equal('127.0.0.2');
      expect(getAttribute(u.attributes, 'as-path')!.segments[0]!.asns[0]).to.equal(4200000001);
      expect(getAttribute(u.attributes, 'local-pref')).to.equal(undefined);
      expect(getAttribute(u.attributes, 'communities')!.values[0]).to.equal(((65010 << 16) | 7) >>> 0);
    }
    expect(getAttribute(second.attributes, 'as-path')!.segments[0]!.asns).to.deep.equal([4200000001, 65030]);
    expect(getAttribute(second.attributes, 'med')!.med).to.equal(9);
  });

  it('does not prepend an AS that already leads the path (a feeder speaking as the MRT peer)', function () {
    const routes = [{ nlri: ipv4Nlri('192.0.2.0', 24), attributes: mrtAttributes([65010, 65020], 1) }];
    const [u] = updatesOf(encodeAnnouncements(routes, { asn: 65010, nextHop: '127.0.1.1' }).blocks);
    expect(getAttribute(u!.attributes, 'as-path')!.segments[0]!.asns).to.deep.equal([65010, 65020]);
  });

  it('withdraws every prefix, packed within 4096 octets', function () {
    const routes: TableRoute[] = [];
    const attributes = mrtAttributes([65010], 0);
    for (let i = 0; i < 2500; i++)
      routes.push({ nlri: ipv4Nlri(`10.${i >> 8}.${i & 255}.0`, 24), attributes });
    const stream = encodeWithdrawals(routes);
    const updates = updatesOf(stream.blocks);
    const withdrawn = updates.flatMap((u) => prefixList(u.withdrawn).map((p) => p.prefix));
    expect(withdrawn).to.deep.equal(routes.map((r) => nlriText(r.nlri)));
    expect(updates.length).to.equal(3);
    for (const u of updates) expect(u.attributes).to.deep.equal([]);
  });
});

/** NLRI wire form of an IPv6 prefix in 2001:db8::/32: `i` in the third group, length 48. */
function ipv6Nlri(i: number): Uint8Array {
  return Uint8Array.of(48, 0x20, 0x01, 0x0d, 0xb8, i >> 8, i & 255);
}

/** The IPv6 prefixes an UPDATE announces (MP_REACH_NLRI) and withdraws (MP_UNREACH_NLRI), as text. */
function mpPrefixes(u: UpdateMessage): { announced: string[]; withdrawn: string[] } {
  const reach = getAttribute(u.attributes, 'mp-reach');
  const unreach = getAttribute(u.attributes, 'mp-unreach');
  return {
    announced: reach ? prefixList(reach.nlri).map((p) => p.prefix) : [],
    withdrawn: unreach ? prefixList(unreach.withdrawn).map((p) => p.prefix) : [],
  };
}

const text6 = (nlri: Uint8Array): string => {
  const a = new Uint8Array(16);
  a.set(nlri.subarray(1));
  return `${formatIpv6At(a, 0)}/${nlri[0]}`;
};

describe('lab feeder: IPv6 UPDATEs (RFC 4760)', function () {
  it('announces in MP_REACH_NLRI with the IPv6 next hop, no NEXT_HOP, attributes in type-code order', function () {
    const a = mrtAttributes([65010, 65020], 5);
    const noExport = (() => {
      const w = new WireWriter(256);
      for (const x of [
        makeOrigin(0),
        makeAsPath([{ type: 2, asns: [65030] }], true),
        makeCommunities([0xffffff01]),
      ])
        writeAttribute(w, x);
      return w.finish();
    })();
    const routes: TableRoute[] = [];
    for (let i = 0; i < 1200; i++) routes.push({ nlri: ipv6Nlri(i), attributes: a });
    routes.push(
      { nlri: ipv6Nlri(5000), attributes: noExport },
      { nlri: ipv6Nlri(5001), attributes: noExport },
    );
    const stream = encodeAnnouncements(routes, { asn: 4200000001, nextHop: '2001:db8::2' });
    const updates = updatesOf(stream.blocks);
    expect(stream.prefixes).to.equal(routes.length);
    expect(stream.noExport).to.equal(2);
    expect(stream.noAdvertise).to.equal(0);
    // 1200 prefixes of 7 octets: 3 UPDATEs of at most 4096 octets; then one for the NO_EXPORT set.
    expect(updates.length).to.equal(4);
    expect(updates.flatMap((u) => mpPrefixes(u).announced)).to.deep.equal(routes.map((r) => text6(r.nlri)));
    for (const u of updates) {
      expect(u.nlri.count).to.equal(0);
      expect(getAttribute(u.attributes, 'next-hop')).to.equal(undefined);
      expect(formatIpv6At(getAttribute(u.attributes, 'mp-reach')!.nextHop, 0)).to.equal('2001:db8::2');
      expect(getAttribute(u.attributes, 'as-path')!.segments[0]!.asns[0]).to.equal(4200000001);
      const codes = u.attributes.map((x) => x.code);
      expect(codes).to.deep.equal([...codes].sort((x, y) => x - y));
    }
  });

  it('withdraws in MP_UNREACH_NLRI, packed within 4096 octets', function () {
    const attributes = mrtAttributes([65010], 0);
    const routes: TableRoute[] = [];
    for (let i = 0; i < 1200; i++) routes.push({ nlri: ipv6Nlri(i), attributes });
    const updates = updatesOf(encodeWithdrawals(routes, MAX_MESSAGE, true).blocks);
    expect(updates.length).to.equal(3);
    expect(updates.flatMap((u) => mpPrefixes(u).withdrawn)).to.deep.equal(routes.map((r) => text6(r.nlri)));
    for (const u of updates) expect(u.withdrawn.count).to.equal(0);
  });
});

describe('lab feeder: monitor counting', function () {
  it("counts distinct prefixes announced and withdrawn, from the feeder's own UPDATEs", function () {
    const attributes = mrtAttributes([65010], 0);
    const routes: TableRoute[] = [];
    for (let i = 0; i < 1500; i++)
      routes.push({ nlri: ipv4Nlri(`10.${i >> 8}.${i & 255}.0`, 24), attributes });
    routes.push({ nlri: ipv4Nlri('0.0.0.0', 0), attributes }, { nlri: ipv4Nlri('10.0.0.0', 8), attributes });
    const monitor = new Monitor({ host: '127.0.0.1', port: 1, asn: 65000, routerId: '10.0.0.1' });
    const feed = (blocks: Buffer[]): void => {
      for (const block of blocks)
        for (let p = 0; p < block.length; p += block.readUInt16BE(p + 16))
          monitor.countUpdate(block.subarray(p, p + block.readUInt16BE(p + 16)));
    };
    feed(encodeAnnouncements(routes, { asn: 65001, nextHop: '127.0.0.2' }).blocks);
    expect(monitor.counts()).to.include({ present: 1502, announced: 1502, withdrawn: 0 });
    expect(monitor.lastChangeNs >= monitor.firstChangeNs && monitor.firstChangeNs > 0n).to.equal(true);
    // Announcing again changes nothing in the table; withdrawing half leaves the other half.
    feed(encodeAnnouncements(routes.slice(0, 10), { asn: 65001, nextHop: '127.0.0.2' }).blocks);
    feed(encodeWithdrawals(routes.slice(0, 751)).blocks);
    expect(monitor.counts()).to.include({ present: 751, announced: 1512, withdrawn: 751 });
    feed(encodeWithdrawals(routes).blocks);
    expect(monitor.present.size).to.equal(0);
  });

  it('counts IPv6 prefixes of MP_REACH_NLRI and MP_UNREACH_NLRI, apart from IPv4 ones', function () {
    const attributes = mrtAttributes([65010], 0);
    const routes: TableRoute[] = [];
    for (let i = 0; i < 1000; i++) routes.push({ nlri: ipv6Nlri(i), attributes });
    // ::/0 and 2001:db8::/32, and the IPv4 prefix whose octets match the start of 2001:db8::/48.
    routes.push(
      { nlri: Uint8Array.of(0), attributes },
      { nlri: Uint8Array.of(32, 0x20, 1, 0x0d, 0xb8), attributes },
    );
    const monitor = new Monitor({ host: '127.0.0.1', port: 1, asn: 65000, routerId: '10.0.0.1' });
    const feed = (blocks: Buffer[]): void => {
      for (const block of blocks)
        for (let p = 0; p < block.length; p += block.readUInt16BE(p + 16))
          monitor.countUpdate(block.subarray(p, p + block.readUInt16BE(p + 16)));
    };
    feed(encodeAnnouncements(routes, { asn: 65001, nextHop: '2001:db8::2' }).blocks);
    expect(monitor.counts()).to.include({ present: 1002, announced: 1002, withdrawn: 0 });
    const v4 = [{ nlri: ipv4Nlri('32.1.13.0', 24), attributes }];
    feed(encodeAnnouncements(v4, { asn: 65001, nextHop: '127.0.0.2' }).blocks);
    expect(monitor.counts()).to.include({ present: 1003, announced: 1003 });
    feed(encodeWithdrawals(routes.slice(0, 600), MAX_MESSAGE, true).blocks);
    expect(monitor.counts()).to.include({ present: 403, withdrawn: 600 });
    feed(encodeWithdrawals(routes, MAX_MESSAGE, true).blocks);
    feed(encodeWithdrawals(v4).blocks);
    expect(monitor.present.size).to.equal(0);
  });
  it('follows the watched IPv4 paths (prepended) while it counts IPv6 prefixes in the same set', function () {
    const attributes = mrtAttributes([65010], 0);
    const v4: TableRoute[] = [];
    for (let i = 0; i < 20; i++) v4.push({ nlri: ipv4Nlri(`10.0.${i}.0`, 24), attributes });
    const v6: TableRoute[] = [];
    for (let i = 0; i < 30; i++) v6.push({ nlri: ipv6Nlri(i), attributes, prepend: 2 });
    // IPv6 with prepends: MP_REACH_NLRI, and the feeder's AS three times in front of the MRT path.
    const stream6 = encodeAnnouncements(v6, { asn: 65003, nextHop: '2001:db8::2' });
    for (const u of updatesOf(stream6.blocks)) {
      expect(getAttribute(u.attributes, 'as-path')!.segments[0]!.asns).to.deep.equal([
        65003, 65003, 65003, 65010,
      ]);
      expect(mpPrefixes(u).announced.length).to.be.above(0);
    }
    const monitor = new Monitor({ host: '127.0.0.1', port: 1, asn: 65000, routerId: '10.0.0.1' });
    const feed = (blocks: Buffer[]): void => {
      for (const block of blocks)
        for (let p = 0; p < block.length; p += block.readUInt16BE(p + 16))
          monitor.countUpdate(block.subarray(p, p + block.readUInt16BE(p + 16)));
    };
    const expected = new PrefixTable();
    for (const r of v4) expected.set(nlriKey(r.nlri), 65001);
    monitor.watchPaths(expected, 0);
    expect(monitor.mismatched).to.equal(20);
    feed(stream6.blocks);
    // The second carrier's paths first (one prepend), then the expected one's.
    const carrier = (asn: number, prepend: number): Buffer[] =>
      encodeAnnouncements(
        v4.map((r) => ({ ...r, prepend })),
        { asn, nextHop: '127.0.0.2' },
      ).blocks;
    feed(carrier(65002, 1));
    expect(monitor.mismatched).to.equal(20);
    expect(monitor.viaOf(nlriKey(v4[3]!.nlri))).to.equal(65002);
    feed(carrier(65001, 0));
    expect(monitor.mismatched).to.equal(0);
    expect(monitor.present.size).to.equal(50);
    expect(monitor.present.ipv6.size).to.equal(30);
    feed(encodeWithdrawals(v4).blocks);
    expect(monitor.mismatched).to.equal(20);
    const gone = new PrefixTable();
    for (const r of v4) gone.set(nlriKey(r.nlri), ABSENT);
    monitor.watchPaths(gone, 0);
    expect(monitor.mismatched).to.equal(0);
    expect(monitor.counts()).to.include({ present: 30, withdrawn: 20 });
  });
});

describe('lab feeder: the IPv6 table', function () {
  this.timeout(60_000);

  it('is deterministic, of distinct prefixes in the real lengths, with the real attribute sets', async function () {
    const rib6 = sharedPath(this, 'data', 'pyasn', 'rib6.20151101.0600_firstMB.bz2');
    const size = 20_000;
    const a = await loadIpv6Table([rib6], size);
    const b = await loadIpv6Table([rib6], size);
    expect(a.routes.length).to.equal(size);
    expect(a.routes.map((r) => text6(r.nlri))).to.deep.equal(b.routes.map((r) => text6(r.nlri)));
    // The first MiB of the dump: cut inside the last record, which is left out with a warning.
    expect(a.warnings).to.have.length(1);
    expect(a.basePrefixes).to.be.above(6000);
    const texts = new Set(a.routes.map((r) => text6(r.nlri)));
    expect(texts.size).to.equal(size);
    // The real prefixes come first, as read; every replica keeps its prefix's length and is in 2000::/3.
    const base = a.routes.slice(0, a.basePrefixes);
    for (const [i, r] of a.routes.entries()) {
      const original = base[i % a.basePrefixes]!;
      if (i >= a.basePrefixes) expect(r.nlri[1]! & 0xe0).to.equal(0x20);
      if (i >= a.basePrefixes && i < 2 * a.basePrefixes && original.nlri[0]! >= 16)
        expect(r.nlri[0]).to.equal(original.nlri[0]);
    }
    // Attributes are shared objects per distinct set, without MP_REACH_NLRI (the feeder sends its own).
    const sets = new Set(a.routes.map((r) => r.attributes));
    expect(sets.size).to.equal(a.attributeSets);
    expect(a.attributeSets).to.be.above(size / 10);
    for (const set of sets) {
      for (let p = 0; p < set.length;) {
        expect(set[p + 1]).to.not.equal(14);
        p += set[p]! & 0x10 ? 4 + ((set[p + 2]! << 8) | set[p + 3]!) : 3 + set[p + 2]!;
      }
    }
  });
});
