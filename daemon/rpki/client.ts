// The RTR client of the daemon: the socket side of session.ts. It keeps one TCP connection to the
// configured RPKI cache, feeds what arrives through the framer into the session machine and carries out
// its actions (send, close, timers on the daemon's clock, the VRP changes handed to `onChange`). A
// connection that fails or closes is opened again after the reconnect delay, or at once for a version
// fallback; the VRPs held stay usable meanwhile, until the Expire timer of the last End of Data fires.
import net from 'node:net';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../log.js';
import { RtrFramer } from './framer.js';
import { encodePdu, type RtrTimers, type RtrVersion, type Vrp } from './pdu.js';
import { RtrSession, type RtrAction, type RtrTimer } from './session.js';
import type { VrpTable } from './vrp-table.js';

export interface RtrClientOptions {
  readonly address: string;
  readonly port: number;
  readonly timers: RtrTimers;
  readonly keepTimers: boolean;
  /** Seconds between a connection lost (or refused) and the next attempt. */
  readonly reconnect: number;
  readonly version?: RtrVersion;
  readonly table: VrpTable;
  readonly clock: Clock;
  readonly log: Logger;
  /** VRPs were added or removed (the table has them already). */
  readonly onChange: (vrps: readonly Vrp[], reason: string) => void;
}

export interface RtrStatus {
  readonly connected: boolean;
  readonly version: RtrVersion;
  readonly sessionId: number | undefined;
  readonly serial: number | undefined;
  readonly vrps: number;
}

export class RtrClient {
  private readonly session: RtrSession;
  private socket: net.Socket | undefined;
  private readonly timers = new Map<RtrTimer | 'reconnect', TimerHandle>();
  private stopped = true;

  constructor(private readonly options: RtrClientOptions) {
    const sessionOptions = { timers: options.timers, keepTimers: options.keepTimers };
    this.session = new RtrSession(
      options.table,
      options.version === undefined ? sessionOptions : { ...sessionOptions, version: options.version },
    );
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Close the connection and stop every timer (the table keeps what it holds). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.options.clock.clearTimer(t);
    this.timers.clear();
    this.socket?.destroy();
    this.socket = undefined;
  }

  status(): RtrStatus {
    return {
      connected: this.session.phase !== 'down',
      version: this.session.version,
      sessionId: this.session.sessionId,
      serial: this.session.serial,
      vrps: this.options.table.size,
    };
  }

  private connect(): void {
    if (this.stopped) return;
    const { address, port, log } = this.options;
    const socket = net.createConnection({ host: address, port });
    const framer = new RtrFramer();
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      log.info({ address, port, version: this.session.version }, 'rpki cache connected');
      this.run(this.session.connected());
    });
    socket.on('data', (chunk: Buffer) => {
      for (const framed of framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))) {
        if (this.socket !== socket) return;
        this.run(this.session.received(framed));
      }
    });
    socket.on('error', (err) =>
      log.info({ address, port, err: err.message }, 'rpki cache connection failed'),
    );
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.run(this.session.closed());
      this.scheduleReconnect(this.options.reconnect);
    });
  }

  private scheduleReconnect(seconds: number): void {
    if (this.stopped || this.timers.has('reconnect')) return;
    this.set('reconnect', seconds, () => this.connect());
  }

  /** Carry out the session's actions in order. */
  private run(actions: readonly RtrAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'send':
          this.socket?.write(encodePdu(a.pdu));
          break;
        case 'close': {
          const socket = this.socket;
          this.socket = undefined;
          this.run(this.session.closed());
          if (socket) socket.end(() => socket.destroy());
          this.scheduleReconnect(a.reconnect === 'now' ? 0 : this.options.reconnect);
          break;
        }
        case 'set-timer': {
          const timer = a.timer;
          this.set(timer, a.seconds, () => this.run(this.session.timer(timer)));
          break;
        }
        case 'clear-timer':
          this.clear(a.timer);
          break;
        case 'changed':
          this.options.onChange(a.vrps, a.reason);
          break;
        case 'log':
          this.options.log[a.level](a.fields, a.message);
          break;
      }
    }
  }

  private set(timer: RtrTimer | 'reconnect', seconds: number, fire: () => void): void {
    this.clear(timer);
    this.timers.set(
      timer,
      this.options.clock.setTimer(seconds * 1000, () => {
        this.timers.delete(timer);
        fire();
      }),
    );
  }

  private clear(timer: RtrTimer | 'reconnect'): void {
    const t = this.timers.get(timer);
    if (t !== undefined) this.options.clock.clearTimer(t);
    this.timers.delete(timer);
  }
}
