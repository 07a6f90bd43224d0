// The only net.Socket code of the daemon: listeners, outgoing connections, framing in, writes out.
// In: bytes go through the wire MessageFramer; each whole BGP message is handed to the sink, a framing
// (header) error stops reading. Out: control messages (OPEN, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH)
// are always written at once; UPDATE producers ask `canSendUpdates` and wait for `writable()` when the
// socket's buffer is over its high-water mark, so a slow peer never makes us buffer without bound.
//
// TTL: Node.js has no public API to set IP_TTL / IPV6_UNICAST_HOPS on a TCP socket, so TTL 1 for
// directly connected eBGP (and GTSM) is not applied; sockets use the system default TTL (64 on
// Linux), which also covers `multihop`. See daemon/session/README.md.
import net from 'node:net';
import { MessageFramer } from '../wire/index.js';
import type { HeaderError } from '../wire/index.js';

export interface TransportSink {
  /** One whole BGP message (header included); `type` is the header's type octet. */
  message(type: number, message: Uint8Array): void;
  /** A message header error (RFC 4271 6.1); nothing more is read after it. */
  headerError(error: HeaderError): void;
  /** The connection closed or failed; called once. */
  closed(reason: string): void;
  /** The write buffer drained below its high-water mark: UPDATE producers may continue. */
  writable(): void;
}

/** Normalise an address as seen on a socket: IPv4-mapped IPv6 becomes plain IPv4. */
export function plainAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

// ===== Transport =====

export class Transport {
  private sink: TransportSink | undefined;
  private readonly framer: MessageFramer;
  private done = false;
  private closeTimer: NodeJS.Timeout | undefined;
  messagesIn = 0;
  messagesOut = 0;
  /** Resolves once the socket is fully closed. */
  readonly whenClosed: Promise<void>;

  constructor(
    readonly socket: net.Socket,
    readonly direction: 'in' | 'out',
  ) {
    this.framer = new MessageFramer();
    this.whenClosed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.sink?.writable());
    socket.on('error', (err) => this.finish(`socket error: ${err.message}`));
    socket.on('end', () => this.finish('connection closed by peer'));
    socket.on('close', () => this.finish('connection closed'));
  }

  /** Start delivering messages to `sink`. */
  attach(sink: TransportSink): void {
    this.sink = sink;
  }

  get localAddress(): string {
    return plainAddress(this.socket.localAddress);
  }
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }
  get remoteAddress(): string {
    return plainAddress(this.socket.remoteAddress);
  }
  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }
  get closed(): boolean {
    return this.done;
  }

  /** Allow messages up to 65535 octets (RFC 8654) once both sides advertised it. */
  setExtendedMessages(enabled: boolean): void {
    this.framer.setExtendedMessage(enabled);
  }

  // ===== out =====

  /** Write a control message now, whatever the buffer level (KEEPALIVE and NOTIFICATION must go out). */
  sendControl(message: Uint8Array): void {
    if (this.done || this.socket.destroyed) return;
    this.messagesOut++;
    this.socket.write(message);
  }

  /** Whether an UPDATE producer may write more now. */
  get canSendUpdates(): boolean {
    return !this.done && !this.socket.destroyed && !this.socket.writableNeedDrain;
  }

  /** Write an UPDATE; returns whether more may follow before `writable()`. */
  sendUpdate(message: Uint8Array): boolean {
    if (this.done || this.socket.destroyed) return false;
    this.messagesOut++;
    return this.socket.write(message);
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** Flush what was written (a NOTIFICATION), then close; destroy after `graceMs` at the latest. */
  close(graceMs = 1000): void {
    this.sink = undefined;
    if (this.done) return;
    this.done = true;
    if (this.socket.destroyed) return;
    this.socket.end();
    this.closeTimer = setTimeout(() => this.socket.destroy(), graceMs);
    this.closeTimer.unref();
    this.socket.once('close', () => clearTimeout(this.closeTimer));
  }

  /** Close at once, dropping anything unsent. */
  destroy(): void {
    this.sink = undefined;
    this.done = true;
    this.socket.destroy();
  }

  // ===== in =====

  private onData(chunk: Buffer): void {
    if (this.done) return;
    const error = this.framer.feed(chunk, (message) => {
      if (this.done) return;
      this.messagesIn++;
      this.sink?.message(message[18]!, message);
    });
    if (error && !this.done) {
      this.socket.pause();
      this.sink?.headerError(error);
    }
  }

  private finish(reason: string): void {
    if (this.done) return;
    this.done = true;
    const sink = this.sink;
    this.sink = undefined;
    sink?.closed(reason);
  }
}

// ===== outgoing connections =====

export interface DialOptions {
  host: string;
  port: number;
  localAddress?: string;
  /** Give up after this long (the ConnectRetryTimer also bounds an attempt). */
  timeoutMs?: number;
}

export interface DialHandle {
  abort(): void;
}

/** Open a TCP connection; exactly one of `connected` / `failed` is called unless aborted first. */
export function dial(
  options: DialOptions,
  connected: (t: Transport) => void,
  failed: (reason: string) => void,
): DialHandle {
  let settled = false;
  const socket = net.connect({
    host: options.host,
    port: options.port,
    ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
  });
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => fail(`connect timeout after ${options.timeoutMs} ms`), options.timeoutMs)
      : undefined;
  timer?.unref();
  const fail = (reason: string): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.destroy();
    failed(reason);
  };
  socket.once('error', (err) => fail(err.message));
  socket.once('connect', () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.removeAllListeners('error');
    connected(new Transport(socket, 'out'));
  });
  return {
    abort(): void {
      settled = true;
      clearTimeout(timer);
      socket.destroy();
    },
  };
}

// ===== listeners =====

export interface Listener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Accept BGP connections on one address and port; each accepted socket goes to `accept`. */
export function listen(
  address: string,
  port: number,
  accept: (socket: net.Socket) => void,
): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ noDelay: true }, accept);
    server.once('error', reject);
    server.listen({ host: address, port, ipv6Only: net.isIPv6(address) && address !== '::' }, () => {
      server.removeListener('error', reject);
      server.on('error', () => undefined);
      const bound = server.address();
      resolve({
        address,
        port: typeof bound === 'object' && bound ? bound.port : port,
        // Stop accepting at once; connections already handed to sessions are theirs to close.
        close: async () => {
          server.close();
        },
      });
    });
  });
}
