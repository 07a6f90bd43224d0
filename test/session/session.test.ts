// In-process session tests: real TCP on 127.0.0.x between two xbgpd Speakers, or between a Speaker and
// a scripted peer that speaks BGP through daemon/wire. No external daemons.
import { expect } from 'chai';
import { FakeClock } from '../../daemon/clock.js';
import type net from 'node:net';
import { Transport } from '../../daemon/session/transport.js';
import {
  decodeMessage,
  encodeMessage,
  makeEndOfRib,
  makeNotification,
  MessageFramer,
  type UpdateMessage,
} from '../../daemon/wire/index.js';
import type { OriginatedPrefix } from '../../daemon/config/types.js';
import {
  startSpeaker,
  waitFor,
  connectTo,
  openMessage,
  scriptedListener,
  delay,
  KEEPALIVE,
  type TestSpeaker,
  type ScriptedConnection,
  MemorySocket,
} from './helpers.js';

const running: TestSpeaker[] = [];
const sockets: ScriptedConnection[] = [];

async function speaker(yaml: string, options: Parameters<typeof startSpeaker>[1] = {}): Promise<TestSpeaker> {
  const s = await startSpeaker(yaml, options);
  running.push(s);
  return s;
}

function portOf(s: TestSpeaker): number {
  return s.speaker.listening()[0]!.port;
}

async function scripted(port: number, from: string): Promise<ScriptedConnection> {
  const c = await connectTo(port, '127.0.0.1', from);
  sockets.push(c);
  return c;
}

afterEach(async function () {
  for (const c of sockets.splice(0)) c.close();
  await Promise.all(running.splice(0).map((s) => s.speaker.shutdown()));
});

describe('session: two speakers', function () {
  it('establish, negotiate 4-octet AS, families and the smaller hold time, and exchange originated routes', async function () {
    const a = await speaker(`
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers:
  - { name: b, address: 127.0.0.2, asn: 4200000002, passive: true, hold-time: 30, families: [ipv4-unicast, ipv6-unicast] }
originate: [{ prefix: 10.1.0.0/16 }, { prefix: 2001:db8:1::/48 }]
`);
    const b = await speaker(`
router-id: 10.0.0.2
asn: 4200000002
peers:
  - name: a
    address: 127.0.0.1
    port: ${portOf(a)}
    local-address: 127.0.0.2
    asn: 65001
    hold-time: 9
    families: [ipv4-unicast, ipv6-unicast]
originate: [{ prefix: 10.2.0.0/16 }]
`);
    const sa = a.speaker.session('b')!;
    const sb = b.speaker.session('a')!;
    await waitFor('both Established', () => sa.state === 'Established' && sb.state === 'Established');
    await waitFor('routes', () => sb.received.size === 2 && sa.received.size === 1);

    for (const s of [sa, sb]) {
      const n = s.establishedConnection!.negotiated!;
      expect(n.holdTime, 'hold time = min(30, 9)').to.equal(9);
      expect(n.asn4).to.equal(true);
      expect(n.families).to.deep.equal(['ipv4-unicast', 'ipv6-unicast']);
    }
    expect(sa.establishedConnection!.negotiated!.remoteAsn).to.equal(4200000002);
    expect(sb.received.toJSON()).to.deep.equal({
      'ipv4-unicast': [{ prefix: '10.1.0.0/16', asPath: '65001', origin: 'igp', nextHop: '127.0.0.1' }],
      'ipv6-unicast': [
        { prefix: '2001:db8:1::/48', asPath: '65001', origin: 'igp', nextHop: '::ffff:7f00:1' },
      ],
    });
    expect(sa.received.toJSON()).to.deep.equal({
      'ipv4-unicast': [{ prefix: '10.2.0.0/16', asPath: '4200000002', origin: 'igp', nextHop: '127.0.0.2' }],
    });
    expect(b.lines('update received', 'a').flatMap((l) => l.announced as string[])).to.have.members([
      '10.1.0.0/16',
      '2001:db8:1::/48',
    ]);
    expect(b.lines('end-of-rib received', 'a').map((l) => l.family)).to.have.members([
      'ipv4-unicast',
      'ipv6-unicast',
    ]);
    expect(a.lines('session established', 'b')).to.have.length(1);
  });

  it('iBGP: empty AS_PATH and LOCAL_PREF 100', async function () {
    const a = await speaker(`
router-id: 10.0.0.1
asn: 65100
listen: { address: 127.0.0.1, port: 0 }
peers: [{ name: b, address: 127.0.0.2, asn: 65100, passive: true }]
originate: [{ prefix: 10.9.0.0/16 }]
`);
    const b = await speaker(`
router-id: 10.0.0.2
asn: 65100
peers: [{ name: a, address: 127.0.0.1, port: ${portOf(a)}, local-address: 127.0.0.2, asn: 65100 }]
`);
    const sb = b.speaker.session('a')!;
    await waitFor('route', () => sb.received.size === 1);
    expect(sb.received.toJSON()['ipv4-unicast']).to.deep.equal([
      { prefix: '10.9.0.0/16', asPath: '', origin: 'igp', nextHop: '127.0.0.1', localPref: 100 },
    ]);
    expect(sb.establishedConnection!.negotiated!.ibgp).to.equal(true);
  });
});

describe('session: scripted peer', function () {
  it('sends AS_TRANS in My AS and the real AS in the capability; AS4_PATH to a 2-octet peer', async function () {
    const s = await speaker(`
router-id: 10.0.0.1
asn: 4200000001
listen: { address: 127.0.0.1, port: 0 }
peers: [{ name: p, address: 127.0.0.6, asn: 65006, passive: true }]
originate: [{ prefix: 10.6.0.0/24 }]
`);
    const c = await scripted(portOf(s), '127.0.0.6');
    const open = await c.next('open');
    expect(open.myAs, 'My AS field').to.equal(23456);
    expect(open.capabilities.find((x) => x.type === 'four-octet-as')).to.include({ asn: 4200000001 });
    c.ctx = { asn4: false };
    c.send(openMessage({ asn: 65006, bgpId: '10.0.0.6', holdTime: 20, fourOctetAs: false }));
    c.send(KEEPALIVE);
    await c.next('keepalive');
    const update = (await c.next('update')) as UpdateMessage;
    const asPath = update.attributes.find((a) => a.type === 'as-path');
    const as4Path = update.attributes.find((a) => a.type === 'as4-path');
    expect(asPath && asPath.type === 'as-path' && asPath.segments).to.deep.equal([
      { type: 2, asns: [23456] },
    ]);
    expect(as4Path && as4Path.type === 'as4-path' && as4Path.segments).to.deep.equal([
      { type: 2, asns: [4200000001] },
    ]);
    const n = s.speaker.session('p')!.establishedConnection!.negotiated!;
    expect(n.asn4).to.equal(false);
    expect(n.holdTime).to.equal(20);
  });

  it('wrong peer AS gets NOTIFICATION 2/2 (Bad Peer AS) and other peers stay up', async function () {
    const s = await speaker(`
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers:
  - { name: wrong, address: 127.0.0.3, asn: 65003, passive: true }
  - { name: good, address: 127.0.0.4, asn: 65004, passive: true }
`);
    const good = await scripted(portOf(s), '127.0.0.4');
    await good.next('open');
    good.send(openMessage({ asn: 65004, bgpId: '10.0.0.4' }));
    good.send(KEEPALIVE);
    await waitFor('good Established', () => s.speaker.session('good')!.state === 'Established');
    const goodChanges = s.lines('state change', 'good').length;

    const wrong = await scripted(portOf(s), '127.0.0.3');
    await wrong.next('open');
    wrong.send(openMessage({ asn: 65099, bgpId: '10.0.0.3' }));
    const n = await wrong.next('notification');
    expect([n.code, n.subcode]).to.deep.equal([2, 2]);
    await wrong.waitClosed();

    await delay(50);
    expect(s.speaker.session('good')!.state).to.equal('Established');
    expect(s.lines('state change', 'good').length, 'no state change on the good peer').to.equal(goodChanges);
    expect(good.received.filter((m) => m.type === 'notification')).to.have.length(0);
    expect(s.lines('notification sent', 'wrong')[0]).to.include({ code: 2, subcode: 2 });
  });

  it('unacceptable hold time gets 2/6 and no common family gets 2/7', async function () {
    const s = await speaker(`
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers:
  - { name: p, address: 127.0.0.7, asn: 65007, passive: true, idle-hold-time: 1 }
  - { name: q, address: 127.0.0.8, asn: 65008, passive: true, families: [ipv6-unicast] }
`);
    const p = await scripted(portOf(s), '127.0.0.7');
    p.send(openMessage({ asn: 65007, bgpId: '10.0.0.7', holdTime: 2 }));
    const n1 = await p.next('notification');
    expect([n1.code, n1.subcode]).to.deep.equal([2, 6]);
    const q = await scripted(portOf(s), '127.0.0.8');
    q.send(openMessage({ asn: 65008, bgpId: '10.0.0.8', families: [[1, 1]] }));
    const n2 = await q.next('notification');
    expect([n2.code, n2.subcode]).to.deep.equal([2, 7]);
  });

  /** A passive peer (127.0.0.N, AS 650NN) with a 3 s hold time, Established on a fake clock. */
  async function establishedOnFakeClock(n: number) {
    const clock = new FakeClock();
    const asn = 65000 + n;
    const s = await speaker(
      `
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers: [{ name: p, address: 127.0.0.${n}, asn: ${asn}, passive: true, hold-time: 3 }]
`,
      { clock },
    );
    const c = await scripted(portOf(s), `127.0.0.${n}`);
    await c.next('open');
    c.send(openMessage({ asn, bgpId: `10.0.0.${n}`, holdTime: 3 }));
    await c.next('keepalive');
    c.send(KEEPALIVE);
    const session = s.speaker.session('p')!;
    await waitFor('Established', () => session.state === 'Established');
    return { clock, s, c, session };
  }

  it('hold timer expiry with a frozen peer sends NOTIFICATION 4/0, KEEPALIVEs flow until then (fake clock)', async function () {
    const { clock, s, c, session } = await establishedOnFakeClock(9);
    // The peer now says nothing. KEEPALIVEs every hold/3 * jitter (0.875 s with the fake random 0.5).
    clock.advance(2900);
    await waitFor('two keepalives', () => c.received.filter((m) => m.type === 'keepalive').length >= 2);
    expect(session.state).to.equal('Established');
    clock.advance(100);
    const n = await c.next('notification');
    expect([n.code, n.subcode]).to.deep.equal([4, 0]);
    expect(session.state).to.not.equal('Established');
    expect(s.lines('session down', 'p')[0]).to.deep.include({ reason: 'hold timer expired' });
  });

  it('each KEEPALIVE and UPDATE received in Established restarts the hold timer (fake clock)', async function () {
    const { clock, c, session } = await establishedOnFakeClock(19);
    const received = (type: number): number => session.messageCounts.received[type]!;
    // 2.5 s, then a KEEPALIVE (type 4) and, 2.5 s later, two UPDATEs (type 2, usually read in one go):
    // each time the 3 s start again.
    clock.advance(2500);
    c.send(KEEPALIVE);
    await waitFor('the KEEPALIVE read', () => received(4) === 2);
    clock.advance(2500);
    expect(session.state, 'restarted by the KEEPALIVE').to.equal('Established');
    c.send(makeEndOfRib(1));
    c.send(makeEndOfRib(1));
    await waitFor('the UPDATEs read', () => received(2) === 2);
    clock.advance(2900);
    expect(session.state, 'restarted by the UPDATEs').to.equal('Established');
    clock.advance(100);
    const n = await c.next('notification');
    expect([n.code, n.subcode], 'expired 3 s after the last message').to.deep.equal([4, 0]);
  });

  for (const [label, peerId, kept] of [
    ['the peer has the higher BGP Identifier: keep the connection it initiated', '10.0.0.200', 'in'],
    ['we have the higher BGP Identifier: keep the connection we initiated', '1.1.1.1', 'out'],
  ] as const) {
    it(`collision detection (RFC 4271 6.8), ${label}`, async function () {
      const peerSide = await scriptedListener('127.0.0.5');
      try {
        const s = await speaker(`
router-id: 10.0.0.100
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers: [{ name: p, address: 127.0.0.5, asn: 65005, port: ${peerSide.port}, local-address: 127.0.0.1 }]
`);
        // 1. The speaker dials us: that connection reaches OpenConfirm on its side.
        await waitFor('outgoing connection', () => peerSide.accepted.length === 1);
        const outgoing = peerSide.accepted[0]!;
        await outgoing.next('open');
        outgoing.send(openMessage({ asn: 65005, bgpId: peerId }));
        await outgoing.next('keepalive');
        // 2. We dial it too and send our OPEN there.
        const incoming = await scripted(portOf(s), '127.0.0.5');
        await incoming.next('open');
        incoming.send(openMessage({ asn: 65005, bgpId: peerId }));
        // 3. The loser gets CEASE / Connection Collision Resolution; the winner goes on.
        const [loser, winner] = kept === 'in' ? [outgoing, incoming] : [incoming, outgoing];
        const n = await loser.next('notification');
        expect([n.code, n.subcode]).to.deep.equal([6, 7]);
        await loser.waitClosed();
        winner.send(KEEPALIVE);
        const session = s.speaker.session('p')!;
        await waitFor('Established', () => session.state === 'Established');
        expect(session.establishedConnection!.direction).to.equal(kept);
        await waitFor('one connection left', () => session.connectionCount === 1);
        expect(s.lines('connection collision', 'p')[0]).to.include({ keptDirection: kept });
      } finally {
        await peerSide.close();
      }
    });
  }

  it('a second connection while Established is closed with 6/7 and the session stays', async function () {
    const s = await speaker(`
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers: [{ name: p, address: 127.0.0.10, asn: 65010, passive: true }]
`);
    const first = await scripted(portOf(s), '127.0.0.10');
    first.send(openMessage({ asn: 65010, bgpId: '10.0.0.10' }));
    first.send(KEEPALIVE);
    await waitFor('Established', () => s.speaker.session('p')!.state === 'Established');
    const second = await scripted(portOf(s), '127.0.0.10');
    await second.next('open');
    second.send(openMessage({ asn: 65010, bgpId: '10.0.0.10' }));
    const n = await second.next('notification');
    expect([n.code, n.subcode]).to.deep.equal([6, 7]);
    expect(s.speaker.session('p')!.state).to.equal('Established');
    expect(first.received.filter((m) => m.type === 'notification')).to.have.length(0);
  });

  it('route refresh re-sends the family bracketed by BoRR/EoRR (enhanced route refresh)', async function () {
    const s = await speaker(`
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers: [{ name: p, address: 127.0.0.11, asn: 65011, passive: true }]
originate: [{ prefix: 10.11.0.0/16 }]
`);
    const c = await scripted(portOf(s), '127.0.0.11');
    const { makeRouteRefreshCapability, makeEnhancedRouteRefreshCapability, makeRouteRefresh } =
      await import('../../daemon/wire/index.js');
    c.send(
      openMessage({
        asn: 65011,
        bgpId: '10.0.0.11',
        extra: [makeRouteRefreshCapability(), makeEnhancedRouteRefreshCapability()],
      }),
    );
    c.send(KEEPALIVE);
    await c.next('update'); // the announcement
    await c.next('update'); // End-of-RIB
    c.send(makeRouteRefresh(1, 1, 0));
    const borr = await c.next('route-refresh');
    const again = (await c.next('update')) as UpdateMessage;
    const eorr = await c.next('route-refresh');
    expect([borr.subtype, eorr.subtype]).to.deep.equal([1, 2]);
    expect(again.nlri.count).to.equal(1);
  });
});

describe('session: administration', function () {
  it('stop one peer with a shutdown communication (CEASE 6/2, RFC 9003); the other peer is untouched', async function () {
    const a = await speaker(`
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers:
  - { name: b, address: 127.0.0.2, asn: 65002, passive: true }
  - { name: c, address: 127.0.0.3, asn: 65003, passive: true }
`);
    const peerYaml = (asn: number, addr: string): string => `
router-id: ${addr.replace('127.', '10.')}
asn: ${asn}
peers: [{ name: a, address: 127.0.0.1, port: ${portOf(a)}, local-address: ${addr}, asn: 65001, idle-hold-time: 1 }]
`;
    const b = await speaker(peerYaml(65002, '127.0.0.2'));
    const c = await speaker(peerYaml(65003, '127.0.0.3'));
    await waitFor('both up', () => a.speaker.sessions().every((s) => s.state === 'Established'));
    const cChanges = a.lines('state change', 'c').length;

    await a.speaker.session('b')!.stop({ message: 'maintenance window' });
    const received = () => b.lines('notification received', 'a');
    await waitFor('B got the NOTIFICATION', () => received().length === 1);
    expect(received()[0]).to.include({ code: 6, subcode: 2, shutdownCommunication: 'maintenance window' });
    expect(b.speaker.session('a')!.status().lastNotification?.shutdownCommunication).to.equal(
      'maintenance window',
    );
    expect(a.speaker.session('c')!.state).to.equal('Established');
    expect(a.lines('state change', 'c').length).to.equal(cChanges);

    // Start it again: B reconnects (its idle hold is 1 s); C is still untouched.
    a.speaker.session('b')!.start();
    await waitFor('b back', () => a.speaker.session('b')!.state === 'Established', 8000);
    expect(a.lines('state change', 'c').length).to.equal(cChanges);

    // Whole-daemon shutdown: every peer gets 6/2 with the daemon's message.
    await a.speaker.shutdown();
    await waitFor('C got the NOTIFICATION', () => c.lines('notification received', 'a').length === 1);
    expect(c.lines('notification received', 'a')[0]).to.include({
      code: 6,
      subcode: 2,
      shutdownCommunication: 'xbgpd shutting down',
    });
  });

  it('reload: added peers start, removed peers get 6/3, unchanged peers are left alone', async function () {
    const { parseConfig } = await import('../../daemon/config/load.js');
    const base = `
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
`;
    const a = await speaker(base + `peers: [{ name: b, address: 127.0.0.2, asn: 65002, passive: true }]\n`);
    const b = await speaker(`
router-id: 10.0.0.2
asn: 65002
peers: [{ name: a, address: 127.0.0.1, port: ${portOf(a)}, local-address: 127.0.0.2, asn: 65001 }]
`);
    await waitFor('up', () => a.speaker.session('b')!.state === 'Established');
    const bChanges = a.lines('state change', 'b').length;
    const withC = parseConfig(
      base +
        `peers:\n  - { name: b, address: 127.0.0.2, asn: 65002, passive: true }\n  - { name: c, address: 127.0.0.3, asn: 65003, passive: true }\n`,
    );
    if (!withC.ok) throw new Error('config');
    const summary = await a.speaker.reload(withC.config);
    expect(summary.added).to.deep.equal(['c']);
    expect(summary.unchanged).to.deep.equal(['b']);
    expect(summary.removed).to.deep.equal([]);
    expect(a.speaker.session('c')!.state).to.equal('Active');
    expect(a.lines('state change', 'b').length).to.equal(bChanges);

    const withoutB = parseConfig(
      base + `peers: [{ name: c, address: 127.0.0.3, asn: 65003, passive: true }]\n`,
    );
    if (!withoutB.ok) throw new Error('config');
    const summary2 = await a.speaker.reload(withoutB.config);
    expect(summary2.removed).to.deep.equal(['b']);
    await waitFor('B told', () => b.lines('notification received', 'a').length === 1);
    expect(b.lines('notification received', 'a')[0]).to.include({ code: 6, subcode: 3 });
    expect(a.speaker.session('b')).to.equal(undefined);
  });
});

describe('session: write side', function () {
  it('a peer that does not read stops UPDATE production instead of growing the buffer; KEEPALIVEs still go', async function () {
    const extra: OriginatedPrefix[] = [];
    for (let i = 0; i < 20_000; i++) {
      const address = `10.${i >>> 8}.${i & 255}.0`;
      extra.push({ prefix: `${address}/24`, family: 'ipv4-unicast', address, length: 24 });
    }
    const clock = new FakeClock();
    const s = await speaker(
      `
router-id: 10.0.0.1
asn: 65001
peers: [{ name: p, address: 127.0.0.12, asn: 65012, passive: true }]
`,
      { clock, mutate: (config) => (config.originate = extra) },
    );
    const session = s.speaker.session('p')!;
    const socket = new MemorySocket('127.0.0.12');
    session.acceptIncoming(new Transport(socket as unknown as net.Socket, 'in'));
    socket.push(encodeMessage(openMessage({ asn: 65012, bgpId: '10.0.0.12' })));
    await waitFor('OpenConfirm', () => session.state === 'OpenConfirm');
    socket.blocked = true;
    socket.push(encodeMessage(KEEPALIVE));
    await waitFor('Established', () => session.state === 'Established');
    const conn = session.establishedConnection!;
    const transport = conn.transport!;
    // The RDE decides through the same (fake) clock: run its deferred decision slices.
    clock.runDeferred();
    await waitFor('producer blocked', () => !conn.canSendUpdates);
    await delay(20);
    const sent = session.updatesSent;
    expect(session.hasPendingUpdates, 'UPDATEs still waiting').to.equal(true);
    // In the process: at most the high-water mark plus the UPDATE that crossed it.
    expect(transport.bufferedBytes).to.be.at.most(16384 + 4096);

    // A busy, blocked session still writes its KEEPALIVE when the timer fires.
    const before = transport.bufferedBytes;
    clock.advance(30_000);
    expect(transport.bufferedBytes - before, 'one KEEPALIVE queued').to.equal(19);
    expect(session.updatesSent, 'no UPDATE produced while blocked').to.equal(sent);

    // The peer reads again: everything goes out, 20000 prefixes in total.
    socket.release();
    await waitFor('all sent', () => !session.hasPendingUpdates && transport.bufferedBytes === 0);
    const framer = new MessageFramer();
    let prefixes = 0;
    let keepalives = 0;
    for (const chunk of socket.written) {
      framer.feed(chunk, (m) => {
        const r = decodeMessage(m, { asn4: true });
        if (r.ok && r.message.type === 'update') prefixes += r.message.nlri.count;
        if (r.ok && r.message.type === 'keepalive') keepalives++;
      });
    }
    expect(prefixes).to.equal(20_000);
    expect(keepalives).to.equal(2);
  });
});

describe('session: timers (fake clock)', function () {
  it('restarts a flapping peer after an IdleHoldTimer that doubles with each drop (5 s, then 10 s)', async function () {
    const clock = new FakeClock();
    const peerSide = await scriptedListener('127.0.0.13');
    try {
      const s = await speaker(
        `
router-id: 10.0.0.1
asn: 65001
peers: [{ name: p, address: 127.0.0.13, port: ${peerSide.port}, local-address: 127.0.0.1, asn: 65013, idle-hold-time: 5 }]
`,
        { clock },
      );
      const session = s.speaker.session('p')!;
      const flap = async (n: number): Promise<void> => {
        await waitFor(`connection ${n}`, () => peerSide.accepted.length === n);
        const c = peerSide.accepted[n - 1]!;
        await c.next('open');
        c.send(openMessage({ asn: 65013, bgpId: '10.0.0.13' }));
        c.send(KEEPALIVE);
        await waitFor('Established', () => session.state === 'Established');
        c.send(makeNotification({ code: 6, subcode: 0, data: new Uint8Array(0) }));
        await waitFor('Idle', () => session.state === 'Idle');
      };
      const expectRedial = async (n: number, seconds: number): Promise<void> => {
        clock.advance(seconds * 1000 - 100);
        await delay(50);
        expect(peerSide.accepted.length, `no dial before ${seconds} s`).to.equal(n - 1);
        clock.advance(100);
        await waitFor(`dial after ${seconds} s`, () => peerSide.accepted.length === n);
      };
      await flap(1);
      expect(session.status().flaps).to.equal(1);
      await expectRedial(2, 5);
      await flap(2);
      expect(session.status().flaps).to.equal(2);
      await expectRedial(3, 10);

      // Stopped while waiting out the IdleHoldTimer: no restart.
      await flap(3);
      await session.stop();
      clock.advance(300_000);
      await delay(50);
      expect(peerSide.accepted.length, 'no dial after stop').to.equal(3);
      expect(session.state).to.equal('Idle');
    } finally {
      await peerSide.close();
    }
  });

  it('a negotiated hold time of 0 runs neither HoldTimer nor KeepaliveTimer (RFC 4271 4.2)', async function () {
    const clock = new FakeClock();
    const s = await speaker(
      `
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers: [{ name: p, address: 127.0.0.18, asn: 65018, passive: true, hold-time: 0 }]
`,
      { clock },
    );
    const c = await scripted(portOf(s), '127.0.0.18');
    expect((await c.next('open')).holdTime).to.equal(0);
    c.send(openMessage({ asn: 65018, bgpId: '10.0.0.18', holdTime: 90 }));
    await c.next('keepalive');
    c.send(KEEPALIVE);
    const session = s.speaker.session('p')!;
    await waitFor('Established', () => session.state === 'Established');
    expect(session.establishedConnection!.runningTimers).to.deep.equal([]);
    clock.advance(3_600_000);
    await delay(50);
    expect(session.state).to.equal('Established');
    expect(
      c.received.filter((m) => m.type === 'keepalive'),
      'no KEEPALIVE after the first',
    ).to.have.length(0);
  });

  it('DelayOpen: the OPEN waits for the DelayOpenTimer, or answers the peer OPEN at once (event 20)', async function () {
    const clock = new FakeClock();
    const s = await speaker(
      `
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers: [{ name: p, address: 127.0.0.14, asn: 65014, passive: true, delay-open-time: 5, idle-hold-time: 1 }]
`,
      { clock },
    );
    const first = await scripted(portOf(s), '127.0.0.14');
    await delay(100);
    expect(first.received, 'nothing before the DelayOpenTimer').to.have.length(0);
    clock.advance(5000);
    await first.next('open');
    first.close();
    // OpenSent + TcpConnectionFails -> Active (RFC 4271 8.2.2).
    await waitFor('Active', () => s.speaker.session('p')!.state === 'Active');

    const second = await scripted(portOf(s), '127.0.0.14');
    await waitFor(
      'DelayOpenTimer running',
      () => s.lines('state change', 'p').length > 0 && s.speaker.session('p')!.connectionCount === 1,
    );
    await delay(20);
    second.send(openMessage({ asn: 65014, bgpId: '10.0.0.14' }));
    await second.next('open');
    await second.next('keepalive');
    expect(s.speaker.session('p')!.state).to.equal('OpenConfirm');
    expect(s.lines('state change', 'p').at(-1)).to.include({ event: 'BGPOpen_with_DelayOpenTimer_running' });
  });
});

describe('session: IPv6 transport', function () {
  it('two speakers over ::1 exchange IPv6 and IPv4 routes (next hops: ::1 and the router id)', async function () {
    const a = await speaker(`
router-id: 10.0.0.1
asn: 65001
listen: { address: "::1", port: 0 }
peers: [{ name: b, address: "::1", asn: 65002, passive: true, families: [ipv4-unicast, ipv6-unicast] }]
originate: [{ prefix: 2001:db8:a::/48 }, { prefix: 10.10.0.0/16 }]
`);
    const b = await speaker(`
router-id: 10.0.0.2
asn: 65002
peers: [{ name: a, address: "::1", port: ${portOf(a)}, asn: 65001, families: [ipv4-unicast, ipv6-unicast] }]
`);
    const sb = b.speaker.session('a')!;
    await waitFor('routes over IPv6', () => sb.received.size === 2);
    expect(sb.received.toJSON()).to.deep.equal({
      'ipv4-unicast': [{ prefix: '10.10.0.0/16', asPath: '65001', origin: 'igp', nextHop: '10.0.0.1' }],
      'ipv6-unicast': [{ prefix: '2001:db8:a::/48', asPath: '65001', origin: 'igp', nextHop: '::1' }],
    });
    expect(sb.status().localAddress).to.equal('::1');
  });
});

describe('session: malformed input', function () {
  it('seeded random UPDATEs never throw: each is accepted or answered with an UPDATE error NOTIFICATION', async function () {
    this.timeout(30000);
    const clock = new FakeClock();
    const s = await speaker(
      `
router-id: 10.0.0.1
asn: 65001
peers:
  - { name: p, address: 127.0.0.15, asn: 65015, passive: true }
  - { name: q, address: 127.0.0.16, asn: 65016, passive: true }
`,
      { clock },
    );
    const errors: unknown[] = [];
    const onError = (err: unknown): void => void errors.push(err);
    process.on('uncaughtException', onError);
    const up = async (name: string, address: string, asn: number): Promise<MemorySocket> => {
      const socket = new MemorySocket(address);
      s.speaker.session(name)!.acceptIncoming(new Transport(socket as unknown as net.Socket, 'in'));
      socket.push(encodeMessage(openMessage({ asn, bgpId: address.replace('127.', '10.') })));
      socket.push(encodeMessage(KEEPALIVE));
      await waitFor(`${name} Established`, () => s.speaker.session(name)!.state === 'Established');
      return socket;
    };
    try {
      await up('q', '127.0.0.16', 65016);
      // xorshift32, fixed seed: the same bytes on every run.
      let seed = 0x2f6b1d3c;
      const random = (n: number): number => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      let resets = 0;
      let accepted = 0;
      const session = s.speaker.session('p')!;
      for (let i = 0; i < 150; i++) {
        const socket = await up('p', '127.0.0.15', 65015);
        const sentBefore = socket.messages().length;
        // A body with plausible length fields (so decoding gets past them) and random content.
        const body = new Uint8Array(4 + random(120));
        for (let j = 0; j < body.length; j++) body[j] = random(256);
        const withdrawn = random(Math.max(1, body.length - 3));
        body[0] = withdrawn >> 8;
        body[1] = withdrawn & 255;
        const attrLength = random(Math.max(1, body.length - 3 - withdrawn));
        body[2 + withdrawn] = attrLength >> 8;
        body[3 + withdrawn] = attrLength & 255;
        const message = new Uint8Array(19 + body.length);
        message.fill(0xff, 0, 16);
        message[16] = message.length >> 8;
        message[17] = message.length & 255;
        message[18] = 2;
        message.set(body, 19);
        socket.push(message);
        await delay(1);
        if (session.state === 'Established') {
          accepted++;
          expect(
            socket
              .messages()
              .slice(sentBefore)
              .filter((m) => m.type === 'notification'),
          ).to.have.length(0);
          socket.destroy();
          await waitFor('down', () => session.state !== 'Established');
        } else {
          resets++;
          const notes = socket
            .messages()
            .slice(sentBefore)
            .filter((m) => m.type === 'notification');
          expect(notes, `iteration ${i}`).to.have.length(1);
          expect(notes[0]!.type === 'notification' && notes[0]!.code, 'UPDATE Message Error').to.equal(3);
        }
      }
      expect(errors).to.deep.equal([]);
      expect(resets + accepted).to.equal(150);
      expect(resets, 'most random UPDATEs are malformed').to.be.above(0);
      expect(s.speaker.session('q')!.state, 'the other peer is untouched').to.equal('Established');
      expect(s.lines('internal error handling a message')).to.have.length(0);
    } finally {
      process.off('uncaughtException', onError);
    }
  });
});

describe('session: ADD-PATH and extended messages', function () {
  it('sends and receives path identifiers, and accepts an UPDATE above 4096 octets', async function () {
    const {
      makeAddPathCapability,
      makeExtendedMessageCapability,
      buildNlri,
      makeOrigin,
      makeAsPath,
      makeNextHop,
    } = await import('../../daemon/wire/index.js');
    const s = await speaker(`
router-id: 10.0.0.1
asn: 65001
listen: { address: 127.0.0.1, port: 0 }
peers: [{ name: p, address: 127.0.0.17, asn: 65017, passive: true, capabilities: { add-path: both } }]
originate: [{ prefix: 10.17.0.0/16 }]
`);
    const c = await scripted(portOf(s), '127.0.0.17');
    const open = await c.next('open');
    expect(open.capabilities.find((x) => x.type === 'add-path')).to.deep.include({
      families: [{ afi: 1, safi: 1, sendReceive: 3 }],
    });
    c.ctx = { asn4: true, addPath: new Set([(1 << 8) | 1]), extendedMessage: true };
    c.send(
      openMessage({
        asn: 65017,
        bgpId: '10.0.0.17',
        extra: [
          makeAddPathCapability([{ afi: 1, safi: 1, sendReceive: 3 }]),
          makeExtendedMessageCapability(),
        ],
      }),
    );
    c.send(KEEPALIVE);
    const update = (await c.next('update')) as UpdateMessage;
    expect(update.nlri.addPath).to.equal(true);
    const { prefixList } = await import('../../daemon/wire/index.js');
    expect(prefixList(update.nlri)).to.deep.equal([{ prefix: '10.17.0.0/16', pathId: 1 }]);

    // 1200 /24s with path ids: about 10 kB, one UPDATE (RFC 8654 extended message).
    const prefixes = Array.from({ length: 1200 }, (_, i) => ({
      prefix: `20.${i >> 8}.${i & 255}.0/24`,
      pathId: 7,
    }));
    const big: UpdateMessage = {
      type: 'update',
      withdrawn: { afi: 1, safi: 1, addPath: true, bytes: new Uint8Array(0), count: 0 },
      attributes: [makeOrigin(0), makeAsPath([{ type: 2, asns: [65017] }], true), makeNextHop(0x7f000011)],
      nlri: buildNlri(1, 1, prefixes, true),
    };
    const bytes = encodeMessage(big, { extendedMessage: true });
    expect(bytes.length).to.be.above(4096);
    c.socket.write(bytes);
    const session = s.speaker.session('p')!;
    await waitFor('1200 routes', () => session.received.size === 1200);
    expect(session.received.toJSON()['ipv4-unicast']![0]).to.deep.include({
      prefix: '20.0.0.0/24',
      pathId: 7,
    });
    expect(session.state).to.equal('Established');
  });
});
