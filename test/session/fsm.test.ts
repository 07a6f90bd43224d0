// Table-driven tests of the pure RFC 4271 8.2.2 FSM (daemon/session/fsm.ts): one row per (state, event)
// pair, 6 states x 28 events, each asserting the next state, the ConnectRetryCounter change and the
// multiset of actions. The expected table is written from the RFC text, not from the implementation.
// Action shorthand: init release delroutes connect listen drop reject track open ka est update damp,
// notif:C/S, start:T / stop:T with T = cr hold holdL(large) ka delay idle.
import { expect } from 'chai';
import {
  eventNames,
  initialFsm,
  states,
  transition,
  defaultFsmOptions,
  type EventName,
  type Fsm,
  type FsmAction,
  type FsmEvent,
  type FsmOptions,
  type State,
} from '../../daemon/session/fsm.js';

const timerShort = {
  connectRetry: 'cr',
  hold: 'hold',
  keepalive: 'ka',
  delayOpen: 'delay',
  idleHold: 'idle',
} as const;

function token(a: FsmAction): string {
  switch (a.type) {
    case 'initializeResources':
      return 'init';
    case 'releaseResources':
      return 'release';
    case 'deleteRoutes':
      return 'delroutes';
    case 'connect':
      return 'connect';
    case 'listen':
      return 'listen';
    case 'dropConnection':
      return 'drop';
    case 'rejectConnection':
      return 'reject';
    case 'trackSecondConnection':
      return 'track';
    case 'sendOpen':
      return 'open';
    case 'sendKeepalive':
      return 'ka';
    case 'sendNotification':
      return `notif:${a.notification.code}/${a.notification.subcode}`;
    case 'startTimer':
      return `start:${timerShort[a.timer]}${a.large ? 'L' : ''}`;
    case 'stopTimer':
      return `stop:${timerShort[a.timer]}`;
    case 'processUpdate':
      return 'update';
    case 'sessionEstablished':
      return 'est';
    case 'dampPeerOscillations':
      return 'damp';
  }
}

/** Events carry the NOTIFICATION their checks chose, as the session driver would. */
function eventFor(n: number): FsmEvent {
  const name = eventNames[n - 1]!;
  if (name === 'BGPHeaderErr') return { name, notification: { code: 1, subcode: 2 } };
  if (name === 'BGPOpenMsgErr') return { name, notification: { code: 2, subcode: 2 } };
  if (name === 'UpdateMsgErr') return { name, notification: { code: 3, subcode: 1 } };
  return { name };
}

/** `Next | actions | counter` where counter is `=` (unchanged), `0` or `+1`. */
type Row = string;
type StateTable = { [event: number]: Row; other: Row };

const toIdle = 'Idle | stop:cr release drop | +1';
const ignore = (s: State): Row => `${s} | | =`;
const startsIgnored = (s: State): { [event: number]: Row } => ({
  1: ignore(s),
  3: ignore(s),
  4: ignore(s),
  5: ignore(s),
  6: ignore(s),
  7: ignore(s),
});

const table: Record<State, StateTable> = {
  Idle: {
    1: 'Connect | init start:cr connect listen | 0',
    3: 'Connect | init start:cr connect listen | 0',
    4: 'Active | init start:cr listen | 0',
    5: 'Active | init start:cr listen | 0',
    6: 'Idle | start:idle | =',
    7: 'Idle | start:idle | =',
    13: 'Connect | init start:cr connect listen | 0',
    other: ignore('Idle'),
  },
  Connect: {
    ...startsIgnored('Connect'),
    2: 'Idle | drop release stop:cr | 0',
    9: 'Connect | drop start:cr stop:delay connect listen | =',
    12: 'OpenSent | stop:delay open start:holdL | =',
    14: ignore('Connect'),
    15: 'Connect | reject | =',
    16: 'OpenSent | stop:cr open start:holdL | =',
    17: 'OpenSent | stop:cr open start:holdL | =',
    18: 'Idle | stop:cr drop release | =',
    20: 'OpenConfirm | stop:cr stop:delay open ka start:ka start:hold | =',
    other: toIdle,
  },
  Active: {
    ...startsIgnored('Active'),
    2: 'Idle | release drop stop:cr | 0',
    9: 'Connect | start:cr connect listen | =',
    12: 'OpenSent | stop:cr stop:delay open start:holdL | =',
    14: ignore('Active'),
    15: 'Active | reject | =',
    16: 'OpenSent | stop:cr open start:holdL | =',
    17: 'OpenSent | stop:cr open start:holdL | =',
    18: 'Idle | start:cr stop:delay release | +1',
    20: 'OpenConfirm | stop:cr stop:delay open ka start:ka start:hold | =',
    other: toIdle,
  },
  OpenSent: {
    ...startsIgnored('OpenSent'),
    2: 'Idle | notif:6/2 stop:cr release drop | 0',
    8: 'Idle | notif:6/0 stop:cr release drop | +1',
    10: 'Idle | notif:4/0 stop:cr release drop | +1',
    14: 'OpenSent | track | =',
    15: ignore('OpenSent'),
    16: 'OpenSent | track | =',
    17: 'OpenSent | track | =',
    18: 'Active | drop start:cr listen | =',
    19: 'OpenConfirm | stop:delay stop:cr ka start:ka start:hold | =',
    21: 'Idle | notif:1/2 stop:cr release drop | +1',
    22: 'Idle | notif:2/2 stop:cr release drop | +1',
    23: 'Idle | notif:6/7 stop:cr release drop | +1',
    24: 'Idle | stop:cr release drop | =',
    other: 'Idle | notif:5/1 stop:cr release drop | +1',
  },
  OpenConfirm: {
    ...startsIgnored('OpenConfirm'),
    2: 'Idle | notif:6/2 release drop stop:cr | 0',
    8: 'Idle | notif:6/0 stop:cr release drop | +1',
    10: 'Idle | notif:4/0 stop:cr release drop | +1',
    11: 'OpenConfirm | ka start:ka | =',
    14: 'OpenConfirm | track | =',
    15: ignore('OpenConfirm'),
    16: 'OpenConfirm | track | =',
    17: 'OpenConfirm | track | =',
    18: toIdle,
    19: 'Idle | notif:6/7 stop:cr release drop | +1',
    21: 'Idle | notif:1/2 stop:cr release drop | +1',
    22: 'Idle | notif:2/2 stop:cr release drop | +1',
    23: 'Idle | notif:6/7 stop:cr release drop | +1',
    24: 'Idle | stop:cr release drop | =',
    25: toIdle,
    26: 'Established | start:hold est | =',
    other: 'Idle | notif:5/2 stop:cr release drop | +1',
  },
  Established: {
    ...startsIgnored('Established'),
    2: 'Idle | notif:6/2 stop:cr delroutes release drop | 0',
    8: 'Idle | notif:6/0 stop:cr delroutes release drop | +1',
    10: 'Idle | notif:4/0 stop:cr delroutes release drop | +1',
    11: 'Established | ka start:ka | =',
    14: 'Established | track | =',
    15: ignore('Established'),
    16: 'Established | track | =',
    17: 'Established | track | =',
    18: 'Idle | stop:cr delroutes release drop | +1',
    19: 'Idle | notif:6/7 stop:cr delroutes release drop | +1',
    21: 'Idle | notif:1/2 delroutes stop:cr release drop | +1',
    23: 'Idle | notif:6/7 stop:cr delroutes release drop | +1',
    24: 'Idle | stop:cr delroutes release drop | +1',
    25: 'Idle | stop:cr delroutes release drop | +1',
    26: 'Established | start:hold | =',
    27: 'Established | update start:hold | =',
    28: 'Idle | notif:3/1 stop:cr delroutes release drop | +1',
    other: 'Idle | notif:5/3 delroutes stop:cr release drop | +1',
  },
};

const startCounter = 3;

function check(
  from: Partial<Fsm> & { state: State },
  event: FsmEvent,
  row: Row,
  options: FsmOptions = defaultFsmOptions,
): void {
  const [next, actions, counter] = row.split('|').map((s) => s.trim()) as [State, string, string];
  const fsm: Fsm = { ...initialFsm(), connectRetryCounter: startCounter, ...from };
  const result = transition(fsm, event, options);
  expect(result.next.state, 'next state').to.equal(next);
  const expected = actions === '' ? [] : actions.split(/\s+/);
  expect(result.actions.map(token).sort(), 'actions').to.deep.equal([...expected].sort());
  const wantCounter = counter === '=' ? startCounter : counter === '0' ? 0 : startCounter + 1;
  expect(result.next.connectRetryCounter, 'ConnectRetryCounter').to.equal(wantCounter);
  // Whatever is sent goes out before the connection is dropped.
  const tokens = result.actions.map(token);
  const dropAt = tokens.indexOf('drop');
  if (dropAt >= 0) {
    for (const [i, t] of tokens.entries()) {
      if (t.startsWith('notif') || t === 'open' || t === 'ka')
        expect(i, `${t} before drop`).to.be.below(dropAt);
    }
  }
}

describe('session/fsm: RFC 4271 8.2.2 transition table', function () {
  for (const state of states) {
    describe(state, function () {
      for (let n = 1; n <= 28; n++) {
        const row = table[state][n] ?? table[state].other;
        it(`event ${n} ${eventNames[n - 1]} -> ${row.split('|')[0]!.trim()}`, function () {
          check({ state }, eventFor(n), row);
        });
      }
    });
  }
});

describe('session/fsm: optional session attributes (RFC 4271 8.1.1)', function () {
  const delayOpen: FsmOptions = { ...defaultFsmOptions, delayOpen: true };
  const damp: FsmOptions = { ...defaultFsmOptions, dampPeerOscillations: true };
  const withoutOpen: FsmOptions = { ...defaultFsmOptions, sendNotificationWithoutOpen: true };
  const ev = (name: EventName): FsmEvent => ({ name });

  it('Connect + TcpConnectionConfirmed with DelayOpen starts the DelayOpenTimer and stays', function () {
    check({ state: 'Connect' }, ev('TcpConnectionConfirmed'), 'Connect | stop:cr start:delay | =', delayOpen);
    const r = transition({ ...initialFsm(), state: 'Connect' }, ev('Tcp_CR_Acked'), delayOpen);
    expect(r.next.delayOpenRunning).to.equal(true);
  });
  it('Active + Tcp_CR_Acked with DelayOpen starts the DelayOpenTimer and stays', function () {
    check({ state: 'Active' }, ev('Tcp_CR_Acked'), 'Active | stop:cr start:delay | =', delayOpen);
  });
  it('Connect + TcpConnectionFails while the DelayOpenTimer runs goes to Active', function () {
    check(
      { state: 'Connect', delayOpenRunning: true },
      ev('TcpConnectionFails'),
      'Active | start:cr stop:delay listen | =',
    );
  });
  it('Connect + NotifMsgVerErr while the DelayOpenTimer runs does not count a retry', function () {
    check(
      { state: 'Connect', delayOpenRunning: true },
      ev('NotifMsgVerErr'),
      'Idle | stop:cr stop:delay release drop | =',
    );
  });
  it('Active + NotifMsgVerErr while the DelayOpenTimer runs does not count a retry', function () {
    check(
      { state: 'Active', delayOpenRunning: true },
      ev('NotifMsgVerErr'),
      'Idle | stop:cr stop:delay release drop | =',
    );
  });
  it('Connect + any other event while the DelayOpenTimer runs stops it', function () {
    check(
      { state: 'Connect', delayOpenRunning: true },
      ev('NotifMsg'),
      'Idle | stop:cr stop:delay release drop | +1',
    );
  });
  it('Active + ManualStop with DelayOpen running and SendNOTIFICATIONwithoutOPEN sends a Cease', function () {
    check(
      { state: 'Active', delayOpenRunning: true },
      ev('ManualStop'),
      'Idle | notif:6/2 release stop:delay drop stop:cr | 0',
      withoutOpen,
    );
  });
  it('Connect + BGPOpenMsgErr with SendNOTIFICATIONwithoutOPEN sends the NOTIFICATION first', function () {
    check({ state: 'Connect' }, eventFor(22), 'Idle | notif:2/2 stop:cr release drop | +1', withoutOpen);
  });
  it('DampPeerOscillations adds damping where the RFC says "(optionally) performs peer oscillation damping"', function () {
    check(
      { state: 'OpenSent' },
      ev('HoldTimer_Expires'),
      'Idle | notif:4/0 stop:cr release drop damp | +1',
      damp,
    );
    check(
      { state: 'Established' },
      eventFor(28),
      'Idle | notif:3/1 stop:cr delroutes release drop damp | +1',
      damp,
    );
    // ... and not where the RFC leaves it out (Established + NotifMsg).
    check({ state: 'Established' }, ev('NotifMsg'), 'Idle | stop:cr delroutes release drop | +1', damp);
  });
  it('AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment then IdleHoldTimer_Expires starts passive', function () {
    const held = transition(
      initialFsm(),
      ev('AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment'),
    );
    expect(held.next.state).to.equal('Idle');
    expect(held.next.idleHoldPassive).to.equal(true);
    const started = transition(held.next, ev('IdleHoldTimer_Expires'));
    expect(started.next.state).to.equal('Active');
    expect(started.actions.map(token).sort()).to.deep.equal(['init', 'listen', 'start:cr']);
  });
  it("ManualStop carries the caller's CEASE subcode and data (RFC 9003 shutdown communication)", function () {
    const data = Uint8Array.of(5, 104, 101, 108, 108, 111);
    const r = transition(
      { ...initialFsm(), state: 'Established' },
      {
        name: 'ManualStop',
        notification: { code: 6, subcode: 2, data },
      },
    );
    const sent = r.actions.find((a) => a.type === 'sendNotification');
    expect(sent).to.deep.equal({ type: 'sendNotification', notification: { code: 6, subcode: 2, data } });
  });
  it('is pure: the input FSM value is not modified', function () {
    const fsm: Fsm = Object.freeze({ ...initialFsm(), state: 'OpenSent', connectRetryCounter: 1 });
    const r = transition(fsm, ev('HoldTimer_Expires'));
    expect(fsm.state).to.equal('OpenSent');
    expect(r.next).to.not.equal(fsm);
  });
});
