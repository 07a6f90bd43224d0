// Per-message fixtures checked both ways: bytes decode to the expected fields and encode back to the same
// bytes; messages built with the make* helpers encode to the fixture bytes.
import { expect } from 'chai';
import {
  decodeMessage,
  encodeMessage,
  endOfRibFamily,
  familyKey,
  forEachAnnounced,
  forEachWithdrawn,
  formatPrefix,
  ipv4PrefixKey,
  KEEPALIVE,
  makeAddPathCapability,
  makeEnhancedRouteRefreshCapability,
  makeExtendedMessageCapability,
  makeExtendedNextHopCapability,
  makeFourOctetAs,
  makeFqdnCapability,
  makeGracefulRestartCapability,
  makeMultiprotocol,
  makeNotification,
  makeOpen,
  makeRouteRefresh,
  makeRouteRefreshCapability,
  makeShutdownNotification,
  notificationName,
  prefixCount,
  prefixList,
  type DecodeContext,
  type Message,
} from '../../daemon/wire/index.js';
import { attr, BASE_ATTRS_AS4, concat, hex, message, toHex, update } from './helpers/bytes.js';

function decodeOk(bytes: Uint8Array, ctx: DecodeContext = { asn4: true }): Message {
  const r = decodeMessage(bytes, ctx);
  if (!r.ok) throw new Error(`decode failed: ${r.error.reason}`);
  expect(r.action, r.errors.map((e) => e.reason).join(', ')).to.equal('none');
  expect(toHex(encodeMessage(r.message)), 're-encoded').to.equal(toHex(bytes));
  return r.message;
}

const cap = (code: number, value: string): Uint8Array => {
  const v = hex(value);
  return concat(Uint8Array.of(code, v.length), v);
};

const CAPS = concat(
  cap(1, '0001 00 01'), // multiprotocol IPv4 unicast
  cap(1, '0002 00 01'), // multiprotocol IPv6 unicast
  cap(2, ''), // route refresh
  cap(5, '0001 0001 0002'), // extended next hop: IPv4 unicast over IPv6
  cap(6, ''), // extended message
  cap(64, '8078 0001 01 80'), // graceful restart: R, 120 s, IPv4 unicast F
  cap(65, 'fa56ea00'), // 4-octet AS 4200000000
  cap(69, '0001 01 03'), // ADD-PATH IPv4 unicast send+receive
  cap(70, ''), // enhanced route refresh
  cap(73, '04 72783031 05 65782e696f'), // FQDN rx01 / ex.io
);
const OPEN_BODY = concat(hex('04 5ba0 00b4 c0000201'), Uint8Array.of(CAPS.length + 2, 2, CAPS.length), CAPS);

describe('wire: message fixtures (both ways)', function () {
  it('KEEPALIVE', function () {
    const bytes = message(4, '');
    expect(decodeOk(bytes)).to.deep.equal({ type: 'keepalive' });
    expect(toHex(encodeMessage(KEEPALIVE))).to.equal(toHex(bytes));
  });

  it('OPEN with every supported capability', function () {
    const bytes = message(1, OPEN_BODY);
    const m = decodeOk(bytes);
    if (m.type !== 'open') throw new Error('not OPEN');
    expect({
      version: m.version,
      myAs: m.myAs,
      holdTime: m.holdTime,
      bgpId: m.bgpId,
      extended: m.extendedParams,
      params: m.params.length,
    }).to.deep.equal({
      version: 4,
      myAs: 23456,
      holdTime: 180,
      bgpId: 0xc0000201,
      extended: false,
      params: 1,
    });
    const { capabilities } = m;
    expect(capabilities.map((c) => c.type)).to.deep.equal([
      'multiprotocol',
      'multiprotocol',
      'route-refresh',
      'extended-next-hop',
      'extended-message',
      'graceful-restart',
      'four-octet-as',
      'add-path',
      'enhanced-route-refresh',
      'fqdn',
    ]);
    const [, v6, , enh, , gr, as4, addPath, , fqdn] = capabilities;
    expect(v6).to.include({ afi: 2, safi: 1 });
    expect(enh!.type === 'extended-next-hop' && enh!.entries).to.deep.equal([
      { afi: 1, safi: 1, nextHopAfi: 2 },
    ]);
    expect(
      gr!.type === 'graceful-restart' && { flags: gr!.flags, time: gr!.restartTime, fam: gr!.families },
    ).to.deep.equal({
      flags: 8,
      time: 120,
      fam: [{ afi: 1, safi: 1, flags: 0x80 }],
    });
    expect(as4).to.include({ asn: 4200000000 });
    expect(addPath!.type === 'add-path' && addPath!.families).to.deep.equal([
      { afi: 1, safi: 1, sendReceive: 3 },
    ]);
    expect(fqdn).to.include({ hostname: 'rx01', domain: 'ex.io' });

    const built = makeOpen({
      myAs: 4200000000,
      holdTime: 180,
      bgpId: 0xc0000201,
      capabilities: [
        makeMultiprotocol(1, 1),
        makeMultiprotocol(2, 1),
        makeRouteRefreshCapability(),
        makeExtendedNextHopCapability([{ afi: 1, safi: 1, nextHopAfi: 2 }]),
        makeExtendedMessageCapability(),
        makeGracefulRestartCapability(8, 120, [{ afi: 1, safi: 1, flags: 0x80 }]),
        makeFourOctetAs(4200000000),
        makeAddPathCapability([{ afi: 1, safi: 1, sendReceive: 3 }]),
        makeEnhancedRouteRefreshCapability(),
        makeFqdnCapability('rx01', 'ex.io'),
      ],
    });
    expect(toHex(encodeMessage(built))).to.equal(toHex(bytes));
  });

  it('OPEN with RFC 9072 extended optional parameters and an unknown capability', function () {
    const caps = concat(cap(65, '0000fde9'), cap(128, ''));
    const body = concat(
      hex('04 fde9 005a 0a000001 ff ff'),
      Uint8Array.of(0, caps.length + 3, 2, 0, caps.length),
      caps,
    );
    const m = decodeOk(message(1, body));
    if (m.type !== 'open') throw new Error('not OPEN');
    expect(m.extendedParams).to.equal(true);
    expect(m.capabilities.map((c) => [c.type, c.code])).to.deep.equal([
      ['four-octet-as', 65],
      ['unknown', 128],
    ]);
  });

  it('UPDATE (IPv4): withdrawn routes, attributes, NLRI', function () {
    const bytes = update({
      withdrawn: '10 0a01', // 10.1.0.0/16
      attrs: concat(BASE_ATTRS_AS4, attr(0x80, 4, '00000000'), attr(0xc0, 8, 'fde90064')),
      nlri: '18 c00002  16 c63364  00', // 192.0.2.0/24, 198.51.100.0/22, 0.0.0.0/0
    });
    const m = decodeOk(bytes);
    if (m.type !== 'update') throw new Error('not UPDATE');
    expect(prefixList(m.withdrawn)).to.deep.equal([{ prefix: '10.1.0.0/16', pathId: 0 }]);
    expect(prefixList(m.nlri).map((p) => p.prefix)).to.deep.equal([
      '192.0.2.0/24',
      '198.51.100.0/22',
      '0.0.0.0/0',
    ]);
    expect(m.attributes.map((a) => a.type)).to.deep.equal([
      'origin',
      'as-path',
      'next-hop',
      'med',
      'communities',
    ]);
    expect(prefixCount(m)).to.equal(4);
    const seen: string[] = [];
    forEachAnnounced(m, (afi, safi, length, b, off, pathId) =>
      seen.push(`${afi}/${safi} ${formatPrefix(afi, length, b, off)} ${pathId}`),
    );
    forEachWithdrawn(m, (afi, _safi, length, b, off) =>
      seen.push(`withdraw ${formatPrefix(afi, length, b, off)}`),
    );
    expect(seen).to.deep.equal([
      '1/1 192.0.2.0/24 0',
      '1/1 198.51.100.0/22 0',
      '1/1 0.0.0.0/0 0',
      'withdraw 10.1.0.0/16',
    ]);
  });

  it('UPDATE (IPv6 via MP_REACH/MP_UNREACH) with ADD-PATH', function () {
    const ctx: DecodeContext = { asn4: true, addPath: new Set([familyKey(2, 1)]) };
    const bytes = update({
      attrs: concat(
        attr(0x80, 15, '0002 01 00000007 30 20010db80009'),
        attr(0x40, 1, '00'),
        attr(0x40, 2, '02 01 0000fde9'),
        attr(
          0x80,
          14,
          '0002 01 10 20010db8000000000000000000000001 00 00000001 30 20010db80001 00000002 30 20010db80001',
        ),
      ),
    });
    const m = decodeOk(bytes, ctx);
    if (m.type !== 'update') throw new Error('not UPDATE');
    const seen: string[] = [];
    forEachAnnounced(m, (afi, _s, length, b, off, pathId) =>
      seen.push(`+${formatPrefix(afi, length, b, off)}#${pathId}`),
    );
    forEachWithdrawn(m, (afi, _s, length, b, off, pathId) =>
      seen.push(`-${formatPrefix(afi, length, b, off)}#${pathId}`),
    );
    expect(seen).to.deep.equal(['+2001:db8:1::/48#1', '+2001:db8:1::/48#2', '-2001:db8:9::/48#7']);
  });

  it('End-of-RIB markers (RFC 4724)', function () {
    const v4 = decodeOk(update({}));
    expect(v4.type === 'update' && endOfRibFamily(v4)).to.deep.equal({ afi: 1, safi: 1 });
    const v6 = decodeOk(update({ attrs: attr(0x80, 15, '0002 01') }));
    expect(v6.type === 'update' && endOfRibFamily(v6)).to.deep.equal({ afi: 2, safi: 1 });
    const notEor = decodeOk(update({ attrs: BASE_ATTRS_AS4, nlri: '00' }));
    expect(notEor.type === 'update' && endOfRibFamily(notEor)).to.equal(undefined);
  });

  it('NOTIFICATION Cease / Administrative Shutdown with a Shutdown Communication (RFC 9003)', function () {
    const bytes = message(3, '06 02 0b 6d61696e74656e616e6365');
    const m = decodeOk(bytes);
    expect(m).to.deep.include({
      type: 'notification',
      code: 6,
      subcode: 2,
      shutdownCommunication: 'maintenance',
    });
    expect(toHex(encodeMessage(makeShutdownNotification(2, 'maintenance')))).to.equal(toHex(bytes));
    expect(notificationName(6, 2)).to.equal('Cease / Administrative Shutdown');
  });

  it('NOTIFICATION: a Shutdown Communication is cut at 255 octets on a character boundary; bad ones are flagged', function () {
    const long = makeShutdownNotification(4, 'é'.repeat(200));
    expect(long.data[0]).to.equal(254);
    expect(long.shutdownCommunication).to.equal('é'.repeat(127));
    const bad = decodeOk(message(3, '06 04 05 41ff4242'));
    expect(bad).to.deep.include({ shutdownCommunicationInvalid: true });
    expect(bad).not.to.have.property('shutdownCommunication');
    const invalidUtf8 = decodeOk(message(3, '06 02 02 c328'));
    expect(invalidUtf8).to.deep.include({ shutdownCommunicationInvalid: true });
  });

  it('NOTIFICATION UPDATE Message Error with data', function () {
    const bytes = message(3, '03 05 400104 00');
    const m = decodeOk(bytes);
    expect(m.type === 'notification' && [m.code, m.subcode, toHex(m.data)]).to.deep.equal([3, 5, '40010400']);
    expect(toHex(encodeMessage(makeNotification({ code: 3, subcode: 5, data: hex('40010400') })))).to.equal(
      toHex(bytes),
    );
    expect(notificationName(3, 5)).to.equal('UPDATE Message Error / Attribute Length Error');
    expect(notificationName(6, 9)).to.equal('Cease / Hard Reset');
  });

  it('ROUTE-REFRESH with RFC 7313 subtypes', function () {
    for (const subtype of [0, 1, 2]) {
      const bytes = message(5, `0002 0${subtype} 01`);
      expect(decodeOk(bytes)).to.deep.include({ type: 'route-refresh', afi: 2, safi: 1, subtype });
      expect(toHex(encodeMessage(makeRouteRefresh(2, 1, subtype)))).to.equal(toHex(bytes));
    }
  });

  it('compact IPv4 prefix keys clear host bits', function () {
    const b = hex('0a 01 ff');
    expect(ipv4PrefixKey(b, 0, 16)).to.equal(0x0a010000 * 64 + 16);
    expect(ipv4PrefixKey(b, 0, 0)).to.equal(0);
    expect(ipv4PrefixKey(hex('c0000201'), 0, 32)).to.equal(0xc0000201 * 64 + 32);
  });
});
