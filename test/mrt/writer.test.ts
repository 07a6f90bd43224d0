// The MRT writer: TABLE_DUMP_V2 (PEER_INDEX_TABLE, RIB_IPV4/IPV6_UNICAST, ADDPATH) and BGP4MP(_ET)
// MESSAGE_AS4 records are written, read back with the same content (plain, gzip and bzip2), and Debian's
// `bgpdump -m` prints the expected lines for them.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { makeAggregator } from '../../daemon/wire/attributes/aggregator.js';
import { makeAsPath } from '../../daemon/wire/attributes/as-path.js';
import { makeCommunities } from '../../daemon/wire/attributes/communities.js';
import { writeAttribute, type PathAttribute } from '../../daemon/wire/attributes/index.js';
import { makeOrigin } from '../../daemon/wire/attributes/origin.js';
import {
  makeAtomicAggregate,
  makeLocalPref,
  makeMed,
  makeNextHop,
} from '../../daemon/wire/attributes/simple.js';
import { WireWriter } from '../../daemon/wire/writer.js';
import { readMrtFile, readMrtRaw } from '../../daemon/mrt/reader.js';
import type { MrtRecord } from '../../daemon/mrt/records.js';
import {
  abbreviatedMpReachNlri,
  encodeBgp4mpMessageAs4,
  encodePeerIndexTable,
  encodeRib,
  MrtWriter,
} from '../../daemon/mrt/writer.js';
import { MrtError } from '../../daemon/mrt/errors.js';
import { requireTools } from '../helpers/env.js';
import { dumpToString } from './lines.js';

const ip = (a: number, b: number, c: number, d: number): number =>
  ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

function attributeBytes(attrs: PathAttribute[], extra?: Uint8Array): Uint8Array {
  const w = new WireWriter();
  for (const a of attrs) writeAttribute(w, a);
  if (extra) w.bytes(extra);
  return w.finish();
}

const T0 = 1_700_000_000;
const ipv4Attrs = attributeBytes([
  makeOrigin(0),
  makeAsPath([{ type: 2, asns: [65001, 4_200_000_000] }], true),
  makeNextHop(ip(192, 0, 2, 1)),
  makeMed(5),
  makeLocalPref(100),
  makeAtomicAggregate(),
  makeAggregator(65001, ip(192, 0, 2, 1), true),
  makeCommunities([(65001 << 16) | 1, 0xffffff01]),
]);
const ipv6Attrs = attributeBytes(
  [
    makeOrigin(2),
    makeAsPath(
      [
        { type: 2, asns: [65002] },
        { type: 1, asns: [65010, 65011] },
      ],
      true,
    ),
  ],
  abbreviatedMpReachNlri(2, ['2001:db8::2', 'fe80::2']),
);

/** An UPDATE (RFC 4271 §4.3) announcing 10.2.0.0/24 with `attrs`, 4-octet AS encoding. */
function update(attrs: Uint8Array, withdrawn: number[], nlri: number[]): Uint8Array {
  const w = new WireWriter();
  for (let i = 0; i < 16; i++) w.u8(0xff);
  w.u16(19 + 2 + withdrawn.length + 2 + attrs.length + nlri.length).u8(2);
  w.u16(withdrawn.length)
    .bytes(Uint8Array.from(withdrawn))
    .u16(attrs.length)
    .bytes(attrs)
    .bytes(Uint8Array.from(nlri));
  return w.finish();
}

const announce = update(ipv4Attrs, [], [24, 10, 2, 0]);
const withdraw = update(new Uint8Array(0), [16, 10, 3], []);

function records(): Buffer[] {
  return [
    encodePeerIndexTable(T0, {
      collectorId: '198.51.100.1',
      viewName: 'xbgpd',
      peers: [
        { afi: 1, bgpId: '192.0.2.1', address: '192.0.2.1', asn: 65001 },
        { afi: 2, bgpId: '192.0.2.2', address: '2001:db8::2', asn: 65002 },
      ],
    }),
    encodeRib(T0, {
      afi: 1,
      sequence: 0,
      prefix: '10.1.0.0',
      prefixLength: 16,
      entries: [{ peerIndex: 0, originatedTime: T0 - 60, attributes: ipv4Attrs }],
    }),
    encodeRib(T0, {
      afi: 2,
      sequence: 1,
      prefix: '2001:db8:100::',
      prefixLength: 40,
      entries: [{ peerIndex: 1, originatedTime: T0 - 30, attributes: ipv6Attrs }],
    }),
    encodeRib(T0, {
      afi: 1,
      addPath: true,
      sequence: 2,
      prefix: '10.9.0.0',
      prefixLength: 24,
      entries: [
        { peerIndex: 0, originatedTime: T0, pathId: 7, attributes: ipv4Attrs },
        { peerIndex: 0, originatedTime: T0, pathId: 8, attributes: ipv4Attrs },
      ],
    }),
    encodeBgp4mpMessageAs4(T0 + 100, {
      peerAs: 65001,
      localAs: 65000,
      afi: 1,
      peerAddress: '192.0.2.1',
      localAddress: '192.0.2.254',
      message: announce,
    }),
    encodeBgp4mpMessageAs4(
      T0 + 101,
      {
        peerAs: 65001,
        localAs: 65000,
        afi: 1,
        peerAddress: '192.0.2.1',
        localAddress: '192.0.2.254',
        message: withdraw,
      },
      42,
    ),
  ];
}

const EXPECTED_LINES = [
  `TABLE_DUMP2|${T0}|B|192.0.2.1|65001|10.1.0.0/16|65001 4200000000|IGP|192.0.2.1|100|5|65001:1 no-export|AG|65001 192.0.2.1|`,
  `TABLE_DUMP2|${T0}|B|2001:db8::2|65002|2001:db8:100::/40|65002 {65010,65011}|INCOMPLETE|2001:db8::2|0|0||NAG||`,
  `TABLE_DUMP2_AP|${T0}|B|192.0.2.1|65001|10.9.0.0/24|7|65001 4200000000|IGP|192.0.2.1|100|5|65001:1 no-export|AG|65001 192.0.2.1|`,
  `TABLE_DUMP2_AP|${T0}|B|192.0.2.1|65001|10.9.0.0/24|8|65001 4200000000|IGP|192.0.2.1|100|5|65001:1 no-export|AG|65001 192.0.2.1|`,
  `BGP4MP|${T0 + 100}|A|192.0.2.1|65001|10.2.0.0/24|65001 4200000000|IGP|192.0.2.1|100|5|65001:1 no-export|AG|65001 192.0.2.1|`,
  `BGP4MP_ET|${T0 + 101}.000042|W|192.0.2.1|65001|10.3.0.0/16`,
];

async function readAll(path: string): Promise<MrtRecord[]> {
  const out: MrtRecord[] = [];
  const result = await readMrtFile(path, (r) => {
    // Byte fields are views of the input chunk: copy them to keep them.
    out.push(structuredClone(r));
  });
  expect(result.warning).to.equal(undefined);
  return out;
}

describe('mrt writer', function () {
  this.timeout(30_000);
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-mrt-'));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes records that read back with the same content', async function () {
    const path = join(dir, 'rib.mrt');
    writeFileSync(path, Buffer.concat(records()));
    const back = await readAll(path);
    expect(back.map((r) => r.kind)).to.deep.equal([
      'peer-index-table',
      'rib',
      'rib',
      'rib',
      'bgp4mp-message',
      'bgp4mp-message',
    ]);
    const [table, rib4, rib6, ribAp, msg, msgEt] = back as [any, any, any, any, any, any];
    expect(table).to.include({ collectorId: '198.51.100.1', viewName: 'xbgpd' });
    expect(table.peers).to.deep.equal([
      { afi: 1, as4: true, bgpId: '192.0.2.1', address: '192.0.2.1', asn: 65001 },
      { afi: 2, as4: true, bgpId: '192.0.2.2', address: '2001:db8::2', asn: 65002 },
    ]);
    expect(rib4).to.include({
      afi: 1,
      addPath: false,
      sequence: 0,
      prefix: '10.1.0.0',
      prefixLength: 16,
      timestamp: T0,
    });
    expect(rib4.entries).to.have.length(1);
    expect(rib4.entries[0]).to.include({ peerIndex: 0, originatedTime: T0 - 60, pathId: undefined });
    expect([...rib4.entries[0].attributes]).to.deep.equal([...ipv4Attrs]);
    expect(rib6).to.include({ afi: 2, prefix: '2001:db8:100::', prefixLength: 40 });
    expect([...rib6.entries[0].attributes]).to.deep.equal([...ipv6Attrs]);
    expect(ribAp).to.include({ addPath: true, subtype: 8 });
    expect(ribAp.entries.map((e: { pathId: number }) => e.pathId)).to.deep.equal([7, 8]);
    expect(msg).to.include({
      et: false,
      as4: true,
      subtype: 4,
      peerAs: 65001,
      localAs: 65000,
      peerAddress: '192.0.2.1',
    });
    expect([...msg.message]).to.deep.equal([...announce]);
    expect(msgEt).to.include({ et: true, type: 17, microseconds: 42, localAddress: '192.0.2.254' });
    expect([...msgEt.message]).to.deep.equal([...withdraw]);
  });

  it('produces the same bytes through MrtWriter on a stream', async function () {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const w = new MrtWriter(out);
    const expected = records();
    w.peerIndexTable(T0, {
      collectorId: '198.51.100.1',
      viewName: 'xbgpd',
      peers: [
        { afi: 1, bgpId: '192.0.2.1', address: '192.0.2.1', asn: 65001 },
        { afi: 2, bgpId: '192.0.2.2', address: '2001:db8::2', asn: 65002 },
      ],
    });
    w.rib(T0, {
      afi: 1,
      sequence: 0,
      prefix: '10.1.0.0',
      prefixLength: 16,
      entries: [{ peerIndex: 0, originatedTime: T0 - 60, attributes: ipv4Attrs }],
    });
    out.end();
    await new Promise((r) => out.on('end', r));
    expect(Buffer.concat(chunks).equals(Buffer.concat(expected.slice(0, 2)))).to.equal(true);
  });

  it('reads the written records back from gzip and bzip2 files too', async function () {
    requireTools(this, 'bzip2');
    const plain = Buffer.concat(records());
    writeFileSync(join(dir, 'rib.mrt.gz'), gzipSync(plain));
    writeFileSync(join(dir, 'rib.mrt.bz2'), execFileSync('bzip2', ['-c'], { input: plain }));
    for (const name of ['rib.mrt.gz', 'rib.mrt.bz2']) {
      const { text, result } = await dumpToString(join(dir, name));
      expect(result.warning, name).to.equal(undefined);
      expect(text, name).to.equal(EXPECTED_LINES.join('\n') + '\n');
    }
  });

  it('reads bzip2 without the bzip2 program, through the JavaScript decoder', async function () {
    requireTools(this, 'bzip2');
    const path = join(dir, 'fallback.mrt.bz2');
    writeFileSync(path, execFileSync('bzip2', ['-c'], { input: Buffer.concat(records()) }));
    const savedPath = process.env.PATH;
    process.env.PATH = join(dir, 'no-such-bin');
    try {
      const { text, result } = await dumpToString(path);
      expect(result.warning).to.equal(undefined);
      expect(result.compression).to.equal('bzip2');
      expect(text).to.equal(EXPECTED_LINES.join('\n') + '\n');
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it("passes a rejection of the reader's backpressure promise on, with and without the bzip2 program", async function () {
    requireTools(this, 'bzip2');
    const path = join(dir, 'reject.mrt.bz2');
    writeFileSync(path, execFileSync('bzip2', ['-c'], { input: Buffer.concat(records()) }));
    const savedPath = process.env.PATH;
    for (const binPath of [savedPath, join(dir, 'no-such-bin')]) {
      process.env.PATH = binPath;
      try {
        const read = readMrtRaw(path, () => undefined, {
          afterChunk: () => Promise.reject(new Error('output failed')),
        });
        await read.then(
          () => expect.fail(`resolved (PATH=${binPath})`),
          (err: unknown) => expect((err as Error).message, `PATH=${binPath}`).to.equal('output failed'),
        );
      } finally {
        process.env.PATH = savedPath;
      }
    }
  });

  it("is read by Debian's bgpdump -m with the expected lines", function () {
    requireTools(this, 'bgpdump');
    const path = join(dir, 'rib-bgpdump.mrt');
    writeFileSync(path, Buffer.concat(records()));
    const text = execFileSync('bgpdump', ['-m', path], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    expect(text.split('\n').slice(0, -1)).to.deep.equal(EXPECTED_LINES);
  });

  it('prints the same lines itself', async function () {
    const path = join(dir, 'rib-self.mrt');
    writeFileSync(path, Buffer.concat(records()));
    expect(readFileSync(path).length).to.be.greaterThan(100);
    const { text } = await dumpToString(path);
    expect(text.split('\n').slice(0, -1)).to.deep.equal(EXPECTED_LINES);
  });

  it('refuses values that do not fit their fields with ERR_MRT_ENCODE', function () {
    const bad = [
      () => encodeRib(T0, { afi: 1, sequence: 0, prefix: '10.0.0.0', prefixLength: 33, entries: [] }),
      () => encodeRib(T0, { afi: 1, sequence: 0, prefix: 'nonsense', prefixLength: 8, entries: [] }),
      () =>
        encodeRib(T0, {
          afi: 1,
          addPath: true,
          sequence: 0,
          prefix: '10.0.0.0',
          prefixLength: 8,
          entries: [{ peerIndex: 0, originatedTime: 0, attributes: new Uint8Array(0) }],
        }),
      () =>
        encodePeerIndexTable(T0, {
          collectorId: '1.2.3.4',
          viewName: '',
          peers: [{ afi: 1, bgpId: '1.1.1.1', address: '1.1.1.1', asn: 70000, as4: false }],
        }),
      () =>
        encodeBgp4mpMessageAs4(
          T0,
          { peerAs: 1, localAs: 2, afi: 2, peerAddress: '1.2.3.4', localAddress: '::1', message: announce },
          0,
        ),
    ];
    for (const f of bad) {
      expect(f).to.throw(MrtError).with.property('code', 'ERR_MRT_ENCODE');
    }
  });
});
