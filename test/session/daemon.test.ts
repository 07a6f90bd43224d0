// The xbgpd process: `xbgpd --config FILE --jit-prime=2000` as a child process, driven by signals, with
// an in-process Speaker as its peer (the priming logged before the listener opens). SIGHUP reloads (a
// bad file changes nothing), SIGUSR1 rewrites the dump file, SIGTERM shuts down with CEASE /
// Administrative Shutdown and exit status 0.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/env.js';
import { startSpeaker, waitFor, type LogLine, type TestSpeaker } from './helpers.js';

const cli = join(repoRoot, 'daemon', 'cli', 'xbgpd.ts');

describe('xbgpd process: signals, reload, dump', function () {
  this.timeout(60000);
  let dir: string;
  let child: ChildProcess | undefined;
  let peer: TestSpeaker | undefined;
  const lines: LogLine[] = [];
  let exitCode: number | null | undefined;

  const config = (peers: string, originate = '10.50.0.0/16'): string => `
router-id: 10.0.0.50
asn: 65050
listen: { address: 127.0.0.1, port: 0 }
peers:
${peers}
originate: [{ prefix: ${originate} }]
`;
  const peerB = '  - { name: b, address: 127.0.0.51, asn: 65051, passive: true }';
  const peerC = '  - { name: c, address: 127.0.0.52, asn: 65052, passive: true }';

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-test-'));
  });
  after(async function () {
    if (child && exitCode === undefined) child.kill('SIGKILL');
    await peer?.speaker.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const find = (msg: string): LogLine[] => lines.filter((l) => l.msg === msg);

  it('runs a config, establishes with a peer, reloads on SIGHUP, dumps on SIGUSR1, stops on SIGTERM', async function () {
    const file = join(dir, 'xbgpd.yaml');
    const dump = join(dir, 'received.json');
    writeFileSync(file, config(peerB));
    child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--config', file, '--log-json', '--dump-received', dump, '--jit-prime=2000'],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.on('exit', (code) => (exitCode = code));
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as LogLine);
    });

    // 1. Started: the JIT primed first (--jit-prime=2000: that many prefixes per family), then listening
    // on a free port; the peer connects and gets our route.
    await waitFor('listening', () => find('listening').length === 1, 30000);
    const primed = find('jit primed');
    expect(primed, 'one priming').to.have.length(1);
    expect(primed[0]!.prefixes).to.equal(2000);
    expect(lines.indexOf(primed[0]!)).to.be.below(lines.indexOf(find('listening')[0]!));
    const port = find('listening')[0]!.port as number;
    peer = await startSpeaker(`
router-id: 10.0.0.51
asn: 65051
peers: [{ name: x, address: 127.0.0.1, port: ${port}, local-address: 127.0.0.51, asn: 65050, idle-hold-time: 1 }]
originate: [{ prefix: 10.51.0.0/16 }]
`);
    const session = peer.speaker.session('x')!;
    await waitFor('Established', () => session.state === 'Established' && session.received.size === 1, 10000);
    expect(session.received.toJSON()['ipv4-unicast']![0]).to.include({
      prefix: '10.50.0.0/16',
      asPath: '65050',
    });
    await waitFor('session established log', () => find('session established').length === 1);

    // 2. The dump file shows what the daemon received from b.
    await waitFor(
      'dump file',
      () =>
        existsSync(dump) &&
        JSON.parse(readFileSync(dump, 'utf8')).peers?.b?.received?.['ipv4-unicast']?.[0]?.prefix ===
          '10.51.0.0/16',
      5000,
    );

    // 3. SIGHUP with a peer added and the originated prefix changed: b is left alone.
    const stateChangesOfB = lines.filter((l) => l.msg === 'state change' && l.peer === 'b').length;
    writeFileSync(file, config(`${peerB}\n${peerC}`, '10.60.0.0/16'));
    child.kill('SIGHUP');
    await waitFor('reloaded', () => find('config reloaded').length === 1);
    expect(find('config reloaded')[0]).to.deep.include({
      added: ['c'],
      unchanged: ['b'],
      removed: [],
      originateChanged: true,
    });
    await waitFor('new prefix', () => JSON.stringify(session.received.toJSON()).includes('10.60.0.0/16'));
    expect(JSON.stringify(session.received.toJSON())).to.not.include('10.50.0.0/16');

    // 4. SIGHUP with a broken file: rejected, nothing changes.
    writeFileSync(file, config(peerB).replace('asn: 65050', 'asn: -1'));
    child.kill('SIGHUP');
    await waitFor('rejected', () => find('config reload rejected').length === 1);
    expect(JSON.stringify(find('config reload rejected')[0]!.issues)).to.include(
      'asn: must be from 1 to 4294967295',
    );
    expect(lines.filter((l) => l.msg === 'state change' && l.peer === 'b').length).to.equal(stateChangesOfB);
    expect(session.state).to.equal('Established');

    // 5. SIGUSR1 rewrites the dump now.
    rmSync(dump);
    child.kill('SIGUSR1');
    await waitFor('dump rewritten', () => existsSync(dump));
    expect(Object.keys(JSON.parse(readFileSync(dump, 'utf8')).peers)).to.deep.equal(['b', 'c']);

    // 6. SIGTERM: CEASE / Administrative Shutdown to the peer, exit status 0.
    child.kill('SIGTERM');
    await waitFor('exit', () => exitCode !== undefined, 10000);
    expect(exitCode).to.equal(0);
    await waitFor('peer told', () => peer!.lines('notification received', 'x').length >= 1);
    expect(peer.lines('notification received', 'x')[0]).to.include({
      code: 6,
      subcode: 2,
      shutdownCommunication: 'xbgpd shutting down',
    });
    expect(find('xbgpd stopped')).to.have.length(1);
  });
});
