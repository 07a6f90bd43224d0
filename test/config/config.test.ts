// Configuration tests: every example in config/ validates; every broken config in test/config/bad/ gives
// exactly the messages in its .expected sidecar (one "key.path: message" per line), both from the
// loader and from `xbgpd --check-config` (which must also exit non-zero); defaults are filled in.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/env.js';
import { parseConfig, loadConfigFile, formatIssue } from '../../daemon/config/load.js';
import { parsePrefix } from '../../daemon/net/address.js';
import { checkConfigFile } from '../../daemon/config/check.js';

const run = promisify(execFile);
const cli = join(repoRoot, 'daemon', 'cli', 'xbgpd.ts');
const examplesDir = join(repoRoot, 'config');
const badDir = join(repoRoot, 'test', 'config', 'bad');

/** Run `xbgpd ARGS` from source; never rejects. */
async function xbgpd(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd: repoRoot,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Run --check-config in-process. */
async function check(file: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await checkConfigFile(file, { out: (l) => stdout.push(l), err: (l) => stderr.push(l) });
  return { code, stdout, stderr };
}

/** "path: message" without the FILE:LINE prefix. */
function withoutLocation(line: string, file: string): string {
  return line.startsWith(file) ? line.slice(file.length).replace(/^:\d+/, '').replace(/^: /, '') : line;
}

const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml'));
const bad = readdirSync(badDir).filter((f) => f.endsWith('.yaml'));

describe('config: examples', function () {
  it('there are examples, including the default config/xbgpd.yaml', function () {
    expect(examples).to.include('xbgpd.yaml');
    expect(examples.length).to.be.at.least(3);
  });
  for (const name of examples) {
    it(`${name} validates`, async function () {
      const r = await loadConfigFile(join(examplesDir, name));
      if (!r.ok) expect.fail(r.issues.map((i) => formatIssue(i, name)).join('\n'));
    });
  }
  it('--check-config accepts every example (exit status 0)', async function () {
    for (const name of examples) {
      const r = await check(join(examplesDir, name));
      expect(r.code, `${name}: ${r.stderr.join('\n')}`).to.equal(0);
    }
  });
});

describe('config: broken configs (test/config/bad)', function () {
  it('there are broken configs, each with an .expected sidecar', function () {
    expect(bad.length).to.be.at.least(15);
    for (const name of bad) expect(readdirSync(badDir)).to.include(name.replace(/\.yaml$/, '.expected'));
  });
  for (const name of bad) {
    it(`${name} gives the expected messages`, async function () {
      const file = join(badDir, name);
      const expected = readFileSync(file.replace(/\.yaml$/, '.expected'), 'utf8')
        .trim()
        .split('\n');
      const r = await loadConfigFile(file);
      expect(r.ok).to.equal(false);
      if (r.ok) return;
      expect(r.issues.map((i) => withoutLocation(formatIssue(i, file), file))).to.deep.equal(expected);
      for (const i of r.issues) expect(i.code).to.match(/^ERR_CFG_/);
    });
  }
  it('--check-config prints each expected message with FILE:LINE and exits non-zero', async function () {
    for (const name of bad) {
      const file = join(badDir, name);
      const expected = readFileSync(file.replace(/\.yaml$/, '.expected'), 'utf8')
        .trim()
        .split('\n');
      const r = await check(file);
      expect(r.code, name).to.equal(1);
      const lines = r.stderr;
      expect(
        lines.map((l) => withoutLocation(l, file)),
        name,
      ).to.deep.equal(expected);
      for (const l of lines)
        expect(l, 'FILE:LINE: prefix').to.match(new RegExp(`^${file.replace(/[.]/g, '\\.')}:\\d+: `));
    }
  });
  it('the xbgpd binary itself: exit 1 and the messages on stderr for a bad file, exit 0 for a good one', async function () {
    this.timeout(60000);
    const file = join(badDir, 'several-errors.yaml');
    const [badRun, goodRun] = await Promise.all([
      xbgpd('--check-config', file),
      xbgpd('--check-config', join(examplesDir, 'xbgpd.yaml')),
    ]);
    expect(badRun.code).to.equal(1);
    expect(badRun.stderr).to.include(`${file}:2: asn: must be an integer`);
    expect(badRun.stderr).to.include(`${file}:7: peers[0].passive: must be true or false`);
    expect(goodRun.code, goodRun.stderr).to.equal(0);
    expect(goodRun.stdout).to.include(': ok (1 peer(s), 2 originated prefix(es))');
  });
  it('the xbgpd binary refuses a --jit-prime size it cannot use, naming the flag (exit 2, nothing started)', async function () {
    this.timeout(60000);
    const config = join(examplesDir, 'xbgpd.yaml');
    const values = ['abc', '99', '200001', '1e4', ''];
    const runs = await Promise.all(values.map((v) => xbgpd('--config', config, `--jit-prime=${v}`)));
    for (const [i, v] of values.entries()) {
      expect(runs[i]!.code, v).to.equal(2);
      expect(runs[i]!.stderr, v).to.include(
        `xbgpd: --jit-prime: '${v}' is not a number of prefixes from 100 to 200000`,
      );
      expect(runs[i]!.stderr, v).not.to.include('jit primed');
    }
  });
  it('a YAML syntax error names the line', function () {
    const r = parseConfig('router-id: 192.0.2.1\nasn: 65001\npeers: [\n');
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.issues[0]!.code).to.equal('ERR_CFG_YAML');
    expect(r.issues[0]!.message).to.match(/^invalid YAML: /);
    expect(r.issues[0]!.line).to.be.a('number');
  });
  it('a missing file is one ERR_CFG_READ issue, and the CLI exits 1', async function () {
    const r = await loadConfigFile('/nonexistent/xbgpd.yaml');
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.issues.map((i) => i.code)).to.deep.equal(['ERR_CFG_READ']);
    expect((await check('/nonexistent/xbgpd.yaml')).code).to.equal(1);
  });
});

describe('config: defaults and normalisation', function () {
  it('fills defaults and accepts a single listen mapping', function () {
    const r = parseConfig(`
router-id: 192.0.2.1
asn: 65001
listen: { address: 127.0.0.1 }
peers:
  - { name: v4, address: 192.0.2.2, asn: 65002 }
  - { name: v6, address: "2001:db8::2", asn: 65003, capabilities: { graceful-restart: false, add-path: both } }
`);
    if (!r.ok) expect.fail(JSON.stringify(r.issues));
    const c = r.config;
    expect(c.listen).to.deep.equal([{ address: '127.0.0.1', port: 179 }]);
    expect(c.originate).to.deep.equal([]);
    expect(c.plugins).to.deep.equal([]);
    const [v4, v6] = c.peers;
    expect(v4).to.deep.include({
      port: 179,
      passive: false,
      holdTime: 90,
      connectRetryTime: 30,
      families: ['ipv4-unicast'],
    });
    expect(v4!.capabilities).to.deep.equal({
      fourOctetAs: true,
      routeRefresh: true,
      enhancedRouteRefresh: true,
      extendedMessage: true,
      addPath: 'none',
      gracefulRestart: { restartTime: 120 },
    });
    expect(v6!.families).to.deep.equal(['ipv6-unicast']);
    expect(v6!.capabilities.gracefulRestart).to.equal(null);
    expect(v6!.capabilities.addPath).to.equal('both');
  });
  it('parses prefixes of both families and rejects host bits', function () {
    expect(parsePrefix('2001:db8::/32')).to.deep.include({ family: 'ipv6-unicast', length: 32 });
    expect(parsePrefix('10.0.0.0/8')).to.deep.include({ family: 'ipv4-unicast', length: 8 });
    expect(parsePrefix('2001:db8::1/64')).to.be.a('string');
  });
});
