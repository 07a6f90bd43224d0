// plugins/valley_free loaded from its manifest through the configuration path (shipped-daemon.ts): we
// are a leaf (AS 65000) of a fabric of leaves 650xx, spines 651xx and super-spines 652xx; routes from a
// spine are rejected when their AS_PATH goes down and up again (a valley), kept otherwise.
import { expect } from 'chai';
import { requireTools } from '../helpers/env.js';
import { shippedPlugin } from '../helpers/shipped-plugins.js';
import { announce } from '../rde/peers.js';
import { LOCAL_AS, daemonWith } from './shipped-daemon.js';

const ints = (asns: number[]): string => `[${asns.map((a) => `{ type_arg: int, arg: ${a} }`).join(', ')}]`;
const TIERS = [
  [LOCAL_AS, 65001, 65002, 65003],
  [65101, 65102],
  [65201, 65202],
];

describe('plugins/valley_free', function () {
  before(function () {
    requireTools(this, 'clang');
  });

  it('rejects routes whose tiers go down and up again between the origin and us; keeps the others', function () {
    const tiers = TIERS.map((t) => `{ type_arg: list, arg: ${ints(t)} }`).join(', ');
    const d = daemonWith(
      [['spine', 65101]],
      `  - manifest: ${shippedPlugin('valley_free')}
    conf: { tiers: { type_arg: list, arg: [${tiers}] } }`,
    );
    const paths: [string, number[]][] = [
      ['10.1.0.0/16', [65101, 65001]], // leaf -> spine -> us
      ['10.2.0.0/16', [65101, 65002, 65102, 65001]], // leaf -> spine -> leaf -> spine -> us: a valley
      ['10.3.0.0/16', [65101, 65201, 65102, 65001]], // up to a super-spine and down
      ['10.4.0.0/16', [65101, 65001, 64999]], // from outside the fabric through leaf 65001
      ['10.5.0.0/16', [65101, 65002, 64999, 65102, 65003]], // a valley across an AS outside the fabric
      ['10.6.0.0/16', [65101, 65101, 65202, 65202, 65102, 65003]], // prepends: same tier twice
      ['10.7.0.0/16', [65101, 65201, 65102, 65202, 65101, 65003]], // spine -> super-spine -> spine -> super-spine
    ];
    for (const [prefix, path] of paths)
      d.rde.receive('spine', announce([prefix], path, 0x0a000001), true, false);
    d.rde.flush();
    const adj = d.rde.adjRibIn('spine')['ipv4-unicast'] ?? [];
    expect(adj.filter((r) => r.rejected === 'plugin').map((r) => r.prefix)).to.have.members([
      '10.2.0.0/16',
      '10.5.0.0/16',
      '10.7.0.0/16',
    ]);
    expect(adj.filter((r) => r.rejected === undefined)).to.have.length(4);
    expect(d.host!.pluglets()[0]!.stats.faults).to.equal(0);
  });

  it('without tiers every route passes', function () {
    const d = daemonWith([['spine', 65101]], `  - manifest: ${shippedPlugin('valley_free')}`);
    d.rde.receive('spine', announce(['10.2.0.0/16'], [65101, 65002, 65102, 65001], 0x0a000001), true, false);
    d.rde.flush();
    expect((d.rde.adjRibIn('spine')['ipv4-unicast'] ?? []).map((r) => r.rejected)).to.deep.equal([undefined]);
  });
});
