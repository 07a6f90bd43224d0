// The composition root: one Speaker per daemon. It binds the listeners, creates one Session per
// configured peer, routes accepted connections to their peer by remote address, applies configuration
// reloads (added peers start, removed peers stop with a CEASE, peers whose policy alone changed keep
// their session and the RDE re-applies it, other changed peers restart, unchanged peers are left
// alone), shuts everything down cleanly, and keeps the received-prefix dump file up to date.
// It owns the route decision engine (daemon/rde): every session hands its UPDATEs to it and drains the
// UPDATEs it has for its peer; `originate` prefixes are routes of the RDE's local pseudo-peer.
import { rename, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import { Session, type Dialer, type SessionStatus } from './session/session.js';
import { listen, plainAddress, Transport, type Listener } from './session/transport.js';
import { realClock, type Clock, type TimerHandle } from './session/clock.js';
import type { LocalSpeaker } from './session/negotiate.js';
import { ipv4Number as ipv4ToNumber } from './net/address.js';
import type { ReceivedRoute } from './session/received.js';
import { peerLogger, type Logger } from './log.js';
import { XbgpdError, errorCodes } from './errors.js';
import { Rde } from './rde/rde.js';
import { compilePolicy } from './policy/index.js';
import { writeRibDump } from './rde/mrt-dump.js';
import { originateFromMrt } from './rde/originate-mrt.js';
import type { ListenConfig, OriginatedPrefix, PeerConfig, SpeakerConfig } from './config/types.js';

export interface SpeakerOptions {
  config: SpeakerConfig;
  log: Logger;
  clock?: Clock;
  /** Keep this file updated with the received-prefix table (JSON), see daemon/session/README.md. */
  dumpReceivedFile?: string;
  /** Replace outgoing TCP connections (tests). */
  dial?: Dialer;
  /** Write the Loc-RIB here as MRT TABLE_DUMP_V2 on `dumpRib()` (SIGUSR2) and at shutdown. */
  dumpRibFile?: string;
  /** Write every Adj-RIB-In path here as MRT TABLE_DUMP_V2, alongside dumpRibFile. */
  dumpAdjRibInFile?: string;
}

export interface ReloadSummary {
  added: string[];
  removed: string[];
  changed: string[];
  /** Peers whose import/export policy, next-hop-self, send-med or MRAI changed: applied in place. */
  policyChanged: string[];
  unchanged: string[];
  listenersAdded: string[];
  listenersRemoved: string[];
  originateChanged: boolean;
}

export interface ReceivedDump {
  time: string;
  routerId: string;
  asn: number;
  peers: Record<string, SessionStatus & { received: Record<string, ReceivedRoute[]> }>;
}

/** PeerConfig fields a reload applies to a running session (Session.updatePolicy), without a reset. */
const IN_PLACE_FIELDS = [
  'importPolicy',
  'exportPolicy',
  'nextHopSelf',
  'sendMed',
  'minRouteAdvertisementInterval',
] as const satisfies readonly (keyof PeerConfig)[];

/** A peer's configuration without the fields applied in place, for comparison. */
function withoutInPlaceFields(peer: PeerConfig): string {
  const rest: Partial<PeerConfig> = { ...peer };
  for (const field of IN_PLACE_FIELDS) delete rest[field];
  return JSON.stringify(rest);
}

/** Debounce for rewriting the dump file after UPDATEs (ms). */
const DUMP_DELAY_MS = 100;

export class Speaker {
  private config: SpeakerConfig;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly dialer: Dialer | undefined;
  private readonly dumpFile: string | undefined;
  private readonly ribFiles: { file: string; mode: 'loc-rib' | 'adj-rib-in' }[] = [];
  private readonly sessionsByName = new Map<string, Session>();
  private readonly listeners = new Map<string, Listener>();
  private dumpTimer: TimerHandle | undefined;
  private dumpWriting: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The route decision engine: RIBs, decision process, propagation (replaced when a reload changes
   *  our AS, router id, decision options, RFC 8212 or originate-mrt; every session then restarts). */
  rde: Rde;

  private constructor(options: SpeakerOptions) {
    this.config = options.config;
    this.log = options.log;
    this.clock = options.clock ?? realClock;
    this.dialer = options.dial;
    this.dumpFile = options.dumpReceivedFile;
    if (options.dumpRibFile) this.ribFiles.push({ file: options.dumpRibFile, mode: 'loc-rib' });
    if (options.dumpAdjRibInFile) this.ribFiles.push({ file: options.dumpAdjRibInFile, mode: 'adj-rib-in' });
    this.rde = Speaker.createRde(options.config);
  }

  private static createRde(config: SpeakerConfig): Rde {
    const rde = new Rde({
      localAsn: config.asn,
      routerId: ipv4ToNumber(config.routerId),
      decision: config.decision ?? { alwaysCompareMed: false, deterministicMed: false },
      ebgpRequiresPolicy: config.ebgpRequiresPolicy ?? false,
      compilePolicy,
    });
    rde.originate(config.originate);
    return rde;
  }

  /** Bind every listener (failing with ERR_BGP_LISTEN if one cannot), then start every peer. */
  static async start(options: SpeakerOptions): Promise<Speaker> {
    const speaker = new Speaker(options);
    try {
      for (const l of options.config.listen) await speaker.addListener(l);
    } catch (err) {
      await speaker.closeListeners();
      throw err;
    }
    if (options.config.originateMrt !== undefined) await speaker.originateMrt(options.config.originateMrt);
    for (const peer of options.config.peers) speaker.addPeer(peer).start();
    speaker.scheduleDump();
    return speaker;
  }

  // ===== queries =====

  session(name: string): Session | undefined {
    return this.sessionsByName.get(name);
  }

  sessions(): Session[] {
    return [...this.sessionsByName.values()];
  }

  /** Bound listeners as "address port" (the port is the real one when 0 was configured). */
  listening(): { address: string; port: number }[] {
    return [...this.listeners.values()].map((l) => ({ address: l.address, port: l.port }));
  }

  get local(): LocalSpeaker {
    return {
      routerId: this.config.routerId,
      routerIdNumber: ipv4ToNumber(this.config.routerId),
      asn: this.config.asn,
    };
  }

  receivedDump(): ReceivedDump {
    const peers: ReceivedDump['peers'] = {};
    for (const s of this.sessionsByName.values())
      peers[s.peer.name] = { ...s.status(), received: s.received.toJSON() };
    return { time: new Date().toISOString(), routerId: this.config.routerId, asn: this.config.asn, peers };
  }

  /** Write the received-prefix table now: to the dump file, or to the log when there is none. */
  async dumpReceived(): Promise<void> {
    const dump = this.receivedDump();
    if (!this.dumpFile) {
      this.log.info({ dump }, 'received prefixes');
      return;
    }
    const file = this.dumpFile;
    // Writes are serialised and atomic (write + rename), so a reader never sees half a file.
    this.dumpWriting = this.dumpWriting.then(async () => {
      const tmp = `${file}.tmp-${process.pid}`;
      await writeFile(tmp, JSON.stringify(dump, null, 2) + '\n');
      await rename(tmp, file);
    });
    await this.dumpWriting;
  }

  /** Originate the routes of a TABLE_DUMP_V2 file (`originate-mrt`); problems are logged, not thrown. */
  private async originateMrt(file: string): Promise<void> {
    try {
      const result = await originateFromMrt(this.rde, file);
      this.log.info({ file, routes: result.routes, warning: result.warning }, 'originating routes from mrt');
    } catch (err) {
      this.log.error({ file, err }, 'originate-mrt failed');
    }
  }

  /** Write the MRT RIB dumps (--dump-rib / --dump-adj-rib-in) now. */
  async dumpRib(): Promise<void> {
    for (const { file, mode } of this.ribFiles) {
      const records = await writeRibDump(
        this.rde,
        file,
        { routerId: this.config.routerId, asn: this.config.asn },
        mode,
      );
      this.log.info({ file, mode, prefixes: records }, 'rib dumped');
    }
  }

  // ===== reload and shutdown =====

  /** Apply a new, already validated configuration. */
  async reload(next: SpeakerConfig): Promise<ReloadSummary> {
    const prev = this.config;
    const summary: ReloadSummary = {
      added: [],
      removed: [],
      changed: [],
      policyChanged: [],
      unchanged: [],
      listenersAdded: [],
      listenersRemoved: [],
      originateChanged: false,
    };
    // Listeners: bind the new ones first so a failure leaves the old set in place.
    const key = (l: ListenConfig): string => `${l.address} ${l.port}`;
    const wanted = new Map(next.listen.map((l) => [key(l), l]));
    const added: Listener[] = [];
    for (const [k, l] of wanted) {
      if (this.listeners.has(k)) continue;
      try {
        added.push(await this.addListener(l));
        summary.listenersAdded.push(k);
      } catch (err) {
        for (const a of added) {
          this.listeners.delete(`${a.address} ${a.port}`);
          await a.close();
        }
        throw err;
      }
    }
    for (const [k, l] of [...this.listeners]) {
      if (wanted.has(k)) continue;
      this.listeners.delete(k);
      await l.close();
      summary.listenersRemoved.push(k);
    }

    this.config = next;
    const identityChanged =
      prev.routerId !== next.routerId ||
      prev.asn !== next.asn ||
      JSON.stringify(prev.decision) !== JSON.stringify(next.decision) ||
      prev.ebgpRequiresPolicy !== next.ebgpRequiresPolicy ||
      prev.originateMrt !== next.originateMrt;
    if (identityChanged) {
      // A new RDE: sessions being stopped withdraw from the old one, restarted ones join the new one.
      this.rde = Speaker.createRde(next);
      if (next.originateMrt !== undefined) await this.originateMrt(next.originateMrt);
    }
    const nextPeers = new Map(next.peers.map((p) => [p.name, p]));
    const stops: Promise<void>[] = [];
    for (const [name, session] of [...this.sessionsByName]) {
      const peer = nextPeers.get(name);
      if (!peer) {
        // RFC 4486: Cease / Peer De-configured.
        summary.removed.push(name);
        this.sessionsByName.delete(name);
        stops.push(session.stop({ subcode: 3 }).then(() => session.dispose()));
      } else if (
        !identityChanged &&
        JSON.stringify(peer) !== JSON.stringify(session.peer) &&
        withoutInPlaceFields(peer) === withoutInPlaceFields(session.peer)
      ) {
        // Policy or export settings only: no reset, the RDE re-applies them (import from the kept
        // pre-policy routes, export as the difference between the old and new Adj-RIB-Out).
        summary.policyChanged.push(name);
        session.updatePolicy(peer);
      } else if (identityChanged || JSON.stringify(peer) !== JSON.stringify(session.peer)) {
        // RFC 4486: Cease / Other Configuration Change, then start with the new settings.
        summary.changed.push(name);
        this.sessionsByName.delete(name);
        stops.push(
          session.stop({ subcode: 6 }).then(() => {
            session.dispose();
            if (!this.stopped) this.addPeer(peer).start();
          }),
        );
      } else {
        summary.unchanged.push(name);
      }
    }
    for (const peer of next.peers) {
      if (this.sessionsByName.has(peer.name) || summary.changed.includes(peer.name)) continue;
      summary.added.push(peer.name);
      this.addPeer(peer).start();
    }
    await Promise.all(stops);

    const was = new Map(prev.originate.map((o) => [o.prefix, o]));
    const now = new Map(next.originate.map((o) => [o.prefix, o]));
    const gone: OriginatedPrefix[] = [...was.values()].filter((o) => !now.has(o.prefix));
    const fresh: OriginatedPrefix[] = [...now.values()].filter((o) => !was.has(o.prefix));
    if (gone.length > 0 || fresh.length > 0) {
      summary.originateChanged = true;
      if (!identityChanged) {
        this.rde.withdrawOriginated(gone);
        this.rde.originate(fresh);
      }
    }
    this.scheduleDump();
    return summary;
  }

  /** Stop every peer with CEASE / Administrative Shutdown (RFC 9003 message), close the listeners. */
  async shutdown(message = 'xbgpd shutting down'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.closeListeners();
    await Promise.all(this.sessions().map((s) => s.stop({ subcode: 2, message })));
    for (const s of this.sessions()) s.dispose();
    if (this.dumpTimer) this.clock.clearTimer(this.dumpTimer);
    if (this.dumpFile) await this.dumpReceived().catch(() => undefined);
    if (this.ribFiles.length > 0)
      await this.dumpRib().catch((err: unknown) => this.log.error({ err }, 'rib dump failed'));
  }

  // ===== internals =====

  private addPeer(peer: PeerConfig): Session {
    const options: ConstructorParameters<typeof Session>[0] = {
      peer,
      local: this.local,
      clock: this.clock,
      log: peerLogger(this.log, peer.name),
      originate: () => this.config.originate,
      rde: this.rde,
    };
    if (this.dialer) options.dial = this.dialer;
    const session = new Session(options);
    session.on('update', () => this.scheduleDump());
    session.on('state', () => this.scheduleDump());
    this.sessionsByName.set(peer.name, session);
    return session;
  }

  private async addListener(l: ListenConfig): Promise<Listener> {
    try {
      const listener = await listen(l.address, l.port, (socket) => this.accept(socket));
      this.listeners.set(`${l.address} ${l.port}`, listener);
      this.log.info({ address: listener.address, port: listener.port }, 'listening');
      return listener;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new XbgpdError(
        errorCodes.ERR_BGP_LISTEN,
        `cannot listen on ${l.address} port ${l.port}: ${reason}`,
        {
          cause: err,
        },
      );
    }
  }

  private async closeListeners(): Promise<void> {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map((l) => l.close()));
  }

  /** An accepted TCP connection: hand it to the peer with that remote address, or refuse it. */
  private accept(socket: net.Socket): void {
    const remote = plainAddress(socket.remoteAddress);
    const session = this.sessions().find((s) => s.peer.address === remote);
    if (!session || this.stopped) {
      // RFC 4271 8.1.2 Event 15 (Tcp_CR_Invalid): a connection from an address that is not a peer.
      this.log.info({ remote, port: socket.remotePort }, 'connection from unknown address refused');
      socket.destroy();
      return;
    }
    session.acceptIncoming(new Transport(socket, 'in'));
  }

  private scheduleDump(): void {
    if (!this.dumpFile || this.dumpTimer || this.stopped) return;
    this.dumpTimer = this.clock.setTimer(DUMP_DELAY_MS, () => {
      this.dumpTimer = undefined;
      this.dumpReceived().catch((err: unknown) => this.log.error({ err }, 'dump failed'));
    });
  }
}
