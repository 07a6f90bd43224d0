// The daemon's RPKI service (daemon/rpki/origin-validation.ts) without a cache: VRP changes are handed to
// the RDE once, on a later turn of the event loop, as a selector of exactly the prefixes the changed VRPs
// cover (both families), driven one slice per turn; dropping the VRPs re-validates what they covered.
import { expect } from 'chai';
import { FakeClock } from '../../daemon/clock.js';
import { createLogger } from '../../daemon/log.js';
import type { Family, RpkiConfig } from '../../daemon/config/types.js';
import { prefixKey, type PrefixKey } from '../../daemon/rde/rib.js';
import { OriginValidation } from '../../daemon/rpki/origin-validation.js';

const CONFIG: RpkiConfig = {
  address: '127.0.0.1',
  port: 1, // never reached: the tests do not start the client
  refresh: 60,
  retry: 10,
  expire: 600,
  keepTimers: false,
  reconnect: 30,
  version: 1,
};

const v4 = (a: string, length: number): PrefixKey =>
  prefixKey(1, length, Uint8Array.from(a.split('.').map(Number)), 0);
const v6 = (bytes: number[], length: number): PrefixKey => {
  const b = new Uint8Array(16);
  b.set(bytes);
  return prefixKey(2, length, b, 0);
};

describe('rpki/origin-validation: re-validation of the routes changed VRPs cover', () => {
  it('selects exactly the covered prefixes, once, after the event loop turns', () => {
    const clock = new FakeClock();
    const calls: { family: Family; select: (k: PrefixKey) => boolean }[] = [];
    const ov = new OriginValidation(CONFIG, {
      clock,
      log: createLogger({ level: 'silent' }),
      reimport: function* (family, select) {
        calls.push({ family, select });
        yield; // one slice: the service must come back for the rest
        return 0;
      },
    });
    ov.table.add({ ipv6: false, prefix: Uint8Array.from([10, 0, 0, 0]), length: 8, maxLength: 16, asn: 1 });
    ov.table.add({
      ipv6: true,
      prefix: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(12).fill(0)]),
      length: 32,
      maxLength: 48,
      asn: 1,
    });
    ov.dropAll('test');
    expect(ov.table.size).to.equal(0);
    expect(calls, 'deferred').to.have.length(0);
    clock.runDeferred();
    // Each run yields once: IPv6 starts only after the service came back (a later turn) to finish IPv4.
    expect(calls.map((c) => c.family)).to.deep.equal(['ipv4-unicast', 'ipv6-unicast']);
    const [four, six] = [calls[0]!.select, calls[1]!.select];
    expect([
      four(v4('10.0.0.0', 8)),
      four(v4('10.200.3.0', 24)),
      four(v4('10.0.0.0', 7)),
      four(v4('11.0.0.0', 8)),
    ]).to.deep.equal([true, true, false, false]);
    expect([six(v6([0x20, 0x01, 0x0d, 0xb8, 1], 40)), six(v6([0x20, 0x01, 0x0d, 0xb9], 32))]).to.deep.equal([
      true,
      false,
    ]);
    ov.dropAll('again: nothing held');
    clock.runDeferred();
    expect(calls).to.have.length(2);
  });
});
