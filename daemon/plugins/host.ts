// The plugin host: the plugins of the configuration loaded (manifests read, pluglets linked and verified),
// the chain of pluglets each peer has at each insertion point (plugins apply to the peers their entry
// names, or to all), and the reporting of faults: counted per pluglet, logged with plugin, pluglet, point,
// peer, code and pc (at most one line per pluglet per second, with the count of those not logged), and a
// plugin disabled past its fault limit, logged once. The points' call sites (points/) ask it for chains.
import type { HelperRegistry } from '../../vm/index.js';
import { POINTS } from '../../xbgp-api/index.js';
import { readExtraConfFile, parseExtraConf, formatExtraConfError, type ExtraConf } from './extra-conf.js';
import { readManifest, formatManifestError } from './manifest.js';
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

  /** Read, link and verify every entry's plugins; every error of every entry, or the host. */
  static load(
    entries: readonly PluginEntry[],
    helpers: HelperRegistry,
    reporter: HostReporter,
  ): { ok: true; host: PluginHost } | { ok: false; errors: string[] } {
    const errors: string[] = [];
    const attached: Attached[] = [];
    const names = new Set<string>();
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
        const loaded = loadPlugin(manifest, {
          helpers,
          extraConf: extra,
          budget: entry.budget,
          faultLimit: entry.faultLimit ?? DEFAULT_FAULT_LIMIT,
          jit: entry.jit ?? true,
        });
        if (!loaded.ok) errors.push(...loaded.errors.map(formatLoadError));
        else attached.push({ loaded: loaded.value, peers: entry.peers && new Set(entry.peers) });
      }
    }
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, host: new PluginHost(attached, reporter) };
  }

  /** The loaded plugins, in configuration order. */
  get plugins(): readonly LoadedPlugin[] {
    return this.attached.map((a) => a.loaded);
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
    for (const a of this.attached) {
      if (peer !== undefined && a.peers !== undefined && !a.peers.has(peer)) continue;
      for (const p of a.loaded.pluglets) {
        if (p.point !== point) continue;
        (p.anchor === 'pre' ? pre : p.anchor === 'replace' ? replace : post).push(p);
      }
    }
    if (pre.length + replace.length + post.length === 0) return EMPTY_CHAIN;
    // Stable sorts: by seq; plugins in configuration order for equal seqs.
    const bySeq = (a: Pluglet, b: Pluglet): number => a.seq - b.seq;
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

function readEntryConf(entry: PluginEntry): ExtraConf | undefined | { errors: string[] } {
  const source = entry.extraConf;
  if (source === undefined) return undefined;
  const result =
    'file' in source
      ? readExtraConfFile(source.file)
      : parseExtraConf(source.inline, `${entry.manifest}: conf`);
  return result.ok ? result.conf : { errors: result.errors.map(formatExtraConfError) };
}
