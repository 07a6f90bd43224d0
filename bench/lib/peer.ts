// A minimal active BGP-4 session for benchmarks and differential tests: connect over TCP, exchange OPENs
// (4-octet AS, IPv4/IPv6 unicast, optional extended messages), keep KEEPALIVEs going, and hand every
// received UPDATE to a callback as bytes. No FSM beyond what a test peer needs: any NOTIFICATION, framing
// error or socket error ends the session and is reported through `closed`. Used by the feeder and the
// monitor (bench/lib/feeder.ts, bench/lib/monitor.ts) against xbgpd, BIRD and FRR alike. Once Established
// it records the largest silence from the DUT: the longest time between two reads of its bytes, which
// is what the hold timer sees (RFC 4271 4.4: KEEPALIVE or UPDATE restart it; a session that gets no
// UPDATEs sees only KEEPALIVEs).
import { connect, type Socket } from 'node:net';
import {
  KEEPALIVE,
  MessageFramer,
  MessageType,
  decodeOpen,
  decodeNotification,
  encodeMessage,
  makeExtendedMessageCapability,
  makeFourOctetAs,
  makeMultiprotocol,
  makeOpen,
  makeRouteRefreshCapability,
  notificationName,
  type Capability,
  type HeaderError,
  type OpenMessage,
} from '../../daemon/wire/index.js';
import { InputGate } from '../../daemon/session/transport.js';

/**
 * Shared by the sessions of the process (the daemon's gate): a monitor flooded with UPDATEs hands them
 * on 10 ms per turn, so that the other sessions' reads (and their silence figures) and the KEEPALIVE
 * timers are not held up behind it.
 */
const gate = new InputGate(10);

export interface PeerOptions {
  /** The DUT's address and port. */
  host: string;
  port: number;
  /** Our source address (e.g. 127.0.0.2 on loopback, so the DUT can tell feeder and monitor apart). */
  localAddress?: string;
  asn: number;
  /** BGP Identifier, dotted quad. */
  routerId: string;
  /** Proposed hold time (s); KEEPALIVEs go every third of the negotiated one. Default 90. */
  holdTime?: number;
  /** Offer RFC 8654 extended messages. Default false. */
  extendedMessage?: boolean;
  /** Also offer IPv6 unicast. Default false. */
  ipv6?: boolean;
  /** Give up connecting/establishing after this long (ms). Default 15000. */
  establishTimeoutMs?: number;
}

/** Called with each UPDATE message (header included); `bytes` is valid during the call only. */
export type UpdateHandler = (bytes: Uint8Array) => void;

function ipv4Number(text: string): number {
  const p = text.split('.').map(Number);
  return (((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!) >>> 0;
}

export class BgpTestPeer {
  private socket: Socket | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private readonly framer = new MessageFramer(false);
  private onUpdate: UpdateHandler = () => {};
  /** The DUT's OPEN, once received. */
  remoteOpen: OpenMessage | undefined;
  /** Negotiated hold time (s). */
  holdTime = 0;
  /** Set when the session ended, with the reason (NOTIFICATION text, socket error, "closed"). */
  closeReason: string | undefined;
  readonly closed: Promise<string>;
  private resolveClosed!: (reason: string) => void;
  /** hrtime (ns) of the last read that brought a message from the DUT; 0n before Established. */
  private lastMessageNs = 0n;
  /** Largest time (ms) between two reads that brought messages from the DUT, since `resetGaps`. */
  maxSilenceMs = 0;
  /** hrtime (ns) at which the largest silence ended (0n: none yet). */
  maxSilenceEndNs = 0n;

  constructor(readonly options: PeerOptions) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
  }

  /** Start a new measuring span for `maxSilenceMs`; a silence under way goes on counting from its start. */
  resetGaps(): void {
    this.maxSilenceMs = 0;
    this.maxSilenceEndNs = 0n;
  }

  /** The largest silence so far including the current one (a DUT that stopped talking shows here). */
  silenceUpToNowMs(): number {
    if (this.lastMessageNs === 0n || this.closeReason !== undefined) return this.maxSilenceMs;
    return Math.max(this.maxSilenceMs, Number(process.hrtime.bigint() - this.lastMessageNs) / 1e6);
  }

  private noteMessage(now: bigint): void {
    if (this.lastMessageNs !== 0n) {
      const gap = Number(now - this.lastMessageNs) / 1e6;
      if (gap > this.maxSilenceMs) {
        this.maxSilenceMs = gap;
        this.maxSilenceEndNs = now;
      }
    }
    this.lastMessageNs = now;
  }

  /** Set the UPDATE callback (may be changed at any time). */
  handleUpdates(handler: UpdateHandler): void {
    this.onUpdate = handler;
  }

  /** Connect, exchange OPEN and KEEPALIVE; resolves when Established. */
  establish(): Promise<void> {
    const o = this.options;
    const timeoutMs = o.establishTimeoutMs ?? 15000;
    return new Promise((resolve, reject) => {
      let established = false;
      const timer = setTimeout(
        () => fail(`no session with ${o.host}:${o.port} after ${timeoutMs} ms`),
        timeoutMs,
      );
      const fail = (reason: string): void => {
        clearTimeout(timer);
        this.close(reason);
        if (!established) reject(new Error(reason));
      };
      const socket = connect({
        host: o.host,
        port: o.port,
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('error', (e) => fail(`socket: ${e.message}`));
      socket.on('close', () => fail('closed by the DUT'));
      socket.on('connect', () => {
        const capabilities: Capability[] = [
          makeMultiprotocol(1, 1),
          makeRouteRefreshCapability(),
          makeFourOctetAs(o.asn),
        ];
        if (o.ipv6) capabilities.push(makeMultiprotocol(2, 1));
        if (o.extendedMessage) capabilities.push(makeExtendedMessageCapability());
        const open = makeOpen({
          myAs: o.asn,
          holdTime: o.holdTime ?? 90,
          bgpId: ipv4Number(o.routerId),
          capabilities,
        });
        socket.write(encodeMessage(open));
      });
      const handle = (m: Uint8Array | HeaderError): void => {
        if (!(m instanceof Uint8Array)) return fail(`bad message header from the DUT: ${m.reason}`);
        const type = m[18];
        if (type === MessageType.Update) {
          this.onUpdate(m);
        } else if (type === MessageType.Keepalive) {
          if (!established) {
            established = true;
            clearTimeout(timer);
            this.startKeepalives();
            this.lastMessageNs = process.hrtime.bigint();
            resolve();
          }
        } else if (type === MessageType.Open) {
          const r = decodeOpen(m.subarray(19));
          if (!r.ok) return fail(`bad OPEN from the DUT: ${r.error.reason}`);
          this.remoteOpen = r.message;
          this.holdTime = Math.min(o.holdTime ?? 90, r.message.holdTime);
          const extended =
            o.extendedMessage === true && r.message.capabilities.some((c) => c.type === 'extended-message');
          this.framer.setExtendedMessage(extended);
          socket.write(encodeMessage(KEEPALIVE));
        } else if (type === MessageType.Notification) {
          const r = decodeNotification(m.subarray(19));
          const text = r.ok ? notificationName(r.message.code, r.message.subcode) : 'malformed NOTIFICATION';
          return fail(`NOTIFICATION from the DUT: ${text}`);
        }
      };
      // Messages are handled within the gate's budget per turn; the rest waits in the framer, reading paused.
      const deliver = (): boolean => {
        for (;;) {
          if (this.closeReason !== undefined) return true;
          if (!gate.open()) return false;
          const m = this.framer.next();
          if (m === undefined) return true;
          handle(m);
        }
      };
      let held = false;
      socket.on('data', (chunk: Buffer) => {
        // Heard from the DUT when the bytes are read, whatever waits before them.
        if (established) this.noteMessage(process.hrtime.bigint());
        this.framer.push(chunk);
        if (held || deliver()) return;
        held = true;
        socket.pause();
        gate.later(() => {
          if (!deliver()) return false;
          held = false;
          if (this.closeReason === undefined) socket.resume();
          return true;
        });
      });
    });
  }

  private startKeepalives(): void {
    if (this.holdTime === 0) return;
    const every = Math.max(1000, (this.holdTime * 1000) / 3);
    const keepalive = encodeMessage(KEEPALIVE);
    this.keepaliveTimer = setInterval(() => this.socket?.write(keepalive), every);
    this.keepaliveTimer.unref();
  }

  /** Queue bytes (whole messages) on the socket; resolves when the kernel has taken them (drain). */
  write(bytes: Uint8Array): Promise<void> | undefined {
    const socket = this.socket;
    if (!socket || this.closeReason !== undefined)
      throw new Error(`session down: ${this.closeReason ?? 'not connected'}`);
    if (socket.write(bytes)) return undefined;
    return this.drained(socket);
  }

  /** Resolves once everything written so far has left our user-space buffer. */
  flushed(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.writableLength === 0 || this.closeReason !== undefined) return Promise.resolve();
    return this.drained(socket);
  }

  /** Resolves on 'drain' or when the session ends (then the caller checks closeReason). */
  private drained(socket: Socket): Promise<void> {
    return new Promise((resolve) => {
      socket.once('drain', resolve);
      void this.closed.then(() => resolve());
    });
  }

  /** End the session (a plain TCP close: the DUT sees the connection drop). */
  close(reason = 'closed by us'): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    if (this.closeReason === undefined) {
      this.closeReason = reason;
      this.resolveClosed(reason);
    }
    this.socket?.destroy();
  }
}
