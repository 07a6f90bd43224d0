// Filters declare what their result depends on (policy-hook.ts FilterDependency), and the RDE reuses an
// answer only as far as the declaration allows: per attribute set for 'attributes', never across prefixes
// for 'prefix', and not even for an unchanged re-announcement for 'anything'. A counting filter whose
// verdict comes from outside state shows which evaluations happened.
import { expect } from 'chai';
import { Rde } from '../../daemon/rde/rde.js';
import type { CompiledPolicyLike, FilterDependency, PolicyInputLike } from '../../daemon/rde/policy-hook.js';
import { announce, info, onTheWire, spec } from './peers.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import { prefixList } from '../../daemon/wire/index.js';

/** A filter that counts its calls and accepts while `allow` is true (state the RIB cannot see). */
function countingFilter(dependsOn: FilterDependency): CompiledPolicyLike & { calls: number; allow: boolean } {
  const filter = {
    calls: 0,
    allow: true,
    dependsOn,
    evaluate(input: PolicyInputLike) {
      filter.calls++;
      return filter.allow
        ? { accept: true as const, attributes: input.attributes }
        : { accept: false as const };
    },
  };
  return filter;
}

function setup(side: 'import' | 'export', filter: CompiledPolicyLike): Rde {
  const rde = new Rde({
    localAsn: 65000,
    routerId: 0x0a000064,
    decision: { alwaysCompareMed: false, deterministicMed: false },
    ebgpRequiresPolicy: false,
    // The rules are placeholders: the compiler hands back the filter under test.
    compilePolicy: () => filter,
  });
  const sink = { kick: () => undefined };
  rde.peerUp(
    spec('a', '10.0.0.1', 65001, side === 'import' ? { importPolicy: [] } : {}),
    info(1, false),
    sink,
  );
  rde.peerUp(
    spec('b', '10.0.0.2', 65002, side === 'export' ? { exportPolicy: [] } : {}),
    info(2, false),
    sink,
  );
  return rde;
}

function prefixesAt(rde: Rde, name: string): string[] {
  const out: string[] = [];
  for (const u of rde.pull(name)) out.push(...prefixList(onTheWire(u).nlri).map((p) => p.prefix));
  return out.sort();
}

const PREFIXES = ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'];

describe('rde: filters are cached only as far as their declared dependency allows', function () {
  const table: { side: 'import' | 'export'; dependsOn: FilterDependency; first: number; again: number }[] = [
    // Three prefixes sharing one set, then the same UPDATE again.
    { side: 'import', dependsOn: 'attributes', first: 1, again: 1 },
    { side: 'import', dependsOn: 'prefix', first: 3, again: 3 },
    { side: 'import', dependsOn: 'anything', first: 3, again: 6 },
    { side: 'export', dependsOn: 'attributes', first: 1, again: 1 },
    { side: 'export', dependsOn: 'prefix', first: 3, again: 3 },
    { side: 'export', dependsOn: 'anything', first: 3, again: 3 },
  ];
  for (const row of table) {
    it(`${row.side}, ${row.dependsOn}: ${row.first} evaluation(s), ${row.again} after a re-announcement`, function () {
      const filter = countingFilter(row.dependsOn);
      const rde = setup(row.side, filter);
      rde.receive('a', announce(PREFIXES, [65001], 0x0a000001), true, false);
      rde.flush();
      expect(filter.calls).to.equal(row.first);
      expect(prefixesAt(rde, 'b')).to.deep.equal(PREFIXES);
      rde.receive('a', announce(PREFIXES, [65001], 0x0a000001), true, false);
      rde.flush();
      expect(filter.calls).to.equal(row.again);
    });
  }

  it("import, anything: a re-announcement applies the filter's new answer", function () {
    const filter = countingFilter('anything');
    const rde = setup('import', filter);
    rde.receive('a', announce(PREFIXES, [65001], 0x0a000001), true, false);
    rde.flush();
    expect(prefixesAt(rde, 'b')).to.deep.equal(PREFIXES);
    filter.allow = false;
    rde.receive('a', announce(PREFIXES, [65001], 0x0a000001), true, false);
    rde.flush();
    expect(rde.locRib('ipv4-unicast', prefixKey(1, 16, Uint8Array.of(10, 1), 0))).to.equal(undefined);
    expect(rde.adjRibInCount('a')).to.equal(3);
    let withdrawn = 0;
    for (const u of rde.pull('b')) withdrawn += prefixList(onTheWire(u).withdrawn).length;
    expect(withdrawn).to.equal(3);
  });

  it('import, attributes: the cached answer stands for an unchanged re-announcement', function () {
    const filter = countingFilter('attributes');
    const rde = setup('import', filter);
    rde.receive('a', announce(PREFIXES, [65001], 0x0a000001), true, false);
    rde.flush();
    prefixesAt(rde, 'b');
    filter.allow = false;
    rde.receive('a', announce(PREFIXES, [65001], 0x0a000001), true, false);
    rde.flush();
    expect(prefixesAt(rde, 'b')).to.deep.equal([]);
    expect(rde.adjRibInCount('a')).to.equal(3);
  });
});
