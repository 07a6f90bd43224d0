// The RIB and control helpers through compiled job pluglets: Loc-RIB iteration (new_rib_iterator,
// rib_has_route, next_rib_route, rib_iterator_clean) over an RDE's best routes, peer_session_reset handed
// to the router, a peer's received and sent routes looked up and the received one withdrawn.
import { expect } from 'chai';
import { FakeClock } from '../../daemon/clock.js';
import { Rde } from '../../daemon/rde/rde.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import { routerAccess } from '../../daemon/plugins/attach.js';
import { JobRunner } from '../../daemon/plugins/points/jobs.js';
import type { PluginHost } from '../../daemon/plugins/host.js';
import { requireTools } from '../helpers/env.js';
import { announce, info, spec } from '../rde/peers.js';
import {
  compilePlugin,
  LOCAL_AS,
  loadHost,
  ROUTER_ID,
  stubServices,
  workDir,
  writeManifest,
} from './support.js';

/** The job plugin c/NAME.c (schedule 1 s), with permissions `permissions`. */
function jobHost(name: string, permissions: string[]): PluginHost {
  const dir = workDir('rib');
  compilePlugin(dir, name);
  const manifest = writeManifest(dir, {
    name,
    shared_mem: 4096,
    extra_mem: 16384,
    obj_code_list: { [name]: { obj: `${name}.o`, permissions } },
    job_plugin: { schedule: 1 },
  });
  return loadHost([{ manifest }]);
}

/** An RDE where peer a (router id 1) announced `prefixes` and peer b (router id 2) is up. */
function rdeWith(prefixes: string[]): Rde {
  const rde = new Rde({
    localAsn: LOCAL_AS,
    routerId: ROUTER_ID,
    decision: { alwaysCompareMed: false, deterministicMed: false },
    ebgpRequiresPolicy: false,
  });
  const sink = { kick: () => undefined };
  rde.peerUp(spec('a', '10.0.0.1', 65001), info(1, false), sink);
  rde.peerUp(spec('b', '10.0.0.2', 65002), info(2, false), sink);
  rde.receive('a', announce(prefixes, [65001], 0x0a000001), true, false);
  rde.flush();
  return rde;
}

/** Run the host's job once against `rde`; the addresses it asked to reset. */
function runJob(host: PluginHost, rde: Rde): string[] {
  const resets: string[] = [];
  const router = routerAccess(
    rde,
    { asn: LOCAL_AS, routerId: ROUTER_ID },
    {
      resetPeer: (address) => {
        resets.push(address);
        return true;
      },
      sendMessage: () => false,
    },
  );
  const clock = new FakeClock();
  const jobs = new JobRunner(host, clock, () => stubServices({ router: () => router }));
  jobs.start();
  clock.advance(1000);
  jobs.stop();
  expect(host.pluglets()[0]!.stats.faults).to.equal(0);
  return resets;
}

/** The u64 values of the plugin's shared block `key`. */
function shared(host: PluginHost, key: number, count: number): bigint[] {
  const memory = host.plugins[0]!.plugin.memory;
  const view = new DataView(memory.shared.buffer, memory.shared.byteOffset + memory.shmGet(key), 8 * count);
  return Array.from({ length: count }, (_, i) => view.getBigUint64(8 * i, true));
}

describe('plugins: the RIB and control helpers from job pluglets', function () {
  before(function () {
    requireTools(this, 'clang');
  });

  it('walks the Loc-RIB best routes and asks for a reset', function () {
    const host = jobHost('rib_walk', ['read', 'write']);
    const resets = runJob(host, rdeWith(['10.1.0.0/16', '10.2.0.0/24', '192.0.2.0/25']));
    expect(shared(host, 3, 2), 'best routes, sum of prefix lengths').to.deep.equal([
      3n,
      BigInt(16 + 24 + 25),
    ]);
    expect(resets).to.deep.equal(['10.0.0.1']);
  });

  it('looks up a received and a sent route, then withdraws the received one', function () {
    const host = jobHost('rib_lookup', ['read']);
    const rde = rdeWith(['10.1.0.0/16']);
    runJob(host, rde);
    // Attributes of the received route (ORIGIN, AS_PATH, NEXT_HOP), of the one sent to b, removal status + 10.
    expect(shared(host, 4, 3)).to.deep.equal([3n, 3n, 10n]);
    rde.flush();
    expect(rde.locRib('ipv4-unicast', prefixKey(1, 16, Uint8Array.of(10, 1), 0))).to.equal(undefined);
  });
});
