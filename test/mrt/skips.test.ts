// Nothing is left out silently: records `xbgpctl mrt dump` cannot print (unknown type or subtype, malformed,
// a BGP message that does not decode) are counted per kind with the first record number, listed as JSON
// entries, warned on stderr and give exit status 4; BGP4MP messages an older BIRD wrote with ADD-PATH path
// identifiers in a non-ADDPATH subtype are read with them and said once.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/env.js';
import { dumpToString } from './lines.js';
import { damagedMrt } from './synthetic.js';

describe('mrt dump: what is left out is said (damagedMrt)', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-mrt-skips-'));
    file = join(dir, 'damaged.mrt');
    writeFileSync(file, damagedMrt());
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts each kind once with its first record, and prints everything else', async function () {
    const { text, result } = await dumpToString(file);
    expect(result.records).to.equal(9);
    expect(result.skips.map((s) => [s.code, s.first, s.count])).to.deep.equal([
      ['ERR_MRT_UNKNOWN_TYPE', 2, 1],
      ['ERR_MRT_UNKNOWN_SUBTYPE', 3, 1],
      ['ERR_MRT_UNKNOWN_SUBTYPE', 4, 1],
      ['ERR_MRT_MALFORMED_RECORD', 5, 1],
      ['ERR_MRT_BGP_MESSAGE', 6, 2],
    ]);
    expect(result.skipped).to.equal(6);
    expect(result.skips[0]!.reason).to.equal('unknown MRT type 99');
    expect(result.skips[2]!.reason).to.equal('BGP subtype 4 is not supported');
    expect(result.skips[4]!.reason).to.contain('NLRI does not parse');
    expect(result.addPathInPlain).to.deep.equal({ first: 8, count: 1 });
    expect(text.split('\n').slice(0, -1)).to.deep.equal([
      'BGP4MP|1700000000|A|192.0.2.1|65001|10.0.1.0/24|65001|IGP|192.0.2.1|0|0||NAG||',
      'BGP4MP_AP|1700000007|A|192.0.2.1|65001|10.0.7.0/24|1|65001|IGP|192.0.2.1|0|0||NAG||',
      'BGP4MP_AP|1700000007|A|192.0.2.1|65001|2001:db8:77::/48|7|65001|IGP|2001:db8::1|0|0||NAG||',
      'BGP4MP|1700000008|A|192.0.2.1|65001|10.0.8.0/24|65001|IGP|192.0.2.1|0|0||NAG||',
    ]);
  });

  it('lists each left-out record as a JSON entry saying why', async function () {
    const { text } = await dumpToString(file, 'json');
    const skipped = text
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((o) => o.entry === 'skipped');
    expect(skipped.map((o) => [o.record, o.type, o.subtype, o.code])).to.deep.equal([
      [2, 99, 0, 'ERR_MRT_UNKNOWN_TYPE'],
      [3, 16, 2, 'ERR_MRT_UNKNOWN_SUBTYPE'],
      [4, 5, 4, 'ERR_MRT_UNKNOWN_SUBTYPE'],
      [5, 16, 4, 'ERR_MRT_MALFORMED_RECORD'],
      [6, 16, 4, 'ERR_MRT_BGP_MESSAGE'],
      [7, 16, 4, 'ERR_MRT_BGP_MESSAGE'],
    ]);
    expect(skipped[0]).to.deep.include({
      source: 'MRT',
      timestamp: 1_700_000_001,
      reason: 'unknown MRT type 99',
    });
  });

  it('the CLI warns once per kind and once for the ADD-PATH records, and exits 4', function () {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'daemon/cli/xbgpctl.ts'), 'mrt', 'dump', file],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(r.status).to.equal(4);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(6);
    expect(lines[0]).to.match(
      /note: .*1 BGP4MP message of a non-ADDPATH subtype carried ADD-PATH path identifiers .*\(first: record 8\)$/,
    );
    expect(lines[1]).to.match(
      /warning: .*1 record left out: unknown MRT type 99 \(first: record 2\) \[ERR_MRT_UNKNOWN_TYPE\]$/,
    );
    expect(lines[5]).to.match(
      /warning: .*2 records left out: UPDATE: NLRI does not parse.*\(first: record 6\) \[ERR_MRT_BGP_MESSAGE\]$/,
    );
    expect(r.stdout.split('\n')).to.have.length(5);
  });
});
