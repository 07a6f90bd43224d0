// The plugin host: the plugins of the configuration loaded (manifests read, pluglets linked and verified),
// the chain of pluglets each peer has at each insertion point (plugins apply to the peers their entry
// names, or to all), and the reporting of faults: counted per pluglet, logged with plugin, pluglet, point,
// peer, code and pc (at most one line per pluglet per second, with the count of those not logged), and a
// plugin disabled past its fault limit, logged once. The points' call sites (points/) ask it for chains.
// A host is immutable: a change of the plugins (reload, admin API) loads a new one, which takes over the
// loaded plugins of the previous one whose entry and files did not change (their memory, statistics and
// fault record carry over) and re-reads, links and verifies the others.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { HelperRegistry } from '../../vm/index.js';
import { POINTS } from '../../xbgp-api/index.js';
import { readExtraConfFile, parseExtraConf, formatExtraConfError, type ExtraConf } from './extra-conf.js';
import { readManifest, formatManifestError } from './manifest.js';
import type { PluginManifest } from './manifest-types.js';
import { formatLoadError, loadPlugin, type LoadedPlugin } from './loader.js';
import {
  DEFAULT_FAULT_LIMIT,
  type Chain,
  type FaultLimit,
  type FaultSink,
  type Plugin,
  type Pluglet,
  type PlugletFault,
} from './runtime.js';

/** The points a manifest may name: those xbgpd runs. */
export const KNOWN_POINTS: ReadonlySet<string> = new Set(POINTS.filter((p) => p.runs).map((p) => p.name));

/** One `plugins:` entry of the configuration. */
export interface PluginEntry {
  /** The manifest: a `.plugin` file or a `.meta` file of includes (absolute path). */
  readonly manifest: string;
  /** Where the objects are when the manifest has no obj_dir (absolute). */
  readonly objDir?: string | undefined;
  /** The typed extra configuration: a parsed value (`conf` form) or a file. */
  readonly extraConf?: { readonly inline: unknown } | { readonly file: string } | undefined;
  /** The peers (by name) it applies to; undefined = all. */
  readonly peers?: readonly string[] | undefined;
  readonly budget?: number | undefined;
  readonly faultLimit?: FaultLimit | undefined;
  /** false: run every pluglet in the interpreter. */
  readonly jit?: boolean | undefined;
  /** false: loaded and verified, attached nowhere (default true). */
  readonly enabled?: boolean | undefined;
  /** seq per pluglet name, in place of the manifest's (the order of its anchor's chain). */
  readonly seq?: Readonly<Record<string, number>> | undefined;
}

/** Where the host reports; the daemon passes its logger and clock. */
export interface HostReporter {
  now(): number;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

interface Attached {
  readonly loaded: LoadedPlugin;
  readonly peers: ReadonlySet<string> | undefined;
  readonly enabled: boolean;
  readonly seq: ReadonlyMap<string, number>;
  /** What the plugin was loaded from (entry settings, file contents): equal keys load the same plugin. */
  readonly sourceKey: string;
}

const EMPTY_CHAIN: Chain = { pre: [], replace: [], post: [] };

export class PluginHost implements FaultSink {
  /** Per point, per peer name ('' = no peer: decision, jobs): the chain (cached). */
  private readonly chains = new Map<string, Map<string, Chain>>();
  /** Per pluglet: when it last logged a fault, and the faults not logged since. */
  private readonly faultLog = new Map<Pluglet, { at: number; quiet: number }>();

  private constructor(
    private readonly attached: readonly Attached[],
    private readonly reporter: HostReporter,
  ) {}

  /**
   * Read, link and verify every entry's plugins; every error of every entry, or the host. A plugin of
   * `previous` loaded from the same entry settings and the same file contents is taken over as it is.
   */
  static load(
    entries: readonly PluginEntry[],
    helpers: HelperRegistry,
    reporter: HostReporter,
    previous?: PluginHost,
  ): { ok: true; host: PluginHost } | { ok: false; errors: string[] } {
    const errors: string[] = [];
    const attached: Attached[] = [];
    const names = new Set<string>();
    const reusable = new Map(previous?.attached.map((a) => [a.sourceKey, a.loaded]));
    for (const entry of entries) {
      const extra = readEntryConf(entry);
      if (typeof extra === 'object' && 'errors' in extra) {
        errors.push(...extra.errors);
        continue;
      }
      const read = readManifest(entry.manifest, {
        knownPoints: KNOWN_POINTS,
        ...(entry.objDir === undefined ? {} : { objDir: entry.objDir }),
      });
      if (!read.ok) {
        errors.push(...read.errors.map(formatManifestError));
        continue;
      }
      for (const manifest of read.plugins) {
        if (names.has(manifest.name)) {
          errors.push(`${manifest.file}: plugin ${manifest.name} is loaded twice (names are unique)`);
          continue;
        }
        names.add(manifest.name);
        const sourceKey = sourceKeyOf(entry, manifest);
        const loaded = reusable.has(sourceKey)
          ? { ok: true as const, value: reusable.get(sourceKey)! }
          : loadPlugin(manifest, {
              helpers,
              extraConf: extra,
              budget: entry.budget,
              faultLimit: entry.faultLimit ?? DEFAULT_FAULT_LIMIT,
              jit: entry.jit ?? true,
            });
        if (!loaded.ok) {
          errors.push(...loaded.errors.map(formatLoadError));
          continue;
        }
        const seq = new Map(Object.entries(entry.seq ?? {}));
        for (const name of seq.keys())
          if (!manifest.pluglets.has(name))
            errors.push(`${manifest.file}: seq.${name}: plugin ${manifest.name} has no pluglet ${name}`);
        attached.push({
          loaded: loaded.value,
          peers: entry.peers && new Set(entry.peers),
          enabled: entry.enabled ?? true,
          seq,
          sourceKey,
        });
      }
    }
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, host: new PluginHost(attached, reporter) };
  }

  /** The loaded plugins, in configuration order. */
  get plugins(): readonly LoadedPlugin[] {
    return this.attached.map((a) => a.loaded);
  }

  /** Where a loaded plugin runs: the peers of its entry (undefined: all), whether it is enabled, and the
   *  seq of each pluglet (the manifest's unless the entry overrides it). */
  attachment(
    name: string,
  ): { peers: string[] | undefined; enabled: boolean; seq: Map<string, number> } | undefined {
    const a = this.attached.find((x) => x.loaded.plugin.name === name);
    if (a === undefined) return undefined;
    const seq = new Map(a.loaded.pluglets.map((p) => [p.name, a.seq.get(p.name) ?? p.seq]));
    return { peers: a.peers && [...a.peers], enabled: a.enabled, seq };
  }

  /**
   * Clear an automatic disable (and the fault window) of the plugin `name`: its pluglets run again.
   * False when no such plugin is loaded or it was not disabled.
   */
  reenable(name: string): boolean {
    const plugin = this.attached.find((a) => a.loaded.plugin.name === name)?.loaded.plugin;
    if (plugin === undefined || !plugin.disabled) return false;
    plugin.reenable();
    return true;
  }

  /**
   * The chain at `point` for `peer` (undefined: points without a peer, which take every plugin), or
   * undefined when no pluglet is attached there: call sites then take the native path directly.
   */
  chain(point: string, peer: string | undefined): Chain | undefined {
    let byPeer = this.chains.get(point);
    if (byPeer === undefined) this.chains.set(point, (byPeer = new Map()));
    const key = peer ?? '';
    let chain = byPeer.get(key);
    if (chain === undefined) byPeer.set(key, (chain = this.buildChain(point, peer)));
    return chain === EMPTY_CHAIN ? undefined : chain;
  }

  /** Every pluglet with its statistics (logs on SIGUSR1, tests, the admin API later). */
  pluglets(): Pluglet[] {
    return this.attached.flatMap((a) => a.loaded.pluglets);
  }

  private buildChain(point: string, peer: string | undefined): Chain {
    const pre: Pluglet[] = [];
    const replace: Pluglet[] = [];
    const post: Pluglet[] = [];
    const seqOf = new Map<Pluglet, number>();
    for (const a of this.attached) {
      if (!a.enabled) continue;
      if (peer !== undefined && a.peers !== undefined && !a.peers.has(peer)) continue;
      for (const p of a.loaded.pluglets) {
        if (p.point !== point) continue;
        seqOf.set(p, a.seq.get(p.name) ?? p.seq);
        (p.anchor === 'pre' ? pre : p.anchor === 'replace' ? replace : post).push(p);
      }
    }
    if (pre.length + replace.length + post.length === 0) return EMPTY_CHAIN;
    // Stable sorts: by seq; plugins in configuration order for equal seqs.
    const bySeq = (a: Pluglet, b: Pluglet): number => seqOf.get(a)! - seqOf.get(b)!;
    return { pre: pre.sort(bySeq), replace: replace.sort(bySeq), post: post.sort(bySeq) };
  }

  // ===== FaultSink =====

  now(): number {
    return this.reporter.now();
  }

  fault(pluglet: Pluglet, fault: PlugletFault): void {
    const now = this.reporter.now();
    const seen = this.faultLog.get(pluglet);
    if (seen !== undefined && now - seen.at < 1000) {
      seen.quiet++;
      return;
    }
    const fields = {
      plugin: pluglet.plugin.name,
      pluglet: pluglet.name,
      point: pluglet.point,
      code: fault.code,
      pc: fault.pc,
      faults: pluglet.stats.faults,
      notLogged: seen?.quiet ?? 0,
    };
    this.faultLog.set(pluglet, { at: now, quiet: 0 });
    this.reporter.warn(fields, `plugin fault, native path taken: ${fault.message}`);
  }

  disabled(plugin: Plugin, pluglet: Pluglet, fault: PlugletFault): void {
    const { max, windowMs } = plugin.faultLimit;
    this.reporter.error(
      { plugin: plugin.name, pluglet: pluglet.name, point: pluglet.point, code: fault.code, pc: fault.pc },
      `plugin disabled: ${max} faults within ${windowMs / 1000} s; the native behaviour runs in its place`,
    );
  }
}

/**
 * What a plugin is loaded from: the entry's load settings and the contents of its manifest, objects and
 * extra-configuration file (attachment settings, peers, enabled and seq, are not part of it).
 */
function sourceKeyOf(entry: PluginEntry, manifest: PluginManifest): string {
  const digest = createHash('sha256');
  const settings = [
    manifest.name,
    entry.manifest,
    entry.objDir,
    entry.extraConf,
    entry.budget,
    entry.faultLimit,
  ];
  digest.update(JSON.stringify([...settings, entry.jit ?? true]));
  const files = [manifest.file, ...[...manifest.pluglets.values()].map((p) => p.obj)];
  if (entry.extraConf !== undefined && 'file' in entry.extraConf) files.push(entry.extraConf.file);
  for (const file of files) {
    digest.update(`\0${file}\0`);
    try {
      digest.update(readFileSync(file));
    } catch {
      digest.update('unreadable');
    }
  }
  return digest.digest('hex');
}

function readEntryConf(entry: PluginEntry): ExtraConf | undefined | { errors: string[] } {
  const source = entry.extraConf;
  if (source === undefined) return undefined;
  const result =
    'file' in source
      ? readExtraConfFile(source.file)
      : parseExtraConf(source.inline, `${entry.manifest}: conf`);
  return result.ok ? result.conf : { errors: result.errors.map(formatExtraConfError) };
}
