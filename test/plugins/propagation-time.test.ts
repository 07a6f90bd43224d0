// plugins/propagation_time loaded from its manifest through the configuration path (shipped-daemon.ts),
// with the wall clock the plugins read (get_realtime) driven by the fake clock: a route from an eBGP
// peer gets the Arrival attribute (code 45: the clock's milliseconds and the peer's AS), replacing the
// peer's; one from an iBGP peer keeps its Arrival (decoded; a malformed one dropped); towards eBGP peers
// a route with an Arrival gets the community 65000:N (N the milliseconds since its arrival, at most
// 65535, 0 for an arrival in the future), its other communities kept; towards iBGP peers nothing.
import { expect } from 'chai';
import type { Rde } from '../../daemon/rde/rde.js';
import {
  getAttributeByCode,
  makeCommunities,
  makeRawAttribute,
  prefixList,
} from '../../daemon/wire/index.js';
import { requireTools } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { announce, info, onTheWire, spec } from '../rde/peers.js';
import { LOCAL_AS, communities, daemonWith, sentTo, type Daemon } from './shipped-daemon.js';

const ARRIVAL = 45;
const OPTIONAL = 0x80;
const WALL = 1_764_640_000_000; // the wall clock the tests start from (ms since the epoch)

/** An Arrival value: milliseconds (u64) and AS (u32), network order, as hex. */
function arrivalHex(ms: number, asn: number): string {
  const b = Buffer.alloc(12);
  b.writeBigUInt64BE(BigInt(ms), 0);
  b.writeUInt32BE(asn, 8);
  return b.toString('hex');
}
const arrival = (ms: number, asn: number) =>
  makeRawAttribute(ARRIVAL, OPTIONAL, Buffer.from(arrivalHex(ms, asn), 'hex'));

/** ext (eBGP, AS 65010), i1 and i2 (iBGP), ext2 (eBGP, AS 65020); the wall clock at WALL + `at`. */
function router(at: number, conf = ''): Daemon {
  const d = daemonWith(
    [
      ['ext', 65010],
      ['i1', LOCAL_AS],
      ['i2', LOCAL_AS],
      ['ext2', 65020],
    ],
    `  - manifest: ${shippedPlugin('propagation_time')}${conf ? `\n    conf: { ${conf} }` : ''}`,
  );
  d.clock.wallOrigin = WALL;
  d.clock.advance(at);
  return d;
}

/** Arrival (flags:value hex) of what `peer` is sent, per prefix. */
function sentArrival(rde: Rde, peer: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const u of rde.pull(peer)) {
    const m = onTheWire(u);
    const a = getAttributeByCode(m.attributes, ARRIVAL) as { flags: number; raw: Uint8Array } | undefined;
    for (const p of prefixList(m.nlri))
      out[p.prefix] = a ? `${a.flags.toString(16)}:${Buffer.from(a.raw).toString('hex')}` : null;
  }
  return out;
}

/** Communities `peer` is sent, per prefix. */
function sentCommunities(rde: Rde, peer: string): Record<string, string> {
  return Object.fromEntries([...sentTo(rde, peer)].map(([prefix, seen]) => [prefix, seen.communities]));
}

describe('plugins/propagation_time', function () {
  before(function () {
    requireTools(this, 'clang');
  });

  it('stamps routes from eBGP peers with the clock and their AS (replacing theirs); keeps the Arrival of routes from iBGP peers, drops a malformed one', function () {
    const d = router(1234);
    d.rde.receive('ext', announce(['10.1.0.0/16'], [65010], 0x0a000001), true, false);
    d.rde.receive('ext', announce(['10.2.0.0/16'], [65010], 0x0a000001, [arrival(5, 64999)]), true, false);
    d.rde.receive('i1', announce(['10.3.0.0/16'], [65030], 0x0a000002, [arrival(WALL, 65030)]), true, false);
    const short = makeRawAttribute(ARRIVAL, OPTIONAL, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
    d.rde.receive('i1', announce(['10.4.0.0/16'], [65030], 0x0a000002, [short]), true, false);
    d.rde.flush();
    const stamped = `80:${arrivalHex(WALL + 1234, 65010)}`;
    expect(sentArrival(d.rde, 'i2')).to.deep.equal({ '10.1.0.0/16': stamped, '10.2.0.0/16': stamped });
    // iBGP-learned routes go to the eBGP peers only (RFC 4271): the decoded Arrival is on them.
    expect(sentArrival(d.rde, 'ext2')).to.deep.equal({
      '10.1.0.0/16': stamped,
      '10.2.0.0/16': stamped,
      '10.3.0.0/16': `80:${arrivalHex(WALL, 65030)}`,
      '10.4.0.0/16': null,
    });
    for (const pl of d.host!.pluglets()) expect(pl.stats.faults, pl.name).to.equal(0);
  });

  it('towards eBGP peers adds 65000:N, N the milliseconds since arrival (capped at 65535), keeping the other communities; towards iBGP peers nothing', function () {
    const now = WALL + 90_000;
    const d = router(90_000);
    const tags = makeCommunities(communities('65010:1', '65030:7'));
    d.rde.receive(
      'i1',
      announce(['10.5.0.0/16'], [65030], 0x0a000002, [arrival(now - 250, 65030)]),
      true,
      false,
    );
    d.rde.receive(
      'i1',
      announce(['10.6.0.0/16'], [65030], 0x0a000002, [arrival(now - 7, 65030), tags]),
      true,
      false,
    );
    d.rde.receive(
      'i1',
      announce(['10.7.0.0/16'], [65030], 0x0a000002, [arrival(now - 80_000, 65030)]),
      true,
      false,
    );
    d.rde.receive(
      'i1',
      announce(['10.8.0.0/16'], [65030], 0x0a000002, [arrival(now + 500, 65030)]),
      true,
      false,
    );
    d.rde.receive('i1', announce(['10.9.0.0/16'], [65030], 0x0a000002, [tags]), true, false);
    // A route that entered the AS here: from the eBGP peer, stamped now, so 0 ms at the egress.
    d.rde.receive('ext', announce(['10.10.0.0/16'], [65010], 0x0a000001), true, false);
    d.rde.flush();
    expect(sentCommunities(d.rde, 'ext2')).to.deep.equal({
      '10.5.0.0/16': '65000:250',
      '10.6.0.0/16': '65010:1 65030:7 65000:7',
      '10.7.0.0/16': '65000:65535', // 80 s: capped
      '10.8.0.0/16': '65000:0', // the ingress clock ahead of ours
      '10.9.0.0/16': '65010:1 65030:7', // no Arrival: untouched
      '10.10.0.0/16': '65000:0',
    });
    expect(sentCommunities(d.rde, 'i2')).to.deep.equal({ '10.10.0.0/16': '' });
    for (const pl of d.host!.pluglets()) expect(pl.stats.faults, pl.name).to.equal(0);
  });

  it('tags the routes a peer coming up later is sent (its group made after the routes arrived)', function () {
    const now = WALL + 5_000;
    const d = router(5_000);
    d.rde.peerDown('ext'); // the eBGP peers share a group: with both down it goes
    d.rde.peerDown('ext2');
    d.rde.receive(
      'i1',
      announce(['10.5.0.0/16'], [65030], 0x0a000002, [arrival(now - 30, 65030)]),
      true,
      false,
    );
    d.rde.flush();
    d.rde.peerUp(spec('ext2', '10.0.0.4', 65020), info(4, false), { kick: () => undefined });
    d.rde.flush();
    expect(sentCommunities(d.rde, 'ext2')).to.deep.equal({ '10.5.0.0/16': '65000:30' });
  });

  it('adds the tag once, and takes its ASN from the extra configuration', function () {
    const now = WALL + 10_000;
    const d = router(10_000, 'tag_asn: { type_arg: int, arg: 64999 }');
    const already = makeCommunities(communities('64999:40', '65010:1'));
    d.rde.receive(
      'i1',
      announce(['10.5.0.0/16'], [65030], 0x0a000002, [arrival(now - 40, 65030), already]),
      true,
      false,
    );
    d.rde.receive(
      'i1',
      announce(['10.6.0.0/16'], [65030], 0x0a000002, [arrival(now - 41, 65030), already]),
      true,
      false,
    );
    d.rde.flush();
    expect(sentCommunities(d.rde, 'ext')).to.deep.equal({
      '10.5.0.0/16': '64999:40 65010:1',
      '10.6.0.0/16': '64999:40 65010:1 64999:41',
    });
  });
});
