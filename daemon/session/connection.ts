// One BGP connection: an RFC 4271 FSM instance (fsm.ts), its TCP transport and its timers. It turns
// socket input and timer expiries into FSM events and carries out the FSM's actions. What concerns the
// peer as a whole (collision detection, restart with back-off, routes, announcements) is delegated to
// the owning Session through `ConnectionHost`. Events raised while actions run are queued, so every
// transition completes before the next starts.
import {
  transition,
  type Fsm,
  type FsmAction,
  type FsmEvent,
  type FsmOptions,
  type State,
  type TimerName,
  initialFsm,
  type NotificationSpec,
  CEASE,
} from './fsm.js';
import type { Clock, TimerHandle } from '../clock.js';
import {
  ttlErrorCodes,
  ttlSettingsFor,
  type Transport,
  type TransportSink,
  type DialHandle,
} from './transport.js';
import type { PeerConfig } from '../config/types.js';
import type { Negotiated, OpenSummary } from './negotiate.js';
import type { Logger } from '../log.js';
import type { HeaderError } from '../wire/index.js';
import {
  headerError,
  toNotification,
  writeHeader,
  HEADER_LENGTH,
  HeaderSubcode,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
} from '../wire/index.js';
import { ErrorCode, MessageType, OpenSubcode } from '../wire/index.js';
import type { UpdateMessage } from '../wire/index.js';
import type { NotificationMessage } from '../wire/index.js';
import type { RouteRefreshMessage } from '../wire/index.js';
import { codec } from './codec.js';

/** RFC 4271 8.2.2: "sets the HoldTimer to a large value ... A HoldTimer value of 4 minutes is suggested." */
export const LARGE_HOLD_TIME_S = 240;

/** What a Connection needs from its Session. */
export interface ConnectionHost {
  readonly log: Logger;
  /** The peer's configuration (TTL: its AS, `multihop`, `ttl-security`). */
  readonly peer: Pick<PeerConfig, 'asn' | 'multihop' | 'ttlSecurity'>;
  readonly clock: Clock;
  readonly fsmOptions: FsmOptions;
  /** Seconds for timers that do not depend on negotiation. */
  timerSeconds(timer: 'connectRetry' | 'delayOpen' | 'idleHold'): number;
  /** Whether this peer may dial out (false for passive peers). */
  readonly mayConnect: boolean;
  dial(conn: Connection): DialHandle;
  openToSend(): OpenSummary;
  /** Check a received OPEN and run collision detection; returns the event to feed. */
  openReceived(conn: Connection, open: OpenSummary): FsmEvent;
  established(conn: Connection): void;
  /**
   * An UPDATE to apply: `treatAsWithdraw` (RFC 7606) turns its announcements into withdrawals; `disable`
   * names the families to disable first (RFC 7606 "AFI/SAFI disable", RFC 4760 7).
   */
  updateReceived(
    conn: Connection,
    update: UpdateMessage,
    treatAsWithdraw: boolean,
    disable: readonly { afi: number; safi: number }[],
  ): void;
  routeRefreshReceived(conn: Connection, msg: RouteRefreshMessage): void;
  deleteRoutes(conn: Connection): void;
  trackSecondConnection(conn: Connection): void;
  notificationSent(conn: Connection, n: NotificationSpec): void;
  notificationReceived(conn: Connection, n: NotificationMessage): void;
  stateChanged(conn: Connection, from: State, to: State, event: FsmEvent): void;
  /** The UPDATE producer may continue (the socket drained). */
  writable(conn: Connection): void;
  /** Whether messages of types other than 1..5 are read (a plugin may handle them) or are header errors. */
  readonly customTypes: boolean;
  /** Every message received (bgp_decode_message); for a `custom` type, whether a plugin handled it. */
  messageReceived(conn: Connection, type: number, message: Uint8Array, custom: boolean): boolean;
  /** Every message sent (bgp_encode_message): the bytes to send instead (`message` unless `custom`). */
  messageSending(
    conn: Connection,
    type: number,
    message: Uint8Array,
    custom: boolean,
    maxLength: number,
  ): Uint8Array;
}

/** The events of every UPDATE and KEEPALIVE received (events are only read). */
const UPDATE_MSG: FsmEvent = Object.freeze({ name: 'UpdateMsg' });
const KEEPALIVE_MSG: FsmEvent = Object.freeze({ name: 'KeepAliveMsg' });
const NO_FAMILIES: readonly { afi: number; safi: number }[] = Object.freeze([]);

/** Whether xbgpd handles messages of this type itself (OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH). */
export function nativeMessageType(type: number): boolean {
  return type >= MessageType.Open && type <= MessageType.RouteRefresh;
}

let nextConnectionId = 1;
/** The missing-addon warning is logged once per process, not per connection. */
let ttlUnavailableLogged = false;

/** Our AS number as the OPEN we send carries it (the 4-octet AS capability holds the real one). */
function localAsnOf(open: OpenSummary): number {
  return open.capabilities.fourOctetAs ?? open.myAs;
}

export class Connection implements TransportSink {
  readonly id = nextConnectionId++;
  fsm: Fsm = initialFsm();
  transport: Transport | undefined;
  /** 'out' when we initiated the TCP connection (RFC 4271 6.8 collision resolution needs it). */
  direction: 'in' | 'out' | undefined;
  negotiated: Negotiated | undefined;
  remoteOpen: OpenSummary | undefined;
  /** Why the connection went down, for the "session down" log line. */
  lastError: string | undefined;
  private dialing: DialHandle | undefined;
  private readonly timers = new Map<TimerName, TimerHandle>();
  private readonly queue: FsmEvent[] = [];
  private running = false;
  /**
   * Handing over messages read in one go (from `message` to `delivered`); an UPDATE or KEEPALIVE came in
   * it while Established, and the HoldTimer is to be restarted at its end.
   */
  private reading = false;
  private holdOwed = false;
  /** In batchWrites; an UPDATE was sent in it and the KeepaliveTimer is to be restarted at its end. */
  private batching = false;
  private keepaliveOwed = false;
  /**
   * The UPDATE being handed to the FSM (UpdateMsg) for its processUpdate action, in fields: no object per
   * message.
   */
  private pendingUpdate: UpdateMessage | undefined;
  private pendingTreatAsWithdraw = false;
  private pendingDisable: readonly { afi: number; safi: number }[] = NO_FAMILIES;

  constructor(private readonly host: ConnectionHost) {}

  get state(): State {
    return this.fsm.state;
  }

  // ===== events in =====

  /** Feed one FSM event (queued if a transition is in progress). */
  fire(event: FsmEvent): void {
    if (this.running) {
      this.queue.push(event);
      return;
    }
    this.running = true;
    try {
      // The event first, then whatever its actions fired meanwhile (usually nothing: no queue traffic).
      this.step(event);
      for (let e = this.queue.shift(); e; e = this.queue.shift()) this.step(e);
    } finally {
      this.running = false;
    }
  }

  private step(event: FsmEvent): void {
    const from = this.fsm.state;
    const { next, actions } = transition(this.fsm, event, this.host.fsmOptions);
    this.fsm = next;
    // The IdleHoldTimer belongs to Idle: whatever starts the connection ends it (8.2.2 leaves it open).
    if (from === 'Idle' && next.state !== 'Idle') this.stopTimer('idleHold');
    for (let i = 0; i < actions.length; i++) this.execute(actions[i]!);
    if (next.state !== from) this.host.stateChanged(this, from, next.state, event);
  }

  /** Take an accepted or dialled transport as this connection's TCP connection. */
  adopt(transport: Transport): void {
    this.dialing?.abort();
    this.dialing = undefined;
    this.transport?.destroy();
    this.transport = transport;
    this.direction = transport.direction;
    transport.attach(this);
    this.applyTtl(transport);
  }

  /** TTL 1 for direct eBGP, `multihop`, 255 for iBGP, GTSM (transport.ts `ttlSettingsFor`), set before
   *  our OPEN goes out. Failure is a warning: the connection continues with the system default TTL. */
  private applyTtl(transport: Transport): void {
    const settings = ttlSettingsFor(this.host.peer, localAsnOf(this.host.openToSend()));
    const failure = transport.applyTtl(settings);
    if (!failure) return;
    if (failure.reason === 'unavailable') {
      if (ttlUnavailableLogged) return;
      ttlUnavailableLogged = true;
    }
    this.host.log.warn(
      {
        code: ttlErrorCodes[failure.reason],
        ttl: settings.ttl,
        minTtl: settings.minTtl,
        detail: failure.detail,
      },
      failure.reason === 'unavailable'
        ? 'no TTL control (native addon missing): sessions use the system default TTL'
        : 'cannot set the connection TTL',
    );
  }

  // TransportSink: socket input.

  get unknownTypes(): boolean {
    return this.host.customTypes;
  }

  message(type: number, message: Uint8Array): void {
    this.reading = true;
    try {
      this.dispatch(type, message);
    } catch (err) {
      // Peer input never throws; if handling it did, that is our bug. Contain it to this session:
      // log it and reset the session with a CEASE instead of taking the daemon down.
      this.host.log.error({ err, messageType: type }, 'internal error handling a message');
      this.lastError = 'internal error';
      this.queue.length = 0;
      this.running = false;
      this.fire({ name: 'AutomaticStop', notification: CEASE });
    }
  }

  private dispatch(type: number, message: Uint8Array): void {
    const custom = !nativeMessageType(type) && this.fsm.state === 'Established';
    const handled = this.host.messageReceived(this, type, message, custom);
    switch (type) {
      case MessageType.Open: {
        const decoded = codec.decodeOpen(message);
        if (!decoded.ok) {
          this.lastError = decoded.reason;
          this.fire({ name: 'BGPOpenMsgErr', notification: decoded.notification });
          return;
        }
        this.remoteOpen = decoded.open;
        this.fire(this.host.openReceived(this, decoded.open));
        return;
      }
      case MessageType.Keepalive:
        this.fire(KEEPALIVE_MSG);
        return;
      case MessageType.Notification: {
        const n = codec.decodeNotification(message);
        this.host.notificationReceived(this, n);
        this.lastError = 'notification received';
        // RFC 4271 8.1.2 Event 24: "An event is generated when a NOTIFICATION message with "version
        // error" is received."
        const versionError =
          n.code === ErrorCode.OpenMessage && n.subcode === OpenSubcode.UnsupportedVersionNumber;
        this.fire({ name: versionError ? 'NotifMsgVerErr' : 'NotifMsg' });
        return;
      }
      case MessageType.Update: {
        if (this.fsm.state !== 'Established' || !this.negotiated) {
          this.fire({ name: 'UpdateMsg' });
          return;
        }
        const result = codec.decodeUpdate(message, this.negotiated.decodeContext);
        if (!result.ok) {
          this.lastError = `UPDATE error: ${result.error.reason}`;
          this.fire({ name: 'UpdateMsgErr', notification: toNotification(result.error) });
          return;
        }
        const errors = result.errors;
        for (let i = 0; i < errors.length; i++) {
          const e = errors[i]!;
          this.host.log.warn({ code: e.code, action: e.action, reason: e.reason }, 'update error handled');
        }
        // afisafi-disable: the families named are disabled (RFC 4760 7), and what else the UPDATE
        // announces is treated as withdrawn (an error in one MP attribute leaves the rest in doubt).
        const treatAsWithdraw = result.action === 'treat-as-withdraw' || result.action === 'afisafi-disable';
        let disable: readonly { afi: number; safi: number }[] = NO_FAMILIES;
        if (result.action === 'afisafi-disable')
          disable = result.errors
            .filter((e) => e.action === 'afisafi-disable' && e.afi !== undefined && e.safi !== undefined)
            .map((e) => ({ afi: e.afi!, safi: e.safi! }));
        this.pendingUpdate = result.message;
        this.pendingTreatAsWithdraw = treatAsWithdraw;
        this.pendingDisable = disable;
        this.fire(UPDATE_MSG);
        this.pendingUpdate = undefined;
        this.pendingDisable = NO_FAMILIES;
        return;
      }
      case MessageType.RouteRefresh: {
        if (this.fsm.state !== 'Established') return;
        const result = codec.decodeRouteRefresh(message);
        if (!result.ok) {
          this.lastError = `ROUTE-REFRESH error: ${result.error.reason}`;
          // RFC 7313 5: an invalid ROUTE-REFRESH length resets the session with the NOTIFICATION.
          this.fire({ name: 'UpdateMsgErr', notification: toNotification(result.error) });
          return;
        }
        // ROUTE-REFRESH is a message of its own (RFC 2918), not an RFC 4271 FSM event; it does not
        // restart the HoldTimer either.
        this.host.routeRefreshReceived(this, result.message);
        return;
      }
      default:
        // RFC 4271 6.1: a type not recognised is a Bad Message Type error, with the type as data; a
        // plugin's bgp_decode_message may have handled it instead (custom types, Established only).
        if (handled && custom) return;
        this.headerError(
          headerError(
            'ERR_BGP_HEADER_TYPE',
            HeaderSubcode.BadMessageType,
            `type ${type}`,
            Uint8Array.of(type),
          ),
        );
    }
  }

  headerError(error: HeaderError): void {
    this.lastError = `header error: ${error.reason}`;
    this.fire({ name: 'BGPHeaderErr', notification: toNotification(error) });
  }

  closed(reason: string): void {
    this.lastError ??= reason;
    this.fire({ name: 'TcpConnectionFails' });
  }

  writable(): void {
    this.host.writable(this);
  }

  /**
   * The end of the messages read in one go: RFC 4271 8.2.2 restarts the HoldTimer on each KEEPALIVE and
   * UPDATE received in Established; within one go (the same instant for the timer) once, at its end.
   */
  delivered(): void {
    this.reading = false;
    if (!this.holdOwed) return;
    this.holdOwed = false;
    if (this.fsm.state === 'Established' && this.timers.has('hold')) this.startTimer('hold');
  }

  // ===== sending =====

  /** The largest message this connection may send (RFC 8654 once negotiated). */
  get maxMessageLength(): number {
    return this.negotiated?.extendedMessage === true ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
  }

  /** A message as it goes out, after bgp_encode_message. */
  private outgoing(bytes: Uint8Array, custom = false): Uint8Array {
    return this.host.messageSending(this, bytes[18]!, bytes, custom, this.maxMessageLength);
  }

  sendUpdate(update: UpdateMessage): boolean {
    if (!this.transport || this.fsm.state !== 'Established') return false;
    const more = this.transport.sendUpdate(
      this.outgoing(codec.encodeUpdate(update, this.negotiated?.extendedMessage ?? false)),
    );
    // RFC 4271 4.4: "Each time the local system sends a KEEPALIVE or UPDATE message, it restarts its
    // KeepaliveTimer". In a batch, once at its end (the same turn): the last message sent counts.
    if (this.batching) this.keepaliveOwed = true;
    else this.startTimer('keepalive');
    return more;
  }

  /** Run `fn` (which sends UPDATEs) with the transport's writes batched into one (transport.ts `batch`). */
  batchWrites(fn: () => void): void {
    const transport = this.transport;
    if (!transport || this.batching) {
      fn();
      return;
    }
    this.batching = true;
    try {
      transport.batch(fn);
    } finally {
      this.batching = false;
      if (this.keepaliveOwed) {
        this.keepaliveOwed = false;
        if (this.fsm.state === 'Established') this.startTimer('keepalive');
      }
    }
  }

  sendControl(bytes: Uint8Array): void {
    this.transport?.sendControl(this.outgoing(bytes));
  }

  /**
   * A message of a type xbgpd does not build itself (schedule_bgp_message): the header added to `body`,
   * sent while Established. False when it is not, or when the message would exceed the maximum length.
   */
  sendCustom(type: number, body: Uint8Array): boolean {
    const length = HEADER_LENGTH + body.length;
    if (!this.transport || this.fsm.state !== 'Established' || length > this.maxMessageLength) return false;
    const message = new Uint8Array(length);
    writeHeader(message, 0, length, type);
    message.set(body, HEADER_LENGTH);
    this.transport.sendControl(this.outgoing(message, true));
    return true;
  }

  get canSendUpdates(): boolean {
    return this.transport?.canSendUpdates ?? false;
  }

  // ===== actions =====

  private execute(action: FsmAction): void {
    switch (action.type) {
      case 'initializeResources':
        this.lastError = undefined;
        return;
      case 'releaseResources':
        for (const timer of [...this.timers.keys()]) this.stopTimer(timer);
        this.negotiated = undefined;
        this.remoteOpen = undefined;
        return;
      case 'deleteRoutes':
        this.host.deleteRoutes(this);
        return;
      case 'connect':
        if (!this.host.mayConnect) return;
        this.dialing?.abort();
        this.dialing = this.host.dial(this);
        return;
      case 'listen':
        // Listeners are per address and port (speaker.ts); an accepted connection is matched to its peer.
        return;
      case 'dropConnection':
      case 'rejectConnection':
        this.dialing?.abort();
        this.dialing = undefined;
        this.transport?.close();
        this.transport = undefined;
        return;
      case 'trackSecondConnection':
        this.host.trackSecondConnection(this);
        return;
      case 'sendOpen': {
        const open = this.host.openToSend();
        this.sendControl(codec.encodeOpen(open));
        return;
      }
      case 'sendKeepalive':
        this.sendControl(codec.encodeKeepalive());
        return;
      case 'sendNotification':
        if (!this.transport) return;
        this.sendControl(codec.encodeNotification(action.notification));
        this.host.notificationSent(this, action.notification);
        return;
      case 'startTimer':
        // A restart of the running HoldTimer in Established (per UPDATE and KEEPALIVE): at `delivered`.
        if (
          action.timer === 'hold' &&
          this.reading &&
          this.fsm.state === 'Established' &&
          this.timers.has('hold')
        )
          this.holdOwed = true;
        else this.startTimer(action.timer, action.large === true);
        return;
      case 'stopTimer':
        this.stopTimer(action.timer);
        return;
      case 'processUpdate':
        if (this.pendingUpdate)
          this.host.updateReceived(
            this,
            this.pendingUpdate,
            this.pendingTreatAsWithdraw,
            this.pendingDisable,
          );
        return;
      case 'sessionEstablished':
        this.host.established(this);
        return;
      case 'dampPeerOscillations':
        // Nothing to run: the host's IdleHoldTimer grows with its count of drops (timerSeconds).
        return;
    }
  }

  // ===== timers =====

  /** Duration in ms, or undefined when the timer must not run (a zero negotiated hold time). */
  private timerMs(timer: TimerName, large: boolean): number | undefined {
    const jitter = (): number => 0.75 + 0.25 * this.host.clock.random();
    switch (timer) {
      case 'hold': {
        if (large) return LARGE_HOLD_TIME_S * 1000;
        const hold = this.negotiated?.holdTime ?? 0;
        return hold === 0 ? undefined : hold * 1000;
      }
      case 'keepalive': {
        const hold = this.negotiated?.holdTime ?? 0;
        // RFC 4271 10: "A reasonable maximum time between KEEPALIVE messages would be one third of the
        // Hold Time interval." Jitter (0.75..1.0) keeps many sessions from sending at the same instant.
        return hold === 0 ? undefined : (hold * 1000 * jitter()) / 3;
      }
      case 'connectRetry':
        return this.host.timerSeconds('connectRetry') * 1000 * jitter();
      case 'delayOpen':
        return this.host.timerSeconds('delayOpen') * 1000;
      case 'idleHold':
        return this.host.timerSeconds('idleHold') * 1000;
    }
  }

  private static readonly expiry: Record<TimerName, FsmEvent> = {
    connectRetry: { name: 'ConnectRetryTimer_Expires' },
    hold: { name: 'HoldTimer_Expires' },
    keepalive: { name: 'KeepaliveTimer_Expires' },
    delayOpen: { name: 'DelayOpenTimer_Expires' },
    idleHold: { name: 'IdleHoldTimer_Expires' },
  };

  startTimer(timer: TimerName, large = false): void {
    const clock = this.host.clock;
    const running = this.timers.get(timer);
    if (running !== undefined && clock.restartTimer !== undefined) {
      // A restart (per UPDATE for the Hold and Keepalive timers): move the running timer if the clock can.
      const ms = this.timerMs(timer, large);
      if (ms !== undefined && clock.restartTimer(running, ms)) return;
      this.stopTimer(timer);
      if (ms === undefined) return;
      this.setTimer(timer, ms);
      return;
    }
    this.stopTimer(timer);
    const ms = this.timerMs(timer, large);
    if (ms === undefined) return;
    this.setTimer(timer, ms);
  }

  private setTimer(timer: TimerName, ms: number): void {
    const handle = this.host.clock.setTimer(ms, () => {
      if (this.timers.get(timer) !== handle) return;
      this.timers.delete(timer);
      if (timer === 'hold') this.lastError = 'hold timer expired';
      this.fire(Connection.expiry[timer]);
    });
    this.timers.set(timer, handle);
  }

  stopTimer(timer: TimerName): void {
    const handle = this.timers.get(timer);
    if (handle === undefined) return;
    this.host.clock.clearTimer(handle);
    this.timers.delete(timer);
  }

  /** Names of running timers (for tests and state dumps). */
  get runningTimers(): TimerName[] {
    return [...this.timers.keys()];
  }

  /** Stop everything without FSM processing (the session is being discarded). */
  dispose(): void {
    for (const timer of [...this.timers.keys()]) this.stopTimer(timer);
    this.dialing?.abort();
    this.dialing = undefined;
    this.transport?.destroy();
    this.transport = undefined;
  }

  /** Note for the host: a dial attempt finished. */
  dialled(transport: Transport | undefined, reason?: string): void {
    this.dialing = undefined;
    if (!transport) {
      this.lastError = reason;
      this.fire({ name: 'TcpConnectionFails' });
      return;
    }
    this.adopt(transport);
    this.fire({ name: 'Tcp_CR_Acked' });
  }
}
