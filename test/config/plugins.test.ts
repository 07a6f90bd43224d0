// The `plugins` key: entries read into PluginConfig (paths made absolute from the config file's
// directory, defaults filled, fault-limit window in milliseconds, inline `conf` kept as written), and
// the semantic checks with their key paths (files that must exist, peer names, conf and conf-file,
// inline extra configuration). The broken forms are in test/config/bad/plugin-*.yaml; loading the
// plugins themselves (--check-config, the speaker) is test/plugins/config.test.ts.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseConfig, formatIssue } from '../../daemon/config/load.js';
import { keyPathSegments } from '../../daemon/config/plugins.js';
import { keyPath } from '../../daemon/plugins/strict-json.js';

const base = `router-id: 192.0.2.1
asn: 65001
peers:
  - { name: a, address: 192.0.2.2, asn: 65002 }
  - { name: b, address: 192.0.2.3, asn: 65003 }
`;

describe('config: plugins', function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-config-plugins-'));
    mkdirSync(join(dir, 'plugins', 'objs'), { recursive: true });
    writeFileSync(join(dir, 'plugins', 'rr.plugin'), '{}');
    writeFileSync(join(dir, 'plugins', 'all.meta'), 'include rr.plugin\n');
    writeFileSync(join(dir, 'rr-conf.json'), '{"conf": {}}');
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });
  const load = async (yaml: string): Promise<Awaited<ReturnType<typeof loadConfigFile>>> => {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, base + yaml);
    return loadConfigFile(file);
  };

  it('no plugins key: an empty list', function () {
    const r = parseConfig(base);
    if (!r.ok) expect.fail(JSON.stringify(r.issues));
    expect(r.config.plugins).to.deep.equal([]);
  });

  it('an entry with only a manifest: the absolute path and the defaults', async function () {
    const r = await load('plugins:\n  - manifest: plugins/rr.plugin\n');
    if (!r.ok) expect.fail(r.issues.map((i) => formatIssue(i, 'x')).join('\n'));
    expect(r.config.plugins).to.deep.equal([
      {
        manifest: join(dir, 'plugins', 'rr.plugin'),
        faultLimit: { max: 100, windowMs: 60_000 },
        jit: true,
      },
    ]);
  });

  it('every key: obj-dir, inline conf, peers, budget, fault-limit, jit', async function () {
    const r = await load(`plugins:
  - manifest: plugins/all.meta
    obj-dir: plugins/objs
    conf:
      rr_clients: { type_arg: list, arg: [{ type_arg: ipv4, arg: 10.0.0.1 }] }
      cluster: { type_arg: int, arg: 7 }
    peers: [b]
    budget: 5000
    fault-limit: { max: 0, window: 5 }
    jit: false
  - manifest: ${join(dir, 'plugins', 'rr.plugin')}
    conf-file: rr-conf.json
    fault-limit: { window: 10 }
`);
    if (!r.ok) expect.fail(r.issues.map((i) => formatIssue(i, 'x')).join('\n'));
    expect(r.config.plugins).to.deep.equal([
      {
        manifest: join(dir, 'plugins', 'all.meta'),
        objDir: join(dir, 'plugins', 'objs'),
        extraConf: {
          inline: {
            rr_clients: { type_arg: 'list', arg: [{ type_arg: 'ipv4', arg: '10.0.0.1' }] },
            cluster: { type_arg: 'int', arg: 7 },
          },
        },
        peers: ['b'],
        budget: 5000,
        faultLimit: { max: 0, windowMs: 5000 },
        jit: false,
      },
      {
        manifest: join(dir, 'plugins', 'rr.plugin'),
        extraConf: { file: join(dir, 'rr-conf.json') },
        faultLimit: { max: 100, windowMs: 10_000 },
        jit: true,
      },
    ]);
  });

  it('relative paths are from the config file, not the current directory', async function () {
    const sub = join(dir, 'etc');
    mkdirSync(sub, { recursive: true });
    const file = join(sub, 'xbgpd.yaml');
    writeFileSync(
      file,
      base + 'plugins:\n  - { manifest: ../plugins/rr.plugin, obj-dir: ../plugins/objs }\n',
    );
    const r = await loadConfigFile(file);
    if (!r.ok) expect.fail(r.issues.map((i) => formatIssue(i, file)).join('\n'));
    expect(r.config.plugins[0]).to.deep.include({
      manifest: join(dir, 'plugins', 'rr.plugin'),
      objDir: join(dir, 'plugins', 'objs'),
    });
  });

  it('an unknown peer is named by its index, with the configured peers; the line is the item', async function () {
    const r = await load('plugins:\n  - manifest: plugins/rr.plugin\n    peers:\n      - a\n      - z\n');
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.code, i.path, i.message, i.line])).to.deep.equal([
      ['ERR_CFG_INVALID', 'plugins[0].peers[1]', "unknown peer 'z' (peers: a, b)", 10],
    ]);
  });

  it('an inline conf error is at its key path inside conf, on its line', async function () {
    const r = await load(`plugins:
  - manifest: plugins/rr.plugin
    conf:
      ok: { type_arg: str, arg: fine }
      "two words": { type_arg: dict, arg: { inner: { type_arg: ipv6_prefix, arg: "2001:db8::/129" } } }
`);
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.issues).to.have.length(1);
    const issue = r.issues[0]!;
    expect(issue.path).to.equal('plugins[0].conf.two words.arg.inner.arg');
    expect(issue.message).to.match(/2001:db8::\/129/);
    expect(issue.line).to.equal(10);
  });

  it('the line of a plugin entry is available after a successful load (for plugin load errors)', async function () {
    const r = await load('plugins:\n  - manifest: plugins/rr.plugin\n  - manifest: plugins/all.meta\n');
    if (!r.ok) expect.fail(JSON.stringify(r.issues));
    expect([r.lineOf(['plugins', 0]), r.lineOf(['plugins', 1])]).to.deep.equal([7, 8]);
  });

  it('key paths of the extra-configuration reader read back into their segments', function () {
    const cases: (string | number)[][] = [
      ['rr_clients'],
      ['rr_clients', 'arg', 3, 'arg'],
      ['two words', 'arg', 'x.y', 0],
      ['quote"d', 'a-b_c', 12],
    ];
    for (const segments of cases) expect(keyPathSegments(keyPath(segments))).to.deep.equal(segments);
  });
});
