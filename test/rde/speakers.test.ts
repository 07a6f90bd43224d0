// Three xbgpd speakers around a fourth (the device under test, AS 65000) over real TCP on 127.0.0.x:
// routes from one peer reach the others with the right AS_PATH and NEXT_HOP, the best path is chosen
// between two peers announcing the same prefix, and changes when the better one is withdrawn.
import { expect } from 'chai';
import { parseConfig } from '../../daemon/config/load.js';
import { startSpeaker, waitFor, type TestSpeaker } from '../session/helpers.js';
import { edgeConfig } from './peers.js';
import { prefixKey } from '../../daemon/rde/rib.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../helpers/env.js';
import { readMrtFile } from '../../daemon/mrt/reader.js';

const running: TestSpeaker[] = [];

afterEach(async function () {
  await Promise.all(running.splice(0).map((s) => s.speaker.shutdown()));
});

describe('rde: three speakers around a DUT', function () {
  it('propagates, picks the best path, dumps the RIB as MRT, and falls back to the other when it is withdrawn', async function () {
    requireTools(this, 'bgpdump');
    const dir = mkdtempSync(join(tmpdir(), 'xbgpd-rde-'));
    const ribFile = join(dir, 'rib.mrt');
    const adjFile = join(dir, 'adj.mrt');
    const dut = await startSpeaker(
      `
router-id: 10.0.0.1
asn: 65000
listen: { address: 127.0.0.1, port: 0 }
peers:
  - { name: a, address: 127.0.0.2, asn: 65001, passive: true }
  - { name: b, address: 127.0.0.3, asn: 65002, passive: true }
  - { name: c, address: 127.0.0.4, asn: 65003, passive: true }
`,
      { dumpRibFile: ribFile, dumpAdjRibInFile: adjFile },
    );
    running.push(dut);
    const port = dut.speaker.listening()[0]!.port;
    const aText = edgeConfig('10.0.0.2', 65001, port, ['10.10.0.0/16', '10.11.0.0/16']);
    const a = await startSpeaker(aText);
    const b = await startSpeaker(edgeConfig('10.0.0.3', 65002, port, ['10.10.0.0/16']));
    const c = await startSpeaker(edgeConfig('10.0.0.4', 65003, port, []));
    running.push(a, b, c);
    const atC = () => c.speaker.session('dut')!.received.toJSON()['ipv4-unicast'] ?? [];
    const atA = () => a.speaker.session('dut')!.received.toJSON()['ipv4-unicast'] ?? [];
    const atB = () => b.speaker.session('dut')!.received.toJSON()['ipv4-unicast'] ?? [];
    await waitFor('C has two prefixes', () => atC().length === 2, 10000);
    await waitFor('B has both prefixes', () => atB().length === 2, 10000);

    // Same length, origin, no MED, both eBGP: the lower router id (A, 10.0.0.2) wins.
    const key = prefixKey(1, 16, Uint8Array.of(10, 10), 0);
    expect(dut.speaker.rde.locRib('ipv4-unicast', key)).to.deep.include({ peer: 'a', reason: 'router-id' });
    expect(atC()).to.deep.equal([
      { prefix: '10.10.0.0/16', asPath: '65000 65001', origin: 'igp', nextHop: '127.0.0.1' },
      { prefix: '10.11.0.0/16', asPath: '65000 65001', origin: 'igp', nextHop: '127.0.0.1' },
    ]);
    // Split horizon: A is not sent its own routes back.
    expect(atA()).to.deep.equal([]);
    // B gets A's routes (its own 10.10/16 still wins on B: shorter AS_PATH).
    // The MRT RIB dumps: the Loc-RIB has one entry per prefix (A's, post-policy); the Adj-RIB-In both paths.
    await dut.speaker.dumpRib();
    const lines = execFileSync('bgpdump', ['-m', ribFile], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.split('|').slice(3, 9).join('|'))
      .sort();
    expect(lines).to.deep.equal([
      '127.0.0.2|65001|10.10.0.0/16|65001|IGP|127.0.0.2',
      '127.0.0.2|65001|10.11.0.0/16|65001|IGP|127.0.0.2',
    ]);
    const adj: string[] = [];
    await readMrtFile(adjFile, (rec) => {
      if (rec.kind === 'rib') adj.push(`${rec.prefix}/${rec.prefixLength} ${rec.entries.length}`);
    });
    expect(adj.sort()).to.deep.equal(['10.10.0.0/16 2', '10.11.0.0/16 1']);
    rmSync(dir, { recursive: true, force: true });
    expect(atB().map((r) => `${r.prefix} ${r.asPath}`)).to.deep.equal([
      '10.10.0.0/16 65000 65001',
      '10.11.0.0/16 65000 65001',
    ]);

    // A stops originating 10.10/16: the DUT falls back to B's route; C follows; A now gets B's route.
    const next = parseConfig(aText.replace('{ prefix: 10.10.0.0/16 }, ', ''));
    if (!next.ok) throw new Error('bad config');
    await a.speaker.reload(next.config);
    await waitFor('C sees the path through B', () => atC().some((r) => r.asPath === '65000 65002'), 10000);
    expect(dut.speaker.rde.locRib('ipv4-unicast', key)).to.deep.include({ peer: 'b', reason: 'only-path' });
    expect(atC().map((r) => `${r.prefix} ${r.asPath}`)).to.deep.equal([
      '10.10.0.0/16 65000 65002',
      '10.11.0.0/16 65000 65001',
    ]);
    await waitFor('A gets B route', () => atA().length === 1);
    expect(atA()[0]).to.include({ prefix: '10.10.0.0/16', asPath: '65000 65002' });

    // B's session goes down: the withdrawal reaches C and A.
    await b.speaker.session('dut')!.stop();
    await waitFor('C lost 10.10/16', () => atC().length === 1, 10000);
    expect(atC()[0]).to.include({ prefix: '10.11.0.0/16' });
    await waitFor('A lost 10.10/16', () => atA().length === 0);
  });
});

describe('rde: speaker reload', function () {
  it('a new AS gives a new RDE with the originated routes; an originate change alone keeps the RDE', async function () {
    const text = (asn: number, prefixes: string) => `
router-id: 10.0.0.1
asn: ${asn}
originate: [${prefixes}]
`;
    const s = await startSpeaker(text(65000, '{ prefix: 10.60.0.0/16 }'));
    running.push(s);
    const key = prefixKey(1, 16, Uint8Array.of(10, 60), 0);
    const key2 = prefixKey(1, 16, Uint8Array.of(10, 61), 0);
    const first = s.speaker.rde;
    first.flush();
    expect(first.locRib('ipv4-unicast', key)).to.deep.include({ peer: '(local)' });
    const reload = async (yaml: string) => {
      const parsed = parseConfig(yaml);
      if (!parsed.ok) throw new Error('bad config');
      return s.speaker.reload(parsed.config);
    };
    await reload(text(65000, '{ prefix: 10.61.0.0/16 }'));
    expect(s.speaker.rde).to.equal(first);
    first.flush();
    expect(first.locRib('ipv4-unicast', key)).to.equal(undefined);
    expect(first.locRib('ipv4-unicast', key2)).to.deep.include({ peer: '(local)' });
    await reload(text(65009, '{ prefix: 10.61.0.0/16 }'));
    expect(s.speaker.rde).to.not.equal(first);
    s.speaker.rde.flush();
    expect(s.speaker.rde.locRib('ipv4-unicast', key2)).to.deep.include({ peer: '(local)' });
  });
});
