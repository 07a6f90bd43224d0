// The codec points end to end: bgp_decode_attr and bgp_encode_attr with C plugins compiled by clang
// (c/decode_tags.c, c/encode_tags.c and faulting ones), attached per peer, run by the RDE. A new
// attribute (code 42, "path tags") is stored from a peer, kept in the RIB, sent on, rewritten on the way
// out for the peers with the encoder, and carried between two RDEs over the wire codec.
import { expect } from 'chai';
import type { Rde } from '../../daemon/rde/rde.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import type { PluginHost, PluginEntry } from '../../daemon/plugins/host.js';
import {
  buildNlri,
  formatAsPath,
  getAttribute,
  getAttributeByCode,
  makeAsPath,
  makeMpReach,
  makeOrigin,
  makeRawAttribute,
  prefixList,
  type PathAttribute,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import { requireTools } from '../helpers/env.js';
import {
  compilePlugin,
  LOCAL_AS,
  loadHost,
  RecordingReporter,
  rdeWithPlugins,
  ROUTER_ID,
  RW,
  workDir,
  writeManifest,
} from './support.js';
import { announce, info, onTheWire, spec, withdraw } from '../rde/peers.js';
import { asPathOf, originOf } from '../../daemon/rde/attr-store.js';

const TAGS = 42;

let dir = '';
function compile(name: string): void {
  compilePlugin(dir, name);
}

interface Attach {
  /** The object's name (c/NAME.c), also the pluglet's. */
  pluglet: string;
  point: 'bgp_decode_attr' | 'bgp_encode_attr';
  /** The xbgpd extension's `codes`; absent: not declared. */
  codes?: number[];
}

/** A .plugin manifest: each pluglet at its point (replace, seq 0), with its declared codes. */
function manifest(plugin: string, pluglets: Attach[]): string {
  return writeManifest(dir, {
    name: plugin,
    obj_code_list: Object.fromEntries(
      pluglets.map((p) => [p.pluglet, { obj: `${p.pluglet}.o`, permissions: RW }]),
    ),
    insertion_points: Object.fromEntries(pluglets.map((p) => [p.point, { replace: { '0': p.pluglet } }])),
    xbgpd: {
      pluglets: Object.fromEntries(
        pluglets.filter((p) => p.codes !== undefined).map((p) => [p.pluglet, { codes: p.codes }]),
      ),
    },
  });
}

const reporter = new RecordingReporter();
const warnings = reporter.warnings;

function hostOf(entries: PluginEntry[]): PluginHost {
  return loadHost(entries, reporter);
}

const rdeWith = rdeWithPlugins;

const sink = { kick: () => undefined };

/** Attribute 42 with `flags` and the tags `tags` (4 octets each). */
function tags(flags: number, ...values: number[]): PathAttribute {
  const raw = new Uint8Array(4 * values.length);
  values.forEach((v, i) => new DataView(raw.buffer).setUint32(4 * i, v));
  return makeRawAttribute(TAGS, flags, raw);
}

/** What a peer is sent per IPv4 or IPv6 prefix: attribute `code` (flags and value as hex), or null. */
function sentTo(rde: Rde, name: string, code = TAGS): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const u of rde.pull(name)) {
    const m = onTheWire(u);
    const mp = getAttribute(m.attributes, 'mp-reach');
    for (const p of [...prefixList(m.nlri), ...(mp ? prefixList(mp.nlri) : [])])
      out.set(p.prefix, shown(getAttributeByCode(m.attributes, code)));
  }
  return out;
}

function shown(a: { flags: number; raw?: Uint8Array; value?: Uint8Array } | undefined): string | null {
  if (a === undefined) return null;
  const bytes = a.raw ?? a.value!;
  return `${a.flags.toString(16)}:${Buffer.from(bytes).toString('hex')}`;
}

const key = (a: number, b: number): ReturnType<typeof prefixKey> => prefixKey(1, 16, Uint8Array.of(a, b), 0);

/** Attribute 42 of the Loc-RIB route of 10.a.b.0/16, as `shown` prints it. */
function inLocRib(rde: Rde, a: number, b: number, code = TAGS): string | null {
  const best = rde.locRib('ipv4-unicast', key(a, b));
  if (best === undefined) return 'no route';
  return shown(rde.store.attributeOf(best.attrs, code));
}

const OPT = 0x80;
const OPT_TRANS = 0xc0;
const NH = 0x0a000001;

describe('plugins: codec points with compiled plugins', function () {
  before(function () {
    requireTools(this, 'clang');
    dir = workDir('codec');
    for (const n of [
      'decode_tags',
      'decode_drop',
      'encode_tags',
      'fault_decode_oob',
      'encode_wrong_count',
      'encode_well_known',
    ])
      compile(n);
  });

  describe('bgp_decode_attr', function () {
    const decoder = (codes?: number[]): string =>
      manifest(`tags${codes?.join('_') ?? ''}`, [
        { pluglet: 'decode_tags', point: 'bgp_decode_attr', ...(codes ? { codes } : {}) },
      ]);

    it('stores a new optional non-transitive attribute: in the Adj-RIB-In, the Loc-RIB, and sent to an iBGP neighbour', function () {
      const host = hostOf([{ manifest: decoder([42, 43]), peers: ['e'] }]);
      const rde = rdeWith(host);
      rde.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      rde.peerUp(spec('i', '10.0.0.3', LOCAL_AS), info(3, true), sink);
      rde.receive('e', announce(['10.1.0.0/16'], [65001], NH, [tags(OPT, 1, 2)]), true, false);
      rde.flush();
      expect(inLocRib(rde, 10, 1)).to.equal('80:0000000100000002');
      const received = rde.ribs['ipv4-unicast'].get(key(10, 1))!.first!;
      expect(received.peer.name).to.equal('e');
      expect(shown(rde.store.attributeOf(received.pre, TAGS)), 'Adj-RIB-In').to.equal('80:0000000100000002');
      expect(sentTo(rde, 'i').get('10.1.0.0/16')).to.equal('80:0000000100000002');
      const stats = host.pluglets()[0]!.stats;
      expect(stats.calls, 'declared codes: called for attribute 42 only').to.equal(1);
      expect(stats.returns.get(0n)).to.equal(1); // EXIT_SUCCESS
    });

    it('natively, an optional non-transitive 42 is dropped and a transitive one is kept with the Partial bit; the plugin applies only to the peers it is attached to', function () {
      const host = hostOf([{ manifest: decoder([42, 43]), peers: ['e2'] }]);
      const rde = rdeWith(host);
      rde.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      rde.peerUp(spec('e2', '10.0.0.2', 65002), info(2, false), sink);
      rde.receive('e', announce(['10.1.0.0/16'], [65001], NH, [tags(OPT, 1)]), true, false);
      rde.receive('e', announce(['10.2.0.0/16'], [65001], NH, [tags(OPT_TRANS, 2)]), true, false);
      rde.receive('e2', announce(['10.3.0.0/16'], [65002], 0x0a000002, [tags(OPT, 3)]), true, false);
      rde.receive('e2', announce(['10.4.0.0/16'], [65002], 0x0a000002, [tags(OPT_TRANS, 4)]), true, false);
      rde.flush();
      expect(inLocRib(rde, 10, 1), 'no plugin: non-transitive dropped').to.equal(null);
      expect(inLocRib(rde, 10, 2), 'no plugin: transitive kept, Partial').to.equal('e0:00000002');
      expect(inLocRib(rde, 10, 3), 'plugin: stored').to.equal('80:00000003');
      expect(inLocRib(rde, 10, 4), 'plugin: stored as received, no Partial').to.equal('c0:00000004');
      expect(host.pluglets()[0]!.stats.calls).to.equal(2);
    });

    it('a consumed attribute for which nothing is stored is dropped (43, which natively is kept); each pluglet runs for its own codes', function () {
      const drop = manifest('drop', [{ pluglet: 'decode_drop', point: 'bgp_decode_attr', codes: [43] }]);
      const host = hostOf([{ manifest: decoder([42]) }, { manifest: drop }]);
      const rde = rdeWith(host);
      rde.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      const other = makeRawAttribute(43, OPT_TRANS, Uint8Array.of(1, 2, 3));
      rde.receive('e', announce(['10.1.0.0/16'], [65001], NH, [tags(OPT, 5), other]), true, false);
      rde.flush();
      expect(inLocRib(rde, 10, 1, 43)).to.equal(null);
      expect(inLocRib(rde, 10, 1)).to.equal('80:00000005');
      expect(host.pluglets().map((p) => [p.name, p.stats.calls])).to.deep.equal([
        ['decode_tags', 1],
        ['decode_drop', 1],
      ]);
      const native = rdeWith(undefined);
      native.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      native.receive('e', announce(['10.1.0.0/16'], [65001], NH, [other]), true, false);
      native.flush();
      expect(inLocRib(native, 10, 1, 43)).to.equal('e0:010203');
    });

    it('an UPDATE left without a mandatory attribute (NEXT_HOP consumed) is treated as a withdrawal', function () {
      const drop = manifest('drop-nh', [{ pluglet: 'decode_drop', point: 'bgp_decode_attr', codes: [3] }]);
      const host = hostOf([{ manifest: drop, peers: ['e'] }]);
      const rde = rdeWith(host);
      rde.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      rde.peerUp(spec('e2', '10.0.0.2', 65002), info(2, false), sink);
      rde.receive('e', announce(['10.1.0.0/16'], [65001], NH), true, false);
      rde.receive('e2', announce(['10.2.0.0/16'], [65002], 0x0a000002), true, false);
      rde.flush();
      expect(rde.adjRibInCount('e')).to.equal(0);
      expect(inLocRib(rde, 10, 1)).to.equal('no route');
      expect(rde.locRib('ipv4-unicast', key(10, 2))?.peer).to.equal('e2');
    });

    it('PLUGIN_FILTER_REJECT treats the UPDATE as a withdrawal (RFC 7606)', function () {
      const host = hostOf([{ manifest: decoder([42]) }]);
      const rde = rdeWith(host);
      rde.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      rde.peerUp(spec('i', '10.0.0.3', LOCAL_AS), info(3, true), sink);
      rde.receive('e', announce(['10.1.0.0/16', '10.2.0.0/16'], [65001], NH, [tags(OPT, 1)]), true, false);
      rde.flush();
      expect(sentTo(rde, 'i').size).to.equal(2);
      // A partial tag: malformed for the plugin.
      const bad = makeRawAttribute(TAGS, OPT, Uint8Array.of(0, 0, 1));
      rde.receive('e', announce(['10.1.0.0/16', '10.2.0.0/16'], [65001], NH, [bad]), true, false);
      rde.flush();
      expect(rde.adjRibInCount('e')).to.equal(0);
      expect(inLocRib(rde, 10, 1)).to.equal('no route');
      const withdrawn: string[] = [];
      for (const u of rde.pull('i'))
        withdrawn.push(...prefixList(onTheWire(u).withdrawn).map((p) => p.prefix));
      expect(withdrawn.sort()).to.deep.equal(['10.1.0.0/16', '10.2.0.0/16']);
      expect(host.pluglets()[0]!.stats.returns.get(256n)).to.equal(1); // PLUGIN_FILTER_REJECT
    });

    it('without declared codes the pluglet runs for every attribute, and next() leaves the others native', function () {
      const host = hostOf([{ manifest: decoder() }]);
      const rde = rdeWith(host);
      rde.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      rde.receive('e', announce(['10.1.0.0/16'], [65001, 7], NH, [tags(OPT, 9)]), true, false);
      rde.flush();
      expect(inLocRib(rde, 10, 1)).to.equal('80:00000009');
      const best = rde.locRib('ipv4-unicast', key(10, 1))!;
      expect(formatAsPath(asPathOf(best.attrs))).to.equal('65001 7');
      expect(originOf(best.attrs)).to.equal(0);
      const stats = host.pluglets()[0]!.stats;
      expect(stats.calls, 'ORIGIN, AS_PATH, NEXT_HOP and 42').to.equal(4);
      expect(stats.returns.get(0n)).to.equal(1);
    });

    it('a faulting pluglet leaves the native decoding, drops what it stored, and is counted', function () {
      warnings.length = 0;
      const m = manifest('oob', [{ pluglet: 'fault_decode_oob', point: 'bgp_decode_attr', codes: [42] }]);
      const host = hostOf([{ manifest: m }]);
      const rde = rdeWith(host);
      rde.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      rde.peerUp(spec('i', '10.0.0.3', LOCAL_AS), info(3, true), sink);
      rde.receive('e', announce(['10.1.0.0/16'], [65001], NH, [tags(OPT, 1)]), true, false);
      rde.receive('e', announce(['10.2.0.0/16'], [65001], NH, [tags(OPT_TRANS, 2)]), true, false);
      rde.flush();
      expect(inLocRib(rde, 10, 1)).to.equal(null);
      expect(inLocRib(rde, 10, 2)).to.equal('e0:00000002');
      expect([...sentTo(rde, 'i').keys()].sort()).to.deep.equal(['10.1.0.0/16', '10.2.0.0/16']);
      expect(host.pluglets()[0]!.stats.faults).to.equal(2);
      expect(warnings[0]).to.include({ plugin: 'oob', point: 'bgp_decode_attr' });
      expect(String(warnings[0]!.code)).to.match(/^ERR_VM_/);
    });

    it('a withdrawal-only UPDATE runs no pluglet', function () {
      const host = hostOf([{ manifest: decoder() }]);
      const rde = rdeWith(host);
      rde.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      rde.receive('e', announce(['10.1.0.0/16'], [65001], NH), true, false);
      const calls = host.pluglets()[0]!.stats.calls;
      rde.receive('e', withdraw(['10.1.0.0/16']), true, false);
      rde.flush();
      expect(host.pluglets()[0]!.stats.calls).to.equal(calls);
      expect(rde.adjRibInCount('e')).to.equal(0);
    });
  });

  describe('bgp_encode_attr', function () {
    /** A Loc-RIB with 10.1.0.0/16 carrying tags [1] (transitive, from an eBGP peer, no decode plugin). */
    function routed(host: PluginHost): Rde {
      const rde = rdeWith(host);
      rde.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      rde.peerUp(spec('i', '10.0.0.3', LOCAL_AS), info(3, true), sink);
      rde.peerUp(spec('i2', '10.0.0.4', LOCAL_AS), info(4, true), sink);
      rde.receive('e', announce(['10.1.0.0/16'], [65001], NH, [tags(OPT_TRANS, 1)]), true, false);
      rde.flush();
      return rde;
    }

    it('the peer with the plugin is sent the pluglet bytes (our AS added, no Partial bit), another peer the stored ones', function () {
      const m = manifest('enc', [{ pluglet: 'encode_tags', point: 'bgp_encode_attr' }]);
      const host = hostOf([{ manifest: m, peers: ['i'] }]);
      const rde = routed(host);
      expect(sentTo(rde, 'i').get('10.1.0.0/16')).to.equal('c0:00000001' + '0000fde8');
      expect(sentTo(rde, 'i2').get('10.1.0.0/16')).to.equal('e0:00000001');
      const stats = host.pluglets()[0]!.stats;
      expect(stats.calls, 'undeclared: only attributes without a native codec').to.equal(1);
      expect(stats.returns.get(11n)).to.equal(1);
    });

    it('IPv6 routes and 2-octet AS peers get the pluglet encoding too', function () {
      const m = manifest('enc6', [{ pluglet: 'encode_tags', point: 'bgp_encode_attr', codes: [42] }]);
      const host = hostOf([{ manifest: m }]);
      const rde = rdeWith(host);
      rde.peerUp(spec('e', '10.0.0.1', 65001), info(1, false), sink);
      rde.peerUp(spec('i', '10.0.0.3', LOCAL_AS), info(3, true), sink);
      rde.peerUp(spec('old', '10.0.0.5', 65005), { ...info(5, false), asn4: false }, sink);
      const nh = Uint8Array.of(0x20, 1, 0xd, 0xb8, ...new Array<number>(11).fill(0), 7);
      const reach: UpdateMessage = {
        type: 'update',
        withdrawn: buildNlri(1, 1, []),
        attributes: [
          makeOrigin(0),
          makeAsPath([{ type: 2, asns: [65001] }], true),
          makeMpReach(nh, buildNlri(2, 1, ['2001:db8:7::/48'])),
          tags(OPT_TRANS, 6),
        ],
        nlri: buildNlri(1, 1, []),
      };
      rde.receive('e', reach, true, false);
      rde.flush();
      expect(sentTo(rde, 'i').get('2001:db8:7::/48')).to.equal('c0:00000006' + '0000fde8');
      // A 2-octet AS peer: the UPDATE as built (the wire codec here assumes 4-octet AS numbers).
      const toOld = [...rde.pull('old')].filter((u) => getAttribute(u.attributes, 'mp-reach') !== undefined);
      expect(toOld).to.have.length(1);
      expect(shown(getAttributeByCode(toOld[0]!.attributes, TAGS))).to.equal('c0:00000006' + '0000fde8');
      expect(getAttribute(toOld[0]!.attributes, 'as4-path'), 'AS_PATH fits in 2 octets').to.equal(undefined);
    });

    for (const [name, code] of [
      ['encode_wrong_count', 'ERR_PLUGIN_BAD_RETURN'],
      ['encode_well_known', 'ERR_PLUGIN_BAD_ATTRIBUTE'],
    ] as const) {
      it(`${name}: the native encoding is sent and the fault is counted (${code})`, function () {
        warnings.length = 0;
        const m = manifest(name, [{ pluglet: name, point: 'bgp_encode_attr', codes: [42] }]);
        const host = hostOf([{ manifest: m, peers: ['i'] }]);
        const rde = routed(host);
        expect(sentTo(rde, 'i').get('10.1.0.0/16')).to.equal('e0:00000001');
        expect(host.pluglets()[0]!.stats.faults).to.equal(1);
        expect(warnings[0]).to.include({ plugin: name, point: 'bgp_encode_attr', code });
      });
    }
  });

  it('two RDEs: A decodes 42 from a peer and encodes it with its AS added, B decodes and keeps it; B without the plugin drops it', function () {
    const decodeM = (n: string): string =>
      manifest(n, [{ pluglet: 'decode_tags', point: 'bgp_decode_attr', codes: [42] }]);
    const both = manifest('both', [
      { pluglet: 'decode_tags', point: 'bgp_decode_attr', codes: [42] },
      { pluglet: 'encode_tags', point: 'bgp_encode_attr', codes: [42] },
    ]);
    const a = rdeWith(hostOf([{ manifest: both }]));
    const B_AS = 65100;
    const b = rdeWith(hostOf([{ manifest: decodeM('b-decode') }]), B_AS);
    const plain = rdeWith(undefined, B_AS);
    a.peerUp(spec('p', '10.0.0.1', 65001), info(1, false), sink);
    a.peerUp(spec('b', '192.0.2.200', B_AS), info(0xc00002c8, false), sink);
    for (const r of [b, plain])
      r.peerUp(
        spec('a', '192.0.2.100', LOCAL_AS),
        { ...info(ROUTER_ID, false), nextHopIpv4: '192.0.2.200' },
        sink,
      );
    a.receive('p', announce(['10.1.0.0/16'], [65001], NH, [tags(OPT, 1, 2)]), true, false);
    a.flush();
    expect(inLocRib(a, 10, 1)).to.equal('80:0000000100000002');
    for (const u of a.pull('b')) {
      const wire = onTheWire(u);
      b.receive('a', wire, true, false);
      plain.receive('a', wire, true, false);
    }
    b.flush();
    plain.flush();
    expect(inLocRib(b, 10, 1)).to.equal('80:00000001000000020000fde8');
    expect(formatAsPath(asPathOf(b.locRib('ipv4-unicast', key(10, 1))!.attrs))).to.equal('65000 65001');
    expect(inLocRib(plain, 10, 1), 'no plugin: optional non-transitive dropped').to.equal(null);
  });
});
