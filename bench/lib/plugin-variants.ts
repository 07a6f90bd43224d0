// The plugin variants of the full-table benchmark: for --plugins, the small filter of
// bench/plugins/read_accept.c compiled with clang, a manifest per point written to a temp folder, and the
// `plugins:` config lines of each variant; for --rr, route reflection (plugins/route_reflector in xbgpd,
// BIRD's own) against the same table passed from an eBGP feeder to an iBGP monitor natively.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pluginCompileArgs } from '../../xbgp-api/build.js';
import type { Dut, DutOptions } from './dut.js';
import type { RdeOptions } from '../../daemon/rde/rde.js';
import { PluginHost } from '../../daemon/plugins/host.js';
import { HostPlugins } from '../../daemon/plugins/points/filters.js';
import { pluginHelperRegistry } from '../../daemon/plugins/helpers/index.js';
import type { RpkiLookup } from '../../daemon/plugins/call.js';

export interface Variant {
  kind: Dut['kind'];
  label: string;
  /** Extra xbgpd config lines. */
  config?: string[];
  /** Extra xbgpd command-line arguments (e.g. --jit-prime). */
  args?: string[];
  /** xbgpd: the checkout whose built daemon runs (default this one). */
  root?: string;
  /** What the variant runs (printed). */
  what?: string;
  /** The variant it is measured against (its label), for the overhead lines. */
  base?: string;
  /** The feeder and the monitor are iBGP peers (the DUT's AS) instead of eBGP (default: both eBGP). */
  ibgp?: { feeder: boolean; monitor: boolean };
  /** BIRD: the feeder and the monitor are route-reflection clients. */
  rrClients?: boolean;
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
      base: 'xbgpd',
    },
    {
      kind: 'xbgpd',
      label: 'in-jit',
      config: entry(inbound, 'feeder', true),
      what: 'inbound filter, every route, JIT',
      base: 'xbgpd',
    },
    {
      kind: 'xbgpd',
      label: 'in-interp',
      config: entry(inbound, 'feeder', false),
      what: 'inbound filter, every route, interpreter',
      base: 'xbgpd',
    },
    {
      kind: 'xbgpd',
      label: 'out-jit',
      config: entry(outbound, 'monitor', true),
      what: 'outbound filter, every route to the monitor, JIT',
      base: 'xbgpd',
    },
    {
      kind: 'xbgpd',
      label: 'out-interp',
      config: entry(outbound, 'monitor', false),
      what: 'outbound filter, every route to the monitor, interpreter',
      base: 'xbgpd',
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
  return hostHooks([{ manifest, peers: [peer], jit, faultLimit: { max: 0, windowMs: 1 } }]);
}

/**
 * The RDE hooks of plugins/route_reflector with `clients` (addresses) as its clients, with the JIT or the
 * interpreter (rde-ingest.ts --plugin rr).
 */
export function benchRrHooks(
  root: string,
  clients: readonly string[],
  jit: boolean,
): RdeOptions['pluginHooks'] {
  const conf = { clients: { type_arg: 'list', arg: clients.map((a) => ({ type_arg: 'ipv4', arg: a })) } };
  return hostHooks([
    {
      manifest: routeReflectorManifest(root),
      jit,
      faultLimit: { max: 0, windowMs: 1 },
      extraConf: { inline: conf },
    },
  ]);
}

/**
 * The RDE hooks of plugins/rpki_origin on the feeder (a community per validation state, as fulltable.ts
 * --rpki configures it) over `vrps` in place of an RTR client's table (rde-ingest.ts --plugin rpki).
 */
export function benchRpkiHooks(root: string, vrps: RpkiLookup, jit: boolean): RdeOptions['pluginHooks'] {
  const dir = mkdtempSync(join(tmpdir(), 'xbgpd-bench-rpki-'));
  const source = join(root, 'plugins', 'rpki_origin');
  execFileSync(
    'clang',
    pluginCompileArgs(join(root, 'xbgp-api'), join(source, 'rpki_origin.c'), join(dir, 'rpki_origin.o')),
    {
      stdio: 'pipe',
    },
  );
  const body = JSON.parse(readFileSync(join(source, 'rpki_origin.plugin'), 'utf8')) as object;
  const manifest = join(dir, 'rpki_origin.plugin');
  writeFileSync(manifest, JSON.stringify({ ...body, obj_dir: dir }));
  const tag = (n: number) => ({ type_arg: 'str', arg: `65000:${n}` });
  const conf = { valid_community: tag(1), not_found_community: tag(2), invalid_community: tag(3) };
  const entry = {
    manifest,
    peers: ['feeder'],
    jit,
    faultLimit: { max: 0, windowMs: 1 },
    extraConf: { inline: conf },
  };
  return hostHooks([entry], () => vrps);
}

/** Load `entries` into a plugin host; the RDE hooks running them (as the daemon's, without logs or clocks). */
function hostHooks(
  entries: Parameters<typeof PluginHost.load>[0],
  rpki?: () => RpkiLookup,
): RdeOptions['pluginHooks'] {
  const reporter = { now: () => performance.now(), warn: () => undefined, error: () => undefined };
  const loaded = PluginHost.load(entries, pluginHelperRegistry(), reporter);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const host = loaded.host;
  const services = (plugin: unknown) => ({
    extraConf: host.plugins.find((p) => p.plugin === plugin)?.extraConf,
    log: () => undefined,
    monotonicMs: () => 0,
    realtimeMs: () => 0,
    ...(rpki === undefined ? {} : { rpki }),
  });
  return (store) => new HostPlugins(host, store, { asn: 4200000000, routerId: 0x0a000001 }, services);
}

/**
 * The route reflection variants (fulltable.ts --rr). Natively (BIRD, xbgpd) the table goes from an eBGP
 * feeder to an iBGP monitor, which needs no reflection; then feeder and monitor are both iBGP clients
 * and the DUT reflects: BIRD natively (`rr client`), xbgpd with plugins/route_reflector (JIT and
 * interpreter). The same pre-encoded stream serves both (a path first through the feeder's AS is what an
 * iBGP client passes on from its eBGP neighbour).
 */
export function rrVariants(root: string, clients: readonly string[]): Variant[] {
  const manifest = routeReflectorManifest(root);
  const list = clients.map((a) => `{ type_arg: ipv4, arg: ${a} }`).join(', ');
  const entry = (jit: boolean): string[] => [
    'plugins:',
    `  - manifest: '${manifest}'`,
    `    jit: ${jit}`,
    '    fault-limit: { max: 0 }',
    `    conf: { clients: { type_arg: list, arg: [${list}] } }`,
  ];
  const ibgp = { feeder: false, monitor: true };
  const reflect = { feeder: true, monitor: true };
  return [
    { kind: 'bird', label: 'bird', ibgp, what: 'eBGP feeder -> iBGP monitor' },
    {
      kind: 'bird',
      label: 'bird-rr',
      ibgp: reflect,
      rrClients: true,
      base: 'bird',
      what: 'BIRD as reflector',
    },
    { kind: 'xbgpd', label: 'xbgpd', ibgp, what: 'eBGP feeder -> iBGP monitor, no plugin' },
    {
      kind: 'xbgpd',
      label: 'rr-jit',
      ibgp: reflect,
      config: entry(true),
      base: 'xbgpd',
      what: 'route_reflector, JIT',
    },
    {
      kind: 'xbgpd',
      label: 'rr-interp',
      ibgp: reflect,
      config: entry(false),
      base: 'xbgpd',
      what: 'route_reflector, interpreter',
    },
  ];
}

/** plugins/route_reflector built into a temp folder; the path of its manifest there. */
function routeReflectorManifest(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'xbgpd-bench-rr-'));
  const source = join(root, 'plugins', 'route_reflector');
  for (const name of ['rr_inbound', 'rr_outbound'])
    execFileSync(
      'clang',
      pluginCompileArgs(join(root, 'xbgp-api'), join(source, `${name}.c`), join(dir, `${name}.o`)),
      {
        stdio: 'pipe',
      },
    );
  const body = JSON.parse(readFileSync(join(source, 'route_reflector.plugin'), 'utf8')) as object;
  const path = join(dir, 'route_reflector.plugin');
  writeFileSync(path, JSON.stringify({ ...body, obj_dir: dir }));
  return path;
}
