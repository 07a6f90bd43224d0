// Configuration reloads, one after another, from SIGHUP and from the admin API alike: the file is read
// and validated again by the reader the CLI hands in (a bad file changes nothing), then handed to Speaker.reload (plugins that do not
// load change nothing either). Each outcome is logged with the stable messages `config reloaded` /
// `config reload rejected` and told to the speaker's event stream.
import type { SpeakerConfig } from './config/types.js';
import type { ConfiguredPluginError } from './plugins/configured.js';
import { PluginLoadFailure, type ReloadSummary, type Speaker } from './speaker.js';
import type { Logger } from './log.js';

/** The configuration read again (daemon/config/check.ts `readForReload`), or its problems. */
export type ReloadRead =
  | {
      ok: true;
      config: SpeakerConfig;
      /** A plugin problem found when the speaker loads the plugins, as a `FILE:LINE: plugins[i]: ...` line. */
      pluginProblem(e: ConfiguredPluginError): string;
    }
  | { ok: false; problems: string[] };

export type ReloadOutcome =
  | { ok: true; summary: ReloadSummary }
  /** `problems`: one `FILE:LINE: key.path: message` line each, as --check-config prints them. */
  | { ok: false; problems: string[] };

export class ConfigReloader {
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly speaker: Speaker,
    /** Reads the daemon's configuration file again (daemon/config/check.ts `readForReload`). */
    private readonly read: () => Promise<ReloadRead>,
    private readonly log: Logger,
  ) {}

  /** Reloads after this one are ignored (the daemon is stopping). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Read the file again and apply it, after any reload still running. `soft`: peers whose policy alone
   * changed keep the running policy until a soft reset applies it (BIRD's `configure soft`).
   */
  reload(options: { soft?: boolean } = {}): Promise<ReloadOutcome> {
    const run = this.queue.then(() => this.reloadNow(options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(options: { soft?: boolean }): Promise<ReloadOutcome> {
    if (this.stopped) return this.rejected(['the daemon is shutting down']);
    const next = await this.read();
    if (!next.ok) return this.rejected(next.problems);
    try {
      const summary = await this.speaker.reload(next.config, options);
      this.log.info(summary, 'config reloaded');
      if (summary.pluginsChanged)
        this.log.info({ plugins: this.speaker.plugins?.plugins.length ?? 0 }, 'plugins reloaded (new RDE)');
      if (summary.policyChanged.length > 0)
        this.log.info(
          { peers: summary.policyChanged, soft: options.soft === true },
          options.soft === true
            ? 'policy kept until a soft reset (soft reload)'
            : 'policy applied in place (no session reset)',
        );
      this.speaker.events.emit('reload', { ok: true, summary });
      return { ok: true, summary };
    } catch (err) {
      if (err instanceof PluginLoadFailure)
        return this.rejected(err.problems.map((e) => next.pluginProblem(e)));
      this.log.error({ err }, 'config reload failed');
      const problems = [err instanceof Error ? err.message : String(err)];
      this.speaker.events.emit('reload', { ok: false, problems });
      return { ok: false, problems };
    }
  }

  private rejected(problems: string[]): ReloadOutcome {
    this.log.error({ issues: problems }, 'config reload rejected');
    this.speaker.events.emit('reload', { ok: false, problems });
    return { ok: false, problems };
  }
}
