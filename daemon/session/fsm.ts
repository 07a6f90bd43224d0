// The RFC 4271 section 8 BGP finite state machine as a pure function: transition(fsm, event, options)
// returns the next FSM value and the list of actions the session driver (session.ts) must carry out,
// in the order the RFC lists them. No I/O, no timers, no clock here: "start the HoldTimer" is an action.
//
// One FSM runs per TCP connection (RFC 4271 8: "one instance per configured peer, plus one for each
// incoming TCP connection" until collision detection picks one). Event names are the RFC's; the
// driver picks event 19 or 20 (BGPOpen with or without the DelayOpenTimer running) from `delayOpenRunning`.
//
// What the driver decides, not this table:
// - OPEN validity and collision detection (RFC 4271 6.2, 6.8): the driver turns an OPEN into
//   BGPOpen, BGPOpenMsgErr (with the NOTIFICATION to send) or OpenCollisionDump.
// - A negotiated hold time of zero: "startTimer hold/keepalive" with a zero hold time starts nothing.
// - "releases all BGP resources" includes stopping every timer of the connection.
// - Peer oscillation damping (8.1.1 leaves the method open): the driver backs off the IdleHoldTimer.
import { CeaseSubcode, ErrorCode, FsmSubcode } from '../wire/index.js';

// ===== states and events =====

export type State = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export const states: readonly State[] = [
  'Idle',
  'Connect',
  'Active',
  'OpenSent',
  'OpenConfirm',
  'Established',
];

/** RFC 4271 8.1 event names, indexed by their event number minus one. */
export const eventNames = [
  'ManualStart', // 1
  'ManualStop', // 2
  'AutomaticStart', // 3
  'ManualStart_with_PassiveTcpEstablishment', // 4
  'AutomaticStart_with_PassiveTcpEstablishment', // 5
  'AutomaticStart_with_DampPeerOscillations', // 6
  'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment', // 7
  'AutomaticStop', // 8
  'ConnectRetryTimer_Expires', // 9
  'HoldTimer_Expires', // 10
  'KeepaliveTimer_Expires', // 11
  'DelayOpenTimer_Expires', // 12
  'IdleHoldTimer_Expires', // 13
  'TcpConnection_Valid', // 14
  'Tcp_CR_Invalid', // 15
  'Tcp_CR_Acked', // 16
  'TcpConnectionConfirmed', // 17
  'TcpConnectionFails', // 18
  'BGPOpen', // 19
  'BGPOpen_with_DelayOpenTimer_running', // 20
  'BGPHeaderErr', // 21
  'BGPOpenMsgErr', // 22
  'OpenCollisionDump', // 23
  'NotifMsgVerErr', // 24
  'NotifMsg', // 25
  'KeepAliveMsg', // 26
  'UpdateMsg', // 27
  'UpdateMsgErr', // 28
] as const;

export type EventName = (typeof eventNames)[number];

/** RFC 4271 event number (1..28) of an event name. */
export function eventNumber(name: EventName): number {
  return eventNames.indexOf(name) + 1;
}

/** A NOTIFICATION to send, as plain numbers (the driver encodes it with daemon/wire). */
export interface NotificationSpec {
  code: number;
  subcode: number;
  data?: Uint8Array;
}

/**
 * An FSM input. Error events carry the NOTIFICATION the checks chose; stop events may carry the
 * CEASE subcode and data (RFC 4486, RFC 9003 shutdown communication).
 */
export interface FsmEvent {
  name: EventName;
  notification?: NotificationSpec;
}

export type TimerName = 'connectRetry' | 'hold' | 'keepalive' | 'delayOpen' | 'idleHold';

export type FsmAction =
  | { type: 'initializeResources' }
  | { type: 'releaseResources' }
  | { type: 'deleteRoutes' }
  /** Initiate the outgoing TCP connection. */
  | { type: 'connect' }
  /** Accept an incoming TCP connection from this peer (the listener is shared). */
  | { type: 'listen' }
  | { type: 'dropConnection' }
  /** Tcp_CR_Invalid: refuse the incoming connection request. */
  | { type: 'rejectConnection' }
  /** TcpConnection_Valid / Tcp_CR_Acked / TcpConnectionConfirmed in OpenSent and later: run it as a second connection. */
  | { type: 'trackSecondConnection' }
  | { type: 'sendOpen' }
  | { type: 'sendKeepalive' }
  | { type: 'sendNotification'; notification: NotificationSpec }
  /** Start or restart; `large` is the 4-minute HoldTimer of OpenSent. */
  | { type: 'startTimer'; timer: TimerName; large?: true }
  /** Stop and set to zero. */
  | { type: 'stopTimer'; timer: TimerName }
  | { type: 'processUpdate' }
  | { type: 'sessionEstablished' }
  | { type: 'dampPeerOscillations' };

/** The FSM's own variables (RFC 4271 8: "mandatory session attributes" it needs). */
export interface Fsm {
  readonly state: State;
  readonly connectRetryCounter: number;
  /** Whether this FSM last started and did not yet stop the DelayOpenTimer. */
  readonly delayOpenRunning: boolean;
  /** Idle with the IdleHoldTimer running after event 6 or 7: whether to start passive when it expires. */
  readonly idleHoldPassive: boolean;
}

/** The optional session attributes of RFC 4271 8.1.1 that change the table. */
export interface FsmOptions {
  delayOpen: boolean;
  sendNotificationWithoutOpen: boolean;
  dampPeerOscillations: boolean;
}

export const defaultFsmOptions: FsmOptions = {
  delayOpen: false,
  sendNotificationWithoutOpen: false,
  dampPeerOscillations: false,
};

export function initialFsm(): Fsm {
  return { state: 'Idle', connectRetryCounter: 0, delayOpenRunning: false, idleHoldPassive: false };
}

export interface Transition {
  next: Fsm;
  actions: FsmAction[];
}

// ===== NOTIFICATION codes the FSM itself sends =====

function notice(code: number, subcode: number): NotificationSpec {
  return { code, subcode };
}
/** RFC 4271 4.5 error codes and RFC 6608 FSM error subcodes. */
const HOLD_TIMER_EXPIRED = notice(ErrorCode.HoldTimerExpired, 0);
const FSM_ERROR_IN_OPENSENT = notice(ErrorCode.FsmError, FsmSubcode.UnexpectedInOpenSent);
const FSM_ERROR_IN_OPENCONFIRM = notice(ErrorCode.FsmError, FsmSubcode.UnexpectedInOpenConfirm);
const FSM_ERROR_IN_ESTABLISHED = notice(ErrorCode.FsmError, FsmSubcode.UnexpectedInEstablished);
/** Malformed OPEN or UPDATE when the driver gave no NOTIFICATION of its own. */
const OPEN_ERROR = notice(ErrorCode.OpenMessage, 0);
const UPDATE_ERROR = notice(ErrorCode.UpdateMessage, 0);
/** RFC 4486: Cease / Administrative Shutdown, the default for ManualStop. */
export const CEASE_ADMIN_SHUTDOWN = notice(ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown);
/** RFC 4486: Cease / Connection Collision Resolution. */
export const CEASE_COLLISION = notice(ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution);
/** Cease without a subcode: the default for AutomaticStop. */
export const CEASE = notice(ErrorCode.Cease, 0);

// ===== transition =====

/** Apply one event. Pure: returns the Fsm value after it (the same one when nothing changed) and the actions in RFC order. */
export function transition(fsm: Fsm, event: FsmEvent, options: FsmOptions = defaultFsmOptions): Transition {
  if (fsm.state === 'Established' && steadyEvents.has(event.name)) return steady(fsm, event, options);
  const b = new Builder(fsm, options);
  switch (fsm.state) {
    case 'Idle':
      idle(b, event);
      break;
    case 'Connect':
      connect(b, event);
      break;
    case 'Active':
      active(b, event);
      break;
    case 'OpenSent':
      openSent(b, event);
      break;
    case 'OpenConfirm':
      openConfirm(b, event);
      break;
    case 'Established':
      established(b, event);
      break;
  }
  return b.done();
}

const timerNames: readonly TimerName[] = ['connectRetry', 'hold', 'keepalive', 'delayOpen', 'idleHold'];
/** Timer actions and the actions of every UPDATE and KEEPALIVE in Established, made once (actions are only read). */
const START = new Map(
  timerNames.map((timer) => [timer, Object.freeze({ type: 'startTimer', timer } as const)]),
);
const STOP = new Map(
  timerNames.map((timer) => [timer, Object.freeze({ type: 'stopTimer', timer } as const)]),
);
const PROCESS_UPDATE: FsmAction = Object.freeze({ type: 'processUpdate' });
const SEND_KEEPALIVE: FsmAction = Object.freeze({ type: 'sendKeepalive' });

/**
 * The events of the steady state, an UPDATE or a KEEPALIVE in Established: they change no FSM variable
 * and their actions depend on nothing else (8.2.2), so the table's answer is taken once and shared.
 */
const steadyEvents: ReadonlySet<EventName> = new Set<EventName>(['UpdateMsg', 'KeepAliveMsg']);
const steadyActions = new Map<EventName, FsmAction[]>();

function steady(fsm: Fsm, event: FsmEvent, options: FsmOptions): Transition {
  let actions = steadyActions.get(event.name);
  if (actions === undefined) {
    const b = new Builder(fsm, options);
    established(b, event);
    actions = Object.freeze(b.actions) as FsmAction[];
    steadyActions.set(event.name, actions);
  }
  return { next: fsm, actions };
}

/** Collects actions and FSM variable changes for one transition. */
class Builder {
  readonly actions: FsmAction[] = [];
  state: State;
  counter: number;
  delayOpenRunning: boolean;
  idleHoldPassive: boolean;

  constructor(
    private readonly fsm: Fsm,
    readonly options: FsmOptions,
  ) {
    this.state = fsm.state;
    this.counter = fsm.connectRetryCounter;
    this.delayOpenRunning = fsm.delayOpenRunning;
    this.idleHoldPassive = fsm.idleHoldPassive;
  }

  do(...actions: FsmAction[]): this {
    for (const a of actions) this.add(a);
    return this;
  }
  private add(a: FsmAction): this {
    if (a.type === 'startTimer' && a.timer === 'delayOpen') this.delayOpenRunning = true;
    if (a.type === 'stopTimer' && a.timer === 'delayOpen') this.delayOpenRunning = false;
    this.actions.push(a);
    return this;
  }
  start(timer: TimerName): this {
    return this.add(START.get(timer)!);
  }
  stop(timer: TimerName): this {
    return this.add(STOP.get(timer)!);
  }
  processUpdate(): this {
    return this.add(PROCESS_UPDATE);
  }
  sendKeepalive(): this {
    return this.add(SEND_KEEPALIVE);
  }
  send(notification: NotificationSpec): this {
    return this.do({ type: 'sendNotification', notification });
  }
  /** "releases all BGP resources, drops the TCP connection" */
  releaseAndDrop(): this {
    return this.do({ type: 'releaseResources' }, { type: 'dropConnection' });
  }
  /** "deletes all routes associated with this connection" */
  deleteRoutes(): this {
    return this.do({ type: 'deleteRoutes' });
  }
  /** "increments the ConnectRetryCounter by 1" */
  incrementCounter(): this {
    this.counter++;
    return this;
  }
  /** "sets the ConnectRetryCounter to zero" */
  zeroCounter(): this {
    this.counter = 0;
    return this;
  }
  /** "(optionally) performs peer oscillation damping if the DampPeerOscillations attribute is set to TRUE" */
  damp(): this {
    if (this.options.dampPeerOscillations) this.do({ type: 'dampPeerOscillations' });
    return this;
  }
  to(state: State): void {
    this.state = state;
  }
  /**
   * "sets the ConnectRetryTimer to zero, releases all BGP resources, drops the TCP connection,
   * increments the ConnectRetryCounter by 1, (optionally) performs peer oscillation damping ..., and
   * changes its state to Idle."
   */
  fail(): void {
    this.stop('connectRetry').releaseAndDrop().incrementCounter().damp();
    this.to('Idle');
  }
  /** "sends the NOTIFICATION ...", then fail(). */
  notifyAndFail(notification: NotificationSpec): void {
    this.send(notification).fail();
  }
  /** notifyAndFail(), and "deletes all routes associated with this connection" (Established). */
  notifyAndFailEstablished(notification: NotificationSpec): void {
    this.send(notification).stop('connectRetry');
    this.deleteRoutes().releaseAndDrop().incrementCounter().damp();
    this.to('Idle');
  }
  /**
   * "initializes all BGP resources for the peer connection, sets ConnectRetryCounter to zero, starts the
   * ConnectRetryTimer with the initial value"
   */
  initialize(): this {
    return this.do({ type: 'initializeResources' }).zeroCounter().start('connectRetry');
  }
  /** "sends an OPEN message to its peer, sets the HoldTimer to a large value, and changes its state to OpenSent." */
  sendOpenToOpenSent(): void {
    this.do({ type: 'sendOpen' }, { type: 'startTimer', timer: 'hold', large: true });
    this.to('OpenSent');
  }
  done(): Transition {
    if (this.state !== 'Idle') this.idleHoldPassive = false;
    // Leaving for Idle ends every timer, including a running DelayOpenTimer (released resources).
    if (this.state === 'Idle') this.delayOpenRunning = false;
    const f = this.fsm;
    // Unchanged (every UPDATE and KEEPALIVE in Established): the same value, not a copy.
    if (
      f.state === this.state &&
      f.connectRetryCounter === this.counter &&
      f.delayOpenRunning === this.delayOpenRunning &&
      f.idleHoldPassive === this.idleHoldPassive
    )
      return { next: f, actions: this.actions };
    return {
      next: {
        state: this.state,
        connectRetryCounter: this.counter,
        delayOpenRunning: this.delayOpenRunning,
        idleHoldPassive: this.idleHoldPassive,
      },
      actions: this.actions,
    };
  }
}

// ===== actions shared by several states =====

/**
 * Connect and Active, Tcp_CR_Acked / TcpConnectionConfirmed: with DelayOpen, stop the
 * ConnectRetryTimer and start the DelayOpenTimer; otherwise stop the ConnectRetryTimer, send the OPEN
 * and go to OpenSent.
 */
function tcpEstablished(b: Builder): void {
  b.stop('connectRetry');
  if (b.options.delayOpen) {
    b.start('delayOpen');
    return;
  }
  b.sendOpenToOpenSent();
}

/** Connect and Active, BGPOpen_with_DelayOpenTimer_running: the quotes are at the call sites. */
function openWithDelayOpenRunning(b: Builder): void {
  b.stop('connectRetry').stop('delayOpen').do({ type: 'sendOpen' }, { type: 'sendKeepalive' });
  b.start('keepalive').start('hold');
  b.to('OpenConfirm');
}

/** Connect and Active, BGPHeaderErr / BGPOpenMsgErr: NOTIFICATION only if SendNOTIFICATIONwithoutOPEN. */
function openMessageError(b: Builder, e: FsmEvent): void {
  if (b.options.sendNotificationWithoutOpen && e.notification) b.send(e.notification);
  b.fail();
}

/** Connect and Active, NotifMsgVerErr: with the DelayOpenTimer running no counter increment, no damping. */
function notifVerErrBeforeOpenSent(b: Builder): void {
  if (!b.delayOpenRunning) return b.fail();
  b.stop('connectRetry').stop('delayOpen');
  releaseToIdle(b);
}

/** "releases all BGP resources, drops the TCP connection, and changes its state to Idle." */
function releaseToIdle(b: Builder): void {
  b.releaseAndDrop();
  b.to('Idle');
}

// ===== Idle (RFC 4271 8.2.2) =====

function idle(b: Builder, e: FsmEvent): void {
  switch (e.name) {
    // "In this state, BGP FSM refuses all incoming BGP connections for this peer."
    case 'ManualStart':
    case 'AutomaticStart':
      // "initializes all BGP resources for the peer connection, sets ConnectRetryCounter to zero,
      // starts the ConnectRetryTimer with the initial value, initiates a TCP connection to the other
      // BGP peer, listens for a connection that may be initiated by the remote BGP peer, and changes
      // its state to Connect."
      b.initialize().do({ type: 'connect' }, { type: 'listen' });
      return b.to('Connect');
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
      // "... listens for a connection that may be initiated by the remote peer, and changes its state to Active."
      b.initialize().do({ type: 'listen' });
      return b.to('Active');
    case 'AutomaticStart_with_DampPeerOscillations':
    case 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment':
      // "the local system will use these events to prevent peer oscillations. The method of
      // preventing persistent peer oscillation is outside the scope of this document."
      // We hold in Idle for the IdleHoldTimer (the driver backs it off), then start.
      b.idleHoldPassive = e.name !== 'AutomaticStart_with_DampPeerOscillations';
      b.start('idleHold');
      return;
    case 'IdleHoldTimer_Expires': {
      const passive = b.idleHoldPassive;
      b.initialize();
      if (passive) {
        b.do({ type: 'listen' });
        return b.to('Active');
      }
      b.do({ type: 'connect' }, { type: 'listen' });
      return b.to('Connect');
    }
    default:
      // "The ManualStop event (Event 2) and AutomaticStop (Event 8) event are ignored in the Idle state."
      // "Any other event (Events 9-12, 15-28) received in the Idle state does not cause change in the state."
      return;
  }
}

// ===== Connect =====

function connect(b: Builder, e: FsmEvent): void {
  switch (e.name) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_DampPeerOscillations':
    case 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment':
      // "Events 1, 3-7 are ignored in the Connect state."
      return;
    case 'ManualStop':
      // "drops the TCP connection, releases all BGP resources, sets ConnectRetryCounter to zero,
      // stops the ConnectRetryTimer and sets ConnectRetryTimer to zero, and changes its state to Idle."
      b.do({ type: 'dropConnection' }, { type: 'releaseResources' }).zeroCounter().stop('connectRetry');
      return b.to('Idle');
    case 'ConnectRetryTimer_Expires':
      // "drops the TCP connection, restarts the ConnectRetryTimer, stops the DelayOpenTimer and resets
      // the timer to zero, initiates a TCP connection to the other BGP peer, continues to listen for a
      // connection that may be initiated by the remote BGP peer, and stays in the Connect state."
      b.do({ type: 'dropConnection' }).start('connectRetry').stop('delayOpen');
      b.do({ type: 'connect' }, { type: 'listen' });
      return;
    case 'DelayOpenTimer_Expires':
      // "sends an OPEN message to its peer, sets the HoldTimer to a large value, and changes its state to OpenSent."
      b.stop('delayOpen');
      return b.sendOpenToOpenSent();
    case 'TcpConnection_Valid':
      // "the TCP connection is processed, and the connection remains in the Connect state."
      return;
    case 'Tcp_CR_Invalid':
      // "the local system rejects the TCP connection, and the connection remains in the Connect state."
      b.do({ type: 'rejectConnection' });
      return;
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // DelayOpen: "stops the ConnectRetryTimer (if running) and sets the ConnectRetryTimer to zero, sets
      // the DelayOpenTimer to the initial value, and stays in the Connect state."
      // Otherwise: "stops the ConnectRetryTimer (if running) and sets the ConnectRetryTimer to zero,
      // completes BGP initialization, sends an OPEN message to its peer, sets the HoldTimer to a large
      // value, and changes its state to OpenSent."
      return tcpEstablished(b);
    case 'TcpConnectionFails':
      if (b.delayOpenRunning) {
        // "restarts the ConnectRetryTimer with the initial value, stops the DelayOpenTimer and resets
        // its value to zero, continues to listen for a connection ..., and changes its state to Active."
        b.start('connectRetry').stop('delayOpen').do({ type: 'listen' });
        return b.to('Active');
      }
      // "stops the ConnectRetryTimer to zero, drops the TCP connection, releases all BGP resources,
      // and changes its state to Idle."
      b.stop('connectRetry').do({ type: 'dropConnection' }, { type: 'releaseResources' });
      return b.to('Idle');
    case 'BGPOpen_with_DelayOpenTimer_running':
      // "stops the ConnectRetryTimer (if running) and sets the ConnectRetryTimer to zero, completes the
      // BGP initialization, stops and clears the DelayOpenTimer, sends an OPEN message, sends a
      // KEEPALIVE message, if the HoldTimer initial value is non-zero, starts the KeepaliveTimer ...
      // and resets the HoldTimer to the negotiated value, ... and changes its state to OpenConfirm."
      return openWithDelayOpenRunning(b);
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
      // "(optionally) If the SendNOTIFICATIONwithoutOPEN attribute is set to TRUE, then the local
      // system first sends a NOTIFICATION message with the appropriate error code, and then stops the
      // ConnectRetryTimer (if running) and sets the ConnectRetryTimer to zero, releases all BGP
      // resources, drops the TCP connection, increments the ConnectRetryCounter by 1, (optionally)
      // performs peer oscillation damping ..., and changes its state to Idle."
      return openMessageError(b, e);
    case 'NotifMsgVerErr':
      // DelayOpenTimer running: "stops the ConnectRetryTimer (if running) and sets the ConnectRetryTimer
      // to zero, stops and resets the DelayOpenTimer (sets to zero), releases all BGP resources, drops
      // the TCP connection, and changes its state to Idle."
      // Otherwise: "stops the ConnectRetryTimer and sets the ConnectRetryTimer to zero, releases all BGP
      // resources, drops the TCP connection, increments the ConnectRetryCounter by 1, (optionally)
      // performs peer oscillation damping ..., and changes its state to Idle."
      return notifVerErrBeforeOpenSent(b);
    default:
      // "In response to any other events (Events 8, 10-11, 13, 19, 23, 25-28), the local system: if the
      // ConnectRetryTimer is running, stops and resets the ConnectRetryTimer (sets to zero), if the
      // DelayOpenTimer is running, stops and resets the DelayOpenTimer (sets to zero), releases all BGP
      // resources, drops the TCP connection, increments the ConnectRetryCounter by 1, performs peer
      // oscillation damping ..., and changes its state to Idle."
      b.stop('connectRetry');
      if (b.delayOpenRunning) b.stop('delayOpen');
      b.releaseAndDrop().incrementCounter().damp();
      return b.to('Idle');
  }
}

// ===== Active =====

function active(b: Builder, e: FsmEvent): void {
  switch (e.name) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_DampPeerOscillations':
    case 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment':
      // "The start events (Events 1, 3-7) are ignored in the Active state."
      return;
    case 'ManualStop':
      // "If the DelayOpenTimer is running and the SendNOTIFICATIONwithoutOPEN session attribute is set,
      // the local system sends a NOTIFICATION with a Cease, releases all BGP resources including
      // stopping the DelayOpenTimer, drops the TCP connection, sets ConnectRetryCounter to zero, stops
      // the ConnectRetryTimer and sets the ConnectRetryTimer to zero, and changes its state to Idle."
      if (b.delayOpenRunning && b.options.sendNotificationWithoutOpen)
        b.send(e.notification ?? CEASE_ADMIN_SHUTDOWN);
      b.do({ type: 'releaseResources' });
      if (b.delayOpenRunning) b.stop('delayOpen');
      b.do({ type: 'dropConnection' }).zeroCounter().stop('connectRetry');
      return b.to('Idle');
    case 'ConnectRetryTimer_Expires':
      // "restarts the ConnectRetryTimer (with initial value), initiates a TCP connection to the other
      // BGP peer, continues to listen for a TCP connection ..., and changes its state to Connect."
      b.start('connectRetry').do({ type: 'connect' }, { type: 'listen' });
      return b.to('Connect');
    case 'DelayOpenTimer_Expires':
      // "sets the ConnectRetryTimer to zero, stops and clears the DelayOpenTimer (set to zero),
      // completes the BGP initialization, sends the OPEN message to its remote peer, sets its hold
      // timer to a large value, and changes its state to OpenSent."
      b.stop('connectRetry').stop('delayOpen');
      return b.sendOpenToOpenSent();
    case 'TcpConnection_Valid':
      // "the local system processes the TCP connection flags and stays in the Active state."
      return;
    case 'Tcp_CR_Invalid':
      // "the local system rejects the TCP connection and stays in the Active State."
      b.do({ type: 'rejectConnection' });
      return;
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // DelayOpen: "sets the ConnectRetryTimer to zero, sets the DelayOpenTimer to the initial value, and
      // stays in the Active state."
      // Otherwise: "sets the ConnectRetryTimer to zero, completes the BGP initialization, sends the OPEN
      // message to its peer, sets its HoldTimer to a large value, and changes its state to OpenSent."
      return tcpEstablished(b);
    case 'TcpConnectionFails':
      // "restarts the ConnectRetryTimer (with the initial value), stops and clears the DelayOpenTimer
      // (sets the value to zero), releases all BGP resource, increments the ConnectRetryCounter by 1,
      // optionally performs peer oscillation damping ..., and changes its state to Idle."
      b.start('connectRetry').stop('delayOpen').do({ type: 'releaseResources' }).incrementCounter().damp();
      return b.to('Idle');
    case 'BGPOpen_with_DelayOpenTimer_running':
      // "stops the ConnectRetryTimer (if running) and sets the ConnectRetryTimer to zero, stops and
      // clears the DelayOpenTimer (sets to zero), completes the BGP initialization, sends an OPEN
      // message, sends a KEEPALIVE message, if the HoldTimer value is non-zero, starts the
      // KeepaliveTimer ... sets the HoldTimer to the negotiated value, ... changes its state to OpenConfirm."
      return openWithDelayOpenRunning(b);
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
      // "(optionally) sends a NOTIFICATION message with the appropriate error code if the
      // SendNOTIFICATIONwithoutOPEN attribute is set to TRUE, sets the ConnectRetryTimer to zero,
      // releases all BGP resources, drops the TCP connection, increments the ConnectRetryCounter by 1,
      // (optionally) performs peer oscillation damping ..., and changes its state to Idle."
      return openMessageError(b, e);
    case 'NotifMsgVerErr':
      // DelayOpenTimer running: "stops the ConnectRetryTimer (if running) and sets the ConnectRetryTimer
      // to zero, stops and resets the DelayOpenTimer (sets to zero), releases all BGP resources, drops
      // the TCP connection, and changes its state to Idle."
      // Otherwise: "sets the ConnectRetryTimer to zero, releases all BGP resources, drops the TCP
      // connection, increments the ConnectRetryCounter by 1, (optionally) performs peer oscillation
      // damping ..., and changes its state to Idle."
      return notifVerErrBeforeOpenSent(b);
    default:
      // "In response to any other event (Events 8, 10-11, 13, 19, 23, 25-28), the local system: sets
      // the ConnectRetryTimer to zero, releases all BGP resources, drops the TCP connection, increments
      // the ConnectRetryCounter by one, (optionally) performs peer oscillation damping ..., and changes
      // its state to Idle."
      return b.fail();
  }
}

// ===== OpenSent =====

function openSent(b: Builder, e: FsmEvent): void {
  switch (e.name) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_DampPeerOscillations':
    case 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment':
      // "Events 1, 3-7 are ignored in the OpenSent state."
      return;
    case 'ManualStop':
      // "sends the NOTIFICATION with a Cease, sets the ConnectRetryTimer to zero, releases all BGP
      // resources, drops the TCP connection, sets the ConnectRetryCounter to zero, and changes its state to Idle."
      b.send(e.notification ?? CEASE_ADMIN_SHUTDOWN).stop('connectRetry');
      b.releaseAndDrop().zeroCounter();
      return b.to('Idle');
    case 'AutomaticStop':
      // "sends the NOTIFICATION with a Cease, sets the ConnectRetryTimer to zero, releases all the BGP
      // resources, drops the TCP connection, increments the ConnectRetryCounter by 1, (optionally)
      // performs peer oscillation damping ..., and changes its state to Idle."
      return b.notifyAndFail(e.notification ?? CEASE);
    case 'HoldTimer_Expires':
      // "sends a NOTIFICATION message with the error code Hold Timer Expired, sets the ConnectRetryTimer
      // to zero, releases all BGP resources, drops the TCP connection, increments the
      // ConnectRetryCounter, (optionally) performs peer oscillation damping ..., and changes its state to Idle."
      return b.notifyAndFail(HOLD_TIMER_EXPIRED);
    case 'TcpConnection_Valid':
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // "a second TCP connection may be in progress. This second TCP connection is tracked per
      // Connection Collision processing (Section 6.8) until an OPEN message is received."
      b.do({ type: 'trackSecondConnection' });
      return;
    case 'Tcp_CR_Invalid':
      // "A TCP Connection Request for an Invalid port (Tcp_CR_Invalid (Event 15)) is ignored."
      return;
    case 'TcpConnectionFails':
      // "closes the BGP connection, restarts the ConnectRetryTimer, continues to listen for a
      // connection that may be initiated by the remote BGP peer, and changes its state to Active."
      b.do({ type: 'dropConnection' }).start('connectRetry').do({ type: 'listen' });
      return b.to('Active');
    case 'BGPOpen':
      // "resets the DelayOpenTimer to zero, sets the BGP ConnectRetryTimer to zero, sends a KEEPALIVE
      // message, and sets a KeepaliveTimer (via the text below) sets the HoldTimer according to the
      // negotiated value (see Section 4.2), changes its state to OpenConfirm."
      b.stop('delayOpen').stop('connectRetry').do({ type: 'sendKeepalive' }).start('keepalive').start('hold');
      return b.to('OpenConfirm');
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
      // "sends a NOTIFICATION message with the appropriate error code, sets the ConnectRetryTimer to
      // zero, releases all BGP resources, drops the TCP connection, increments the ConnectRetryCounter
      // by 1, (optionally) performs peer oscillation damping ..., and changes its state to Idle."
      return b.notifyAndFail(e.notification ?? OPEN_ERROR);
    case 'OpenCollisionDump':
      // "sends a NOTIFICATION with a Cease, sets the ConnectRetryTimer to zero, releases all BGP
      // resources, drops the TCP connection, increments the ConnectRetryCounter by 1, (optionally)
      // performs peer oscillation damping ..., and changes its state to Idle."
      return b.notifyAndFail(e.notification ?? CEASE_COLLISION);
    case 'NotifMsgVerErr':
      // "sets the ConnectRetryTimer to zero, releases all BGP resources, drops the TCP connection, and changes its state to Idle."
      b.stop('connectRetry');
      return releaseToIdle(b);
    default:
      // "In response to any other event (Events 9, 11-13, 20, 25-28), the local system: sends the
      // NOTIFICATION with the Error Code Finite State Machine Error, sets the ConnectRetryTimer to zero,
      // releases all BGP resources, drops the TCP connection, increments the ConnectRetryCounter by 1,
      // (optionally) performs peer oscillation damping ..., and changes its state to Idle."
      // RFC 6608 3: subcode 1, "Receive Unexpected Message in OpenSent State".
      return b.notifyAndFail(FSM_ERROR_IN_OPENSENT);
  }
}

// ===== OpenConfirm =====

function openConfirm(b: Builder, e: FsmEvent): void {
  switch (e.name) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_DampPeerOscillations':
    case 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment':
      // "Any start event (Events 1, 3-7) is ignored in the OpenConfirm state."
      return;
    case 'ManualStop':
      // "sends the NOTIFICATION message with a Cease, releases all BGP resources, drops the TCP
      // connection, sets the ConnectRetryCounter to zero, sets the ConnectRetryTimer to zero, and changes its state to Idle."
      b.send(e.notification ?? CEASE_ADMIN_SHUTDOWN).releaseAndDrop();
      b.zeroCounter().stop('connectRetry');
      return b.to('Idle');
    case 'AutomaticStop':
      // "sends the NOTIFICATION message with a Cease, sets the ConnectRetryTimer to zero, releases all
      // BGP resources, drops the TCP connection, increments the ConnectRetryCounter by 1, (optionally)
      // performs peer oscillation damping ..., and changes its state to Idle."
      return b.notifyAndFail(e.notification ?? CEASE);
    case 'HoldTimer_Expires':
      // "sends the NOTIFICATION message with the Error Code Hold Timer Expired, sets the
      // ConnectRetryTimer to zero, releases all BGP resources, drops the TCP connection, increments the
      // ConnectRetryCounter by 1, (optionally) performs peer oscillation damping ..., and changes its state to Idle."
      return b.notifyAndFail(HOLD_TIMER_EXPIRED);
    case 'KeepaliveTimer_Expires':
      // "sends a KEEPALIVE message, restarts the KeepaliveTimer, and remains in the OpenConfirmed state."
      b.sendKeepalive().start('keepalive');
      return;
    case 'TcpConnection_Valid':
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // "the local system needs to track the second connection."
      b.do({ type: 'trackSecondConnection' });
      return;
    case 'Tcp_CR_Invalid':
      // "If a TCP connection is attempted with an invalid port (Event 15), the local system will ignore the second connection attempt."
      return;
    case 'TcpConnectionFails':
    case 'NotifMsg':
      // "sets the ConnectRetryTimer to zero, releases all BGP resources, drops the TCP connection,
      // increments the ConnectRetryCounter by 1, (optionally) performs peer oscillation damping ...,
      // and changes its state to Idle."
      return b.fail();
    case 'NotifMsgVerErr':
      // "sets the ConnectRetryTimer to zero, releases all BGP resources, drops the TCP connection, and changes its state to Idle."
      b.stop('connectRetry');
      return releaseToIdle(b);
    case 'BGPOpen':
    case 'OpenCollisionDump':
      // BGPOpen: "the collision detect function is processed per Section 6.8. If this connection is to
      // be dropped due to connection collision, the local system: sends a NOTIFICATION with a Cease,
      // sets the ConnectRetryTimer to zero, releases all BGP resources, drops the TCP connection,
      // increments the ConnectRetryCounter by 1, (optionally) performs peer oscillation damping ..., and
      // changes its state to Idle." The driver already ran collision detection before delivering the
      // OPEN, so a BGPOpen reaching OpenConfirm is a second OPEN on this connection: dump it the same way.
      // OpenCollisionDump: the same list of actions.
      return b.notifyAndFail(e.notification ?? CEASE_COLLISION);
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
      // "sends a NOTIFICATION message with the appropriate error code, sets the ConnectRetryTimer to
      // zero, releases all BGP resources, drops the TCP connection, increments the ConnectRetryCounter
      // by 1, (optionally) performs peer oscillation damping ..., and changes its state to Idle."
      return b.notifyAndFail(e.notification ?? OPEN_ERROR);
    case 'KeepAliveMsg':
      // "restarts the HoldTimer and changes its state to Established."
      b.start('hold').do({ type: 'sessionEstablished' });
      return b.to('Established');
    default:
      // "In response to any other event (Events 9, 12-13, 20, 27-28), the local system: sends a
      // NOTIFICATION with a code of Finite State Machine Error, sets the ConnectRetryTimer to zero,
      // releases all BGP resources, drops the TCP connection, increments the ConnectRetryCounter by 1,
      // (optionally) performs peer oscillation damping ..., and changes its state to Idle."
      return b.notifyAndFail(FSM_ERROR_IN_OPENCONFIRM);
  }
}

// ===== Established =====

function established(b: Builder, e: FsmEvent): void {
  switch (e.name) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_DampPeerOscillations':
    case 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment':
      // "Any Start event (Events 1, 3-7) is ignored in the Established state."
      return;
    case 'ManualStop':
      // "sends the NOTIFICATION message with a Cease, sets the ConnectRetryTimer to zero, deletes all
      // routes associated with this connection, releases BGP resources, drops the TCP connection, sets
      // the ConnectRetryCounter to zero, and changes its state to Idle."
      b.send(e.notification ?? CEASE_ADMIN_SHUTDOWN).stop('connectRetry');
      b.deleteRoutes().releaseAndDrop().zeroCounter();
      return b.to('Idle');
    case 'AutomaticStop':
      // "sends a NOTIFICATION with a Cease, sets the ConnectRetryTimer to zero deletes all routes
      // associated with this connection, releases all BGP resources, drops the TCP connection,
      // increments the ConnectRetryCounter by 1, (optionally) performs peer oscillation damping ..., and
      // changes its state to Idle."
      return b.notifyAndFailEstablished(e.notification ?? CEASE);
    case 'HoldTimer_Expires':
      // "sends a NOTIFICATION message with the Error Code Hold Timer Expired, sets the
      // ConnectRetryTimer to zero, releases all BGP resources, drops the TCP connection, increments the
      // ConnectRetryCounter by 1, (optionally) performs peer oscillation damping ..., and changes its state to Idle."
      return b.notifyAndFailEstablished(HOLD_TIMER_EXPIRED);
    case 'KeepaliveTimer_Expires':
      // "sends a KEEPALIVE message, and restarts its KeepaliveTimer, unless the negotiated HoldTime value is zero."
      b.sendKeepalive().start('keepalive');
      return;
    case 'TcpConnection_Valid':
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // "A TcpConnection_Valid (Event 14), received for a valid port, will cause the second connection
      // to be tracked." / "In response to an indication that the TCP connection is successfully
      // established (Event 16 or Event 17), the second connection SHALL be tracked until it sends an OPEN message."
      b.do({ type: 'trackSecondConnection' });
      return;
    case 'Tcp_CR_Invalid':
      // "An invalid TCP connection (Tcp_CR_Invalid event (Event 15)) will be ignored."
      return;
    case 'BGPOpen':
    case 'OpenCollisionDump':
      // BGPOpen: "If a valid OPEN message (BGPOpen (Event 19)) is received, and if the
      // CollisionDetectEstablishedState optional attribute is TRUE, the OPEN message will be checked to
      // see if it collides (Section 6.8) with any other connection. If the BGP implementation
      // determines that this connection needs to be terminated, it will process an OpenCollisionDump event."
      // OpenCollisionDump: "sends a NOTIFICATION with a Cease, sets the ConnectRetryTimer to zero,
      // deletes all routes associated with this connection, releases all BGP resources, drops the TCP
      // connection, increments the ConnectRetryCounter by 1, (optionally) performs peer oscillation
      // damping ..., and changes its state to Idle."
      return b.notifyAndFailEstablished(e.notification ?? CEASE_COLLISION);
    case 'TcpConnectionFails':
    case 'NotifMsgVerErr':
    case 'NotifMsg':
      // "sets the ConnectRetryTimer to zero, deletes all routes associated with this connection,
      // releases all the BGP resources, drops the TCP connection, increments the ConnectRetryCounter by
      // 1, and changes its state to Idle."
      b.stop('connectRetry').deleteRoutes().releaseAndDrop();
      b.incrementCounter();
      return b.to('Idle');
    case 'KeepAliveMsg':
      // "restarts its HoldTimer, if the negotiated HoldTime value is non-zero, and remains in the Established state."
      b.start('hold');
      return;
    case 'UpdateMsg':
      // "processes the message, restarts its HoldTimer, if the negotiated HoldTime value is non-zero,
      // and remains in the Established state."
      b.processUpdate().start('hold');
      return;
    case 'BGPHeaderErr':
      // Deviation: 8.2.2 lists Event 21 under "any other event" (FSM Error) here, but 6.1 says a
      // header error is answered with "Error Code Message Header Error"; the error the checks chose
      // is more useful to the peer. The rest of the handling is the same as for any other event.
      return b
        .send(e.notification ?? FSM_ERROR_IN_ESTABLISHED)
        .deleteRoutes()
        .fail();
    case 'UpdateMsgErr':
      // "sends a NOTIFICATION message with an Update error, sets the ConnectRetryTimer to zero, deletes
      // all routes associated with this connection, releases all BGP resources, drops the TCP
      // connection, increments the ConnectRetryCounter by 1, (optionally) performs peer oscillation
      // damping ..., and changes its state to Idle."
      return b.notifyAndFailEstablished(e.notification ?? UPDATE_ERROR);
    default:
      // "In response to any other event (Events 9, 12-13, 20-22), the local system: sends a
      // NOTIFICATION message with the Error Code Finite State Machine Error, deletes all routes
      // associated with this connection, sets the ConnectRetryTimer to zero, releases all BGP
      // resources, drops the TCP connection, increments the ConnectRetryCounter by 1, (optionally)
      // performs peer oscillation damping ..., and changes its state to Idle."
      // RFC 6608 3: subcode 3, "Receive Unexpected Message in Established State".
      return b.send(FSM_ERROR_IN_ESTABLISHED).deleteRoutes().fail();
  }
}
