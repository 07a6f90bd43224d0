// The plugin variants of the full-table benchmark (fulltable.ts --plugins): the small filter of
// bench/plugins/read_accept.c compiled with clang, a manifest per point written to a temp folder, and the
// `plugins:` config lines of each variant.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pluginCompileArgs } from '../../xbgp-api/build.js';
import type { Dut, DutOptions } from './dut.js';
import type { RdeOptions } from '../../daemon/rde/rde.js';
import { PluginHost } from '../../daemon/plugins/host.js';
import { HostPlugins } from '../../daemon/plugins/points/filters.js';
import { pluginHelperRegistry } from '../../daemon/plugins/helpers/index.js';

export interface Variant {
  kind: Dut['kind'];
  label: string;
  /** Extra xbgpd config lines. */
  config?: string[];
  /** What the variant runs (printed). */
  what?: string;
  /** BIRD's configuration for the DUT's options (default: dut.ts birdConfig). */
  birdConfig?: (o: DutOptions) => string;
  /** Wait for the DUT to be ready before the table is sent (e.g. its RPKI data loaded). */
  ready?: (dut: Dut) => Promise<void>;
}

/** Compile the filter into a temp folder; a function writing its manifest for a point there. */
function benchPlugin(root: string): (point: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'xbgpd-bench-plugins-'));
  const source = join(root, 'bench', 'plugins', 'read_accept.c');
  execFileSync('clang', pluginCompileArgs(join(root, 'xbgp-api'), source, join(dir, 'read_accept.o')), {
    stdio: 'pipe',
  });
  return (point: string): string => {
    const path = join(dir, `${point}.plugin`);
    const body = {
      name: `bench_${point}`,
      obj_code_list: { read_accept: { obj: 'read_accept.o', permissions: ['read'] } },
      insertion_points: { [point]: { replace: { '0': 'read_accept' } } },
    };
    writeFileSync(path, JSON.stringify(body));
    return path;
  };
}

/** Build the plugin and the manifests; the variants of one round. `root`: the repository. */
export function pluginVariants(root: string): Variant[] {
  const manifest = benchPlugin(root);
  const inbound = manifest('bgp_pre_inbound_filter');
  const outbound = manifest('bgp_pre_outbound_filter');
  const entry = (path: string, peer: string, jit: boolean): string[] => [
    'plugins:',
    `  - { manifest: '${path}', peers: [${peer}], jit: ${jit}, fault-limit: { max: 0 } }`,
  ];
  return [
    { kind: 'xbgpd', label: 'xbgpd', what: 'no plugin' },
    {
      kind: 'xbgpd',
      label: 'idle',
      config: entry(inbound, 'monitor', true),
      what: 'an inbound filter attached to the monitor only: none on the table path',
    },
    {
      kind: 'xbgpd',
      label: 'in-jit',
      config: entry(inbound, 'feeder', true),
      what: 'inbound filter, every route, JIT',
    },
    {
      kind: 'xbgpd',
      label: 'in-interp',
      config: entry(inbound, 'feeder', false),
      what: 'inbound filter, every route, interpreter',
    },
    {
      kind: 'xbgpd',
      label: 'out-jit',
      config: entry(outbound, 'monitor', true),
      what: 'outbound filter, every route to the monitor, JIT',
    },
  ];
}

/**
 * The RDE hooks of the filter at `point` ('inbound' | 'outbound') for peer `peer` (rde-ingest.ts),
 * with the JIT or the interpreter.
 */
export function benchPluginHooks(
  root: string,
  peer: string,
  point: string,
  jit: boolean,
): RdeOptions['pluginHooks'] {
  const manifest = benchPlugin(root)(
    point === 'outbound' ? 'bgp_pre_outbound_filter' : 'bgp_pre_inbound_filter',
  );
  const reporter = { now: () => performance.now(), warn: () => undefined, error: () => undefined };
  const loaded = PluginHost.load(
    [{ manifest, peers: [peer], jit, faultLimit: { max: 0, windowMs: 1 } }],
    pluginHelperRegistry(),
    reporter,
  );
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const host = loaded.host;
  const services = { extraConf: undefined, log: () => undefined, monotonicMs: () => 0, realtimeMs: () => 0 };
  return (store) => new HostPlugins(host, store, { asn: 4200000000, routerId: 0x0a000001 }, () => services);
}
