// The plugin variants of the full-table benchmark (fulltable.ts --plugins): the small filter of
// bench/plugins/read_accept.c compiled with clang, a manifest per point written to a temp folder, and the
// `plugins:` config lines of each variant.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pluginCompileArgs } from '../../xbgp-api/build.js';
import type { Dut } from './dut.js';

export interface Variant {
  kind: Dut['kind'];
  label: string;
  /** Extra xbgpd config lines. */
  config?: string[];
  /** What the variant runs (printed). */
  what?: string;
}

/** Build the plugin and the manifests; the variants of one round. `root`: the repository. */
export function pluginVariants(root: string): Variant[] {
  const dir = mkdtempSync(join(tmpdir(), 'xbgpd-bench-plugins-'));
  const source = join(root, 'bench', 'plugins', 'read_accept.c');
  execFileSync('clang', pluginCompileArgs(join(root, 'xbgp-api'), source, join(dir, 'read_accept.o')), {
    stdio: 'pipe',
  });
  const manifest = (point: string): string => {
    const path = join(dir, `${point}.plugin`);
    const body = {
      name: `bench_${point}`,
      obj_code_list: { read_accept: { obj: 'read_accept.o', permissions: ['read'] } },
      insertion_points: { [point]: { replace: { '0': 'read_accept' } } },
    };
    writeFileSync(path, JSON.stringify(body));
    return path;
  };
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
