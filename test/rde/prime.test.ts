// The JIT priming (daemon/rde/prime.ts) drives the whole pipeline on its synthetic table: every prefix
// of both families reaches the Loc-RIB, the monitor peer is sent them (less the few the table marks
// NO_EXPORT / NO_ADVERTISE) and then every one of those withdrawn, and nothing is left held.
import { expect } from 'chai';
import { primeRde } from '../../daemon/rde/prime.js';

describe('rde/prime', function () {
  it('announces, sends, withdraws and empties, for both families', function () {
    this.timeout(60_000);
    const prefixes = 3000;
    const r = primeRde({ localAsn: 4200000000, routerId: 0x0a000001, prefixes });
    expect(r.prefixes).to.equal(prefixes);
    expect(r.locRibPeak, 'destinations held once announced').to.equal(2 * prefixes);
    expect(r.locRibAfter, 'destinations held at the end').to.equal(0);
    expect(r.announcedOut).to.be.at.most(2 * prefixes);
    expect(r.announcedOut, 'only the well-known communities keep a prefix back').to.be.above(1.9 * prefixes);
    expect(r.withdrawnOut, 'every prefix sent is withdrawn').to.equal(r.announcedOut);
  });

  it('is the same table every time (deterministic)', function () {
    this.timeout(60_000);
    const a = primeRde({ localAsn: 65000, routerId: 1, prefixes: 500 });
    const b = primeRde({ localAsn: 65000, routerId: 1, prefixes: 500 });
    expect([a.updatesOut, a.announcedOut]).to.deep.equal([b.updatesOut, b.announcedOut]);
  });
});
