// The configured plugins in the daemon, on the fixtures of fixtures/config/ compiled with clang at test
// time: `xbgpd --check-config` loads, links and verifies every plugin and prints one line per problem at
// its `plugins[i]` entry (a write helper without permission, fetch_file, a missing object, a plugin
// loaded twice; an unknown peer is a configuration error); the speaker loads them at start (refusing to
// start otherwise), hands the host to its RDE, reports faults through its logger, logs pluglet
// statistics, and on a reload keeps them, replaces them (section or files changed: a new RDE), or
// rejects the whole reload when they do not load. The xbgpd process: start refused with the problems,
// SIGUSR1 statistics, SIGHUP with a broken plugin rejected.
import { expect } from 'chai';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTools, repoRoot } from '../helpers/env.js';
import { startSpeaker, waitFor, type LogLine, type TestSpeaker } from '../session/helpers.js';
import { compilePlugin } from '../../daemon/cli/plugin.js';
import { checkConfigFile } from '../../daemon/config/check.js';
import { loadConfigFile, parseConfig } from '../../daemon/config/load.js';
import type { SpeakerConfig } from '../../daemon/config/types.js';
import { PluginLoadFailure, Speaker } from '../../daemon/speaker.js';
import { silentLogger } from '../../daemon/log.js';
import { failed } from '../../daemon/plugins/runtime.js';

const fixtures = join(repoRoot, 'test', 'plugins', 'fixtures', 'config');
const cli = join(repoRoot, 'daemon', 'cli', 'xbgpd.ts');
const execFileP = promisify(execFile);

const head = `router-id: 192.0.2.1
asn: 65001
peers:
  - { name: a, address: 127.0.0.71, asn: 65002, passive: true }
  - { name: b, address: 127.0.0.72, asn: 65003, passive: true }
`;

describe('plugins in the configuration and the daemon', function () {
  this.timeout(60000);
  let dir: string;
  let objs: string;
  const manifest = (name: string): string => join(fixtures, `${name}.plugin`);

  before(function () {
    requireTools(this, 'clang');
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-plugins-config-'));
    objs = join(dir, 'objs');
    mkdirSync(objs);
    for (const source of ['set_med', 'accept', 'fetch']) {
      const r = compilePlugin(join(fixtures, `${source}.c`), objs);
      if (!r.ok) throw new Error(r.output);
    }
  });
  after(function () {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** Write a config file (head + `plugins` text) in the temp dir; returns its path. */
  const configFile = (name: string, plugins: string): string => {
    const file = join(dir, name);
    writeFileSync(file, `${head}plugins:\n${plugins}`);
    return file;
  };

  async function check(file: string): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await checkConfigFile(file, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  }

  describe('xbgpd --check-config', function () {
    it('accepts good plugins and counts them', async function () {
      const file = configFile(
        'good.yaml',
        `  - { manifest: ${manifest('tag-med')}, obj-dir: objs, peers: [b] }\n`,
      );
      const r = await check(file);
      expect(r.err).to.deep.equal([]);
      expect(r.code).to.equal(0);
      expect(r.out).to.deep.equal([
        `${file}: ok (2 peer(s), 0 originated prefix(es), 1 plugin(s), 2 attached pluglet(s))`,
      ]);
    });

    it('prints one line per plugin problem at its plugins[i] entry, with file, pluglet, code and pc; exit 1', async function () {
      const file = configFile(
        'broken.yaml',
        [
          `  - manifest: ${manifest('tag-med')}`,
          '    obj-dir: objs',
          `  - manifest: ${manifest('no-write')}`,
          '    obj-dir: objs',
          `  - manifest: ${manifest('fetch')}`,
          '    obj-dir: objs',
          `  - manifest: ${manifest('missing-object')}`,
          '    obj-dir: objs',
          '',
        ].join('\n'),
      );
      const r = await check(file);
      expect(r.code).to.equal(1);
      expect(r.out).to.deep.equal([]);
      expect(r.err).to.have.length(3);
      const [noWrite, fetch, missing] = r.err;
      // The entries start at lines 7, 9, 11 and 13 of the file; the good one (plugins[0]) says nothing.
      expect(noWrite).to.match(
        new RegExp(
          `^${file}:9: plugins\\[1\\]: ${manifest('no-write')}: pluglet set_med: ERR_VM_HELPER_NOT_PERMITTED at pc \\d+: set_attr needs the permissions \\[write, usr_ptr\\]`,
        ),
      );
      expect(fetch).to.match(
        new RegExp(
          `^${file}:11: plugins\\[2\\]: ${manifest('fetch')}: pluglet fetch: ERR_PLUGIN_HELPER_REFUSED: .*fetch_file reaches outside the router`,
        ),
      );
      expect(missing).to.match(
        new RegExp(
          `^${file}:13: plugins\\[3\\]: missing-object\\.plugin: obj_code_list\\.absent\\.obj: .*absent\\.o`,
        ),
      );
    });

    it('the same plugin in two entries is a problem of the list', async function () {
      const entry = `  - { manifest: ${manifest('tag-med')}, obj-dir: objs }\n`;
      const file = configFile('twice.yaml', entry + entry);
      const r = await check(file);
      expect(r.code).to.equal(1);
      expect(r.err).to.deep.equal([
        `${file}:7: plugins: ${manifest('tag-med')}: plugin tag_med is loaded twice (names are unique)`,
      ]);
    });

    it('an unknown peer in peers is a configuration error naming plugins[i].peers[j]; no plugin is loaded', async function () {
      const file = configFile(
        'unknown-peer.yaml',
        `  - manifest: ${manifest('no-write')}\n    obj-dir: objs\n    peers: [a, c]\n`,
      );
      const r = await check(file);
      expect(r.code).to.equal(1);
      expect(r.err).to.deep.equal([`${file}:9: plugins[0].peers[1]: unknown peer 'c' (peers: a, b)`]);
    });
  });

  describe('the speaker', function () {
    const running: TestSpeaker[] = [];
    afterEach(async function () {
      for (const s of running.splice(0)) await s.speaker.shutdown();
    });
    const start = async (plugins: string): Promise<TestSpeaker> => {
      const s = await startSpeaker(`${head}plugins:\n${plugins}`);
      running.push(s);
      return s;
    };
    const parse = (plugins: string): SpeakerConfig => {
      const r = parseConfig(`${head}plugins:\n${plugins}`);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      return r.config;
    };
    const tagMedForB = (): string => `  - manifest: ${manifest('tag-med')}
    obj-dir: ${objs}
    peers: [b]
    conf: { med: { type_arg: int, arg: 50 } }
`;

    it('no plugins: no host, and the RDE has none', async function () {
      const s = await start('  []\n');
      expect(s.speaker.plugins).to.equal(undefined);
      expect(s.speaker.rde.plugins?.owner).to.equal(undefined);
    });

    it('loads the plugins at start and gives the host to the RDE; per-peer attachment from peers', async function () {
      const s = await start(tagMedForB());
      const host = s.speaker.plugins!;
      expect(host).to.not.equal(undefined);
      expect(s.speaker.rde.plugins?.owner).to.equal(host);
      expect(host.plugins.map((p) => p.plugin.name)).to.deep.equal(['tag_med']);
      expect(host.plugins[0]!.extraConf?.keys.has('med')).to.equal(true);
      expect(host.chain('bgp_pre_inbound_filter', 'b')?.replace.map((p) => p.name)).to.deep.equal([
        'set_med',
      ]);
      expect(host.chain('bgp_pre_inbound_filter', 'a')).to.equal(undefined);
      expect(host.pluglets().map((p) => [p.name, p.budget])).to.deep.equal([
        ['set_med', 20000],
        ['accept', 500],
      ]);
    });

    it('the config overrides budget, fault limit and jit', async function () {
      const s = await start(
        `  - { manifest: ${manifest('tag-med')}, obj-dir: ${objs}, budget: 777, jit: false, fault-limit: { max: 3, window: 2 } }\n`,
      );
      const pluglets = s.speaker.plugins!.pluglets();
      expect(pluglets.map((p) => p.budget)).to.deep.equal([777, 777]);
      expect(pluglets.map((p) => p.program.jit)).to.deep.equal([undefined, undefined]);
      expect(pluglets[0]!.plugin.faultLimit).to.deep.equal({ max: 3, windowMs: 2000 });
    });

    it('refuses to start when a plugin does not load: PluginLoadFailure (ERR_PLUGIN_LOAD) with each problem', async function () {
      const r = parseConfig(
        `${head}plugins:\n  - { manifest: ${manifest('tag-med')}, obj-dir: ${objs} }\n  - { manifest: ${manifest('fetch')}, obj-dir: ${objs} }\n`,
      );
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      let failure: unknown;
      try {
        running.push({
          speaker: await Speaker.start({ config: r.config, log: silentLogger() }),
          logs: [],
          lines: () => [],
        });
      } catch (err) {
        failure = err;
      }
      expect(failure).to.be.instanceOf(PluginLoadFailure);
      const f = failure as PluginLoadFailure;
      expect(f.code).to.equal('ERR_PLUGIN_LOAD');
      expect(f.problems.map((p) => p.index)).to.deep.equal([1]);
      expect(f.problems[0]!.message).to.match(/fetch_file/);
    });

    it('reports faults and disabled plugins through the daemon logger', async function () {
      const s = await start(
        `  - { manifest: ${manifest('tag-med')}, obj-dir: ${objs}, fault-limit: { max: 2, window: 60 } }\n`,
      );
      const host = s.speaker.plugins!;
      const p = host.pluglets()[0]!;
      const fault = { code: 'ERR_VM_OUT_OF_BOUNDS_STORE', pc: 7, message: 'store out of bounds' };
      // A faulting run ends in runtime.ts `failed`: counted, reported to the host, disabled past the limit.
      failed(p, fault, host);
      failed(p, fault, host);
      expect([p.stats.faults, p.plugin.disabled]).to.deep.equal([2, true]);
      const warned = s.lines('plugin fault, native path taken: store out of bounds');
      expect(warned).to.have.length(1); // the second fault within a second is counted, not logged
      expect(warned[0]).to.deep.include({
        level: 40,
        plugin: 'tag_med',
        pluglet: 'set_med',
        code: fault.code,
        pc: 7,
      });
      const disabled = s.logs.filter((l) => l.msg.startsWith('plugin disabled'));
      expect(disabled).to.have.length(1);
      expect(disabled[0]).to.deep.include({ level: 50, plugin: 'tag_med', pluglet: 'set_med' });
    });

    it('logs one line per pluglet with its statistics', async function () {
      const s = await start(tagMedForB());
      const [setMed, accept] = s.speaker.plugins!.pluglets();
      setMed!.stats.calls = 5;
      setMed!.stats.faults = 1;
      setMed!.stats.steps = 321;
      setMed!.stats.timeNs = 4567;
      for (let i = 0; i < 4; i++) setMed!.stats.countReturn(3n);
      s.speaker.logPluginStats();
      const lines = s
        .lines('pluglet statistics')
        .map(({ level: _l, time: _t, name: _n, msg: _m, ...rest }) => rest);
      expect(lines).to.deep.equal([
        {
          plugin: 'tag_med',
          pluglet: 'set_med',
          point: 'bgp_pre_inbound_filter',
          anchor: 'replace',
          seq: 10,
          disabled: false,
          calls: 5,
          faults: 1,
          steps: 321,
          timeNs: 4567,
          returns: { '3': 4 },
        },
        {
          plugin: 'tag_med',
          pluglet: accept!.name,
          point: 'bgp_pre_outbound_filter',
          anchor: 'pre',
          seq: 3,
          disabled: false,
          calls: 0,
          faults: 0,
          steps: 0,
          timeNs: 0,
          returns: {},
        },
      ]);
    });

    it('a reload with the same plugins and files keeps the host and the RDE', async function () {
      const s = await start(tagMedForB());
      const [host, rde] = [s.speaker.plugins, s.speaker.rde];
      const summary = await s.speaker.reload(parse(tagMedForB()));
      expect(summary).to.deep.include({ pluginsChanged: false, unchanged: ['a', 'b'], changed: [] });
      expect(s.speaker.plugins).to.equal(host);
      expect(s.speaker.rde).to.equal(rde);
    });

    it('a reload whose plugins do not load is rejected whole: nothing changes', async function () {
      const s = await start(tagMedForB());
      const [host, rde] = [s.speaker.plugins, s.speaker.rde];
      const next = parse(`${tagMedForB()}  - { manifest: ${manifest('no-write')}, obj-dir: ${objs} }\n`);
      next.peers.push({ ...next.peers[0]!, name: 'c', address: '127.0.0.73' });
      let failure: unknown;
      await s.speaker.reload(next).catch((err: unknown) => (failure = err));
      expect(failure).to.be.instanceOf(PluginLoadFailure);
      expect((failure as PluginLoadFailure).problems.map((p) => p.index)).to.deep.equal([1]);
      expect(s.speaker.plugins).to.equal(host);
      expect(s.speaker.rde).to.equal(rde);
      expect(s.speaker.sessions().map((x) => x.peer.name)).to.deep.equal(['a', 'b']);
    });

    it('a reload that changes the plugins section runs them in place: same RDE, no session restarts', async function () {
      const s = await start(tagMedForB());
      const [host, rde] = [s.speaker.plugins, s.speaker.rde];
      const before = host!.pluglets();
      before[0]!.stats.calls = 7;
      const summary = await s.speaker.reload(parse(tagMedForB().replace('peers: [b]', 'peers: [a, b]')));
      expect(summary).to.deep.include({ pluginsChanged: true, changed: [], unchanged: ['a', 'b'] });
      expect(s.speaker.plugins).to.not.equal(host);
      expect(s.speaker.rde).to.equal(rde);
      expect(s.speaker.rde.plugins?.owner).to.equal(s.speaker.plugins);
      // Same manifest, objects and load settings: the loaded plugin is taken over with its statistics.
      expect(s.speaker.plugins!.pluglets()).to.deep.equal(before);
      expect(s.speaker.plugins!.pluglets()[0]!.stats.calls).to.equal(7);
      expect(
        s.speaker.plugins!.chain('bgp_pre_inbound_filter', 'a')?.replace.map((p) => p.name),
      ).to.deep.equal(['set_med']);
    });

    it('a reload with the same section reloads the plugins when a file they were read from changed', async function () {
      const copy = join(dir, 'tag-med-copy.plugin');
      copyFileSync(manifest('tag-med'), copy);
      const entry = `  - { manifest: ${copy}, obj-dir: ${objs} }\n`;
      const s = await start(entry);
      const host = s.speaker.plugins;
      writeFileSync(copy, readFileSync(copy, 'utf8').replace('"budget": 20000', '"budget": 30000'));
      const summary = await s.speaker.reload(parse(entry));
      expect(summary.pluginsChanged).to.equal(true);
      expect(s.speaker.plugins).to.not.equal(host);
      expect(s.speaker.plugins!.pluglets()[0]!.budget).to.equal(30000);
      expect(s.speaker.rde.plugins?.owner).to.equal(s.speaker.plugins);
    });

    it('applyPlugins: a plugin that does not load throws and changes nothing; good ones run in place', async function () {
      const s = await start(tagMedForB());
      const [host, rde] = [s.speaker.plugins, s.speaker.rde];
      const entries = s.speaker.pluginEntries;
      const broken = [...entries, { manifest: manifest('fetch'), objDir: objs }];
      expect(() => s.speaker.applyPlugins(broken)).to.throw(PluginLoadFailure, /plugins\[1\]: .*fetch_file/);
      expect(s.speaker.plugins).to.equal(host);
      expect(s.speaker.pluginEntries).to.equal(entries);
      const attachedToA = [{ ...entries[0]!, peers: ['a'] }];
      s.speaker.applyPlugins(attachedToA);
      expect(s.speaker.rde).to.equal(rde);
      expect(s.speaker.pluginEntries).to.deep.equal(attachedToA);
      expect(
        s.speaker.plugins!.chain('bgp_pre_inbound_filter', 'a')?.replace.map((p) => p.name),
      ).to.deep.equal(['set_med']);
      expect(s.speaker.plugins!.chain('bgp_pre_inbound_filter', 'b')).to.equal(undefined);
      expect(s.speaker.plugins!.pluglets(), 'taken over: only the attachment changed').to.deep.equal(
        host!.pluglets(),
      );
      expect(s.speaker.sessions().map((x) => x.peer.name)).to.deep.equal(['a', 'b']);
    });

    it('enabled: false attaches nowhere; seq overrides reorder a chain; an unknown pluglet in seq fails', async function () {
      const s = await start(tagMedForB());
      const entry = s.speaker.pluginEntries[0]!;
      s.speaker.applyPlugins([{ ...entry, enabled: false }]);
      expect(s.speaker.plugins!.chain('bgp_pre_inbound_filter', 'b')).to.equal(undefined);
      expect(s.speaker.plugins!.attachment('tag_med')).to.deep.include({ enabled: false });
      const twice = { manifest: manifest('tag-med-twice'), objDir: objs };
      s.speaker.applyPlugins([entry, twice]);
      const order = (): string[] =>
        s.speaker
          .plugins!.chain('bgp_pre_inbound_filter', 'b')!
          .replace.map((p) => `${p.plugin.name}.${p.name}`);
      expect(order()).to.deep.equal(['tag_med.set_med', 'tag_med_twice.set_med_again']);
      s.speaker.applyPlugins([{ ...entry, seq: { set_med: 30 } }, twice]);
      expect(order()).to.deep.equal(['tag_med_twice.set_med_again', 'tag_med.set_med']);
      expect(s.speaker.plugins!.attachment('tag_med')!.seq.get('set_med')).to.equal(30);
      expect(() => s.speaker.applyPlugins([{ ...entry, seq: { nope: 1 } }])).to.throw(
        PluginLoadFailure,
        /seq\.nope: plugin tag_med has no pluglet nope/,
      );
    });

    it('dryRunPlugins loads apart from the running plugins and changes nothing; a broken one is refused', async function () {
      const s = await start(tagMedForB());
      const [host, entries] = [s.speaker.plugins, s.speaker.pluginEntries];
      const report = await s.speaker.dryRunPlugins([{ ...entries[0]!, peers: ['a'] }]);
      expect(report).to.deep.include({ destinations: 0, bestChanged: 0, changes: [], truncated: false });
      expect(s.speaker.plugins).to.equal(host);
      expect(s.speaker.pluginEntries).to.equal(entries);
      expect(host!.pluglets().every((p) => p.stats.calls === 0)).to.equal(true);
      let failure: unknown;
      await s.speaker
        .dryRunPlugins([{ manifest: manifest('fetch'), objDir: objs }])
        .catch((e: unknown) => (failure = e));
      expect(failure).to.be.instanceOf(PluginLoadFailure);
    });

    it('reenablePlugin lets a plugin disabled by its faults run again', async function () {
      const s = await start(tagMedForB());
      const plugin = s.speaker.plugins!.plugins[0]!.plugin;
      expect(s.speaker.reenablePlugin('tag_med'), 'not disabled').to.equal(false);
      plugin.disabled = true;
      expect(s.speaker.reenablePlugin('tag_med')).to.equal(true);
      expect(plugin.disabled).to.equal(false);
      expect(s.speaker.reenablePlugin('nope')).to.equal(false);
    });

    it('removing every plugin leaves no host', async function () {
      const s = await start(tagMedForB());
      const summary = await s.speaker.reload(parse('  []\n'));
      expect(summary.pluginsChanged).to.equal(true);
      expect(s.speaker.plugins).to.equal(undefined);
      expect(s.speaker.rde.plugins?.owner).to.equal(undefined);
    });
  });

  describe('the xbgpd process', function () {
    let child: ChildProcess | undefined;
    let exitCode: number | null | undefined;
    after(function () {
      if (child && exitCode === undefined) child.kill('SIGKILL');
    });

    it('--config with a plugin that does not load: exit 1, each problem on stderr at its entry', async function () {
      const file = configFile(
        'start-broken.yaml',
        `  - { manifest: ${manifest('tag-med')}, obj-dir: objs }\n  - { manifest: ${manifest('fetch')}, obj-dir: objs }\n`,
      );
      const checked = await loadConfigFile(file);
      expect(checked.ok).to.equal(true);
      const r = await execFileP(process.execPath, ['--import', 'tsx', cli, '--config', file, '--log-json'], {
        cwd: repoRoot,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => err,
      );
      expect(r.code).to.equal(1);
      expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
      expect(r.stderr).to.match(
        new RegExp(`^${file}:8: plugins\\[1\\]: .*pluglet fetch: ERR_PLUGIN_HELPER_REFUSED: .*fetch_file`),
      );
    });

    it('logs pluglet statistics on SIGUSR1; a SIGHUP with a broken plugin is rejected', async function () {
      const file = configFile(
        'run.yaml',
        `  - { manifest: ${manifest('tag-med')}, obj-dir: objs, peers: [a] }\n`,
      );
      const lines: LogLine[] = [];
      child = spawn(process.execPath, ['--import', 'tsx', cli, '--config', file, '--log-json'], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.on('exit', (code) => (exitCode = code));
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as LogLine);
      });
      const find = (msg: string): LogLine[] => lines.filter((l) => l.msg === msg);
      await waitFor('started', () => find('xbgpd started').length === 1, 30000);

      child.kill('SIGUSR1');
      await waitFor('statistics', () => find('pluglet statistics').length === 2);
      expect(find('pluglet statistics').map((l) => [l.plugin, l.pluglet, l.point, l.calls])).to.deep.equal([
        ['tag_med', 'set_med', 'bgp_pre_inbound_filter', 0],
        ['tag_med', 'accept', 'bgp_pre_outbound_filter', 0],
      ]);

      writeFileSync(
        file,
        `${head}plugins:\n  - { manifest: ${manifest('no-write')}, obj-dir: objs, peers: [a] }\n`,
      );
      child.kill('SIGHUP');
      await waitFor('rejected', () => find('config reload rejected').length === 1);
      const issues = find('config reload rejected')[0]!.issues as string[];
      expect(issues).to.have.length(1);
      expect(issues[0]).to.match(new RegExp(`^${file}:7: plugins\\[0\\]: .*set_attr needs the permissions`));
      expect(find('config reloaded')).to.deep.equal([]);

      child.kill('SIGTERM');
      await waitFor('exit', () => exitCode !== undefined, 10000);
      expect(exitCode).to.equal(0);
    });
  });
});
