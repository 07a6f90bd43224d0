// ExaBGP's decoding vectors (../shared/data/exabgp-qa/decoding: line 1 `update <family>` / `open`, line 2 the
// message in hex, line 3 ExaBGP's JSON): IPv4/IPv6 unicast UPDATEs and OPENs decode to the same fields as the
// JSON says; other families are kept opaque, without error, and re-encode byte for byte.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeMessage,
  effectivePath,
  encodeMessage,
  formatIpv4,
  formatMpNextHop,
  getAttribute,
  prefixList,
  type Message,
  type PathAttribute,
} from '../../daemon/wire/index.js';
import { sharedPath } from '../helpers/env.js';
import { hex, message } from './helpers/bytes.js';

const SEGMENT_NAMES = ['', 'as-set', 'as-sequence', 'confed-sequence', 'confed-set'];

/** Our decoded attributes in ExaBGP's JSON vocabulary (the keys we decode). */
function exabgpAttributes(attrs: readonly PathAttribute[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const origin = getAttribute(attrs, 'origin');
  if (origin) out['origin'] = ['igp', 'egp', 'incomplete'][origin.origin];
  const { segments, aggregator } = effectivePath(attrs, true);
  if (segments.length > 0) {
    const path: Record<string, unknown> = {};
    segments.forEach((s, i) => (path[String(i)] = { element: SEGMENT_NAMES[s.type], value: s.asns }));
    out['as-path'] = path;
  }
  const med = getAttribute(attrs, 'med');
  if (med) out['med'] = med.med;
  const lp = getAttribute(attrs, 'local-pref');
  if (lp) out['local-preference'] = lp.localPref;
  if (getAttribute(attrs, 'atomic-aggregate')) out['atomic-aggregate'] = true;
  if (aggregator) out['aggregator'] = `${aggregator.asn}:${formatIpv4(aggregator.address)}`;
  const comms = getAttribute(attrs, 'communities');
  if (comms) out['community'] = Array.from(comms.values, (v) => [v >>> 16, v & 0xffff]);
  const large = getAttribute(attrs, 'large-communities');
  if (large) {
    const l: number[][] = [];
    for (let i = 0; i < large.values.length; i += 3)
      l.push([large.values[i]!, large.values[i + 1]!, large.values[i + 2]!]);
    out['large-community'] = l;
  }
  const ext = getAttribute(attrs, 'extended-communities');
  if (ext) {
    const e: number[] = [];
    for (let i = 0; i < ext.values.length; i += 2) e.push(ext.values[i]! * 2 ** 32 + ext.values[i + 1]!);
    out['extended-community'] = e;
  }
  const oid = getAttribute(attrs, 'originator-id');
  if (oid) out['originator-id'] = formatIpv4(oid.originatorId);
  const cl = getAttribute(attrs, 'cluster-list');
  if (cl) out['cluster-list'] = Array.from(cl.clusterIds, formatIpv4);
  return out;
}

/** ExaBGP's JSON trimmed to the keys `exabgpAttributes` produces (extended communities: values only). */
function comparable(json: Record<string, unknown>): Record<string, unknown> {
  const keep = [
    'origin',
    'as-path',
    'med',
    'local-preference',
    'atomic-aggregate',
    'aggregator',
    'community',
    'large-community',
    'originator-id',
    'cluster-list',
  ];
  const out: Record<string, unknown> = {};
  for (const k of keep) if (k in json) out[k] = json[k];
  if (Array.isArray(json['extended-community']))
    out['extended-community'] = (json['extended-community'] as { value: number }[]).map((e) => e.value);
  return out;
}

function announced(msg: Message): Record<string, Record<string, { nlri: string }[]>> {
  const out: Record<string, Record<string, { nlri: string }[]>> = {};
  if (msg.type !== 'update') return out;
  const nh = getAttribute(msg.attributes, 'next-hop');
  if (msg.nlri.count > 0)
    out['ipv4 unicast'] = {
      [nh ? formatIpv4(nh.nextHop) : '']: prefixList(msg.nlri).map((p) => ({ nlri: p.prefix })),
    };
  const mp = getAttribute(msg.attributes, 'mp-reach');
  if (mp && mp.nlri.count > 0) {
    const fam = `${mp.afi === 1 ? 'ipv4' : 'ipv6'} unicast`;
    out[fam] = { [formatMpNextHop(mp).split(' ')[0]!]: prefixList(mp.nlri).map((p) => ({ nlri: p.prefix })) };
  }
  return out;
}

function messageBytes(line: string, isOpen: boolean): Uint8Array {
  const b = hex(line.replace(/:/g, ''));
  const full = b.length >= 16 && b.subarray(0, 16).every((x) => x === 0xff);
  return full ? b : message(isOpen ? 1 : 2, b);
}

describe('wire: ExaBGP decoding vectors', function () {
  let dir = '';
  let files: string[] = [];
  before(function () {
    dir = sharedPath(this, 'data', 'exabgp-qa', 'decoding');
    files = readdirSync(dir).sort();
  });

  it('has the vectors', function () {
    expect(files.length).to.be.at.least(20);
  });

  it('decodes each vector like ExaBGP (unicast fields, OPEN fields) or keeps it opaque (other families)', function () {
    let unicast = 0;
    let opens = 0;
    let opaque = 0;
    for (const f of files) {
      const [head = '', hexLine = '', jsonLine = ''] = readFileSync(join(dir, f), 'utf8').split('\n');
      const words = head.trim().split(/\s+/);
      if (words[0] === 'nlri') continue; // a bare NLRI, not a message (checked in the next test)
      const bytes = messageBytes(hexLine, words[0] === 'open');
      const r = decodeMessage(bytes, { asn4: true });
      expect(r.ok, `${f}: ${!r.ok ? r.error.reason : ''}`).to.equal(true);
      if (!r.ok) continue;
      expect(r.action, f).to.equal('none');
      expect(Buffer.from(encodeMessage(r.message)).toString('hex'), `${f} re-encoded`).to.equal(
        Buffer.from(bytes).toString('hex'),
      );
      const json = JSON.parse(jsonLine) as {
        neighbor: {
          open?: Record<string, unknown>;
          message?: { update: Record<string, Record<string, unknown>> };
        };
      };
      const m = r.message;
      if (m.type === 'open') {
        opens++;
        const o = json.neighbor.open!;
        expect({
          version: m.version,
          asn: m.myAs,
          hold_time: m.holdTime,
          router_id: formatIpv4(m.bgpId),
        }).to.deep.equal({
          version: o['version'],
          asn: o['asn'],
          hold_time: o['hold_time'],
          router_id: o['router_id'],
        });
        const caps = o['capabilities'] as Record<string, Record<string, unknown>>;
        expect(m.capabilities.map((c) => String(c.code)).sort(), `${f} capability codes`).to.deep.equal(
          Object.keys(caps).sort(),
        );
        for (const c of m.capabilities) {
          if (c.type === 'multiprotocol')
            expect(caps['1']!['families']).to.include(
              `${c.afi === 1 ? 'ipv4' : 'ipv6'}/${c.safi === 1 ? 'unicast' : c.safi}`,
            );
          if (c.type === 'four-octet-as') expect(c.asn).to.equal(caps['65']!['asn4']);
          if (c.code === 75)
            expect(new TextDecoder().decode(c.raw.subarray(1))).to.equal(caps['75']!['software']);
        }
        continue;
      }
      expect(m.type).to.equal('update');
      if (m.type !== 'update') continue;
      const family = words.slice(1).join(' ');
      const update = json.neighbor.message!.update;
      if (family === 'ipv4 unicast' || family === 'ipv6 unicast') {
        unicast++;
        expect(exabgpAttributes(m.attributes), `${f} attributes`).to.deep.equal(
          comparable(update['attribute'] ?? {}),
        );
        expect(announced(m), `${f} announce`).to.deep.equal(update['announce'] ?? {});
      } else {
        opaque++;
        // Other families: the MP attributes are kept, their NLRI opaque (count -1), no error.
        const mp = m.attributes.filter((a) => a.type === 'mp-reach' || a.type === 'mp-unreach');
        expect(mp.length, `${f} MP attributes`).to.be.greaterThan(0);
        for (const a of mp) {
          const block = a.type === 'mp-reach' ? a.nlri : a.type === 'mp-unreach' ? a.withdrawn : undefined;
          expect(block?.count, `${f} opaque NLRI`).to.equal(-1);
        }
      }
    }
    expect({ unicast, opens }).to.deep.equal({ unicast: 2, opens: 1 });
    expect(opaque).to.be.at.least(15);
  });

  it('keeps a bare BGP-LS NLRI opaque inside MP_REACH_NLRI', function () {
    const [, hexLine = ''] = readFileSync(join(dir, 'bgp-ls-1'), 'utf8').split('\n');
    const nlri = hex(hexLine);
    // MP_REACH_NLRI: AFI 16388 (BGP-LS), SAFI 71, next hop 4 octets, reserved, NLRI.
    const value = new Uint8Array([0x40, 0x04, 71, 4, 10, 0, 0, 1, 0, ...nlri]);
    // ORIGIN IGP, empty AS_PATH, then MP_REACH_NLRI (extended length).
    const attrBytes = new Uint8Array([
      0x40,
      1,
      1,
      0,
      0x40,
      2,
      0,
      0x90,
      14,
      value.length >> 8,
      value.length & 255,
      ...value,
    ]);
    const body = new Uint8Array([0, 0, attrBytes.length >> 8, attrBytes.length & 255, ...attrBytes]);
    const r = decodeMessage(message(2, body), { asn4: true });
    expect(r.ok && r.action).to.equal('none');
    if (!r.ok || r.message.type !== 'update') throw new Error('not decoded');
    const mp = getAttribute(r.message.attributes, 'mp-reach')!;
    expect({ afi: mp.afi, safi: mp.safi, count: mp.nlri.count, length: mp.nlri.bytes.length }).to.deep.equal({
      afi: 16388,
      safi: 71,
      count: -1,
      length: nlri.length,
    });
  });
});
