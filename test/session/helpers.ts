// Helpers for the in-process session tests: speakers built from YAML text with captured logs, a
// scripted BGP peer on a raw socket (messages encoded and decoded with daemon/wire), and polling waits.
import net from 'node:net';
import { Duplex } from 'node:stream';
import { parseConfig } from '../../daemon/config/load.js';
import { createLogger } from '../../daemon/log.js';
import { Speaker } from '../../daemon/speaker.js';
import type { Clock } from '../../daemon/clock.js';
import type { SpeakerConfig } from '../../daemon/config/types.js';
import {
  MessageFramer,
  decodeMessage,
  encodeMessage,
  makeOpen,
  makeMultiprotocol,
  makeFourOctetAs,
  KEEPALIVE,
  type Capability,
  type DecodeContext,
  type Message,
} from '../../daemon/wire/index.js';

export type LogLine = Record<string, unknown> & { msg: string };

export interface TestSpeaker {
  speaker: Speaker;
  logs: LogLine[];
  /** Lines with this msg (and, if given, this peer). */
  lines(msg: string, peer?: string): LogLine[];
}

/** Start a Speaker from YAML text; logs are captured, not printed. */
export async function startSpeaker(
  yaml: string,
  options: {
    clock?: Clock;
    dumpReceivedFile?: string;
    dumpRibFile?: string;
    dumpAdjRibInFile?: string;
    mutate?: (config: SpeakerConfig) => void;
  } = {},
): Promise<TestSpeaker> {
  const parsed = parseConfig(yaml);
  if (!parsed.ok) throw new Error(`bad test config: ${JSON.stringify(parsed.issues)}`);
  const { mutate, ...speakerOptions } = options;
  mutate?.(parsed.config);
  const logs: LogLine[] = [];
  const log = createLogger({
    level: 'debug',
    destination: { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) },
  });
  const speaker = await Speaker.start({ config: parsed.config, log, ...speakerOptions });
  return {
    speaker,
    logs,
    lines: (msg, peer) => logs.filter((l) => l.msg === msg && (peer === undefined || l.peer === peer)),
  };
}

/** Poll `predicate` every 5 ms until true; fail after `timeoutMs`. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ===== scripted peer =====

/** One raw BGP connection driven by the test. */
export class ScriptedConnection {
  readonly received: Message[] = [];
  private readonly framer = new MessageFramer();
  private waiters: (() => void)[] = [];
  closed = false;
  ctx: DecodeContext = { asn4: true };

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      const err = this.framer.feed(chunk, (bytes) => {
        const r = decodeMessage(bytes, this.ctx);
        if (r.ok) this.received.push(r.message);
      });
      if (err) throw new Error(`scripted peer got a header error: ${err.reason}`);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(msg: Message): void {
    this.socket.write(encodeMessage(msg));
  }

  /** The first received message of `type` (consumed), waiting up to `timeoutMs`. */
  async next<T extends Message['type']>(type: T, timeoutMs = 5000): Promise<Extract<Message, { type: T }>> {
    const start = Date.now();
    for (;;) {
      const i = this.received.findIndex((m) => m.type === type);
      if (i >= 0) return this.received.splice(i, 1)[0] as Extract<Message, { type: T }>;
      if (this.closed) throw new Error(`connection closed while waiting for ${type}`);
      const left = timeoutMs - (Date.now() - start);
      if (left <= 0) throw new Error(`timed out waiting for ${type}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor('socket close', () => this.closed, timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function openMessage(options: {
  asn: number;
  bgpId: string;
  holdTime?: number;
  fourOctetAs?: boolean;
  families?: [number, number][];
  extra?: Capability[];
}): Message {
  const caps: Capability[] = (options.families ?? [[1, 1]]).map(([afi, safi]) =>
    makeMultiprotocol(afi, safi),
  );
  if (options.fourOctetAs !== false) caps.push(makeFourOctetAs(options.asn));
  caps.push(...(options.extra ?? []));
  const id = options.bgpId.split('.').map(Number);
  return makeOpen({
    myAs: options.asn,
    holdTime: options.holdTime ?? 90,
    bgpId: ((id[0]! << 24) | (id[1]! << 16) | (id[2]! << 8) | id[3]!) >>> 0,
    capabilities: caps,
  });
}

export { KEEPALIVE };

/** Connect from `localAddress` to a speaker's listener. */
export function connectTo(port: number, host: string, localAddress: string): Promise<ScriptedConnection> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host, localAddress }, () => resolve(new ScriptedConnection(s)));
    s.once('error', reject);
  });
}

/** A listener that hands each accepted connection to the test. */
export async function scriptedListener(
  host: string,
): Promise<{ port: number; accepted: ScriptedConnection[]; close: () => Promise<void> }> {
  const accepted: ScriptedConnection[] = [];
  const server = net.createServer((s) => accepted.push(new ScriptedConnection(s)));
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const c of accepted) c.close();
        server.close(() => r());
      }),
  };
}

// ===== in-memory socket =====

/**
 * A socket with no network behind it, for Transport: the test pushes the peer's bytes with `push()`
 * and reads what the speaker wrote from `written`. When `blocked`, the peer stops reading: writes
 * stay in the stream's buffer (like a full TCP window) until `release()`.
 */
export class MemorySocket extends Duplex {
  readonly written: Buffer[] = [];
  private held: (() => void)[] = [];
  blocked = false;
  remotePort = 40000;
  localAddress = '127.0.0.1';
  localPort = 179;

  constructor(readonly remoteAddress: string) {
    super({ writableHighWaterMark: 16384 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.written.push(chunk);
    if (this.blocked) this.held.push(done);
    else done();
  }
  override _read(): void {}
  setNoDelay(): this {
    return this;
  }
  release(): void {
    this.blocked = false;
    for (const done of this.held.splice(0)) done();
  }
  /** Every whole message written so far, decoded. */
  messages(ctx: DecodeContext = { asn4: true }): Message[] {
    const framer = new MessageFramer();
    const out: Message[] = [];
    for (const chunk of this.written) {
      framer.feed(chunk, (m) => {
        const r = decodeMessage(m, ctx);
        if (r.ok) out.push(r.message);
      });
    }
    return out;
  }
}
