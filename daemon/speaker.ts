// The composition root: one Speaker per daemon. It binds the listeners, creates one Session per
// configured peer, routes accepted connections to their peer by remote address, applies configuration
// reloads (added peers start, removed peers stop with a CEASE, peers whose policy alone changed keep
// their session and the RDE re-applies it, other changed peers restart, unchanged peers are left
// alone), shuts everything down cleanly, and keeps the received-prefix dump file up to date.
// It owns the route decision engine (daemon/rde) and hands it to every session as its RdePort
// (daemon/session/rde-port.ts): each session gives it its UPDATEs and drains the UPDATEs it has for its
// peer; `originate` prefixes are routes of the RDE's local pseudo-peer. It loads the configured plugins
// (daemon/plugins) before anything else starts, and on a reload before anything changes: plugins that
// do not load stop the start, or reject the reload whole. Plugins change at run time (a reload, the
// admin API's applyPlugins) without a session reset: the RDE re-evaluates the routes they touch.
import { EventEmitter } from 'node:events';
import { rename, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import { Session, type Dialer, type NotificationInfo, type SessionStatus } from './session/session.js';
import type { State } from './session/fsm.js';
import { formatKey, type Destination, type PrefixKey } from './rde/rib.js';
import { listen, plainAddress, Transport, type Listener } from './session/transport.js';
import { realClock, runSliced, type Clock, type TimerHandle } from './clock.js';
import type { LocalSpeaker } from './session/negotiate.js';
import { ipv4Number } from './net/address.js';
import type { ReceivedRoute } from './session/received.js';
import { peerLogger, type Logger } from './log.js';
import { XbgpdError, errorCodes } from './errors.js';
import { Rde, type DryRunReport, type PluginSwapCounts } from './rde/rde.js';
import type { RdePlugins } from './rde/plugin-hook.js';
import type { AttrStore } from './rde/attr-store.js';
import { compilePolicy } from './policy/index.js';
import { writeRibDump } from './rde/mrt-dump.js';
import { CeaseSubcode, HEADER_LENGTH } from './wire/index.js';
import { originateFromMrt } from './rde/originate-mrt.js';
import type { Family, ListenConfig, OriginatedPrefix, PeerConfig, SpeakerConfig } from './config/types.js';
import type { HostReporter, PluginEntry, PluginHost } from './plugins/host.js';
import { attachPlugins, routerAccess } from './plugins/attach.js';
import type { RouterAccess, RpkiLookup } from './plugins/call.js';
import type { MessageHook } from './session/message-hook.js';
import { nativeMessageType } from './session/connection.js';
import type { JobRunner } from './plugins/points/jobs.js';
import { OriginValidation } from './rpki/origin-validation.js';
import {
  loadConfiguredPlugins,
  pluginFilesDigest,
  plugletStatsFields,
  formatConfiguredError,
  type ConfiguredPluginError,
} from './plugins/configured.js';

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
  /** The plugins section, or a file the plugins were read from, changed: the new plugins run in place. */
  pluginsChanged: boolean;
}

/** What the speaker tells observers (the admin API's event stream); nothing listens unless asked. */
export type SpeakerEvents = {
  /** A connection of the peer changed FSM state; `state` is the peer's (most advanced) state after it. */
  'peer-state': [{ peer: string; from: State; to: State; state: State }];
  /** The peer's session left Established. */
  'peer-down': [{ peer: string; reason: string; notification?: NotificationInfo }];
  /** A plugin fault or a plugin disabled (the fields its log line carries). */
  plugin: [{ level: 'warn' | 'error'; message: string; fields: Record<string, unknown> }];
  /** A best path changed (only while a listener asked through `watchBest`). */
  best: [{ family: Family; prefix: string; key: PrefixKey; peer?: string; reason?: string }];
  /** A configuration reload was applied (its summary) or rejected (its problems). */
  reload: [{ ok: true; summary: ReloadSummary } | { ok: false; problems: string[] }];
};

/** How `resetPeer` resets: a new session, or the routes re-processed in one direction without one. */
export type ResetMode = 'hard' | 'soft-in' | 'soft-out';

/** The configured plugins did not load: every problem, each attributed to its `plugins[i]` entry. */
export class PluginLoadFailure extends XbgpdError {
  constructor(readonly problems: readonly ConfiguredPluginError[]) {
    super(
      errorCodes.ERR_PLUGIN_LOAD,
      `${problems.length} plugin problem(s): ${problems.map(formatConfiguredError).join('; ')}`,
    );
    this.name = 'PluginLoadFailure';
  }
}

/** Where plugin faults and disabled plugins are reported: the daemon's log and clock, and `events`. */
function pluginReporter(log: Logger, clock: Clock, events: EventEmitter<SpeakerEvents>): HostReporter {
  return {
    now: () => clock.now(),
    warn: (fields, message) => {
      log.warn(fields, message);
      events.emit('plugin', { level: 'warn', message, fields });
    },
    error: (fields, message) => {
      log.error(fields, message);
      events.emit('plugin', { level: 'error', message, fields });
    },
  };
}

/** The host of `entries` (undefined: none), taking over unchanged plugins of `previous`, or PluginLoadFailure. */
function loadPlugins(
  entries: readonly PluginEntry[],
  reporter: HostReporter,
  previous?: PluginHost,
): PluginHost | undefined {
  const loaded = loadConfiguredPlugins(entries, reporter, undefined, previous);
  if (!loaded.ok) throw new PluginLoadFailure(loaded.errors);
  return loaded.host;
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

/** Settings of the RDE itself: when one changes, a reload replaces the RDE and restarts every session. */
function rdeIdentityChanged(prev: SpeakerConfig, next: SpeakerConfig): boolean {
  return (
    prev.routerId !== next.routerId ||
    prev.asn !== next.asn ||
    JSON.stringify(prev.decision) !== JSON.stringify(next.decision) ||
    prev.ebgpRequiresPolicy !== next.ebgpRequiresPolicy ||
    prev.originateMrt !== next.originateMrt
  );
}

/** What a reload does to one peer. */
type PeerStep =
  | { kind: 'removed'; session: Session }
  | { kind: 'changed'; session: Session; peer: PeerConfig }
  | { kind: 'policyChanged'; session: Session; peer: PeerConfig }
  | { kind: 'unchanged'; session: Session }
  | { kind: 'added'; peer: PeerConfig };

/**
 * Compare the running sessions with the new peer list: one step per running session (in their order),
 * then one per new peer (in configuration order). A new RDE restarts every kept peer.
 */
function diffPeers(
  sessions: readonly Session[],
  next: readonly PeerConfig[],
  identityChanged: boolean,
): PeerStep[] {
  const nextPeers = new Map(next.map((p) => [p.name, p]));
  const steps: PeerStep[] = [];
  for (const session of sessions) {
    const peer = nextPeers.get(session.peer.name);
    const same = peer !== undefined && JSON.stringify(peer) === JSON.stringify(session.peer);
    if (!peer) steps.push({ kind: 'removed', session });
    else if (identityChanged) steps.push({ kind: 'changed', session, peer });
    else if (same) steps.push({ kind: 'unchanged', session });
    else if (withoutInPlaceFields(peer) === withoutInPlaceFields(session.peer))
      steps.push({ kind: 'policyChanged', session, peer });
    else steps.push({ kind: 'changed', session, peer });
  }
  const running = new Set(sessions.map((s) => s.peer.name));
  for (const peer of next) if (!running.has(peer.name)) steps.push({ kind: 'added', peer });
  return steps;
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
  private readonly pluginReporter: HostReporter;
  /** pluginFilesDigest of the running plugins: a reload with other file contents reloads them. */
  private pluginFiles: string;
  /** The plugin entries running: the configuration's, as changed since by applyPlugins. */
  pluginEntries: readonly PluginEntry[];
  /** The running plugins (undefined: none); replaced by a reload or applyPlugins that changes them. */
  plugins: PluginHost | undefined;
  /** bgp_decode_message / bgp_encode_message per peer name, for the sessions. */
  private messages: ((peer: string) => MessageHook | undefined) | undefined;
  /** The job plugins of `plugins`, running on the clock. */
  private jobs: JobRunner | undefined;
  /** The route decision engine: RIBs, decision process, propagation (replaced when a reload changes
   *  our AS, router id, decision options, RFC 8212 or originate-mrt; every session then restarts). */
  rde: Rde;
  /** Peer state changes, plugin faults, reloads: for the admin API's event stream. */
  readonly events: EventEmitter<SpeakerEvents>;
  /** When the speaker started (clock ms). */
  readonly startedAt: number;
  /** The RTR client and its VRPs (`rpki:`), re-validating routes in `rde` when they change. */
  rpki: OriginValidation | undefined;

  private constructor(
    options: SpeakerOptions,
    reporter: HostReporter,
    plugins: PluginHost | undefined,
    events: EventEmitter<SpeakerEvents>,
  ) {
    this.events = events;
    this.config = options.config;
    this.log = options.log;
    this.clock = options.clock ?? realClock;
    this.dialer = options.dial;
    this.dumpFile = options.dumpReceivedFile;
    this.startedAt = this.clock.now();
    if (options.dumpRibFile) this.ribFiles.push({ file: options.dumpRibFile, mode: 'loc-rib' });
    if (options.dumpAdjRibInFile) this.ribFiles.push({ file: options.dumpAdjRibInFile, mode: 'adj-rib-in' });
    this.pluginReporter = reporter;
    this.pluginEntries = options.config.plugins;
    this.plugins = plugins;
    this.pluginFiles = pluginFilesDigest(options.config.plugins, plugins);
    this.rpki = options.config.rpki && this.originValidation(options.config.rpki);
    this.rde = this.createRde(options.config, plugins);
  }

  /** peer_session_reset: the session of the peer at `address`, reset on the next turn of the loop. */
  private resetPeerAt(address: string): boolean {
    const session = this.sessions().find((s) => s.peer.address === address);
    if (session === undefined) return false;
    this.clock.defer(() => {
      session
        .reset('reset by a plugin')
        .catch((err: unknown) => this.log.error({ err }, 'plugin reset failed'));
    });
    return true;
  }

  /** schedule_bgp_message: a message for the Established session of the peer at `address`, sent on the
   *  next turn of the loop (after the point's call). False when there is none or it is too long. */
  private sendMessageTo(address: string, type: number, body: Uint8Array): boolean {
    const session = this.sessions().find((s) => s.peer.address === address);
    const conn = session?.establishedConnection;
    if (session === undefined || conn === undefined) return false;
    if (
      type < 0 ||
      type > 255 ||
      nativeMessageType(type) ||
      HEADER_LENGTH + body.length > conn.maxMessageLength
    )
      return false;
    this.clock.defer(() => {
      if (!session.sendMessage(type, body))
        this.log.warn({ peer: session.peer.name, type }, 'plugin message not sent');
    });
    return true;
  }

  /** A new RDE with the plugins attached (their job runner replaces the previous one). */
  private createRde(config: SpeakerConfig, plugins: PluginHost | undefined): Rde {
    const rde = new Rde({
      clock: this.clock,
      localAsn: config.asn,
      routerId: ipv4Number(config.routerId),
      decision: config.decision ?? { alwaysCompareMed: false, deterministicMed: false },
      ebgpRequiresPolicy: config.ebgpRequiresPolicy ?? false,
      compilePolicy,
      pluginHooks: this.attach(config, plugins),
    });
    if (this.bestWatchers > 0) rde.onBestChange = (family, d) => this.tellBest(family, d);
    rde.originate(config.originate);
    return rde;
  }

  /**
   * Attach `plugins` to the daemon (the previous job runner stops, the new one starts; the sessions'
   * message points follow): the RDE's hooks, for a new RDE or Rde.replacePlugins.
   */
  private attach(
    config: SpeakerConfig,
    plugins: PluginHost | undefined,
  ): ((store: AttrStore) => RdePlugins) | undefined {
    this.jobs?.stop();
    this.jobs = undefined;
    const local = { asn: config.asn, routerId: ipv4Number(config.routerId) };
    const router = (): RouterAccess | undefined =>
      routerAccess(this.rde, local, {
        resetPeer: (address) => this.resetPeerAt(address),
        sendMessage: (address, type, body) => this.sendMessageTo(address, type, body),
      });
    const attached =
      plugins && attachPlugins(plugins, this.log, this.clock, local, router, () => this.rpki?.table);
    this.messages = attached?.messages;
    if (attached !== undefined) {
      this.jobs = attached.jobs;
      this.jobs.start();
    }
    return attached?.hooks;
  }

  // ===== plugins at run time =====

  /**
   * Run `entries` in place of the running plugins, without a session reset: they are read, linked and
   * verified first (a problem throws PluginLoadFailure, ERR_PLUGIN_LOAD, and changes nothing; plugins
   * whose entry and files are unchanged are taken over with their memory and statistics), then the RDE
   * re-evaluates the routes the old and new plugins touch and sends peers only the differences.
   */
  applyPlugins(entries: readonly PluginEntry[]): PluginSwapCounts {
    const host = loadPlugins(entries, this.pluginReporter, this.plugins);
    return this.swapPlugins(entries, host);
  }

  /**
   * What applyPlugins(entries) would change, without changing anything: the entries are loaded apart from
   * the running plugins (fresh memory and statistics; PluginLoadFailure on a problem) and run on copies of
   * the routes (Rde.dryRunPlugins), one slice of destinations per turn of the event loop. The RIB and
   * control helpers (route lookup and removal, session reset, messages) are unavailable to them here.
   */
  async dryRunPlugins(entries: readonly PluginEntry[], limit?: number): Promise<DryRunReport> {
    const host = loadPlugins(entries, this.pluginReporter);
    const local = { asn: this.config.asn, routerId: ipv4Number(this.config.routerId) };
    const rpki = (): RpkiLookup | undefined => this.rpki?.table; // read only: VRP lookups are safe here
    const hooks = host && attachPlugins(host, this.log, this.clock, local, () => undefined, rpki).hooks;
    return new Promise((resolve) => runSliced(this.clock, this.rde.dryRunPlugins(hooks, limit), resolve));
  }

  /** Let the plugin `name`, disabled after too many faults, run again (routes re-evaluated); false when
   *  no such plugin is loaded or it was not disabled. */
  reenablePlugin(name: string): boolean {
    if (this.plugins?.reenable(name) !== true) return false;
    this.rde.replacePlugins(this.attach(this.config, this.plugins));
    return true;
  }

  private swapPlugins(entries: readonly PluginEntry[], host: PluginHost | undefined): PluginSwapCounts {
    this.pluginEntries = entries;
    this.plugins = host;
    this.pluginFiles = pluginFilesDigest(entries, host);
    return this.rde.replacePlugins(this.attach(this.config, host));
  }

  /** The RPKI service of an `rpki:` section: routes re-validated in whichever RDE is running. */
  private originValidation(config: NonNullable<SpeakerConfig['rpki']>): OriginValidation {
    return new OriginValidation(config, {
      clock: this.clock,
      log: this.log.child({ component: 'rpki' }),
      reimport: (family, select) => this.rde.reimportPrefixes(family, select),
    });
  }

  /** Apply a reload's `rpki` section: start, reconfigure or stop the RTR client. */
  private reloadRpki(prev: SpeakerConfig['rpki'], next: SpeakerConfig['rpki']): void {
    if (JSON.stringify(prev) === JSON.stringify(next)) return;
    if (next === undefined) {
      this.rpki?.stop();
      this.rpki?.dropAll('rpki section removed');
      this.rpki = undefined;
    } else if (this.rpki === undefined) {
      this.rpki = this.originValidation(next);
      this.rpki.start();
    } else this.rpki.reconfigure(next);
  }

  /**
   * Load the plugins (failing with PluginLoadFailure, ERR_PLUGIN_LOAD, if one does not load), bind every
   * listener (failing with ERR_BGP_LISTEN if one cannot), then start every peer.
   */
  static async start(options: SpeakerOptions): Promise<Speaker> {
    const events = new EventEmitter<SpeakerEvents>();
    const reporter = pluginReporter(options.log, options.clock ?? realClock, events);
    const speaker = new Speaker(options, reporter, loadPlugins(options.config.plugins, reporter), events);
    try {
      for (const l of options.config.listen) await speaker.addListener(l);
    } catch (err) {
      await speaker.closeListeners();
      throw err;
    }
    if (options.config.originateMrt !== undefined) await speaker.originateMrt(options.config.originateMrt);
    speaker.rpki?.start();
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

  /** The running configuration. */
  get configuration(): SpeakerConfig {
    return this.config;
  }

  /** The clock's time (ms), for the admin API's uptimes. */
  now(): number {
    return this.clock.now();
  }

  get local(): LocalSpeaker {
    return {
      routerId: this.config.routerId,
      routerIdNumber: ipv4Number(this.config.routerId),
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

  /** Log one line per pluglet with its statistics (`pluglet statistics`; SIGUSR1). */
  logPluginStats(): void {
    for (const p of this.plugins?.pluglets() ?? [])
      this.log.info(plugletStatsFields(p), 'pluglet statistics');
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

  /**
   * Apply a new, already validated configuration: the plugins first when they changed (a plugin that
   * does not load throws PluginLoadFailure and changes nothing), then the listeners (a bind failure
   * changes nothing else), then a new RDE if its identity or the plugins changed, then the peers
   * (removed ones stop, changed ones restart, policy-only changes apply in place, added ones start),
   * then the originated prefixes.
   */
  async reload(next: SpeakerConfig, options: { soft?: boolean } = {}): Promise<ReloadSummary> {
    const prev = this.config;
    const plugins = this.changedPlugins(prev, next);
    const summary: ReloadSummary = {
      added: [],
      removed: [],
      changed: [],
      policyChanged: [],
      unchanged: [],
      listenersAdded: [],
      listenersRemoved: [],
      originateChanged: false,
      pluginsChanged: plugins !== undefined,
    };
    await this.reloadListeners(next.listen, summary);
    this.config = next;
    this.reloadRpki(prev.rpki, next.rpki);
    const identityChanged = rdeIdentityChanged(prev, next);
    if (identityChanged) {
      if (plugins !== undefined) {
        this.pluginEntries = plugins.entries;
        this.plugins = plugins.host;
        this.pluginFiles = pluginFilesDigest(plugins.entries, plugins.host);
      }
      // A new RDE: sessions being stopped withdraw from the old one, restarted ones join the new one.
      this.rde = this.createRde(next, this.plugins);
      if (next.originateMrt !== undefined) await this.originateMrt(next.originateMrt);
    } else if (plugins !== undefined) this.swapPlugins(plugins.entries, plugins.host);
    await this.reloadPeers(
      diffPeers(this.sessions(), next.peers, identityChanged),
      summary,
      options.soft === true,
    );
    summary.originateChanged = this.reloadOriginate(prev.originate, next.originate, identityChanged);
    this.scheduleDump();
    return summary;
  }

  /**
   * The plugins to run after a reload to `next`, loaded: `next`'s when its plugins section differs from
   * `prev`'s; the running entries (the section's, as the admin API changed them) again when a file they
   * were read from changed; undefined when the running ones stay. Throws PluginLoadFailure.
   */
  private changedPlugins(
    prev: SpeakerConfig,
    next: SpeakerConfig,
  ): { entries: readonly PluginEntry[]; host: PluginHost | undefined } | undefined {
    const sameSection = JSON.stringify(prev.plugins) === JSON.stringify(next.plugins);
    const entries = sameSection ? this.pluginEntries : next.plugins;
    if (sameSection && pluginFilesDigest(entries, this.plugins) === this.pluginFiles) return undefined;
    return { entries, host: loadPlugins(entries, this.pluginReporter, this.plugins) };
  }

  /** Bind the new listeners first, so that a failure leaves the old set in place; then close the old. */
  private async reloadListeners(listen: readonly ListenConfig[], summary: ReloadSummary): Promise<void> {
    const key = (l: ListenConfig): string => `${l.address} ${l.port}`;
    const wanted = new Map(listen.map((l) => [key(l), l]));
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
  }

  /**
   * Carry out the peer steps in order; resolves when the stopped sessions are closed. `soft`: a peer
   * whose policy alone changed keeps the running policy until a soft reset (`resetPeer`) applies it.
   */
  private async reloadPeers(
    steps: readonly PeerStep[],
    summary: ReloadSummary,
    soft: boolean,
  ): Promise<void> {
    const stops: Promise<void>[] = [];
    for (const step of steps) {
      switch (step.kind) {
        case 'removed':
          summary.removed.push(step.session.peer.name);
          stops.push(this.stopRemoved(step.session));
          break;
        case 'changed':
          summary.changed.push(step.session.peer.name);
          stops.push(this.restartChanged(step.session, step.peer));
          break;
        case 'policyChanged':
          // Policy or export settings only: no reset, the RDE re-applies them (import from the kept
          // pre-policy routes, export as the difference between the old and new Adj-RIB-Out).
          summary.policyChanged.push(step.session.peer.name);
          step.session.updatePolicy(step.peer, !soft);
          break;
        case 'unchanged':
          summary.unchanged.push(step.session.peer.name);
          break;
        case 'added':
          summary.added.push(step.peer.name);
          this.addPeer(step.peer).start();
          break;
      }
    }
    await Promise.all(stops);
  }

  /** RFC 4486: Cease / Peer De-configured. */
  private stopRemoved(session: Session): Promise<void> {
    this.sessionsByName.delete(session.peer.name);
    return session.stop({ subcode: CeaseSubcode.PeerDeconfigured }).then(() => session.dispose());
  }

  /** RFC 4486: Cease / Other Configuration Change, then start again with the new settings. */
  private restartChanged(session: Session, peer: PeerConfig): Promise<void> {
    this.sessionsByName.delete(session.peer.name);
    return session.stop({ subcode: CeaseSubcode.OtherConfigurationChange }).then(() => {
      session.dispose();
      if (!this.stopped) this.addPeer(peer).start();
    });
  }

  /**
   * Withdraw the originated prefixes that are gone and originate the new ones (a new RDE already has
   * the new list). Returns whether the list changed.
   */
  private reloadOriginate(
    prev: readonly OriginatedPrefix[],
    next: readonly OriginatedPrefix[],
    identityChanged: boolean,
  ): boolean {
    const was = new Map(prev.map((o) => [o.prefix, o]));
    const now = new Map(next.map((o) => [o.prefix, o]));
    const gone: OriginatedPrefix[] = [...was.values()].filter((o) => !now.has(o.prefix));
    const fresh: OriginatedPrefix[] = [...now.values()].filter((o) => !was.has(o.prefix));
    if (gone.length === 0 && fresh.length === 0) return false;
    if (!identityChanged) {
      this.rde.withdrawOriginated(gone);
      this.rde.originate(fresh);
    }
    return true;
  }

  // ===== operator actions (the admin API) =====

  /**
   * Reset a peer: `hard` sends CEASE / Administrative Reset (with `message`) and starts again; `soft-in`
   * runs its configured import policy again on the kept pre-policy routes (RFC 2918 needs nothing from
   * the peer: the Adj-RIB-In is kept); `soft-out` applies its configured export settings and sends it its
   * whole Adj-RIB-Out again. Soft resets need the session Established. Returns the paths whose outcome
   * changed (soft-in) or the prefixes queued (soft-out); throws ERR_BGP_UNKNOWN_PEER or ERR_API_CONFLICT.
   */
  async resetPeer(name: string, mode: ResetMode, message = ''): Promise<number | undefined> {
    const session = this.knownSession(name);
    if (mode === 'hard') {
      await session.reset(message);
      return undefined;
    }
    const n =
      mode === 'soft-in'
        ? this.rde.softResetIn(name, session.peer)
        : this.rde.softResetOut(name, session.peer);
    if (n === undefined)
      throw new XbgpdError(errorCodes.ERR_API_CONFLICT, `peer ${name} is not established (${session.state})`);
    this.log.info({ peer: name, mode, changed: n }, 'soft reset');
    return n;
  }

  /** CEASE / Administrative Shutdown with an RFC 9003 message; the peer stays down until `enablePeer`. */
  async shutdownPeer(name: string, message = ''): Promise<void> {
    await this.knownSession(name).stop({ subcode: CeaseSubcode.AdministrativeShutdown, message });
  }

  /** Start a peer an operator shut down (not one the configuration marks `shutdown: true`). */
  enablePeer(name: string): void {
    const session = this.knownSession(name);
    if (session.peer.shutdown)
      throw new XbgpdError(
        errorCodes.ERR_API_CONFLICT,
        `peer ${name} is configured 'shutdown: true'; change the configuration and reload`,
      );
    session.start();
  }

  /** Emit `best` events from now on, until the returned function is called (the RDE pays nothing else). */
  watchBest(): () => void {
    this.bestWatchers++;
    this.rde.onBestChange = (family, d) => this.tellBest(family, d);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.bestWatchers === 0) this.rde.onBestChange = undefined;
    };
  }

  private bestWatchers = 0;

  private tellBest(family: Family, d: Destination): void {
    const rib = this.rde.ribs[family];
    const best = d.best?.attrs ? d.best : undefined;
    const key = rib.keyOf(d);
    const event: SpeakerEvents['best'][0] = { family, prefix: formatKey(key), key };
    if (best !== undefined) {
      event.peer = best.peer.local ? '(local)' : best.peer.name;
      const reason = rib.reasonOf(d);
      if (reason !== undefined) event.reason = reason;
    }
    this.events.emit('best', event);
  }

  private knownSession(name: string): Session {
    const session = this.sessionsByName.get(name);
    if (session === undefined)
      throw new XbgpdError(errorCodes.ERR_BGP_UNKNOWN_PEER, `no peer named '${name}'`);
    return session;
  }

  /** Stop every peer with CEASE / Administrative Shutdown (RFC 9003 message), close the listeners. */
  async shutdown(message = 'xbgpd shutting down'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.closeListeners();
    await Promise.all(
      this.sessions().map((s) => s.stop({ subcode: CeaseSubcode.AdministrativeShutdown, message })),
    );
    for (const s of this.sessions()) s.dispose();
    if (this.dumpTimer) this.clock.clearTimer(this.dumpTimer);
    this.jobs?.stop();
    this.rpki?.stop();
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
      rde: this.rde,
      messages: () => this.messages?.(peer.name),
    };
    if (this.dialer) options.dial = this.dialer;
    const session = new Session(options);
    session.on('update', () => this.scheduleDump());
    session.on('state', ({ from, to }) => {
      this.scheduleDump();
      if (this.events.listenerCount('peer-state') > 0)
        this.events.emit('peer-state', { peer: peer.name, from, to, state: session.state });
    });
    session.on('down', (down) => this.events.emit('peer-down', { peer: peer.name, ...down }));
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
