// The router side of an RPKI-to-Router session (RFC 8210, falling back to RFC 6810) as a state machine
// with no I/O: each input (connected, a framed PDU, the connection closed, a timer) returns the actions
// the driver (client.ts) carries out: send a PDU, close the connection (reconnecting at once or after the
// reconnect delay), set or clear a timer, report the VRPs that changed. The machine changes the VRP table
// it is given, and only at End of Data: a response is staged until then, so a broken response changes
// nothing. Checks it makes, each with the Error Report code RFC 8210 12 gives it: PDU versions (4, 8),
// PDUs outside a response or of a cache-only kind (0, 5), Session IDs (0), withdrawals of VRPs not held
// (6), announcements of VRPs held (7). Skipped: Router Key PDUs (BGPsec) are read and ignored; there is
// no timeout on a query the cache never answers (the Expire timer bounds the data's age all the same).
import type { Framed } from './framer.js';
import { RtrErrorCode, formatVrp, type Pdu, type RtrTimers, type RtrVersion, type Vrp } from './pdu.js';
import { VrpTable } from './vrp-table.js';

export type RtrTimer = 'refresh' | 'retry' | 'expire';

export type RtrAction =
  | { readonly kind: 'send'; readonly pdu: Pdu }
  /** Close the connection; connect again at once (version fallback) or after the reconnect delay. */
  | { readonly kind: 'close'; readonly reason: string; readonly reconnect: 'now' | 'later' }
  | { readonly kind: 'set-timer'; readonly timer: RtrTimer; readonly seconds: number }
  | { readonly kind: 'clear-timer'; readonly timer: RtrTimer }
  /** The table changed (already applied): these VRPs were added or removed. */
  | { readonly kind: 'changed'; readonly vrps: readonly Vrp[]; readonly reason: string }
  | {
      readonly kind: 'log';
      readonly level: 'info' | 'warn';
      readonly message: string;
      readonly fields: object;
    };

export interface RtrSessionOptions {
  /** Timers used until the cache sends its own (version 1), and always with version 0 or `keepTimers`. */
  readonly timers: RtrTimers;
  /** Ignore the timers of the cache's End of Data PDUs. */
  readonly keepTimers: boolean;
  /** The version the first query of a connection is sent with (default 1). */
  readonly version?: RtrVersion;
}

/** RFC 8210 6: the allowed range of each timer, in seconds. */
export const TIMER_RANGES: Readonly<Record<keyof RtrTimers, readonly [number, number]>> = {
  refresh: [1, 86400],
  retry: [1, 7200],
  expire: [600, 172800],
};

type Phase = 'down' | 'idle' | 'query' | 'response';

/** A response being received: what it will change once its End of Data arrives. */
type Staging =
  | { readonly kind: 'reset'; readonly sessionId: number; readonly table: VrpTable }
  | {
      readonly kind: 'serial';
      readonly sessionId: number;
      readonly changes: Map<string, { vrp: Vrp; present: boolean }>;
    };

export class RtrSession {
  /** The protocol version of this connection (lowered by a fallback to RFC 6810). */
  version: RtrVersion;
  /** Session ID and serial of the data held (undefined: none held, the next query is a Reset Query). */
  sessionId: number | undefined = undefined;
  serial: number | undefined = undefined;
  /** The version the data held was received with (Session IDs are per version). */
  private dataVersion: RtrVersion | undefined = undefined;
  timers: RtrTimers;
  phase: Phase = 'down';
  /** A PDU of our version has been received on this connection (RFC 8210 7). */
  private negotiated = false;
  private querying: 'reset' | 'serial' = 'reset';
  private staging: Staging | undefined = undefined;
  /** A Serial Notify came while a query was running: query again after it. */
  private notified = false;

  constructor(
    readonly table: VrpTable,
    private readonly options: RtrSessionOptions,
  ) {
    this.version = options.version ?? 1;
    this.timers = options.timers;
  }

  // ===== inputs =====

  /** The transport connection is up: RFC 8210 7, "A router MUST start each transport connection by
   *  issuing either a Reset Query or a Serial Query". */
  connected(): RtrAction[] {
    this.phase = 'idle';
    this.negotiated = false;
    this.notified = false;
    return this.query();
  }

  /** The connection is gone: a response in progress is dropped; the data held stays until it expires. */
  closed(): RtrAction[] {
    this.phase = 'down';
    this.staging = undefined;
    return [{ kind: 'clear-timer', timer: 'retry' }];
  }

  timer(which: RtrTimer): RtrAction[] {
    switch (which) {
      case 'refresh':
      case 'retry':
        return this.phase === 'idle' ? this.query() : [];
      case 'expire':
        return this.expire();
    }
  }

  /** One framed PDU from the cache. */
  received(framed: Framed): RtrAction[] {
    const r = framed.result;
    if (!r.ok) {
      // RFC 8210 5.11: "An Error Report PDU MUST NOT be sent for an Error Report PDU."
      if (framed.bytes[1] === 10) return this.drop(`undecodable Error Report: ${r.error.message}`);
      return this.fatal(r.error.code, r.error.message, framed.bytes);
    }
    const pdu = r.pdu;
    const version = this.checkVersion(pdu, framed.bytes);
    if (version !== undefined) return version;
    switch (pdu.type) {
      case 'serial-notify':
        return this.onNotify(pdu.sessionId, framed.bytes);
      case 'cache-response':
        return this.onCacheResponse(pdu.sessionId, framed.bytes);
      case 'prefix':
        return this.onPrefix(pdu.announce, pdu.vrp, framed.bytes);
      case 'router-key':
        // BGPsec router keys are not used: read inside a response, ignored.
        return this.phase === 'response' ? [] : this.outsideResponse(framed.bytes);
      case 'end-of-data':
        return this.onEndOfData(pdu.sessionId, pdu.serial, pdu.timers, framed.bytes);
      case 'cache-reset':
        return this.onCacheReset(framed.bytes);
      case 'error-report':
        return this.onErrorReport(pdu.code, pdu.text);
      case 'serial-query':
      case 'reset-query':
        return this.fatal(RtrErrorCode.unsupportedPduType, `a cache sent a ${pdu.type}`, framed.bytes);
    }
  }

  // ===== per PDU =====

  /**
   * RFC 8210 7: version negotiation. A first answer of version 0 to our version 1 query downgrades the
   * session; an Error Report "Unsupported Protocol Version" to it makes us reconnect with version 0 at
   * once ("the router MAY retry the connection using protocol version 0"). Serial Notify PDUs are ignored
   * until then. After it, "Unexpected Protocol Version" for any other version.
   */
  private checkVersion(pdu: Pdu, bytes: Uint8Array): RtrAction[] | undefined {
    if (this.negotiated) {
      if (pdu.version === this.version) return undefined;
      if (pdu.type === 'error-report') return this.drop(`Error Report of version ${pdu.version}`);
      return this.fatal(RtrErrorCode.unexpectedProtocolVersion, `version ${pdu.version} PDU`, bytes);
    }
    if (pdu.type === 'serial-notify') return [];
    if (
      pdu.type === 'error-report' &&
      pdu.code === RtrErrorCode.unsupportedProtocolVersion &&
      this.version === 1
    ) {
      this.version = 0;
      return [
        this.log('info', 'rpki cache does not speak version 1: falling back to RFC 6810 (version 0)', {}),
        { kind: 'close', reason: 'protocol version fallback', reconnect: 'now' },
      ];
    }
    // "The cache may reply with a version 0 response. In this case, the router MUST either downgrade".
    if (pdu.version < this.version) this.version = 0;
    this.negotiated = true;
    return pdu.version === this.version
      ? undefined
      : this.fatal(RtrErrorCode.unexpectedProtocolVersion, `version ${pdu.version} PDU`, bytes);
  }

  /** RFC 8210 5.2: the cache has new data; "the router SHOULD ... send a Serial Query". */
  private onNotify(sessionId: number, bytes: Uint8Array): RtrAction[] {
    if (this.sessionId !== undefined && sessionId !== this.sessionId && this.dataVersion === this.version)
      return this.sessionMismatch(sessionId, bytes);
    if (this.phase === 'idle') return this.query();
    this.notified = true;
    return [];
  }

  private onCacheResponse(sessionId: number, bytes: Uint8Array): RtrAction[] {
    if (this.phase !== 'query') return this.outsideResponse(bytes);
    if (this.querying === 'serial') {
      if (sessionId !== this.sessionId) return this.sessionMismatch(sessionId, bytes);
      this.staging = { kind: 'serial', sessionId, changes: new Map() };
    } else this.staging = { kind: 'reset', sessionId, table: new VrpTable() };
    this.phase = 'response';
    return [];
  }

  private onPrefix(announce: boolean, vrp: Vrp, bytes: Uint8Array): RtrAction[] {
    const s = this.staging;
    if (this.phase !== 'response' || s === undefined) return this.outsideResponse(bytes);
    let held: boolean;
    if (s.kind === 'reset') held = s.table.has(vrp);
    else {
      const k = formatVrp(vrp);
      held = s.changes.get(k)?.present ?? this.table.has(vrp);
      if (held !== announce) s.changes.set(k, { vrp, present: announce });
    }
    // RFC 8210 5.6: an announcement of a VRP the router holds, a withdrawal of one it does not.
    if (announce && held)
      return this.fatal(RtrErrorCode.duplicateAnnouncement, `duplicate ${formatVrp(vrp)}`, bytes);
    if (!announce && !held)
      return this.fatal(
        RtrErrorCode.withdrawalOfUnknownRecord,
        `withdrawal of unknown ${formatVrp(vrp)}`,
        bytes,
      );
    if (s.kind === 'reset') {
      if (announce) s.table.add(vrp);
      else s.table.remove(vrp);
    }
    return [];
  }

  /** RFC 8210 5.8: the response is complete: commit it, then follow the cache's timing (section 6). */
  private onEndOfData(
    sessionId: number,
    serial: number,
    timers: RtrTimers | undefined,
    bytes: Uint8Array,
  ): RtrAction[] {
    const s = this.staging;
    if (this.phase !== 'response' || s === undefined) return this.outsideResponse(bytes);
    // "The Session ID ... MUST be the same as that of the corresponding Cache Response".
    if (sessionId !== s.sessionId) return this.sessionMismatch(sessionId, bytes);
    const changed = s.kind === 'reset' ? this.replaceWith(s.table) : this.applyChanges(s.changes);
    this.staging = undefined;
    this.sessionId = sessionId;
    this.serial = serial;
    this.dataVersion = this.version;
    this.phase = 'idle';
    const actions: RtrAction[] = [];
    if (timers !== undefined && !this.options.keepTimers) this.timers = this.clampTimers(timers, actions);
    actions.push(
      { kind: 'clear-timer', timer: 'retry' },
      { kind: 'set-timer', timer: 'refresh', seconds: this.timers.refresh },
      // "Countdown for this timer starts upon receipt of the containing End Of Data PDU."
      { kind: 'set-timer', timer: 'expire', seconds: this.timers.expire },
    );
    if (changed.length > 0)
      actions.push({ kind: 'changed', vrps: changed, reason: `${s.kind} response, serial ${serial}` });
    actions.push(
      this.log('info', 'rpki data synchronised', {
        sessionId,
        serial,
        version: this.version,
        vrps: this.table.size,
        changed: changed.length,
      }),
    );
    if (this.notified) {
      this.notified = false;
      actions.push(...this.query());
    }
    return actions;
  }

  /** RFC 8210 5.9: the cache cannot answer a Serial Query incrementally; "the router MUST issue a Reset Query". */
  private onCacheReset(bytes: Uint8Array): RtrAction[] {
    if (this.phase !== 'query' || this.querying !== 'serial') return this.outsideResponse(bytes);
    this.querying = 'reset';
    return [{ kind: 'send', pdu: { type: 'reset-query', version: this.version } }];
  }

  /** RFC 8210 12: No Data Available is not fatal (query again after the Retry Interval); the rest are. */
  private onErrorReport(code: number, text: string): RtrAction[] {
    if (code === RtrErrorCode.noDataAvailable && this.phase !== 'down') {
      this.phase = 'idle';
      this.staging = undefined;
      return [
        this.log('info', 'rpki cache has no data yet', { retry: this.timers.retry }),
        { kind: 'set-timer', timer: 'retry', seconds: this.timers.retry },
      ];
    }
    return this.drop(`rpki cache reported error ${code}${text === '' ? '' : `: ${text}`}`);
  }

  // ===== helpers =====

  /** Send the query the state calls for: Serial Query when data of this version is held, else Reset. */
  private query(): RtrAction[] {
    this.phase = 'query';
    const serial = this.dataVersion === this.version ? this.serial : undefined;
    if (serial !== undefined && this.sessionId !== undefined) {
      this.querying = 'serial';
      return [
        {
          kind: 'send',
          pdu: { type: 'serial-query', version: this.version, sessionId: this.sessionId, serial },
        },
      ];
    }
    this.querying = 'reset';
    return [{ kind: 'send', pdu: { type: 'reset-query', version: this.version } }];
  }

  /** RFC 8210 6: "The router MUST NOT retain the data past the time given by the Expire Interval". */
  private expire(): RtrAction[] {
    const removed = this.flush();
    return [
      this.log('warn', 'rpki data expired: every VRP dropped', { vrps: removed.length }),
      ...(removed.length > 0 ? [{ kind: 'changed', vrps: removed, reason: 'expired' } as const] : []),
    ];
  }

  /** Drop every VRP and the session state; returns the VRPs removed. */
  private flush(): Vrp[] {
    const removed = [...this.table.entries()];
    this.table.clear();
    this.sessionId = undefined;
    this.serial = undefined;
    this.dataVersion = undefined;
    return removed;
  }

  /**
   * RFC 8210 5.1: on a Session ID mismatch, terminate "with an Error Report PDU with code 0 ("Corrupt
   * Data")", and "the router MUST flush all data learned from that cache".
   */
  private sessionMismatch(got: number, bytes: Uint8Array): RtrAction[] {
    const expected = this.staging?.sessionId ?? this.sessionId;
    const actions = this.fatal(RtrErrorCode.corruptData, `Session ID ${got}, expected ${expected}`, bytes);
    const removed = this.flush();
    actions.push({ kind: 'clear-timer', timer: 'expire' }, { kind: 'clear-timer', timer: 'refresh' });
    if (removed.length > 0) actions.push({ kind: 'changed', vrps: removed, reason: 'session id changed' });
    return actions;
  }

  private outsideResponse(bytes: Uint8Array): RtrAction[] {
    return this.fatal(
      RtrErrorCode.corruptData,
      `PDU type ${bytes[1]} unexpected in state ${this.phase}`,
      bytes,
    );
  }

  /** Report the error to the cache (RFC 8210 5.11, the offending PDU encapsulated) and drop the session. */
  private fatal(code: RtrErrorCode, text: string, bytes: Uint8Array): RtrAction[] {
    return [
      { kind: 'send', pdu: { type: 'error-report', version: this.version, code, pdu: bytes.slice(), text } },
      ...this.drop(text),
    ];
  }

  private drop(reason: string): RtrAction[] {
    this.phase = 'down';
    this.staging = undefined;
    return [
      this.log('warn', 'rpki session dropped', { reason }),
      { kind: 'close', reason, reconnect: 'later' },
    ];
  }

  /** Make the live table hold exactly `next`; returns the VRPs added or removed. */
  private replaceWith(next: VrpTable): Vrp[] {
    const changed: Vrp[] = [];
    for (const v of [...this.table.entries()]) if (!next.has(v)) changed.push(v);
    for (const v of changed) this.table.remove(v);
    for (const v of next.entries()) if (this.table.add(v)) changed.push(v);
    return changed;
  }

  private applyChanges(changes: ReadonlyMap<string, { vrp: Vrp; present: boolean }>): Vrp[] {
    const changed: Vrp[] = [];
    for (const { vrp, present } of changes.values())
      if (present ? this.table.add(vrp) : this.table.remove(vrp)) changed.push(vrp);
    return changed;
  }

  /** The cache's timers, each brought into its RFC 8210 6 range (a value outside it is logged). */
  private clampTimers(t: RtrTimers, actions: RtrAction[]): RtrTimers {
    const out = { ...t };
    for (const k of ['refresh', 'retry', 'expire'] as const) {
      const [min, max] = TIMER_RANGES[k];
      const v = Math.min(max, Math.max(min, t[k]));
      if (v !== t[k])
        actions.push(this.log('warn', 'rpki cache timer out of range', { timer: k, value: t[k], used: v }));
      out[k] = v;
    }
    return out;
  }

  private log(level: 'info' | 'warn', message: string, fields: object): RtrAction {
    return { kind: 'log', level, message, fields };
  }
}
