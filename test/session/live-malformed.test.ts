// Malformed input against the running daemon: an `xbgpd` process with three loopback sessions. A witness
// (an in-process Speaker) announces two prefixes, which the daemon propagates to a monitor (another
// Speaker); an attacker (a raw socket) sends real UPDATEs of ../shared/data, mutated with a seeded PRNG:
// bit flips, cuts, attribute length edits, withdrawal-only UPDATEs with a damaged attribute (RFC 7606 5.2),
// 2-octet AS_PATHs on the 4-octet session. After every message the test checks that the daemon runs, that
// the witness session was never reset, that the monitor still holds the witness's routes, and that the
// attacker's session ended exactly when the codec's outcome says so: reset with that NOTIFICATION, or kept
// (a ROUTE-REFRESH sent after the message is then answered). Bounded: MAX_MESSAGES, or MIN_MESSAGES once
// TIME_BUDGET_MS has passed (about 7 s in all on an idle machine).
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeMessage,
  makeRouteRefresh,
  makeRouteRefreshCapability,
  prefixList,
  toNotification,
  type DecodeContext,
} from '../../daemon/wire/index.js';
import { repoRoot, sharedPath } from '../helpers/env.js';
import { prng } from '../helpers/random.js';
import { bgpMessages, readCompressed } from '../wire/helpers/mrt-walk.js';
import {
  connectTo,
  KEEPALIVE,
  openMessage,
  startSpeaker,
  waitFor,
  type LogLine,
  type ScriptedConnection,
  type TestSpeaker,
} from './helpers.js';

const SEED = 0x7606;
const MAX_MESSAGES = 160;
/** Past this, no new message is sent once MIN_MESSAGES were (the seed reaches every outcome by then). */
const TIME_BUDGET_MS = 20_000;
const MIN_MESSAGES = 60;
const WITNESS_PREFIXES = ['10.62.0.0/16', '10.63.0.0/16'];
/** What the daemon decodes the attacker's UPDATEs with (negotiate.ts): 4-octet AS, eBGP, nothing else. */
const CTX: DecodeContext = { asn4: true, addPath: new Set(), extendedMessage: false, peerType: 'ebgp' };

// ===== mutations (the UPDATE body only; the header's length always matches) =====

interface Fields {
  withdrawn: Uint8Array;
  attrs: Uint8Array;
  nlri: Uint8Array;
}

function fields(m: Uint8Array): Fields | undefined {
  const body = m.subarray(19);
  if (body.length < 4) return undefined;
  const wl = (body[0]! << 8) | body[1]!;
  if (2 + wl + 2 > body.length) return undefined;
  const al = (body[2 + wl]! << 8) | body[3 + wl]!;
  if (4 + wl + al > body.length) return undefined;
  return {
    withdrawn: body.subarray(2, 2 + wl),
    attrs: body.subarray(4 + wl, 4 + wl + al),
    nlri: body.subarray(4 + wl + al),
  };
}

function build(f: Fields): Uint8Array {
  const body = [
    f.withdrawn.length >> 8,
    f.withdrawn.length & 255,
    ...f.withdrawn,
    f.attrs.length >> 8,
    f.attrs.length & 255,
    ...f.attrs,
    ...f.nlri,
  ];
  return withLength([...new Array<number>(16).fill(0xff), 0, 0, 2, ...body]);
}

function withLength(bytes: number[] | Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[16] = out.length >> 8;
  out[17] = out.length & 255;
  return out;
}

/** Offsets of each attribute's length octet (the low one with Extended Length) in `attrs`. */
function attributeLengthOffsets(attrs: Uint8Array): number[] {
  const out: number[] = [];
  let o = 0;
  while (o + 3 <= attrs.length) {
    const ext = (attrs[o]! & 0x10) !== 0;
    const len = ext ? (attrs[o + 2]! << 8) | attrs[o + 3]! : attrs[o + 2]!;
    out.push(ext ? o + 3 : o + 2);
    o += (ext ? 4 : 3) + len;
  }
  return out;
}

function mutate(m: Uint8Array, rand: () => number): { bytes: Uint8Array; how: string } {
  const pick = (n: number): number => Math.floor(rand() * n);
  const f = fields(m);
  const kind = pick(7);
  if (kind === 0 || f === undefined) {
    const b = m.slice();
    for (let i = pick(3) + 1; i > 0; i--) {
      const at = 19 + pick(b.length - 19);
      b[at]! ^= 1 << pick(8);
    }
    return { bytes: b, how: 'bit flips' };
  }
  if (kind === 1) return { bytes: withLength(m.subarray(0, 23 + pick(m.length - 22))), how: 'cut' };
  const attrs = f.attrs.slice();
  const lengths = attributeLengthOffsets(attrs);
  if (kind === 2 && lengths.length > 0) {
    attrs[lengths[pick(lengths.length)]!] = pick(256);
    return { bytes: build({ ...f, attrs }), how: 'attribute length' };
  }
  if (kind === 3 && lengths.length > 0) {
    // RFC 7606 5.2: no NLRI (the prefixes move to Withdrawn Routes), one attribute's value damaged.
    const at = lengths[pick(lengths.length)]! + 1;
    if (at < attrs.length) attrs[at]! ^= 0xff;
    return {
      bytes: build({ withdrawn: f.nlri, attrs, nlri: new Uint8Array(0) }),
      how: 'withdrawal-only, damaged',
    };
  }
  if (kind === 4) {
    const b = Array.from(m);
    b.splice(19 + pick(m.length - 18), 0, pick(256));
    return { bytes: withLength(b), how: 'inserted octet' };
  }
  if (kind === 5) {
    // Total Path Attribute Length off by a little: the section cannot be walked to its end.
    const b = m.slice();
    const at = 19 + 2 + f.withdrawn.length;
    const v = Math.max(0, ((b[at]! << 8) | b[at + 1]!) + pick(9) - 4);
    b[at] = v >> 8;
    b[at + 1] = v & 255;
    return { bytes: b, how: 'attribute section length' };
  }
  return { bytes: m.slice(), how: 'unchanged' };
}

// ===== the test =====

describe('live malformed input: a running xbgpd, a witness, a monitor and an attacker', function () {
  this.timeout(60_000);
  let dir: string;
  let child: ChildProcess | undefined;
  let exited = false;
  let witness: TestSpeaker | undefined;
  let monitor: TestSpeaker | undefined;
  let attacker: ScriptedConnection | undefined;
  const logs: LogLine[] = [];

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-live-'));
  });
  after(async function () {
    attacker?.close();
    if (child && !exited) child.kill('SIGKILL');
    await witness?.speaker.shutdown();
    await monitor?.speaker.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the daemon and the witness up, and ends the attacker exactly when the codec says so', async function () {
    const as4 = readCompressed(
      sharedPath(this, 'data', 'ripe-bgpdump', 'test_data', 'updates.20160811.1600.gz'),
    );
    const as2 = readCompressed(
      sharedPath(this, 'data', 'ripe-bgpdump', 'test_data', 'updates.20070211.0141.gz'),
    );
    const rand = prng(SEED);
    // Real UPDATEs: a spread of 4-octet-AS ones and a few 2-octet-AS ones (malformed on this session).
    const samples: Uint8Array[] = [];
    let n = 0;
    for (const m of bgpMessages(as4))
      if (m.message[18] === 2 && n++ % 97 === 0) samples.push(m.message.slice());
    n = 0;
    for (const m of bgpMessages(as2))
      if (m.message[18] === 2 && n++ % 1009 === 0) samples.push(m.message.slice());
    expect(samples.length).to.be.greaterThan(100);

    // 1. The daemon, the witness and the monitor.
    const file = join(dir, 'xbgpd.yaml');
    writeFileSync(
      file,
      `router-id: 10.0.0.60
asn: 65000
listen: { address: 127.0.0.1, port: 0 }
peers:
  - { name: attacker, address: 127.0.0.61, asn: 65061, passive: true, families: [ipv4-unicast, ipv6-unicast], idle-hold-time: 1 }
  - { name: witness, address: 127.0.0.62, asn: 65062, passive: true }
  - { name: monitor, address: 127.0.0.63, asn: 65063, passive: true }
`,
    );
    child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'daemon', 'cli', 'xbgpd.ts'), '--config', file, '--log-json'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.on('exit', () => (exited = true));
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const p of parts) if (p.trim()) logs.push(JSON.parse(p) as LogLine);
    });
    await waitFor('listening', () => logs.some((l) => l.msg === 'listening'), 30_000);
    const port = logs.find((l) => l.msg === 'listening')!.port as number;
    const peerOf = (id: number, asn: number, originate: string[]): string => `
router-id: 10.0.0.${id}
asn: ${asn}
peers: [{ name: x, address: 127.0.0.1, port: ${port}, local-address: 127.0.0.${id}, asn: 65000 }]
originate: [${originate.map((p) => `{ prefix: ${p} }`).join(', ')}]
`;
    witness = await startSpeaker(peerOf(62, 65062, WITNESS_PREFIXES));
    monitor = await startSpeaker(peerOf(63, 65063, []));
    const witnessSession = witness.speaker.session('x')!;
    const monitorSession = monitor.speaker.session('x')!;
    const monitorHolds = (): boolean => {
      const held = (monitorSession.received.toJSON()['ipv4-unicast'] ?? []).map((r) => r.prefix);
      return WITNESS_PREFIXES.every((p) => held.includes(p));
    };
    await waitFor('the monitor holds the witness routes', monitorHolds, 10_000);

    // 2. The attacker: 4-octet AS, IPv4 and IPv6, ROUTE-REFRESH (the probe that the session was kept).
    let refreshAnswers = 0;
    const connect = async (): Promise<ScriptedConnection> => {
      const c = await connectTo(port, '127.0.0.1', '127.0.0.61');
      c.send(
        openMessage({
          asn: 65061,
          bgpId: '10.0.0.61',
          families: [
            [1, 1],
            [2, 1],
          ],
          extra: [makeRouteRefreshCapability()],
        }),
      );
      c.send(KEEPALIVE);
      await c.next('open', 10_000);
      await c.next('keepalive', 10_000);
      refreshAnswers = 0;
      return c;
    };
    /** Announcements of a witness prefix received since the connection opened (one per answered refresh). */
    const answered = (c: ScriptedConnection): number => {
      for (let i = c.received.length - 1; i >= 0; i--) {
        const m = c.received[i]!;
        if (m.type !== 'update') continue;
        if (prefixList(m.nlri).some((p) => p.prefix === WITNESS_PREFIXES[0])) refreshAnswers++;
        c.received.splice(i, 1);
      }
      return refreshAnswers;
    };
    attacker = await connect();
    await waitFor('initial routes', () => answered(attacker!) >= 1, 10_000);
    let expectedAnswers = 1;

    // 3. One mutated message at a time.
    const started = Date.now();
    const outcomes = new Map<string, number>();
    let sent = 0;
    for (; sent < MAX_MESSAGES && (sent < MIN_MESSAGES || Date.now() - started < TIME_BUDGET_MS); sent++) {
      const { bytes, how } = mutate(samples[sent % samples.length]!, rand);
      const r = decodeMessage(bytes, CTX);
      const what = `message ${sent} (${how}, ${Buffer.from(bytes).toString('hex')})`;
      attacker.socket.write(bytes);
      attacker.send(makeRouteRefresh(1, 1));
      if (r.ok) {
        expectedAnswers++;
        await waitFor(
          `kept: ${what}`,
          () => answered(attacker!) >= expectedAnswers || attacker!.closed,
          10_000,
        );
        expect(attacker.closed, `session kept after ${what}`).to.equal(false);
        outcomes.set(r.action, (outcomes.get(r.action) ?? 0) + 1);
      } else {
        const notification = await attacker.next('notification', 10_000);
        const want = toNotification(r.error);
        expect(
          [notification.code, notification.subcode, Buffer.from(notification.data).toString('hex')],
          `NOTIFICATION for ${what}`,
        ).to.deep.equal([want.code, want.subcode, Buffer.from(want.data).toString('hex')]);
        await attacker.waitClosed(10_000);
        expect(answered(attacker), `no refresh answered after the reset: ${what}`).to.equal(expectedAnswers);
        const key = `reset ${want.code}/${want.subcode}${r.error.kind === 'update' && r.error.escalatedFrom ? ' (5.2)' : ''}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        attacker = await connect();
        await waitFor('routes after reconnecting', () => answered(attacker!) >= 1, 10_000);
        expectedAnswers = 1;
      }
      // After every message: the daemon runs, the witness was never reset, the monitor holds its routes.
      expect(exited, `daemon alive after ${what}`).to.equal(false);
      expect(witnessSession.state, `witness after ${what}`).to.equal('Established');
      expect(witness.lines('session down'), `witness never reset (${what})`).to.have.length(0);
      expect(monitorHolds(), `monitor holds the witness routes after ${what}`).to.equal(true);
    }
    expect(logs.filter((l) => l.msg === 'session down' && l.peer !== 'attacker')).to.have.length(0);
    // The seeded run reaches each kind of outcome, the RFC 7606 5.2 resets among them.
    const kinds = [...outcomes.keys()];
    expect(kinds, JSON.stringify([...outcomes])).to.include.members(['none', 'treat-as-withdraw']);
    expect(
      kinds.some((k) => k.startsWith('reset 3/')),
      JSON.stringify([...outcomes]),
    ).to.equal(true);
    expect(
      kinds.some((k) => k.endsWith('(5.2)')),
      JSON.stringify([...outcomes]),
    ).to.equal(true);
  });
});
