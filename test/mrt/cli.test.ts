// `xbgpctl mrt dump` as a process: exit codes, argument errors, the one warning for a damaged input, JSON
// lines, and a quiet stop when the reader of stdout goes away (EPIPE).
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { repoRoot, sharedPath } from '../helpers/env.js';
import { dumpToString } from './lines.js';

function xbgpctl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'daemon/cli/xbgpctl.ts'), ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('xbgpctl mrt dump (CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-mrt-cli-'));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 2 on a usage error, 1 on an unreadable file, 0 with the lines on success', function () {
    const data = sharedPath(this, 'data', 'ripe-bgpdump');
    const unknown = xbgpctl(['mrt', 'dump', '--bogus', 'x']);
    expect(unknown.status).to.equal(2);
    expect(unknown.stderr).to.contain("unknown option '--bogus'");
    const missing = xbgpctl(['mrt', 'dump', join(dir, 'absent.mrt')]);
    expect(missing.status).to.equal(1);
    expect(missing.stderr).to.contain('ERR_MRT_OPEN');
    const ok = xbgpctl(['mrt', 'dump', join(data, 'test_data', 'updates.long_withdrawal.gz')]);
    expect(ok.status).to.equal(0);
    expect(ok.stderr).to.equal('');
    const expected = gunzipSync(
      readFileSync(join(data, 'test_expect', 'updates.long_withdrawal.gz.bgp.gz')),
    ).toString();
    expect(ok.stdout).to.equal(expected);
  });

  it('prints every complete record of a cut gzip file, then one warning on stderr, and exits 3', function () {
    const data = sharedPath(this, 'data', 'ripe-bgpdump');
    const whole = readFileSync(join(data, 'test_data', 'updates.20020722.2238.gz'));
    const cut = join(dir, 'cut.gz');
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    const r = xbgpctl(['mrt', 'dump', cut]);
    expect(r.status).to.equal(3);
    const warnings = r.stderr.trim().split('\n');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('ERR_MRT_TRUNCATED_COMPRESSED');
    const expected = gunzipSync(
      readFileSync(join(data, 'test_expect', 'updates.20020722.2238.gz.bgp.gz')),
    ).toString();
    const lines = r.stdout.split('\n').slice(0, -1);
    expect(lines.length).to.be.greaterThan(100);
    expect(expected.startsWith(lines.join('\n') + '\n')).to.equal(true);
  });

  it('reports a plain or gzip file cut inside a record as ERR_MRT_TRUNCATED_RECORD after its complete records', async function () {
    const data = sharedPath(this, 'data', 'ripe-bgpdump');
    const raw = gunzipSync(readFileSync(join(data, 'test_data', 'updates.20160811.1600.gz')));
    const expected = gunzipSync(
      readFileSync(join(data, 'test_expect', 'updates.20160811.1600.gz.bgp.gz')),
    ).toString();
    writeFileSync(join(dir, 'cut.mrt'), raw.subarray(0, 100_003));
    // A gzip member of the same cut bytes is a complete gzip stream: the damage is in the MRT data.
    writeFileSync(join(dir, 'cut.mrt.gz'), gzipSync(raw.subarray(0, 100_003)));
    const plain = await dumpToString(join(dir, 'cut.mrt'));
    const gz = await dumpToString(join(dir, 'cut.mrt.gz'));
    expect(plain.result.warning?.code).to.equal('ERR_MRT_TRUNCATED_RECORD');
    expect(gz.result.warning?.code).to.equal('ERR_MRT_TRUNCATED_RECORD');
    expect(plain.result.records).to.be.greaterThan(300);
    expect(plain.result.warning?.records).to.equal(plain.result.records);
    expect(gz.text).to.equal(plain.text);
    expect(expected.startsWith(plain.text)).to.equal(true);
  });

  it('prints JSON lines with --json', async function () {
    const data = sharedPath(this, 'data', 'ripe-bgpdump');
    const file = join(data, 'test_data', 'updates.20020722.2238.gz');
    const r = xbgpctl(['mrt', 'dump', file, '--json']);
    expect(r.status).to.equal(0);
    const objects = r.stdout
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const { text } = await dumpToString(file);
    expect(objects).to.have.length(text.split('\n').length - 1);
    expect(objects[0]).to.deep.equal({
      source: 'BGP4MP',
      timestamp: 1027377515,
      entry: 'state',
      peer: '193.203.0.69',
      peer_as: 15737,
      old_state: 3,
      new_state: 2,
    });
    expect(objects[1]).to.deep.equal({
      source: 'BGP4MP',
      timestamp: 1027377522,
      entry: 'withdraw',
      peer: '193.203.0.81',
      peer_as: 20751,
      prefix: '200.31.199.0/24',
    });
    const announce = objects.find((o) => o.entry === 'announce' && o.aggregator !== null);
    expect(announce).to.include.keys(
      'as_path',
      'origin',
      'next_hop',
      'local_pref',
      'med',
      'communities',
      'atomic_aggregate',
      'aggregator',
    );
  });

  it('stops quietly when stdout is closed early (| head)', async function () {
    const file = sharedPath(this, 'data', 'ripe-bgpdump', 'test_data', 'bview.20020722.2337.gz');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'daemon/cli/xbgpctl.ts'), 'mrt', 'dump', file],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).to.equal(0);
    expect(stderr).to.equal('');
  });
});
