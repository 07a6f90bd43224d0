// `xbgpctl mrt dump` against bgpdump: the RIPE bgpdump regression expectations (upstream behaviour) for every
// file of their test_data, and Debian's `bgpdump -m` itself for every other MRT file of ../shared/data
// (RouteViews full table and updates, RIS updates, pyasn cut heads, ryu picks).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { requireTools, sharedPath } from '../helpers/env.js';
import { bgpdumpStream, compareLineStreams, dumpToStream, dumpToString } from './lines.js';
import { legacyBgpMrt, syntheticMrt } from './synthetic.js';

describe('mrt dump: RIPE bgpdump regression expectations (test_data -> test_expect)', function () {
  this.timeout(60_000);

  it('prints exactly the expected lines for every test_data file', async function () {
    const dir = sharedPath(this, 'data', 'ripe-bgpdump');
    const names = readdirSync(join(dir, 'test_data')).sort();
    expect(names).to.have.length.greaterThan(10);
    for (const name of names) {
      const expected = gunzipSync(readFileSync(join(dir, 'test_expect', `${name}.bgp.gz`))).toString('utf8');
      const { text, result } = await dumpToString(join(dir, 'test_data', name));
      // updates.et-header.small.gz comes from an early BGP4MP_ET writer whose Length leaves out the
      // microsecond field (the framer recognises such records): it must match like every other file.
      expect(result.warning, name).to.equal(undefined);
      if (text !== expected) {
        const ours = text.split('\n');
        const theirs = expected.split('\n');
        const i = ours.findIndex((l, k) => l !== theirs[k]);
        expect(ours[i], `${name} line ${i + 1}`).to.equal(theirs[i]);
      }
      expect(text.length, name).to.equal(expected.length);
    }
  });

  it('clears host bits of UPDATE prefixes (upstream fix after Debian 1.6.2)', async function () {
    const dir = sharedPath(this, 'data', 'ripe-bgpdump');
    const { text } = await dumpToString(join(dir, 'test_data', 'updates.nlri_mask_trailing_bits.gz'));
    expect(text).to.contain('|11.8.0.0/13|');
    expect(text).not.to.contain('11.13.0.0/13');
  });

  it('formats TABLE_DUMP2_AP lines with the path identifier after the prefix (RFC 8050)', async function () {
    const dir = sharedPath(this, 'data', 'ripe-bgpdump');
    const { text } = await dumpToString(join(dir, 'test_data', 'bview.ipv4_unicast_add_path.gz'));
    expect(text.split('\n')[0]).to.equal(
      'TABLE_DUMP2_AP|1452168107|B|10.0.15.1|65015|10.0.10.0/24|36|65015 65014 65013 65012 65011|IGP|10.0.15.1|100|0||NAG||',
    );
  });
});

describe("mrt dump: identical to Debian's bgpdump -m on the shared MRT files", function () {
  this.timeout(120_000);

  const files = [
    ['caida-libbgpstream', 'routeviews.route-views.jinx.ribs.1401487200.bz2'],
    ['caida-libbgpstream', 'updates.example.bz2'],
    ['caida-libbgpstream', 'routeviews.route-views.jinx.updates.1401493500.bz2'],
    ['caida-libbgpstream', 'routeviews.route-views.jinx.updates.1427846400.bz2'],
    ['caida-libbgpstream', 'ris.rrc06.updates.1401488100.gz'],
    ['caida-libbgpstream', 'ris.rrc06.updates.1427846400.gz'],
    ['pyasn', 'rib.20140523.0600_firstMB.bz2'],
    ['pyasn', 'rib6.20151101.0600_firstMB.bz2'],
    ['ryu/mrt', 'rib.20161101.0000_pick.bz2'],
    ['ryu/mrt', 'updates.20161101.0000.bz2'],
  ] as const;

  for (const [folder, name] of files) {
    it(`${name}`, async function () {
      requireTools(this, 'bgpdump');
      const path = sharedPath(this, 'data', ...folder.split('/'), name);
      const ours = dumpToStream(path);
      const comparison = await compareLineStreams(ours.stream, bgpdumpStream(path));
      const result = await ours.done;
      expect(comparison.firstDifference, `first difference in ${name}`).to.equal(undefined);
      expect(comparison.ours).to.equal(comparison.theirs);
      expect(comparison.ours).to.be.greaterThan(0);
      if (folder === 'pyasn') {
        // The first MiB of a bz2 file: the last block is cut. Every complete record is printed, then one warning.
        expect(result.warning?.code).to.equal('ERR_MRT_TRUNCATED_COMPRESSED');
      } else {
        expect(result.warning).to.equal(undefined);
      }
      if (name.startsWith('routeviews.route-views.jinx.ribs')) {
        // 1 PEER_INDEX_TABLE + 497,323 RIB_IPV4_UNICAST + 84 RIB_IPV6_UNICAST records; 503,590 RIB entries.
        expect(result.records).to.equal(497_408);
        expect(comparison.ours).to.equal(503_590);
      }
    });
  }
});

describe('mrt dump: hand-built records for cases the captures lack (synthetic.ts)', function () {
  this.timeout(30_000);
  // As printed by Debian's bgpdump 1.6.2 for syntheticMrt() (checked again below when bgpdump is installed).
  const EXPECTED = [
    'BGP4MP_ET_LOCAL|1600000000.000123|W|2001:db8::1|64512|2001:db8:dead::/48',
    'BGP4MP_ET_LOCAL|1600000000.000123|A|2001:db8::1|64512|2001:db8:beef::/48|64512 4200000001|IGP|2001:db8::1|0|42||NAG||',
    'BGP4MP_ET_LOCAL|1600000000.000123|A|2001:db8::1|64512|2001:db8:f00::/40|64512 4200000001|IGP|2001:db8::1|0|42||NAG||',
    'BGP4MP|1600000001|STATE|2001:db8::1|4200000001|6|1',
    'BGP4MP_ET|1600000001.999999|STATE|192.0.2.7|65007|1|2',
    'BGP4MP|1600000002|W|192.0.2.1|65001|10.9.0.0/16',
    'BGP4MP|1600000002|A|192.0.2.1|65001|10.10.0.0/16|65001 4200000010 4200000011 65002 {65003,65004}|EGP|192.0.2.1|200|7|no-export no-advertise local-AS 65001:666|AG|4200000012 192.0.2.10|',
    'BGP4MP|1600000002|A|192.0.2.1|65001|10.11.128.0/17|65001 4200000010 4200000011 65002 {65003,65004}|EGP|192.0.2.1|200|7|no-export no-advertise local-AS 65001:666|AG|4200000012 192.0.2.10|',
    'BGP4MP|1600000003|A|192.0.2.1|65001|10.12.0.0/16|65001 23456|IGP|192.0.2.1|0|0||NAG|65009 192.0.2.9|',
    'BGP4MP_LOCAL|1600000004|A|192.0.2.1|65001|10.13.0.0/16|(65100 65101) [65102,65103] 65001|IGP|192.0.2.1|0|0||NAG||',
    'TABLE_DUMP|1600000005|B|192.0.2.1|65001|10.20.0.0/16|65001 65002|IGP|192.0.2.1|0|0||NAG||',
    'TABLE_DUMP|1600000006|B|2001:db8::1|65001|2001:db8:30::/48|65001|IGP|2001:db8::1|0|0||NAG||',
  ];
  let dir: string;
  let file: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-mrt-syn-'));
    file = join(dir, 'synthetic.mrt');
    writeFileSync(file, syntheticMrt());
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the expected lines (ET, LOCAL, STATE_CHANGE_AS4, AS4_PATH merge, confederations, TABLE_DUMP v1)', async function () {
    const { text, result } = await dumpToString(file);
    expect(result.warning).to.equal(undefined);
    expect(text.split('\n').slice(0, -1)).to.deep.equal(EXPECTED);
  });

  it("matches Debian's bgpdump -m on the same file", function () {
    requireTools(this, 'bgpdump');
    const text = execFileSync('bgpdump', ['-m', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    expect(text.split('\n').slice(0, -1)).to.deep.equal(EXPECTED);
  });
});

describe('mrt dump: the deprecated BGP type (5), as RIS and RouteViews wrote it in 1999-2001', function () {
  this.timeout(30_000);
  // Debian's bgpdump 1.6.2 on legacyBgpMrt(), with one difference: in W lines it prints the peer's address in
  // place of the withdrawn prefix (mrtd_table_line_withdraw calls inet_ntoa twice in one printf, and both
  // calls share one static buffer); we print the prefix. Its A lines have no "|" between the MED and the
  // communities ("|100|565001:1 no-export|" is LOCAL_PREF 100, MED 5): kept, so the fields stay bgpdump's.
  const EXPECTED = [
    'BGP|990000000|W|192.0.2.1|65001|10.1.0.0/16',
    'BGP|990000000|A|192.0.2.1|65001|10.2.0.0/16|65001 65002 {65003,65004}|IGP|192.0.2.1|100|565001:1 no-export|AG|65002 192.0.2.9|',
    'BGP|990000000|A|192.0.2.1|65001|10.3.128.0/17|65001 65002 {65003,65004}|IGP|192.0.2.1|100|565001:1 no-export|AG|65002 192.0.2.9|',
    'BGP|990000001|A|192.0.2.1|65001|10.4.0.0/16|65001|EGP|255.255.255.255|0|0|NAG||',
    'BGP|990000002|W|192.0.2.1|65001|10.5.0.0/16',
    'BGP|990000002|W|192.0.2.1|65001|0.0.0.0/0',
    'BGP|990000003|STATE|192.0.2.1|65001|3|6',
  ];
  let dir: string;
  let file: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-mrt-bgp5-'));
    file = join(dir, 'legacy.mrt');
    writeFileSync(file, legacyBgpMrt());
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints UPDATE withdrawals and announcements and STATE_CHANGE; OPEN, NOTIFY and KEEPALIVE print nothing', async function () {
    const { text, result } = await dumpToString(file);
    expect(result.records).to.equal(7);
    expect(result.skips, 'every record is understood').to.deep.equal([]);
    expect(text.split('\n').slice(0, -1)).to.deep.equal(EXPECTED);
  });

  it("matches Debian's bgpdump -m on the same file (W lines: bgpdump's peer address for the prefix)", function () {
    requireTools(this, 'bgpdump');
    const text = execFileSync('bgpdump', ['-m', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const withBgpdumpsBuffer = EXPECTED.map((l) => {
      const f = l.split('|');
      return f[2] === 'W' ? [...f.slice(0, 5), `${f[3]}/${f[5]!.split('/')[1]}`].join('|') : l;
    });
    expect(text.split('\n').slice(0, -1)).to.deep.equal(withBgpdumpsBuffer);
  });

  it('gives the same routes as JSON lines, with source BGP', async function () {
    const { text } = await dumpToString(file, 'json');
    const objects = text
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => [o.source, o.entry, o.prefix ?? null])).to.deep.equal([
      ['BGP', 'withdraw', '10.1.0.0/16'],
      ['BGP', 'announce', '10.2.0.0/16'],
      ['BGP', 'announce', '10.3.128.0/17'],
      ['BGP', 'announce', '10.4.0.0/16'],
      ['BGP', 'withdraw', '10.5.0.0/16'],
      ['BGP', 'withdraw', '0.0.0.0/0'],
      ['BGP', 'state', null],
    ]);
    expect(objects[1]).to.deep.include({
      peer: '192.0.2.1',
      peer_as: 65001,
      as_path: '65001 65002 {65003,65004}',
      local_pref: 100,
      med: 5,
      communities: ['65001:1', 'no-export'],
      atomic_aggregate: true,
      aggregator: '65002 192.0.2.9',
    });
    expect(objects[6]).to.deep.include({ old_state: 3, new_state: 6 });
  });
});
