// A daemon's plugin side built from configuration text, for the tests of the plugins shipped in plugins/:
// a YAML `plugins:` section read by parseConfig, loaded by loadConfiguredPlugins as the speaker and
// --check-config do, wired by attachPlugins into an RDE and a job runner on a fake clock; peers named in
// the text are up on 10.0.0.N (router id N); what a peer is sent, as it reads it on the wire.
import { FakeClock } from '../../daemon/clock.js';
import { parseConfig } from '../../daemon/config/load.js';
import { createLogger } from '../../daemon/log.js';
import { attachPlugins, type AttachedPlugins } from '../../daemon/plugins/attach.js';
import { loadConfiguredPlugins } from '../../daemon/plugins/configured.js';
import type { PluginHost } from '../../daemon/plugins/host.js';
import { Rde } from '../../daemon/rde/rde.js';
import { formatCommunities, getAttribute, prefixList } from '../../daemon/wire/index.js';
import { info, onTheWire, spec } from '../rde/peers.js';

export const LOCAL_AS = 65000;
export const ROUTER_ID = 0x0a000064;
const sink = { kick: () => undefined };

export interface LogLine {
  level: number;
  msg: string;
  plugin?: string;
  pluglet?: string;
  point?: string;
}

/** A daemon's plugin side built from configuration text: the RDE, the host, the jobs, the log lines. */
export interface Daemon {
  rde: Rde;
  host: PluginHost | undefined;
  jobs: AttachedPlugins['jobs'] | undefined;
  clock: FakeClock;
  logs: LogLine[];
}

/** `peers` (name, asn) on 10.0.0.N, and `plugins` (YAML of the list's items), through the config path. */
export function daemonWith(peers: [string, number][], plugins: string): Daemon {
  const text = [
    `router-id: 10.0.0.100`,
    `asn: ${LOCAL_AS}`,
    'peers:',
    ...peers.map(([name, asn], i) => `  - { name: ${name}, address: 10.0.0.${i + 1}, asn: ${asn} }`),
    'plugins:',
    plugins,
  ].join('\n');
  const parsed = parseConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const logs: LogLine[] = [];
  const log = createLogger({
    level: 'debug',
    destination: { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) },
  });
  const reporter = {
    now: () => 0,
    warn: (f: Record<string, unknown>, m: string) => log.warn(f, m),
    error: (f: Record<string, unknown>, m: string) => log.error(f, m),
  };
  const loaded = loadConfiguredPlugins(parsed.config.plugins, reporter);
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  const host = loaded.host;
  const clock = new FakeClock();
  const attached =
    host && attachPlugins(host, log, clock, { asn: LOCAL_AS, routerId: ROUTER_ID }, () => undefined);
  const rde = new Rde({
    localAsn: LOCAL_AS,
    routerId: ROUTER_ID,
    decision: { alwaysCompareMed: false, deterministicMed: false },
    ebgpRequiresPolicy: false,
    pluginHooks: attached?.hooks,
  });
  peers.forEach(([name, asn], i) =>
    rde.peerUp(spec(name, `10.0.0.${i + 1}`, asn), info(i + 1, asn === LOCAL_AS), sink),
  );
  return { rde, host, jobs: attached?.jobs, clock, logs };
}

export interface Seen {
  med?: number;
  communities: string;
  asPath: string;
}

/** What peer `name` is sent: prefix -> MED, communities, AS_PATH. */
export function sentTo(rde: Rde, name: string): Map<string, Seen> {
  const out = new Map<string, Seen>();
  for (const u of rde.pull(name)) {
    const m = onTheWire(u);
    for (const p of prefixList(m.nlri)) {
      const med = getAttribute(m.attributes, 'med');
      const c = getAttribute(m.attributes, 'communities');
      const path = getAttribute(m.attributes, 'as-path');
      out.set(p.prefix, {
        ...(med ? { med: med.med } : {}),
        communities: c ? formatCommunities(c.values) : '',
        asPath: path ? path.segments.map((s) => s.asns.join(' ')).join(' | ') : '',
      });
    }
  }
  return out;
}

export const communities = (...text: string[]): number[] =>
  text.map((t) => {
    const [a, b] = t.split(':').map(Number);
    return ((a! << 16) | b!) >>> 0;
  });

export const pluginLines = (d: Daemon, plugin: string): LogLine[] =>
  d.logs.filter((l) => l.plugin === plugin);
