// The daemon's RPKI service (daemon/speaker.ts owns one when the configuration has an `rpki:` section):
// the VRP table plugins read through rpki_validate_origin, the RTR client that fills it, and the
// re-validation of routes when VRPs change. A change (an End of Data, an expiry, a flushed session)
// marks the prefixes of the VRPs added or removed; on a later turn of the event loop (changes arriving
// together are handled once) the RDE runs the import again on the kept pre-policy paths of every
// destination such a prefix covers, without asking peers for anything and without a session reset.
import { runSliced, type Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Family, RpkiConfig } from '../config/types.js';
import type { PrefixKey } from '../rde/rib.js';
import { writePrefix } from '../rde/rib.js';
import { RtrClient, type RtrStatus } from './client.js';
import type { Vrp } from './pdu.js';
import { VrpTable } from './vrp-table.js';

export interface OriginValidationDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** Rde.reimport of the running RDE: import again the prefixes `select` picks, a slice per step; returns
   *  the paths changed. */
  readonly reimport: (family: Family, select: (key: PrefixKey) => boolean) => Generator<void, number, void>;
}

export class OriginValidation {
  /** The VRPs held: what rpki_validate_origin answers from. */
  readonly table = new VrpTable();
  private client: RtrClient | undefined;
  /** Prefixes of the VRPs changed since the last re-validation (as VRPs of AS 0: only `covers` is used). */
  private changed = new VrpTable();
  private scheduled = false;

  constructor(
    private config: RpkiConfig,
    private readonly deps: OriginValidationDeps,
  ) {}

  start(): void {
    this.client ??= this.newClient(this.config);
    this.client.start();
  }

  /** Stop the client; the VRPs held stay (a reload may start another). */
  stop(): void {
    this.client?.stop();
    this.client = undefined;
  }

  status(): RtrStatus | undefined {
    return this.client?.status();
  }

  /**
   * A reload changed the `rpki` section: a new client; with another cache, the VRPs of the old one are
   * dropped first (its routes re-validated), the new cache's arrive with its first End of Data.
   */
  reconfigure(next: RpkiConfig): void {
    const otherCache = next.address !== this.config.address || next.port !== this.config.port;
    this.stop();
    this.config = next;
    if (otherCache) this.dropAll('rpki cache changed');
    this.start();
  }

  /** Drop every VRP (the section was removed, or the cache changed) and re-validate what they covered. */
  dropAll(reason: string): void {
    const all = [...this.table.entries()];
    this.table.clear();
    if (all.length > 0) this.onChange(all, reason);
  }

  private newClient(config: RpkiConfig): RtrClient {
    return new RtrClient({
      address: config.address,
      port: config.port,
      timers: { refresh: config.refresh, retry: config.retry, expire: config.expire },
      keepTimers: config.keepTimers,
      reconnect: config.reconnect,
      version: config.version,
      table: this.table,
      clock: this.deps.clock,
      log: this.deps.log,
      onChange: (vrps, reason) => this.onChange(vrps, reason),
    });
  }

  private onChange(vrps: readonly Vrp[], reason: string): void {
    for (const v of vrps) this.changed.add({ ...v, maxLength: v.length, asn: 0 });
    if (this.scheduled) return;
    this.scheduled = true;
    this.deps.clock.defer(() => this.revalidate(reason));
  }

  /** Import again every route a changed VRP prefix covers, one slice of destinations per turn of the loop. */
  private revalidate(reason: string): void {
    this.scheduled = false;
    const changed = this.changed;
    this.changed = new VrpTable();
    const wire = new Uint8Array(17);
    const runs = (['ipv4-unicast', 'ipv6-unicast'] as const).map((family) => {
      const ipv6 = family === 'ipv6-unicast';
      return this.deps.reimport(family, (key) => {
        writePrefix(key, wire, 0);
        return changed.covers(ipv6, wire.subarray(1), wire[0]!);
      });
    });
    function* all(): Generator<void, number, void> {
      let paths = 0;
      for (const run of runs) paths += yield* run;
      return paths;
    }
    runSliced(this.deps.clock, all(), (paths) =>
      this.deps.log.info({ reason, prefixes: changed.size, paths }, 'rpki routes re-validated'),
    );
  }
}
