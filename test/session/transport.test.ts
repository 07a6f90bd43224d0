// The transport's input gate (daemon/session/transport.ts): received messages are handed on within a
// budget per turn of the event loop shared by all connections, so a burst on one socket leaves room for
// timers and for the other connections. The gate's clock is a counter here (one unit per check), so
// how much fits in a turn does not depend on the machine's speed.
import { expect } from 'chai';
import type net from 'node:net';
import { InputGate, Transport, type TransportSink } from '../../daemon/session/transport.js';
import { KEEPALIVE, encodeMessage } from '../../daemon/wire/index.js';
import { MemorySocket } from './helpers.js';

/**
 * A gate whose time advances by one unit per check, with `budget` units per turn; the clock is read at
 * every check, or once per `clockEveryOctets` octets handed over.
 */
function countingGate(budget: number, clockEveryOctets = 0): InputGate {
  let t = 0;
  return new InputGate(budget, () => t++, undefined, clockEveryOctets);
}

/** A transport on an in-memory socket whose sink records each message as `tag`. */
function connection(gate: InputGate, log: string[], tag: string) {
  const socket = new MemorySocket('127.0.0.2');
  const transport = new Transport(socket as unknown as net.Socket, 'in', gate);
  const sink: TransportSink = {
    message: () => log.push(tag),
    headerError: () => log.push(`${tag}:error`),
    closed: () => {},
    writable: () => {},
    delivered: () => {},
  };
  transport.attach(sink);
  return { socket, transport };
}

const keepalives = (n: number): Buffer => {
  const one = encodeMessage(KEEPALIVE);
  return Buffer.concat(Array.from({ length: n }, () => one));
};

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
/** Let the stream emit what was pushed ('data' comes on a later tick), without starting a new turn. */
async function ticks(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => process.nextTick(r));
}

async function until(done: () => boolean, turns = 1000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await turn();
  expect(done(), 'not done after 1000 turns').to.equal(true);
}

describe('session/transport: the input gate', function () {
  it('a burst is handed on over several turns: other work queued meanwhile runs before the burst is done', async function () {
    const log: string[] = [];
    const { socket } = connection(countingGate(10), log, 'a');
    let seenByOther = -1;
    socket.push(keepalives(200));
    await ticks();
    expect(log.length, 'delivered in the first turn').to.be.within(1, 10);
    expect(socket.isPaused(), 'the socket is paused while messages wait').to.equal(true);
    // Work queued now (as a timer that fell due would be) runs in a coming turn, between the gate's
    // turns: not after the whole burst. (No clock involved: the order of the event loop's turns decides.)
    setImmediate(() => (seenByOther = log.length));
    await until(() => log.length === 200);
    expect(seenByOther, 'the other work ran with messages still waiting').to.be.within(1, 199);
    expect(socket.isPaused(), 'reading resumes once everything is handed on').to.equal(false);
    await turn();
    socket.push(keepalives(3));
    await ticks();
    expect(log.length, 'a small read later goes through in its turn').to.equal(203);
  });

  it('connections share the budget in turn: a burst on one does not hold back another', async function () {
    const log: string[] = [];
    const gate = countingGate(10);
    const a = connection(gate, log, 'a');
    const b = connection(gate, log, 'b');
    a.socket.push(keepalives(300));
    b.socket.push(keepalives(5));
    await until(() => log.length === 305);
    const lastB = log.lastIndexOf('b');
    expect(log.filter((x) => x === 'b')).to.have.length(5);
    expect(lastB, "B's messages come before most of A's").to.be.below(40);
  });

  it('the clock is read once per so many octets handed over, not per message', async function () {
    const log: string[] = [];
    // KEEPALIVEs are 19 octets: a read per five of them, ten reads a turn.
    const { socket } = connection(countingGate(10, 19 * 5), log, 'a');
    socket.push(keepalives(200));
    await ticks();
    expect(log.length, 'delivered in the first turn').to.be.within(45, 55);
    await until(() => log.length === 200);
  });

  it('a header error stops reading, also when it comes after messages that waited', async function () {
    const log: string[] = [];
    const { socket } = connection(countingGate(10), log, 'a');
    const bad = Buffer.alloc(19, 0); // marker of zeros: RFC 4271 6.1 Connection Not Synchronized
    socket.push(Buffer.concat([keepalives(30), bad, keepalives(5)]));
    await until(() => log.includes('a:error'));
    expect(log).to.deep.equal([...new Array<string>(30).fill('a'), 'a:error']);
    socket.push(keepalives(2));
    await turn();
    expect(log).to.have.length(31);
    expect(socket.isPaused()).to.equal(true);
  });
});

describe('session/transport: UPDATEs written in a batch', function () {
  /** `n` distinct 23-octet messages side by side in one buffer (as the RDE's message slab holds them). */
  function adjacent(buffer: Buffer, from: number, n: number): Uint8Array[] {
    return Array.from({ length: n }, (_, i) => {
      const m = buffer.subarray(from + 23 * i, from + 23 * (i + 1));
      m.fill(from / 23 + i);
      return m;
    });
  }

  it('adjacent messages reach the socket as one piece, in order, with a control message and others between', function () {
    const { socket, transport } = connection(countingGate(10), [], 'a');
    const slab = Buffer.alloc(23 * 10);
    const [a, b, c, d, e] = adjacent(slab, 0, 5);
    const elsewhere = Uint8Array.from(new Array<number>(23).fill(0xee));
    const [g, h] = adjacent(slab, 23 * 6, 2); // after a gap: not joined to e
    const control = encodeMessage(KEEPALIVE);
    transport.batch(() => {
      for (const m of [a, b, c]) expect(transport.sendUpdate(m!)).to.equal(true);
      transport.sendControl(control);
      for (const m of [d, e, elsewhere, g, h]) transport.sendUpdate(m!);
      expect(transport.bufferedBytes).to.be.at.least(23 * 2);
    });
    const order = [a, b, c, control, d, e, elsewhere, g, h].map((m) => Buffer.from(m!));
    expect(Buffer.concat(socket.written).equals(Buffer.concat(order))).to.equal(true);
    // a+b+c, the KEEPALIVE, d+e, the other buffer's message, g+h.
    expect(socket.written.map((w) => w.length)).to.deep.equal([69, 19, 46, 23, 46]);
    expect(transport.messagesOut).to.equal(9);
    // Outside a batch each message goes on its own.
    const [x, y] = adjacent(slab, 23 * 8, 2);
    transport.sendUpdate(x!);
    transport.sendUpdate(y!);
    expect(socket.written.slice(-2).map((w) => w.length)).to.deep.equal([23, 23]);
  });
});
