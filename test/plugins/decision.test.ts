// The decision points with compiled plugins: a replace pluglet at bgp_med_decision reverses the MED
// step (NEW / OLD decide; UNKNOWN leaves the native step), and a post pluglet attached to several steps
// counts, in shared memory, which step decided each comparison (exec_info). A faulting decision pluglet
// leaves the native step to decide.
import { expect } from 'chai';
import type { Rde } from '../../daemon/rde/rde.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import type { PluginHost } from '../../daemon/plugins/host.js';
import { makeMed } from '../../daemon/wire/index.js';
import { requireTools } from '../helpers/env.js';
import { compilePlugin, loadHost, rdeWithPlugins, workDir, writeManifest } from './support.js';
import { announce, info, spec } from '../rde/peers.js';

let dir = '';

function write(name: string, body: Record<string, unknown>): string {
  return writeManifest(dir, { ...body, name });
}

function setup(manifests: string[]): { rde: Rde; host: PluginHost } {
  const host = loadHost(manifests.map((manifest) => ({ manifest })));
  const rde = rdeWithPlugins(host);
  const sink = { kick: () => undefined };
  rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), sink);
  rde.peerUp(spec('b', '10.0.0.2', 65001), info(2, false), sink);
  // P1: the same path, MED 10 from a, 20 from b. P2: b's path is longer.
  rde.receive('a', announce(['10.1.0.0/16'], [65001, 7], 0x0a000001, [makeMed(10)]), true, false);
  rde.receive('b', announce(['10.1.0.0/16'], [65001, 7], 0x0a000002, [makeMed(20)]), true, false);
  rde.receive('a', announce(['10.2.0.0/16'], [65001, 7], 0x0a000001), true, false);
  rde.receive('b', announce(['10.2.0.0/16'], [65001, 8, 7], 0x0a000002), true, false);
  rde.flush();
  return { rde, host };
}

const p1 = prefixKey(1, 16, Uint8Array.of(10, 1), 0);
const p2 = prefixKey(1, 16, Uint8Array.of(10, 2), 0);

describe('plugins: decision points with compiled plugins', function () {
  before(function () {
    requireTools(this, 'clang');
    dir = workDir('decision');
    for (const n of ['med_highest', 'step_counter', 'fault_bad_verdict']) compilePlugin(dir, n);
  });

  it('without plugins the lower MED wins', function () {
    const { rde } = setup([]);
    expect(rde.locRib('ipv4-unicast', p1)).to.deep.include({ peer: 'a', reason: 'med' });
    expect(rde.locRib('ipv4-unicast', p2)).to.deep.include({ peer: 'a', reason: 'as-path-length' });
  });

  it('bgp_med_decision replaced: the higher MED wins; other steps stay native', function () {
    const m = write('med', {
      obj_code_list: { med_highest: { obj: 'med_highest.o', permissions: ['read'] } },
      insertion_points: { bgp_med_decision: { replace: { '0': 'med_highest' } } },
    });
    const { rde, host } = setup([m]);
    expect(rde.locRib('ipv4-unicast', p1)).to.deep.include({ peer: 'b', reason: 'med' });
    expect(rde.locRib('ipv4-unicast', p2)).to.deep.include({ peer: 'a', reason: 'as-path-length' });
    const stats = host.pluglets()[0]!.stats;
    expect(stats.faults).to.equal(0);
    expect(stats.calls).to.be.greaterThan(0);
  });

  it('post pluglets count which step decided each comparison, in shared memory', function () {
    const counter = (name: string): object => ({ [name]: { obj: 'step_counter.o', permissions: ['read'] } });
    const m = write('count', {
      shared_mem: 4096,
      obj_code_list: { ...counter('count_path'), ...counter('count_med') },
      insertion_points: {
        bgp_as_path_length_decision: { post: { '0': 'count_path' } },
        bgp_med_decision: { post: { '0': 'count_med' } },
      },
    });
    const { host } = setup([m]);
    const memory = host.plugins[0]!.plugin.memory;
    const at = memory.shmGet(1);
    expect(at).to.be.at.least(0);
    const counts = new DataView(memory.shared.buffer, memory.shared.byteOffset + at, 32 * 8);
    // One comparison per prefix (two candidates); the post anchors run once per comparison.
    expect(counts.getBigUint64(4 * 8, true), 'AS_PATH length decided P2').to.equal(1n);
    expect(counts.getBigUint64(5 * 8, true), 'MED decided P1').to.equal(1n);
    expect(counts.getBigUint64(3 * 8, true), 'LOCAL_PREF decided nothing').to.equal(0n);
  });

  it('a faulting decision pluglet leaves the native step to decide', function () {
    const m = write('bad', {
      obj_code_list: { fault_bad_verdict: { obj: 'fault_bad_verdict.o', permissions: ['read'] } },
      insertion_points: { bgp_med_decision: { replace: { '0': 'fault_bad_verdict' } } },
    });
    const { rde, host } = setup([m]);
    expect(rde.locRib('ipv4-unicast', p1)).to.deep.include({ peer: 'a', reason: 'med' });
    expect(host.pluglets()[0]!.stats.faults).to.be.greaterThan(0);
  });
});
