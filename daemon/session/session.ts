// The per-peer session driver. It owns the peer's connections (one FSM each, connection.ts; two at once
// only while RFC 4271 6.8 collision detection runs), starts and stops the peer, restarts it after a drop
// with an exponentially growing IdleHoldTimer (peer oscillation damping), checks received OPENs
// (negotiate.ts), hands received UPDATEs to the route decision engine through its port (rde-port.ts) and
// drains the UPDATEs the RDE has for the peer, honouring socket back-pressure. Everything observable is
// logged through the peer's child logger and emitted as typed events (see daemon/session/README.md for
// the stable log messages).
import { EventEmitter } from 'node:events';
import { Connection, nativeMessageType, type ConnectionHost } from './connection.js';
import { type FsmEvent, type FsmOptions, type NotificationSpec, type State, CEASE_COLLISION } from './fsm.js';
import type { Clock } from '../clock.js';
import {
  dial as netDial,
  ttlSettingsFor,
  type DialHandle,
  type DialOptions,
  type Transport,
} from './transport.js';
import { buildOpen, negotiate, type LocalSpeaker, type OpenSummary } from './negotiate.js';
import { formatIpv4 } from '../net/address.js';
import { familyAfiSafi } from '../net/family.js';
import { familyKeyName, summarizeUpdate, type ReceivedView, type UpdateSummary } from './received.js';
import type { PeerSessionInfo, RdePort } from './rde-port.js';
import { codec } from './codec.js';
import type { MessageHook, MessagePeer } from './message-hook.js';
import type { Logger } from '../log.js';
import type { Family, PeerConfig } from '../config/types.js';
import {
  CeaseSubcode,
  ErrorCode,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  RouteRefreshSubtype,
  endOfRibFamily,
  makeShutdownNotification,
  notificationName,
  prefixCount,
  type NotificationMessage,
  type RouteRefreshMessage,
  type UpdateMessage,
} from '../wire/index.js';

/** Upper bound of the damped IdleHoldTimer (seconds). */
export const MAX_IDLE_HOLD_S = 120;
/** A session that stayed Established this long is no longer considered flapping (ms). */
const STABLE_MS = 60_000;
/** UPDATEs sent per turn of the event loop before yielding, so timers (KEEPALIVE) stay on time. */
const UPDATES_PER_TURN = 256;
/** UPDATEs with more prefixes than this are logged as counts (debug) instead of prefix lists. */
const SUMMARY_LIMIT = 256;
const NO_SUMMARY: UpdateSummary = Object.freeze({ announced: [], withdrawn: [] }) as UpdateSummary;

export type Dialer = (
  options: DialOptions,
  connected: (t: Transport) => void,
  failed: (reason: string) => void,
) => DialHandle;

export interface SessionOptions {
  peer: PeerConfig;
  local: LocalSpeaker;
  clock: Clock;
  /** The peer's child logger. */
  log: Logger;
  dial?: Dialer;
  /** The route decision engine: received routes go there, UPDATEs to send come from there. */
  rde: RdePort;
  /** The plugin points on whole messages for this peer (read when used: a reload may change them). */
  messages?: () => MessageHook | undefined;
}

type Cease = typeof CeaseSubcode;
/** The CEASE subcodes (RFC 4486) a ManualStop sends. */
export type StopSubcode =
  | Cease['AdministrativeShutdown']
  | Cease['PeerDeconfigured']
  | Cease['AdministrativeReset']
  | Cease['OtherConfigurationChange'];

export interface NotificationInfo {
  direction: 'sent' | 'received';
  code: number;
  subcode: number;
  name: string;
  shutdownCommunication?: string;
}

export interface SessionStatus {
  name: string;
  address: string;
  asn: number;
  state: State;
  adminDown: boolean;
  flaps: number;
  remoteId?: string;
  holdTime?: number;
  families?: Family[];
  localAddress?: string;
  lastError?: string;
  lastNotification?: NotificationInfo;
  receivedPrefixes: number;
}

export type SessionEvents = {
  state: [{ from: State; to: State; connection: number }];
  established: [];
  down: [{ reason: string; notification?: NotificationInfo }];
  update: [UpdateSummary];
  notification: [NotificationInfo];
};

/** The FSM options every connection uses: damping on (the IdleHoldTimer), DelayOpen per config. */
function fsmOptionsFor(peer: PeerConfig): FsmOptions {
  return {
    delayOpen: peer.delayOpenTime > 0,
    sendNotificationWithoutOpen: false,
    dampPeerOscillations: true,
  };
}

export class Session extends EventEmitter<SessionEvents> implements ConnectionHost {
  /** The peer's configuration (replaced in place by `updatePolicy`; anything else restarts the session). */
  peer: PeerConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly fsmOptions: FsmOptions;
  /** What the peer currently announces (the RDE's Adj-RIB-In for the peer). */
  readonly received: ReceivedView;
  private readonly rde: RdePort;
  /** An RDE producer is in the out queue. */
  private rdeQueued = false;
  private readonly local: LocalSpeaker;
  private readonly dialer: Dialer;
  private connections: Connection[] = [];
  private adminDown = true;
  private flaps = 0;
  private establishedAt: number | undefined;
  private pendingIncoming: Transport | undefined;
  private lastNotification: NotificationInfo | undefined;
  private lastError: string | undefined;
  /** UPDATE producers waiting for the socket to accept more (back-pressure), pulled lazily. */
  private readonly outQueue: Iterator<UpdateMessage>[] = [];
  private sentUpdates = 0;
  private pumpScheduled = false;
  private readonly messageHook: () => MessageHook | undefined;
  /** Messages received and sent by type (index 1..5; 0 counts every other type), for the admin API. */
  readonly messageCounts = { received: new Array<number>(6).fill(0), sent: new Array<number>(6).fill(0) };
  /** When (clock ms) `state` last changed; since when it is what it is. */
  private stateSince: number;
  private lastState: State = 'Idle';

  constructor(options: SessionOptions) {
    super();
    this.peer = options.peer;
    this.local = options.local;
    this.clock = options.clock;
    this.log = options.log;
    this.dialer = options.dial ?? netDial;
    this.fsmOptions = fsmOptionsFor(this.peer);
    this.messageHook = options.messages ?? (() => undefined);
    this.stateSince = this.clock.now();
    const rde = options.rde;
    this.rde = rde;
    const name = this.peer.name;
    this.received = {
      get size() {
        return rde.adjRibInCount(name);
      },
      toJSON: () => rde.adjRibIn(name),
    };
  }

  // ===== administration =====

  /** ManualStart (or its passive form). A peer configured `shutdown: true` stays down. */
  start(): void {
    if (this.peer.shutdown) {
      this.log.info({ state: 'Idle' }, 'peer administratively down');
      return;
    }
    this.adminDown = false;
    const conn = this.primary() ?? this.addConnection();
    conn.fire({ name: this.peer.passive ? 'ManualStart_with_PassiveTcpEstablishment' : 'ManualStart' });
  }

  /**
   * ManualStop with a CEASE (RFC 4486): Administrative Shutdown (default) or Administrative Reset carry an
   * RFC 9003 shutdown communication; Peer De-configured and Other Configuration Change carry nothing.
   * Resolves when the NOTIFICATION has been flushed and the sockets closed (1 s at most).
   */
  async stop(options: { subcode?: StopSubcode; message?: string } = {}): Promise<void> {
    this.adminDown = true;
    const subcode = options.subcode ?? CeaseSubcode.AdministrativeShutdown;
    const n =
      subcode === CeaseSubcode.AdministrativeShutdown || subcode === CeaseSubcode.AdministrativeReset
        ? makeShutdownNotification(subcode, options.message ?? '')
        : { code: ErrorCode.Cease, subcode, data: new Uint8Array(0) };
    const notification: NotificationSpec = { code: n.code, subcode: n.subcode, data: n.data };
    const closing: Promise<void>[] = [];
    for (const conn of [...this.connections]) {
      if (conn.transport) closing.push(conn.transport.whenClosed);
      // ManualStop is ignored in Idle (8.2.2), so a pending damped restart must be cancelled here.
      conn.stopTimer('idleHold');
      conn.fire({ name: 'ManualStop', notification });
    }
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  /** Administrative reset: CEASE / Administrative Reset, then start again; other peers are untouched. */
  async reset(message = ''): Promise<void> {
    await this.stop({ subcode: CeaseSubcode.AdministrativeReset, message });
    this.start();
  }

  /** Drop everything without sending anything (the daemon is discarding this peer object). */
  dispose(): void {
    this.adminDown = true;
    for (const c of this.connections) c.dispose();
    this.connections = [];
  }

  /** An accepted TCP connection whose remote address is this peer's. */
  acceptIncoming(transport: Transport): void {
    const primary = this.primary();
    if (this.adminDown || !primary) {
      this.log.info({ remote: transport.remoteAddress }, 'connection refused (peer is down)');
      transport.destroy();
      return;
    }
    if (this.connections.length >= 2) {
      this.log.info(
        { remote: transport.remoteAddress },
        'connection refused (collision already in progress)',
      );
      transport.destroy();
      return;
    }
    switch (primary.state) {
      case 'Idle':
        // Deviation: 8.2.2 Idle "refuses all incoming BGP connections". While we wait out the
        // IdleHoldTimer after a drop, a peer that dials us would then wait its own (often long)
        // ConnectRetryTimer; accepting and starting passively recovers sooner and is still damped by
        // the peer's own back-off.
        primary.stopTimer('idleHold');
        primary.fire({ name: 'AutomaticStart_with_PassiveTcpEstablishment' });
        primary.adopt(transport);
        primary.fire({ name: 'TcpConnectionConfirmed' });
        return;
      case 'Connect':
      case 'Active':
        if (!primary.transport) {
          primary.adopt(transport);
          primary.fire({ name: 'TcpConnectionConfirmed' });
          return;
        }
        break;
      default:
        break;
    }
    // A second TCP connection runs its own FSM until its OPEN decides the collision (RFC 4271 6.8).
    this.pendingIncoming = transport;
    if (primary.state === 'Connect' || primary.state === 'Active') {
      // Our connection is up and waiting for the DelayOpenTimer: nothing for its FSM to do.
      this.trackSecondConnection();
    } else {
      // OpenSent, OpenConfirm, Established: the FSM answers with trackSecondConnection.
      primary.fire({ name: 'TcpConnectionConfirmed' });
    }
    if (this.pendingIncoming) {
      this.pendingIncoming = undefined;
      transport.destroy();
    }
  }

  // ===== status =====

  /** The most advanced state of the peer's connections. */
  get state(): State {
    const order: State[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];
    let best: State = 'Idle';
    for (const c of this.connections) if (order.indexOf(c.state) > order.indexOf(best)) best = c.state;
    return best;
  }

  /** Since when (clock ms) the peer is in its current `state`. */
  get since(): number {
    return this.stateSince;
  }

  /** Since when (clock ms) the session is Established, or undefined. */
  get upSince(): number | undefined {
    return this.establishedAt;
  }

  get connectionCount(): number {
    return this.connections.length;
  }

  /** The Established connection, if any. */
  get establishedConnection(): Connection | undefined {
    return this.connections.find((c) => c.state === 'Established');
  }

  status(): SessionStatus {
    const est = this.establishedConnection;
    const s: SessionStatus = {
      name: this.peer.name,
      address: this.peer.address,
      asn: this.peer.asn,
      state: this.state,
      adminDown: this.adminDown,
      flaps: this.flaps,
      receivedPrefixes: this.received.size,
    };
    if (est?.negotiated) {
      s.remoteId = formatIpv4(est.negotiated.remoteId);
      s.holdTime = est.negotiated.holdTime;
      s.families = est.negotiated.families;
      if (est.transport) s.localAddress = est.transport.localAddress;
    }
    if (this.lastError !== undefined) s.lastError = this.lastError;
    if (this.lastNotification) s.lastNotification = this.lastNotification;
    return s;
  }

  // ===== ConnectionHost =====

  get mayConnect(): boolean {
    return !this.peer.passive;
  }

  timerSeconds(timer: 'connectRetry' | 'delayOpen' | 'idleHold'): number {
    if (timer === 'connectRetry') return this.peer.connectRetryTime;
    if (timer === 'delayOpen') return this.peer.delayOpenTime;
    // Peer oscillation damping: the base idle hold time doubles with each consecutive flap.
    return Math.min(MAX_IDLE_HOLD_S, this.peer.idleHoldTime * 2 ** Math.max(0, this.flaps - 1));
  }

  dial(conn: Connection): DialHandle {
    const options: DialOptions = {
      host: this.peer.address,
      port: this.peer.port,
      timeoutMs: this.peer.connectRetryTime * 1000,
      // The SYN already carries the session's TTL (direct eBGP 1, multihop, GTSM 255).
      ttl: ttlSettingsFor(this.peer, this.local.asn),
    };
    if (this.peer.localAddress !== undefined) options.localAddress = this.peer.localAddress;
    this.log.debug({ address: this.peer.address, port: this.peer.port }, 'connecting');
    return this.dialer(
      options,
      (t) => conn.dialled(t),
      (reason) => conn.dialled(undefined, reason),
    );
  }

  openToSend(): OpenSummary {
    return buildOpen(this.local, this.peer);
  }

  openReceived(conn: Connection, open: OpenSummary): FsmEvent {
    const result = negotiate(this.local, this.peer, this.openToSend(), open);
    if (!result.ok) {
      conn.lastError = result.reason;
      this.log.warn({ reason: result.reason }, 'open rejected');
      return { name: 'BGPOpenMsgErr', notification: result.notification };
    }
    conn.negotiated = result.negotiated;
    conn.transport?.setExtendedMessages(result.negotiated.extendedMessage);
    // RFC 4271 6.8: "Upon receipt of an OPEN message, the local system MUST examine all of its
    // connections that are in the OpenConfirm state. ... If the value of the local BGP Identifier is
    // less than the remote one, the local system closes the BGP connection that already exists (the
    // one that is already in the OpenConfirm state), and accepts the BGP connection initiated by the
    // remote system. Otherwise, the local system closes the newly created BGP connection".
    // "... a connection collision with an existing BGP connection that is in the Established state
    // causes closing of the newly created connection."
    for (const other of this.connections) {
      if (other === conn) continue;
      if (other.state === 'Established') {
        this.log.info(
          { kept: other.id, closed: conn.id },
          'connection collision: keeping the established connection',
        );
        return { name: 'OpenCollisionDump', notification: CEASE_COLLISION };
      }
      if (other.state !== 'OpenConfirm') continue;
      const keep: 'in' | 'out' = this.local.routerIdNumber < open.bgpId ? 'in' : 'out';
      if (conn.direction === keep && other.direction !== keep) {
        this.log.info({ kept: conn.id, closed: other.id, keptDirection: keep }, 'connection collision');
        other.fire({ name: 'OpenCollisionDump', notification: CEASE_COLLISION });
      } else {
        this.log.info({ kept: other.id, closed: conn.id, keptDirection: keep }, 'connection collision');
        return { name: 'OpenCollisionDump', notification: CEASE_COLLISION };
      }
    }
    return { name: conn.fsm.delayOpenRunning ? 'BGPOpen_with_DelayOpenTimer_running' : 'BGPOpen' };
  }

  established(conn: Connection): void {
    const n = conn.negotiated!;
    this.establishedAt = this.clock.now();
    this.lastError = undefined;
    this.log.info(
      {
        state: 'Established',
        remoteAs: n.remoteAsn,
        remoteId: formatIpv4(n.remoteId),
        holdTime: n.holdTime,
        keepaliveTime: n.keepaliveTime,
        families: n.families,
        asn4: n.asn4,
        addPathReceive: [...n.addPathReceive],
        addPathSend: [...n.addPathSend],
        routeRefresh: n.routeRefresh,
        enhancedRouteRefresh: n.enhancedRouteRefresh,
        extendedMessage: n.extendedMessage,
        gracefulRestart: n.peerGracefulRestart !== undefined,
        localAddress: conn.transport?.localAddress,
        remoteAddress: conn.transport?.remoteAddress,
        direction: conn.direction,
      },
      'session established',
    );
    this.emit('established');
    this.routesUp(conn);
  }

  updateReceived(
    conn: Connection,
    update: UpdateMessage,
    treatAsWithdraw: boolean,
    disable: readonly { afi: number; safi: number }[],
  ): void {
    for (let i = 0; i < disable.length; i++) {
      const { afi, safi } = disable[i]!;
      const family = (Object.keys(familyAfiSafi) as Family[]).find(
        (f) => familyAfiSafi[f].afi === afi && familyAfiSafi[f].safi === safi,
      );
      this.log.warn({ family: familyKeyName(afi, safi) }, 'address family disabled');
      // A family we do not carry holds no routes and takes none: disabling it changes nothing.
      if (family !== undefined) this.rde.disableFamily(this.peer.name, family);
    }
    const eor = endOfRibFamily(update);
    if (eor) {
      this.log.info({ family: familyKeyName(eor.afi, eor.safi) }, 'end-of-rib received');
      this.emit('update', { announced: [], withdrawn: [], endOfRib: familyKeyName(eor.afi, eor.safi) });
      return;
    }
    const asn4 = conn.negotiated?.asn4 ?? false;
    this.rde.receive(this.peer.name, update, asn4, treatAsWithdraw);
    // The per-UPDATE line is debug level: a full table must not cost a string per prefix and a log line
    // per UPDATE.
    if (!this.log.isLevelEnabled('debug')) {
      this.emit('update', NO_SUMMARY);
      return;
    }
    const count = prefixCount(update);
    if (count > SUMMARY_LIMIT) {
      this.log.debug({ prefixes: count }, 'update received');
      this.emit('update', NO_SUMMARY);
      return;
    }
    const summary = summarizeUpdate(update, treatAsWithdraw);
    this.log.debug({ announced: summary.announced, withdrawn: summary.withdrawn }, 'update received');
    this.emit('update', summary);
  }

  routeRefreshReceived(conn: Connection, msg: RouteRefreshMessage): void {
    const family = (Object.keys(familyAfiSafi) as Family[]).find(
      (f) => familyAfiSafi[f].afi === msg.afi && familyAfiSafi[f].safi === msg.safi,
    );
    this.log.info(
      { family: familyKeyName(msg.afi, msg.safi), subtype: msg.subtype },
      'route refresh received',
    );
    // RFC 7313 3: BoRR/EoRR from the peer only bracket its own re-advertisement; other subtypes are ignored.
    if (msg.subtype !== RouteRefreshSubtype.Normal) return;
    if (!family || !conn.negotiated?.families.includes(family) || !conn.transport) return;
    const enhanced = conn.negotiated.enhancedRouteRefresh;
    const { afi, safi } = msg;
    // RFC 7313 4: "the BGP speaker MUST send a BoRR message before it re-advertises the Adj-RIB-Out ...
    // and MUST send an EoRR message after".
    if (enhanced)
      conn.sendControl(codec.encodeRouteRefresh(afi, safi, RouteRefreshSubtype.BeginningOfRefresh));
    this.rde.routeRefresh(this.peer.name, family);
    if (enhanced)
      this.afterQueue(conn, () =>
        conn.sendControl(codec.encodeRouteRefresh(afi, safi, RouteRefreshSubtype.EndOfRefresh)),
      );
  }

  deleteRoutes(conn?: Connection): void {
    // A second connection (collision detection) that goes away owns no routes: the peer's routes belong
    // to the Established connection, which is still there.
    if (conn && this.connections.some((c) => c !== conn && c.state === 'Established')) return;
    this.rdeQueued = false;
    this.rde.peerDown(this.peer.name);
  }

  trackSecondConnection(): void {
    const transport = this.pendingIncoming;
    if (!transport) return;
    this.pendingIncoming = undefined;
    const second = this.addConnection();
    this.log.info(
      { connection: second.id, remote: transport.remoteAddress },
      'second connection (collision detection)',
    );
    second.fire({ name: 'AutomaticStart_with_PassiveTcpEstablishment' });
    second.adopt(transport);
    second.fire({ name: 'TcpConnectionConfirmed' });
  }

  notificationSent(_conn: Connection, n: NotificationSpec): void {
    const info = notificationInfo('sent', n.code, n.subcode, n.data);
    this.lastNotification = info;
    this.log.info(info, 'notification sent');
    this.emit('notification', info);
  }

  notificationReceived(_conn: Connection, n: NotificationMessage): void {
    const info: NotificationInfo = {
      direction: 'received',
      code: n.code,
      subcode: n.subcode,
      name: notificationName(n.code, n.subcode),
    };
    if (n.shutdownCommunication !== undefined) info.shutdownCommunication = n.shutdownCommunication;
    this.lastNotification = info;
    // RFC 9003 2: an invalid communication "SHOULD be logged ... MUST NOT be logged verbatim".
    this.log.info(
      { ...info, ...(n.shutdownCommunicationInvalid ? { shutdownCommunicationInvalid: true } : {}) },
      'notification received',
    );
    this.emit('notification', info);
  }

  stateChanged(conn: Connection, from: State, to: State, event: FsmEvent): void {
    this.log.info({ connection: conn.id, from, to, event: event.name }, 'state change');
    const state = this.state;
    if (state !== this.lastState) {
      this.lastState = state;
      this.stateSince = this.clock.now();
    }
    this.emit('state', { from, to, connection: conn.id });
    if (to !== 'Idle') return;

    if (conn.lastError !== undefined) this.lastError = conn.lastError;
    const wasUp = from === 'OpenSent' || from === 'OpenConfirm' || from === 'Established';
    if (from === 'Established') {
      const stable = this.establishedAt !== undefined && this.clock.now() - this.establishedAt >= STABLE_MS;
      if (stable) this.flaps = 0;
      this.establishedAt = undefined;
      // The FSM's deleteRoutes action has told the RDE (every way out of Established runs it).
      this.outQueue.length = 0;
      this.rdeQueued = false;
      const down: { reason: string; notification?: NotificationInfo } = {
        reason: conn.lastError ?? event.name,
      };
      if (this.lastNotification) down.notification = this.lastNotification;
      this.log.info({ state: 'Idle', reason: down.reason, notification: down.notification }, 'session down');
      this.emit('down', down);
    }
    if (wasUp && !this.adminDown) this.flaps++;

    // A connection that lost a collision (or any second connection) just goes away.
    if (this.connections.length > 1) {
      this.connections = this.connections.filter((c) => c !== conn);
      conn.dispose();
      return;
    }
    if (this.adminDown) return;
    // Automatic restart, damped: RFC 4271 8.1.2 events 6/7 hold the FSM in Idle for the IdleHoldTimer.
    const seconds = this.timerSeconds('idleHold');
    this.log.debug({ seconds, flaps: this.flaps }, 'restart after idle hold');
    conn.fire({
      name: this.peer.passive
        ? 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment'
        : 'AutomaticStart_with_DampPeerOscillations',
    });
  }

  writable(conn: Connection): void {
    this.pump(conn);
  }

  // ===== whole messages and plugins (bgp_decode_message, bgp_encode_message, schedule_bgp_message) =====

  get customTypes(): boolean {
    return this.messageHook()?.customTypes ?? false;
  }

  messageReceived(conn: Connection, type: number, message: Uint8Array, custom: boolean): boolean {
    this.messageCounts.received[nativeMessageType(type) ? type : 0]!++;
    const hook = this.messageHook();
    return hook !== undefined && hook.received(this.messagePeer(conn), type, message, custom);
  }

  messageSending(
    conn: Connection,
    type: number,
    message: Uint8Array,
    custom: boolean,
    maxLength: number,
  ): Uint8Array {
    this.messageCounts.sent[nativeMessageType(type) ? type : 0]!++;
    const hook = this.messageHook();
    return hook === undefined
      ? message
      : hook.sending(this.messagePeer(conn), type, message, custom, maxLength);
  }

  /**
   * Send a message of a type xbgpd does not build itself (1..5 are refused), `body` after the 19-octet
   * header, to the Established peer. False when not Established or too long for the session.
   */
  sendMessage(type: number, body: Uint8Array): boolean {
    if (!Number.isInteger(type) || type < 0 || type > 255 || nativeMessageType(type)) return false;
    const conn = this.establishedConnection;
    return conn !== undefined && conn.sendCustom(type, body);
  }

  /** The peer as the message points see it on `conn` (cached per connection and OPEN). */
  private messagePeer(conn: Connection): MessagePeer {
    const cached = this.messagePeers.get(conn);
    const routerId = conn.negotiated?.remoteId ?? 0;
    if (cached !== undefined && cached.routerId === routerId) return cached;
    const peer: MessagePeer = {
      name: this.peer.name,
      asn: conn.negotiated?.remoteAsn ?? this.peer.asn,
      routerId,
      ibgp: conn.negotiated?.ibgp ?? this.peer.asn === this.local.asn,
      address: this.peer.address,
      localAddress: conn.transport?.localAddress ?? '',
    };
    this.messagePeers.set(conn, peer);
    return peer;
  }

  private readonly messagePeers = new WeakMap<Connection, MessagePeer>();

  // ===== routes (the RDE port) =====

  /** What the RDE needs from the negotiation, or undefined before it is complete. */
  private sessionInfo(conn: Connection): PeerSessionInfo | undefined {
    const n = conn.negotiated;
    const t = conn.transport;
    if (!n || !t) return undefined;
    const local = t.localAddress;
    const localIsV6 = local.includes(':');
    return {
      routerId: n.remoteId,
      ibgp: n.ibgp,
      asn4: n.asn4,
      families: n.families,
      addPathSend: n.addPathSend,
      maxMessageLength: n.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH,
      // The session's own address is the next hop; an IPv4 route over an IPv6 session uses the router
      // id, an IPv6 route over an IPv4 session the IPv4-mapped IPv6 address (unless configured).
      nextHopIpv4: this.peer.nextHopIpv4 ?? (localIsV6 ? this.local.routerId : local),
      nextHopIpv6: this.peer.nextHopIpv6 ?? (localIsV6 ? local : `::ffff:${local}`),
    };
  }

  /** Register the Established peer with the RDE, which then sends it its Adj-RIB-Out and End-of-RIB. */
  private routesUp(conn: Connection): void {
    const info = this.sessionInfo(conn);
    if (!info) return;
    this.rde.peerUp(this.peer, info, { kick: () => this.routesWaiting() });
  }

  /** The RDE has UPDATEs for this peer: queue its producer (once) behind whatever is queued. */
  private routesWaiting(): void {
    const conn = this.establishedConnection;
    if (!conn || this.rdeQueued) return;
    this.rdeQueued = true;
    const producer = this.rde.pull(this.peer.name);
    const self = this;
    this.enqueue(
      conn,
      (function* () {
        try {
          yield* producer;
        } finally {
          self.rdeQueued = false;
        }
      })(),
    );
  }

  /**
   * A reload changed only the peer's import/export policy, next-hop-self, send-med or MRAI: take the new
   * settings without a session reset. While Established the RDE re-applies them at once (import policy
   * on the kept pre-policy routes, the Adj-RIB-Out of the new export settings); otherwise the next
   * peerUp uses them. With `apply` false (a soft reload) the RDE keeps the running ones until a soft
   * reset (the admin API) applies them.
   */
  updatePolicy(peer: PeerConfig, apply = true): void {
    this.peer = peer;
    if (apply && this.establishedConnection) this.rde.updatePeerPolicy(peer);
  }

  private afterQueueCallbacks: (() => void)[] = [];

  private afterQueue(conn: Connection, fn: () => void): void {
    this.afterQueueCallbacks.push(fn);
    this.pump(conn);
  }

  private enqueue(conn: Connection, updates: Iterable<UpdateMessage>): void {
    this.outQueue.push(updates[Symbol.iterator]());
    this.pump(conn);
  }

  /**
   * Send queued UPDATEs while the socket accepts them, building each only when it can go out. When
   * the socket is full, wait for `writable`; after UPDATES_PER_TURN messages, yield to the event loop
   * so timers (KEEPALIVE) are never starved.
   */
  private pump(conn: Connection): void {
    conn.batchWrites(() => this.pumpBatch(conn));
  }

  private pumpBatch(conn: Connection): void {
    let sent = 0;
    while (this.outQueue.length > 0) {
      if (conn.state !== 'Established') return;
      if (!conn.canSendUpdates) return; // resumed by writable()
      if (sent === UPDATES_PER_TURN) {
        if (!this.pumpScheduled) {
          this.pumpScheduled = true;
          setImmediate(() => {
            this.pumpScheduled = false;
            this.pump(conn);
          });
        }
        return;
      }
      const next = this.outQueue[0]!.next();
      if (next.done) {
        this.outQueue.shift();
        continue;
      }
      conn.sendUpdate(next.value);
      this.sentUpdates++;
      sent++;
    }
    const callbacks = this.afterQueueCallbacks;
    this.afterQueueCallbacks = [];
    for (const fn of callbacks) fn();
  }

  /** Whether UPDATEs are waiting for the socket (back-pressure). */
  get hasPendingUpdates(): boolean {
    if (this.rde.busy || this.rde.hasPending(this.peer.name)) return true;
    return this.outQueue.length > 0;
  }

  /** UPDATEs written to this peer so far. */
  get updatesSent(): number {
    return this.sentUpdates;
  }

  // ===== connections =====

  private primary(): Connection | undefined {
    return this.connections[0];
  }

  private addConnection(): Connection {
    const conn = new Connection(this);
    this.connections.push(conn);
    return conn;
  }
}

function notificationInfo(
  direction: 'sent' | 'received',
  code: number,
  subcode: number,
  data?: Uint8Array,
): NotificationInfo {
  const info: NotificationInfo = { direction, code, subcode, name: notificationName(code, subcode) };
  // RFC 9003 2: Cease subcodes 2 and 4 may carry a length-prefixed UTF-8 shutdown communication.
  if (
    code === ErrorCode.Cease &&
    (subcode === CeaseSubcode.AdministrativeShutdown || subcode === CeaseSubcode.AdministrativeReset) &&
    data &&
    data.length > 1 &&
    data[0]! + 1 <= data.length
  ) {
    info.shutdownCommunication = new TextDecoder().decode(data.subarray(1, 1 + data[0]!));
  }
  return info;
}
