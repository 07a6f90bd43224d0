// Propagation rules (daemon/rde/propagation.ts): which routes go to which kind of peer and with which
// attributes, as a table.
import { expect } from 'chai';
import { AttrStore } from '../../daemon/rde/attr-store.js';
import {
  exportAttributes,
  propagationVerdict,
  prepend,
  type ExportSettings,
  type SourceKind,
} from '../../daemon/rde/propagation.js';
import {
  formatAsPath,
  getAttribute,
  makeAsPath,
  makeCommunities,
  makeLocalPref,
  makeMed,
  makeNextHop,
  makeOrigin,
  type PathAttribute,
} from '../../daemon/wire/index.js';

const store = new AttrStore();
const LOCAL_AS = 65000;

function settings(over: Partial<ExportSettings> = {}): ExportSettings {
  return {
    localAsn: LOCAL_AS,
    ibgp: false,
    nextHopSelf: false,
    sendMed: false,
    nextHopIpv4: Uint8Array.of(192, 0, 2, 1),
    nextHopIpv6: new Uint8Array(16).fill(1),
    denyAllEbgp: false,
    ...over,
  };
}

function route(extra: PathAttribute[] = [], asns = [65001]) {
  return store.intern([
    makeOrigin(0),
    makeAsPath([{ type: 2, asns }], true),
    makeNextHop(0x0a000001),
    ...extra,
  ]);
}

describe('rde/propagation: verdicts', function () {
  const table: {
    source: SourceKind;
    to: 'ebgp' | 'ibgp';
    extra?: Partial<ExportSettings>;
    communities?: number[];
    verdict: string;
  }[] = [
    { source: 'ebgp', to: 'ebgp', verdict: 'send' },
    { source: 'ebgp', to: 'ibgp', verdict: 'send' },
    { source: 'ibgp', to: 'ebgp', verdict: 'send' },
    { source: 'ibgp', to: 'ibgp', verdict: 'ibgp-to-ibgp' },
    { source: 'local', to: 'ibgp', verdict: 'send' },
    { source: 'local', to: 'ebgp', verdict: 'send' },
    { source: 'ebgp', to: 'ebgp', extra: { denyAllEbgp: true }, verdict: 'rfc8212' },
    { source: 'ebgp', to: 'ibgp', extra: { denyAllEbgp: true }, verdict: 'send' },
    { source: 'ebgp', to: 'ebgp', communities: [0xffffff01], verdict: 'no-export' },
    { source: 'ebgp', to: 'ibgp', communities: [0xffffff01], verdict: 'send' },
    { source: 'ebgp', to: 'ibgp', communities: [0xffffff02], verdict: 'no-advertise' },
  ];
  for (const t of table) {
    it(`${t.source} -> ${t.to}${t.extra ? ' ' + JSON.stringify(t.extra) : ''}${t.communities ? ' community ' + t.communities[0]!.toString(16) : ''}: ${t.verdict}`, function () {
      const attrs = route(t.communities ? [makeCommunities(t.communities)] : []);
      expect(propagationVerdict(t.source, attrs, settings({ ibgp: t.to === 'ibgp', ...t.extra }))).to.equal(
        t.verdict,
      );
    });
  }
});

describe('rde/propagation: attributes', function () {
  it('to eBGP: our AS prepended, NEXT_HOP self, no LOCAL_PREF, no MED', function () {
    const out = exportAttributes('ibgp', route([makeLocalPref(300), makeMed(5)]), false, settings());
    expect(formatAsPath(getAttribute(out.attributes, 'as-path')!.segments)).to.equal('65000 65001');
    expect(getAttribute(out.attributes, 'next-hop')!.nextHop).to.equal(0xc0000201);
    expect(getAttribute(out.attributes, 'local-pref')).to.equal(undefined);
    expect(getAttribute(out.attributes, 'med')).to.equal(undefined);
  });

  it('to eBGP with send-med: MED kept', function () {
    const out = exportAttributes('ebgp', route([makeMed(5)]), false, settings({ sendMed: true }));
    expect(getAttribute(out.attributes, 'med')!.med).to.equal(5);
  });

  it('to iBGP: AS_PATH and NEXT_HOP unchanged, LOCAL_PREF 100 added for eBGP routes, MED kept', function () {
    const out = exportAttributes('ebgp', route([makeMed(5)]), false, settings({ ibgp: true }));
    expect(formatAsPath(getAttribute(out.attributes, 'as-path')!.segments)).to.equal('65001');
    expect(getAttribute(out.attributes, 'next-hop')!.nextHop).to.equal(0x0a000001);
    expect(getAttribute(out.attributes, 'local-pref')!.localPref).to.equal(100);
    expect(getAttribute(out.attributes, 'med')!.med).to.equal(5);
  });

  it('to iBGP with next-hop-self: NEXT_HOP is ours; our own routes always get our next hop', function () {
    const out = exportAttributes('ebgp', route(), false, settings({ ibgp: true, nextHopSelf: true }));
    expect(getAttribute(out.attributes, 'next-hop')!.nextHop).to.equal(0xc0000201);
    const own = store.intern([makeOrigin(0), makeAsPath([], true)], undefined);
    const v6 = exportAttributes('local', own, true, settings({ ibgp: true }));
    expect(Array.from(v6.mpNextHop!)).to.deep.equal(new Array(16).fill(1));
    expect(getAttribute(v6.attributes, 'next-hop')).to.equal(undefined);
    expect(formatAsPath(getAttribute(v6.attributes, 'as-path')!.segments)).to.equal('');
  });

  it('prepend: into the leading AS_SEQUENCE, or a new one before an AS_SET', function () {
    expect(prepend([{ type: 2, asns: [1, 2] }], 9)).to.deep.equal([{ type: 2, asns: [9, 1, 2] }]);
    expect(prepend([{ type: 1, asns: [1, 2] }], 9)).to.deep.equal([
      { type: 2, asns: [9] },
      { type: 1, asns: [1, 2] },
    ]);
    expect(prepend([], 9, 2)).to.deep.equal([{ type: 2, asns: [9, 9] }]);
  });
});
