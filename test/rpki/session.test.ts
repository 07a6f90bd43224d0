// The RTR session machine (daemon/rpki/session.ts) driven by hand-built PDUs: the exchanges of RFC 8210
// 8 (start, incremental refresh, Cache Reset, No Data Available), version fallback (RFC 8210 7), the
// errors it must report (Session ID, duplicate, unknown withdrawal, PDUs out of place, other versions),
// the timers of End of Data, and the Expire Interval dropping the data.
import { expect } from 'chai';
import { encodePdu, type Pdu, type Vrp } from '../../daemon/rpki/pdu.js';
import { RtrFramer } from '../../daemon/rpki/framer.js';
import { RtrSession, type RtrAction } from '../../daemon/rpki/session.js';
import { VrpTable } from '../../daemon/rpki/vrp-table.js';

const v4 = (a: string, length: number, maxLength: number, asn: number): Vrp => ({
  ipv6: false,
  prefix: Uint8Array.from(a.split('.').map(Number)),
  length,
  maxLength,
  asn,
});
const A = v4('192.0.2.0', 24, 24, 64496);
const B = v4('198.51.100.0', 22, 24, 64497);
const C = v4('203.0.113.0', 24, 32, 64498);

const TIMERS = { refresh: 30, retry: 10, expire: 700 };

/** Feed PDUs (encoded, then framed as the client does) and collect the actions. */
function feed(s: RtrSession, ...pdus: Pdu[]): RtrAction[] {
  const f = new RtrFramer();
  return pdus.flatMap((p) => f.push(encodePdu(p)).flatMap((x) => s.received(x)));
}
const sent = (actions: RtrAction[]): Pdu[] => actions.flatMap((a) => (a.kind === 'send' ? [a.pdu] : []));
const closes = (actions: RtrAction[]) => actions.filter((a) => a.kind === 'close');
const errorCodes = (actions: RtrAction[]): number[] =>
  sent(actions).flatMap((p) => (p.type === 'error-report' ? [p.code] : []));
const changed = (actions: RtrAction[]): number =>
  actions.reduce((n, a) => n + (a.kind === 'changed' ? a.vrps.length : 0), 0);

const prefix = (vrp: Vrp, announce = true, version = 1): Pdu => ({ type: 'prefix', version, announce, vrp });
const eod = (sessionId: number, serial: number, version = 1): Pdu => ({
  type: 'end-of-data',
  version,
  sessionId,
  serial,
  timers: version === 1 ? { refresh: 60, retry: 20, expire: 900 } : undefined,
});

/** A session that has done a first Reset Query exchange with session 7, serial 1, VRPs A and B. */
function synced(): { s: RtrSession; table: VrpTable } {
  const table = new VrpTable();
  const s = new RtrSession(table, { timers: TIMERS, keepTimers: false });
  s.connected();
  feed(s, { type: 'cache-response', version: 1, sessionId: 7 }, prefix(A), prefix(B), eod(7, 1));
  return { s, table };
}

describe('rpki/session: the router side of RFC 8210', () => {
  it('starts with a Reset Query of version 1, applies the response at End of Data, follows its timers', () => {
    const table = new VrpTable();
    const s = new RtrSession(table, { timers: TIMERS, keepTimers: false });
    expect(sent(s.connected())).to.deep.equal([{ type: 'reset-query', version: 1 }]);
    expect(feed(s, { type: 'cache-response', version: 1, sessionId: 7 }, prefix(A), prefix(B))).to.deep.equal(
      [],
    );
    expect(table.size, 'nothing applied before End of Data').to.equal(0);
    const actions = feed(s, eod(7, 1));
    expect(table.size).to.equal(2);
    expect(changed(actions)).to.equal(2);
    expect(actions).to.deep.include({ kind: 'set-timer', timer: 'refresh', seconds: 60 });
    expect(actions).to.deep.include({ kind: 'set-timer', timer: 'expire', seconds: 900 });
    expect([s.sessionId, s.serial]).to.deep.equal([7, 1]);
  });

  it('keeps the configured timers with keepTimers, and clamps a cache timer to its RFC 8210 6 range', () => {
    const keep = new RtrSession(new VrpTable(), { timers: TIMERS, keepTimers: true });
    keep.connected();
    const a = feed(keep, { type: 'cache-response', version: 1, sessionId: 1 }, eod(1, 1));
    expect(a).to.deep.include({ kind: 'set-timer', timer: 'expire', seconds: 700 });
    const clamp = new RtrSession(new VrpTable(), { timers: TIMERS, keepTimers: false });
    clamp.connected();
    const b = feed(
      clamp,
      { type: 'cache-response', version: 1, sessionId: 1 },
      {
        type: 'end-of-data',
        version: 1,
        sessionId: 1,
        serial: 1,
        timers: { refresh: 0, retry: 5, expire: 10 },
      },
    );
    expect(b).to.deep.include({ kind: 'set-timer', timer: 'refresh', seconds: 1 });
    expect(b).to.deep.include({ kind: 'set-timer', timer: 'expire', seconds: 600 });
  });

  it('answers a Serial Notify with a Serial Query and applies the incremental changes', () => {
    const { s, table } = synced();
    expect(sent(feed(s, { type: 'serial-notify', version: 1, sessionId: 7, serial: 2 }))).to.deep.equal([
      { type: 'serial-query', version: 1, sessionId: 7, serial: 1 },
    ]);
    const a = feed(
      s,
      { type: 'cache-response', version: 1, sessionId: 7 },
      prefix(A, false),
      prefix(C),
      eod(7, 2),
    );
    expect(changed(a)).to.equal(2);
    expect([table.has(A), table.has(B), table.has(C)]).to.deep.equal([false, true, true]);
    expect(s.serial).to.equal(2);
  });

  it('sends a Serial Query when the Refresh timer fires, a Reset Query after a Cache Reset', () => {
    const { s, table } = synced();
    expect(sent(s.timer('refresh'))).to.deep.equal([
      { type: 'serial-query', version: 1, sessionId: 7, serial: 1 },
    ]);
    expect(sent(feed(s, { type: 'cache-reset', version: 1 }))).to.deep.equal([
      { type: 'reset-query', version: 1 },
    ]);
    const a = feed(s, { type: 'cache-response', version: 1, sessionId: 8 }, prefix(C), eod(8, 1));
    expect(changed(a), 'A and B removed, C added').to.equal(3);
    expect([...table.entries()].map((v) => v.asn)).to.deep.equal([64498]);
  });

  it('a Serial Notify during a query is answered after its End of Data', () => {
    const { s } = synced();
    s.timer('refresh');
    expect(feed(s, { type: 'serial-notify', version: 1, sessionId: 7, serial: 3 })).to.deep.equal([]);
    const a = feed(s, { type: 'cache-response', version: 1, sessionId: 7 }, eod(7, 2));
    expect(sent(a)).to.deep.equal([{ type: 'serial-query', version: 1, sessionId: 7, serial: 2 }]);
  });

  it('retries after No Data Available without closing', () => {
    const s = new RtrSession(new VrpTable(), { timers: TIMERS, keepTimers: false });
    s.connected();
    const a = feed(s, { type: 'error-report', version: 1, code: 2, pdu: new Uint8Array(0), text: 'no data' });
    expect(closes(a)).to.deep.equal([]);
    expect(a).to.deep.include({ kind: 'set-timer', timer: 'retry', seconds: 10 });
    expect(sent(s.timer('retry'))).to.deep.equal([{ type: 'reset-query', version: 1 }]);
  });

  it('falls back to version 0 on Unsupported Protocol Version, reconnecting at once', () => {
    const s = new RtrSession(new VrpTable(), { timers: TIMERS, keepTimers: false });
    s.connected();
    const a = feed(s, { type: 'error-report', version: 0, code: 4, pdu: new Uint8Array(0), text: '' });
    expect(closes(a)).to.deep.equal([
      { kind: 'close', reason: 'protocol version fallback', reconnect: 'now' },
    ]);
    s.closed();
    expect(sent(s.connected())).to.deep.equal([{ type: 'reset-query', version: 0 }]);
    const b = feed(s, { type: 'cache-response', version: 0, sessionId: 3 }, prefix(A, true, 0), eod(3, 5, 0));
    expect(changed(b)).to.equal(1);
    expect(b, 'version 0 carries no timers: the configured ones').to.deep.include({
      kind: 'set-timer',
      timer: 'refresh',
      seconds: 30,
    });
  });

  it('downgrades when the cache answers a version 1 query with version 0 PDUs', () => {
    const s = new RtrSession(new VrpTable(), { timers: TIMERS, keepTimers: false });
    s.connected();
    const a = feed(s, { type: 'cache-response', version: 0, sessionId: 3 }, prefix(A, true, 0), eod(3, 1, 0));
    expect(errorCodes(a)).to.deep.equal([]);
    expect(s.version).to.equal(0);
    expect(s.table.size).to.equal(1);
  });

  it('ignores Serial Notify before negotiation, reports another version after it (code 8)', () => {
    const s = new RtrSession(new VrpTable(), { timers: TIMERS, keepTimers: false });
    s.connected();
    expect(feed(s, { type: 'serial-notify', version: 0, sessionId: 9, serial: 1 })).to.deep.equal([]);
    feed(s, { type: 'cache-response', version: 1, sessionId: 7 });
    const a = feed(s, prefix(A, true, 0));
    expect(errorCodes(a)).to.deep.equal([8]);
    expect(closes(a)).to.have.length(1);
  });

  it('reports a duplicate announcement (7) and an unknown withdrawal (6), changing nothing', () => {
    const dup = synced();
    dup.s.timer('refresh');
    const a = feed(dup.s, { type: 'cache-response', version: 1, sessionId: 7 }, prefix(C), prefix(A));
    expect(errorCodes(a)).to.deep.equal([7]);
    expect(dup.table.has(C), 'the staged C is dropped').to.equal(false);
    const unk = synced();
    unk.s.timer('refresh');
    const b = feed(unk.s, { type: 'cache-response', version: 1, sessionId: 7 }, prefix(C, false));
    expect(errorCodes(b)).to.deep.equal([6]);
    expect(unk.table.size).to.equal(2);
  });

  it('flushes the data on a Session ID mismatch (Corrupt Data)', () => {
    const { s, table } = synced();
    s.timer('refresh');
    const a = feed(s, { type: 'cache-response', version: 1, sessionId: 99 });
    expect(errorCodes(a)).to.deep.equal([0]);
    expect(table.size).to.equal(0);
    expect(changed(a)).to.equal(2);
    s.closed();
    expect(sent(s.connected()), 'no data: a Reset Query').to.deep.equal([
      { type: 'reset-query', version: 1 },
    ]);
  });

  it('reports PDUs out of place: a prefix outside a response, a query from the cache', () => {
    const { s } = synced();
    expect(errorCodes(feed(s, prefix(C)))).to.deep.equal([0]);
    const t = synced();
    expect(errorCodes(feed(t.s, { type: 'reset-query', version: 1 }))).to.deep.equal([5]);
  });

  it('never answers an Error Report with one', () => {
    const { s } = synced();
    const a = feed(s, { type: 'error-report', version: 1, code: 1, pdu: new Uint8Array(0), text: 'boom' });
    expect(errorCodes(a)).to.deep.equal([]);
    expect(closes(a)).to.have.length(1);
  });

  it('keeps the data over a lost connection until the Expire timer, then drops it (RFC 8210 6)', () => {
    const { s, table } = synced();
    s.closed();
    expect(table.size).to.equal(2);
    const a = s.timer('expire');
    expect(table.size).to.equal(0);
    expect(changed(a)).to.equal(2);
    expect(sent(s.connected())).to.deep.equal([{ type: 'reset-query', version: 1 }]);
  });

  it('after a reconnect with data held, asks for the changes since its serial', () => {
    const { s } = synced();
    s.closed();
    expect(sent(s.connected())).to.deep.equal([
      { type: 'serial-query', version: 1, sessionId: 7, serial: 1 },
    ]);
  });
});
