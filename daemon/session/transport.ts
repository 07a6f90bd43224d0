// The only net.Socket code of the daemon: listeners, outgoing connections, framing in, writes out.
// In: bytes go through the wire MessageFramer; each whole BGP message is handed to the sink, a framing
// (header) error stops reading. Out: control messages (OPEN, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH)
// are always written at once; UPDATE producers ask `canSendUpdates` and wait for `writable()` when the
// socket's buffer is over its high-water mark, so a slow peer never makes us buffer without bound.
//
// TTL: Node.js has no API for IP_TTL / IPV6_UNICAST_HOPS / IP_MINTTL on a TCP socket; the native addon
// (daemon/native/sockopt.ts) sets them on the socket's descriptor. `ttlSettingsFor` is the policy (direct
// eBGP TTL 1, `multihop` N, GTSM), `Transport.applyTtl` applies it to a connected socket (every
// connection, before our OPEN). `dial` with `DialOptions.ttl` sets it before the SYN already; without
// it the handshake of an outgoing connection uses the system default TTL. Listeners send their
// SYN-ACKs with TTL 255, as GTSM peers require (FRR does the same); accepted sockets inherit that until
// `applyTtl`.
import net from 'node:net';
import util from 'node:util';
import { MessageFramer } from '../wire/index.js';
import type { HeaderError } from '../wire/index.js';
import type { PeerConfig } from '../config/types.js';
import { errorCodes } from '../errors.js';
import {
  errnoName,
  getMinTtl,
  getTtl,
  setMinTtl,
  setTtl,
  socketFd,
  sockoptAvailable,
} from '../native/sockopt.js';
import type { IpFamily } from '../native/sockopt.js';

export interface TransportSink {
  /** One whole BGP message (header included); `type` is the header's type octet. */
  message(type: number, message: Uint8Array): void;
  /** A message header error (RFC 4271 6.1); nothing more is read after it. */
  headerError(error: HeaderError): void;
  /** Whether messages of types other than 1..5 are delivered to `message` (else a header error). */
  readonly unknownTypes?: boolean;
  /** The connection closed or failed; called once. */
  closed(reason: string): void;
  /** The write buffer drained below its high-water mark: UPDATE producers may continue. */
  writable(): void;
  /** The messages read in one go have been handed over (`message` was called for each of them). */
  delivered(): void;
}

/** Normalise an address as seen on a socket: IPv4-mapped IPv6 becomes plain IPv4. */
export function plainAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

// ===== TTL policy =====

/** What the socket of one peer's connections is set to. */
export interface TtlSettings {
  /** TTL / hop limit of the packets we send, 1..255. */
  ttl: number;
  /** GTSM: the smallest TTL accepted from the peer (IP_MINTTL / IPV6_MINHOPCOUNT); absent = no check. */
  minTtl?: number;
}

/** Largest IPv4 TTL / IPv6 hop limit. */
export const MAX_TTL = 255;

/**
 * The TTL settings for a peer's connections.
 * - `ttl-security` (RFC 5082 GTSM), section 3: "Set the outbound TTL for the protocol connection to
 *   255", and drop what arrives with a TTL below 256 - hops, hops being the distance to the peer:
 *   `multihop` or 1 for a directly connected peer, whose packets must then arrive with 255 (FRR's
 *   `ttl-security hops N` counts the same way).
 * - `multihop: N`: TTL N (eBGP, and iBGP when set explicitly, as BIRD does).
 * - eBGP without `multihop`: TTL 1, so the session only comes up with a directly connected peer. RFC
 *   4271 has no such rule; it is what BIRD and FRR do for direct eBGP.
 * - iBGP: 255, as FRR does. Always set explicitly: an accepted socket would otherwise inherit the
 *   listener's TTL (255) while a dialled one had the system default (64).
 */
export function ttlSettingsFor(
  peer: Pick<PeerConfig, 'asn' | 'multihop' | 'ttlSecurity'>,
  localAsn: number,
): TtlSettings {
  if (peer.ttlSecurity) return { ttl: MAX_TTL, minTtl: MAX_TTL + 1 - (peer.multihop ?? 1) };
  if (peer.multihop !== undefined) return { ttl: peer.multihop };
  return { ttl: peer.asn === localAsn ? MAX_TTL : 1 };
}

/** Why TTL settings could not be applied: the addon is missing, or a setsockopt failed (errno text). */
export type TtlFailure = { reason: 'unavailable'; detail: string } | { reason: 'setsockopt'; detail: string };

/** Stable codes of the TTL warnings logged by the session (log field `code`). */
export const ttlErrorCodes = {
  /** The native addon is not built: no TTL control in this process (logged once). */
  unavailable: errorCodes.ERR_BGP_TTL_UNAVAILABLE,
  /** setsockopt failed on one connection; it continues with the system default. */
  setsockopt: errorCodes.ERR_BGP_TTL,
} as const;

/** The socket's address family for socket options: 6 for AF_INET6 sockets, IPv4-mapped peers included. */
function socketFamily(socket: net.Socket): IpFamily {
  return net.isIPv6(socket.localAddress ?? '') ? 6 : 4;
}

/** Which family's options govern the peer's packets: IPv4 for IPv4 and IPv4-mapped peers. */
function trafficFamily(socket: net.Socket): IpFamily {
  return net.isIPv4(plainAddress(socket.remoteAddress)) ? 4 : 6;
}

/** Send SYN-ACKs of a listening socket with TTL 255 (GTSM peers drop anything less); best effort. */
function setListenerTtl(server: net.Server, address: string): void {
  const fd = socketFd(server);
  if (sockoptAvailable && fd >= 0) setTtl(fd, net.isIPv6(address) ? 6 : 4, MAX_TTL);
}

// ===== input, shared among connections =====

/**
 * Shares the time spent on received messages among all connections, per turn of the event loop. Once
 * a turn has spent `budgetMs` on them, a connection stops where it is (its socket paused, what was read
 * left in its framer) and goes on in a later turn, in arrival order, so that timers (KEEPALIVE, hold
 * timers) and the RDE's deferred work run in between. Without it, libuv's poll phase reads every ready
 * socket (up to 32 reads of 64 KiB each) in one turn: 100 feeders announcing together held the loop for
 * seconds, and KEEPALIVEs left late (`bench/manypeers.ts`).
 */
export class InputGate {
  /** When the current turn began spending (-1: not yet). */
  private turnStart = -1;
  /** Octets handed over since the clock was last read, and what `open` answered then. */
  private unclocked = 0;
  private lastOpen = true;
  /** Connections with messages left, each run once per turn until it reports that it is finished. */
  private waiting: (() => boolean)[] = [];
  private scheduled = false;

  constructor(
    readonly budgetMs = 20,
    private readonly now: () => number = () => performance.now(),
    private readonly defer: (fn: () => void) => void = (fn) => setImmediate(fn),
    /** Octets handed over between two reads of the clock within a turn (0: a read per call). */
    private readonly clockEveryOctets = CLOCK_EVERY_OCTETS,
  ) {}

  /**
   * Whether this turn has budget left; the turn's clock starts at the first call. `octets`: what was
   * handed over since the last call: within a turn the clock is read again once `clockEveryOctets` have
   * gone by, not per message (in the DUT's profile a read cost about as much as framing a small UPDATE).
   */
  open(octets = 0): boolean {
    if (this.turnStart >= 0 && (this.unclocked += octets) < this.clockEveryOctets) return this.lastOpen;
    this.unclocked = 0;
    const now = this.now();
    if (this.turnStart < 0) {
      this.turnStart = now;
      this.defer(() => (this.turnStart = -1));
    }
    return (this.lastOpen = now - this.turnStart < this.budgetMs);
  }

  /** Call `resume` on later turns (after the connections already waiting) until it returns true. */
  later(resume: () => boolean): void {
    this.waiting.push(resume);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    // A budget of its own after the reads of this turn, so that the connections waiting always advance
    // (at most twice the budget between two runs of the timers).
    this.turnStart = -1;
    const turn = this.waiting;
    this.waiting = [];
    let i = 0;
    for (; i < turn.length && this.open(); i++) if (!turn[i]!()) this.waiting.push(turn[i]!);
    // Those not reached this turn go first next time.
    this.waiting = [...turn.slice(i), ...this.waiting];
    if (this.waiting.length > 0) this.schedule();
  }
}

/** Octets of messages handed over between two reads of the input gate's clock. */
const CLOCK_EVERY_OCTETS = 16384;

/** The gate of the daemon's connections. */
const sharedGate = new InputGate();

/** At most this many octets of adjacent UPDATEs are joined into one piece for the socket. */
const MAX_JOINED = 256 * 1024;

// ===== Transport =====

export class Transport {
  private sink: TransportSink | undefined;
  private readonly framer: MessageFramer;
  private done = false;
  /** Waiting at the gate with messages left in the framer (the socket paused meanwhile). */
  private held = false;
  /** After a header error: nothing more is read. */
  private stopped = false;
  private closeTimer: NodeJS.Timeout | undefined;
  /** In `batch`: UPDATEs written, not yet handed to the socket (pending's buffer up to pendingEnd). */
  private batching = false;
  private pending: Uint8Array | undefined = undefined;
  private pendingEnd = 0;
  messagesIn = 0;
  messagesOut = 0;
  /** Resolves once the socket is fully closed. */
  readonly whenClosed: Promise<void>;

  constructor(
    readonly socket: net.Socket,
    readonly direction: 'in' | 'out',
    private readonly gate: InputGate = sharedGate,
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
    this.framer.setUnknownTypes(sink.unknownTypes === true);
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

  /** Set the TTL (and GTSM minimum TTL) of this connection's socket; undefined when done. */
  applyTtl(settings: TtlSettings): TtlFailure | undefined {
    if (!sockoptAvailable) return { reason: 'unavailable', detail: 'native addon not loaded' };
    const fd = socketFd(this.socket);
    if (fd < 0) return { reason: 'setsockopt', detail: 'no file descriptor (socket._handle.fd)' };
    const family = socketFamily(this.socket);
    const sent = setTtl(fd, family, settings.ttl);
    if (sent < 0) return { reason: 'setsockopt', detail: `IP_TTL ${settings.ttl}: ${errnoName(sent)}` };
    if (settings.minTtl === undefined) return undefined;
    const min = setMinTtl(fd, family, settings.minTtl);
    if (min < 0) return { reason: 'setsockopt', detail: `IP_MINTTL ${settings.minTtl}: ${errnoName(min)}` };
    return undefined;
  }

  /** The socket's TTL settings as the kernel reports them (minTtl 0 = none); undefined without the
   *  addon or a descriptor. For tests and state dumps. */
  readTtl(): { ttl: number; minTtl: number } | undefined {
    const fd = socketFd(this.socket);
    if (!sockoptAvailable || fd < 0) return undefined;
    const family = trafficFamily(this.socket);
    const ttl = getTtl(fd, family);
    const minTtl = getMinTtl(fd, family);
    return ttl < 0 || minTtl < 0 ? undefined : { ttl, minTtl };
  }

  /** Allow messages up to 65535 octets (RFC 8654) once both sides advertised it. */
  setExtendedMessages(enabled: boolean): void {
    this.framer.setExtendedMessage(enabled);
  }

  // ===== out =====

  /** Write a control message now, whatever the buffer level (KEEPALIVE and NOTIFICATION must go out). */
  sendControl(message: Uint8Array): void {
    if (this.done || this.socket.destroyed) return;
    this.flushPending(); // after the UPDATEs written before it
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
    if (!this.batching) return this.socket.write(message);
    // In a batch, a message that lies right after the pending ones in the same buffer (the RDE writes its
    // UPDATEs side by side) joins them: one piece for the socket instead of one per message.
    const pending = this.pending;
    if (
      pending !== undefined &&
      message.buffer === pending.buffer &&
      message.byteOffset === this.pendingEnd &&
      this.pendingEnd - pending.byteOffset < MAX_JOINED
    ) {
      this.pendingEnd += message.length;
      return true;
    }
    const more = this.flushPending();
    this.pending = message;
    this.pendingEnd = message.byteOffset + message.length;
    return more;
  }

  /**
   * Run `fn` with the socket corked, so the messages it writes reach the kernel in one writev (one
   * syscall and write request per batch instead of per message), adjacent ones joined into one piece
   * (sendUpdate). The bytes are the same.
   */
  batch(fn: () => void): void {
    const socket = this.socket;
    if (this.batching) return fn();
    socket.cork();
    this.batching = true;
    try {
      fn();
    } finally {
      this.batching = false;
      if (!this.done && !socket.destroyed) this.flushPending();
      this.pending = undefined;
      socket.uncork();
    }
  }

  /** Hand the joined messages of the batch to the socket; whether it takes more. */
  private flushPending(): boolean {
    const pending = this.pending;
    if (pending === undefined) return true;
    this.pending = undefined;
    const joined =
      this.pendingEnd === pending.byteOffset + pending.length
        ? pending
        : new Uint8Array(pending.buffer, pending.byteOffset, this.pendingEnd - pending.byteOffset);
    return this.socket.write(joined);
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedBytes(): number {
    const pending = this.pending === undefined ? 0 : this.pendingEnd - this.pending.byteOffset;
    return this.socket.writableLength + pending;
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
    if (this.done || this.stopped) return;
    this.framer.push(chunk);
    if (this.held || this.deliver()) return;
    this.held = true;
    this.socket.pause();
    this.gate.later(() => {
      if (!this.deliver()) return false;
      this.held = false;
      if (!this.done && !this.stopped) this.socket.resume();
      return true;
    });
  }

  /** Hand whole messages to the sink while the gate allows; false when some are left for later. */
  private deliver(): boolean {
    const all = this.deliverSome();
    this.sink?.delivered();
    return all;
  }

  private deliverSome(): boolean {
    // The length of the message handed over last: what the gate has not been told of yet.
    let octets = 0;
    for (;;) {
      if (this.done || this.stopped) return true;
      if (!this.gate.open(octets)) return false;
      const m = this.framer.next();
      if (m === undefined) return true;
      if (!(m instanceof Uint8Array)) {
        this.stopped = true;
        this.socket.pause();
        this.sink?.headerError(m);
        return true;
      }
      this.messagesIn++;
      octets = m.length;
      this.sink?.message(m[18]!, m);
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
  /** TTL settings (`ttlSettingsFor`) to put on the socket before the SYN is sent. Without them, or
   *  without the addon, the connection gets the system default until `Transport.applyTtl`. */
  ttl?: TtlSettings;
}

export interface DialHandle {
  abort(): void;
}

/** The libuv TCP handle behind a net.Socket (Node internals, like `_handle.fd`). */
interface TcpHandle {
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
}

/**
 * Give a connecting socket its descriptor and TTL before Node issues connect(). `net.connect` creates
 * the handle at once but connects on the next tick, and libuv creates the descriptor only at bind or
 * connect: binding here (to `localAddress`, or the wildcard address with port 0, which leaves source
 * address selection to the route as before) creates it, so the SYN already carries the TTL and a GTSM
 * peer's listener (IP_MINTTL) accepts it. Returns an error text, or undefined.
 */
function prepareBeforeConnect(
  socket: net.Socket,
  family: IpFamily,
  localAddress: string | undefined,
  ttl: TtlSettings,
): string | undefined {
  const handle = (socket as unknown as { _handle?: TcpHandle | null })._handle;
  if (!handle || typeof handle.bind !== 'function') return undefined; // nothing to do early: adopt sets it
  const address = localAddress ?? (family === 6 ? '::' : '0.0.0.0');
  const err = family === 6 ? handle.bind6(address, 0, 0) : handle.bind(address, 0);
  if (err) return `bind ${address}: ${util.getSystemErrorName(err)}`;
  const fd = socketFd(socket);
  if (fd >= 0) {
    setTtl(fd, family, ttl.ttl);
    if (ttl.minTtl !== undefined) setMinTtl(fd, family, ttl.minTtl);
  }
  return undefined;
}

/** Open a TCP connection; exactly one of `connected` / `failed` is called (never synchronously)
 *  unless aborted first. */
export function dial(
  options: DialOptions,
  connected: (t: Transport) => void,
  failed: (reason: string) => void,
): DialHandle {
  let settled = false;
  const family = net.isIP(options.host);
  const early = options.ttl !== undefined && sockoptAvailable && family !== 0;
  const socket = net.connect({
    host: options.host,
    port: options.port,
    ...(options.localAddress !== undefined && !early ? { localAddress: options.localAddress } : {}),
  });
  const earlyError = early
    ? prepareBeforeConnect(socket, family as IpFamily, options.localAddress, options.ttl!)
    : undefined;
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
  if (earlyError !== undefined) {
    socket.destroy(); // before its connect() runs on the next tick
    setImmediate(() => fail(earlyError));
  }
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
      setListenerTtl(server, address);
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
