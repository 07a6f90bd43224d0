// plugins/geo_tags loaded from its manifest through the configuration path (shipped-daemon.ts): routes
// from an eBGP peer get a GeoLoc (code 42) with this router's location, a GeoLoc from an iBGP peer is
// kept (decoded) and sent on, a malformed one dropped, and of two routes with a GeoLoc the closer
// ingress wins at the MED step (natively the lower router id would).
import { expect } from 'chai';
import type { Rde } from '../../daemon/rde/rde.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import { getAttributeByCode, makeRawAttribute, prefixList } from '../../daemon/wire/index.js';
import { requireTools } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { announce, onTheWire } from '../rde/peers.js';
import { LOCAL_AS, daemonWith, type Daemon } from './shipped-daemon.js';

const GEOLOC = 42;
const OPTIONAL = 0x80;
/** Paris, Brussels, Tokyo in micro-degrees. */
const PARIS = [48856600, 2352200];
const BRUSSELS = [50850300, 4351700];
const TOKYO = [35676200, 139650300];

/** The GeoLoc value of a location: latitude and longitude, signed 32-bit, network order, as hex. */
function geoHex([lat, lon]: number[]): string {
  const b = Buffer.alloc(8);
  b.writeInt32BE(lat!, 0);
  b.writeInt32BE(lon!, 4);
  return b.toString('hex');
}
const geoloc = (at: number[]) => makeRawAttribute(GEOLOC, OPTIONAL, Buffer.from(geoHex(at), 'hex'));

/** ext (eBGP), i1 and i2 (iBGP, router ids 2 and 3), ours in Paris unless `where` says otherwise. */
function router(
  where: string = `latitude: { type_arg: int, arg: ${PARIS[0]} }, longitude: { type_arg: int, arg: ${PARIS[1]} }`,
): Daemon {
  return daemonWith(
    [
      ['ext', 65010],
      ['i1', LOCAL_AS],
      ['i2', LOCAL_AS],
    ],
    `  - manifest: ${shippedPlugin('geo_tags')}
    conf: { ${where} }`,
  );
}

/** GeoLoc (flags:value hex) of what `peer` is sent, per prefix. */
function sentGeoloc(rde: Rde, peer: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const u of rde.pull(peer)) {
    const m = onTheWire(u);
    const a = getAttributeByCode(m.attributes, GEOLOC) as { flags: number; raw: Uint8Array } | undefined;
    for (const p of prefixList(m.nlri))
      out[p.prefix] = a ? `${a.flags.toString(16)}:${Buffer.from(a.raw).toString('hex')}` : null;
  }
  return out;
}

const p = (b: number) => prefixKey(1, 16, Uint8Array.of(10, b), 0);

describe('plugins/geo_tags', function () {
  before(function () {
    requireTools(this, 'clang');
  });

  it('tags routes from eBGP peers with our location (replacing theirs); keeps the GeoLoc of routes from iBGP peers, drops a malformed one', function () {
    const d = router();
    d.rde.receive('ext', announce(['10.1.0.0/16'], [65010], 0x0a000001), true, false);
    d.rde.receive('ext', announce(['10.2.0.0/16'], [65010], 0x0a000001, [geoloc(TOKYO)]), true, false);
    d.rde.receive('i1', announce(['10.3.0.0/16'], [65020], 0x0a000002, [geoloc(BRUSSELS)]), true, false);
    const short = makeRawAttribute(GEOLOC, OPTIONAL, Uint8Array.of(1, 2, 3));
    d.rde.receive('i1', announce(['10.4.0.0/16'], [65020], 0x0a000002, [short]), true, false);
    d.rde.flush();
    expect(sentGeoloc(d.rde, 'i2')).to.deep.equal({
      '10.1.0.0/16': `80:${geoHex(PARIS)}`,
      '10.2.0.0/16': `80:${geoHex(PARIS)}`, // the eBGP peer's GeoLoc replaced: it entered the AS here
    });
    // iBGP-learned routes go to the eBGP peer only (RFC 4271): the decoded GeoLoc is on them.
    expect(sentGeoloc(d.rde, 'ext')).to.deep.equal({
      '10.3.0.0/16': `80:${geoHex(BRUSSELS)}`,
      '10.4.0.0/16': null,
    });
    for (const pl of d.host!.pluglets()) expect(pl.stats.faults, pl.name).to.equal(0);
  });

  it('of two routes with a GeoLoc, the closer ingress wins in place of MED; natively the lower router id', function () {
    const feed = (d: Daemon): void => {
      d.rde.receive('i1', announce(['10.5.0.0/16'], [65020], 0x0a000002, [geoloc(TOKYO)]), true, false);
      d.rde.receive('i2', announce(['10.5.0.0/16'], [65020], 0x0a000003, [geoloc(BRUSSELS)]), true, false);
      d.rde.receive('i1', announce(['10.6.0.0/16'], [65020], 0x0a000002, [geoloc(BRUSSELS)]), true, false);
      d.rde.receive('i2', announce(['10.6.0.0/16'], [65020], 0x0a000003, [geoloc(TOKYO)]), true, false);
      d.rde.flush();
    };
    const d = router();
    feed(d);
    expect(d.rde.locRib('ipv4-unicast', p(5))).to.deep.include({ peer: 'i2', reason: 'med' });
    expect(d.rde.locRib('ipv4-unicast', p(6))).to.deep.include({ peer: 'i1', reason: 'med' });
    // A router in Tokyo ranks them the other way.
    const tokyo = router(
      `latitude: { type_arg: int, arg: ${TOKYO[0]} }, longitude: { type_arg: int, arg: ${TOKYO[1]} }`,
    );
    feed(tokyo);
    expect(tokyo.rde.locRib('ipv4-unicast', p(5))).to.deep.include({ peer: 'i1', reason: 'med' });
    // Without a location the plugin has no opinion: the native steps pick the lower router id (i1).
    const nowhere = router('');
    feed(nowhere);
    expect(nowhere.rde.locRib('ipv4-unicast', p(5))).to.deep.include({ peer: 'i1', reason: 'router-id' });
    expect(nowhere.rde.locRib('ipv4-unicast', p(6))).to.deep.include({ peer: 'i1', reason: 'router-id' });
  });
});
