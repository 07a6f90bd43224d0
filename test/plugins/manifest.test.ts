// Plugin manifests (daemon/plugins/manifest.ts), data-driven:
// - every folder of fixtures/manifests/valid/ holds a manifest and `case.json` ({manifest, objDir?,
//   plugins}): readManifest must return exactly `plugins` (maps as objects, paths relative to the folder);
// - every manifest in fixtures/manifests/bad/ has a sidecar `<name>.expected` with one line per error,
//   `CODE file[:line]: path: message`, and readManifest must return exactly those errors, in order.
// Plus: readManifest never throws, whatever the file holds; the memory block arithmetic.
import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from '../helpers/env.js';
import {
  formatManifestError,
  pluginBlockBytes,
  readManifest,
  type PluginManifest,
} from '../../daemon/plugins/manifest.js';

const fixtures = join(repoRoot, 'test', 'plugins', 'fixtures', 'manifests');

/** The points the tests' host has (the published xBGP names). */
const knownPoints: ReadonlySet<string> = new Set([
  'bgp_decode_message',
  'bgp_decode_attr',
  'bgp_pre_inbound_filter',
  'bgp_initial_rte_decision',
  'bgp_pre_decision',
  'bgp_local_pref_decision',
  'bgp_as_path_length_decision',
  'bgp_use_origin_decision',
  'bgp_med_decision',
  'bgp_prefer_external_peer_decision',
  'bgp_igp_cost_decision',
  'bgp_router_id_decision',
  'bgp_post_decision',
  'bgp_pre_outbound_filter',
  'bgp_encode_attr',
  'bgp_encode_message',
]);

/** A manifest as JSON: maps become objects, absolute paths become relative to `base`. */
function normalize(plugins: PluginManifest[], base: string): unknown {
  const rel = (p: string): string => relative(base, p) || '.';
  return plugins.map((p) => ({
    ...p,
    file: rel(p.file),
    objDir: rel(p.objDir),
    pluglets: Object.fromEntries([...p.pluglets].map(([k, v]) => [k, { ...v, obj: rel(v.obj) }])),
    ...(p.insertionPoints === undefined ? {} : { insertionPoints: Object.fromEntries(p.insertionPoints) }),
  }));
}

describe('plugin manifests: valid fixtures', function () {
  const cases = readdirSync(join(fixtures, 'valid'));
  it('cover a .meta, a .plugin, a .json, a job plugin, the xbgpd extension and the objDir option', function () {
    expect(cases).to.include.members(['route-reflector', 'geoloc', 'anchors', 'job', 'objdir-option']);
  });
  for (const name of cases) {
    it(name, function () {
      const dir = join(fixtures, 'valid', name);
      const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as {
        manifest: string;
        objDir?: string;
        plugins: unknown;
      };
      const options = {
        knownPoints,
        ...(spec.objDir === undefined ? {} : { objDir: join(dir, spec.objDir) }),
      };
      const r = readManifest(join(dir, spec.manifest), options);
      if (!r.ok) expect.fail(r.errors.map(formatManifestError).join('\n'));
      expect(normalize(r.plugins, dir)).to.deep.equal(spec.plugins);
    });
  }
});

describe('plugin manifests: broken fixtures, one check each', function () {
  const dir = join(fixtures, 'bad');
  const manifests = readdirSync(dir).filter(
    (f) => statSync(join(dir, f)).isFile() && !/\.(expected|o)$/.test(f),
  );
  it('there is a broken fixture for every error code', function () {
    const codes = new Set(
      manifests.flatMap((m) => readExpected(join(dir, m)).map((line) => line.split(' ')[0])),
    );
    const all = readFileSync(join(repoRoot, 'daemon', 'plugins', 'manifest-types.ts'), 'utf8').match(
      /ERR_PLUGIN_MANIFEST_[A-Z_]+(?=:)/g,
    );
    expect([...codes].sort()).to.deep.equal([...new Set(all)].sort());
  });
  for (const m of manifests) {
    it(m, function () {
      const r = readManifest(join(dir, m), { knownPoints });
      const got = r.ok ? ['(no error)'] : r.errors.map((e) => `${e.code} ${formatManifestError(e)}`);
      expect(got).to.deep.equal(readExpected(join(dir, m)));
    });
  }
});

/** The sidecar of `manifest`: its name with `.expected` for the extension, one error per line. */
function readExpected(manifest: string): string[] {
  const sidecar = manifest.replace(/\.[a-z]+$/, '.expected');
  return readFileSync(sidecar, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

describe('plugin manifests: never throw', function () {
  let tmp: string;
  before(function () {
    tmp = mkdtempSync(join(tmpdir(), 'xbgpd-manifest-'));
  });
  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a missing manifest, a folder, binary bytes: coded errors', function () {
    const bin = join(tmp, 'bin.plugin');
    writeFileSync(bin, Uint8Array.from([0xff, 0x00, 0x7b, 0x22]));
    const codes = [join(tmp, 'absent.meta'), tmp, bin].map((p) => {
      const r = readManifest(p, { knownPoints });
      return r.ok ? 'ok' : r.errors.map((e) => e.code).join(',');
    });
    expect(codes).to.deep.equal([
      'ERR_PLUGIN_MANIFEST_READ',
      'ERR_PLUGIN_MANIFEST_READ',
      'ERR_PLUGIN_MANIFEST_JSON',
    ]);
  });

  it('any JSON value as a .plugin: a result, never an exception', function () {
    const file = join(tmp, 'any.plugin');
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        writeFileSync(file, JSON.stringify(v));
        const r = readManifest(file, { knownPoints });
        return r.ok || r.errors.length > 0;
      }),
      { numRuns: 200 },
    );
  });

  it('any text as a .meta: a result, never an exception', function () {
    const file = join(tmp, 'any.meta');
    fc.assert(
      fc.property(fc.string(), (text) => {
        writeFileSync(file, text);
        const r = readManifest(file, { knownPoints });
        return r.ok || r.errors.length > 0;
      }),
      { numRuns: 200 },
    );
  });
});

describe('plugin manifests: the memory block (libxbgp init_plugin)', function () {
  const table: [extra: number, shared: number, bytes: number][] = [
    [0, 0, 512 + 4096 + 4096],
    [1, 4096, 512 + 4096 + 4096],
    [4097, 0, 512 + 8192 + 4096],
    [1040384, 0, 512 + 1040384 + 4096],
    [1040385, 0, 512 + 1044480 + 4096],
  ];
  for (const [extra, shared, bytes] of table) {
    it(`extra_mem ${extra}, shared_mem ${shared}: ${bytes} bytes`, function () {
      expect(pluginBlockBytes(extra, shared)).to.equal(bytes);
    });
  }
});
