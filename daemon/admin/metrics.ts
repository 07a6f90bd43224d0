// GET /metrics: Prometheus text format through prom-client, on a registry of this server's own. Every
// figure is read from the speaker when scraped (collect callbacks), never counted on the route pipeline:
// per peer state, flaps, messages by type, prefixes received / accepted / best / advertised per family;
// RIB and attribute-set sizes; per pluglet calls, faults, instructions and run time; and prom-client's
// process metrics (event-loop lag, memory, CPU, handles).
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { allFamilies, type Family } from '../config/types.js';
import type { PrefixCounts } from '../rde/inspect.js';
import type { State } from '../session/fsm.js';
import type { AdminContext } from './server.js';
import { errorResponses } from './schemas.js';

const states: readonly State[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];
const messageTypes = ['other', 'open', 'update', 'notification', 'keepalive', 'route-refresh'] as const;

/** The registry with every xbgpd metric, read from `ctx.speaker` at each scrape. */
export function metricsRegistry(ctx: AdminContext): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // One walk of the RIB per scrape, shared by the gauges that need it.
  let walked: { at: number; counts: Map<string, Record<Family, PrefixCounts>> } | undefined;
  const prefixCounts = (): Map<string, Record<Family, PrefixCounts>> => {
    const now = Date.now();
    if (walked === undefined || now - walked.at > 1000)
      walked = { at: now, counts: ctx.speaker.rde.prefixCounts() };
    return walked.counts;
  };
  const sessions = () => ctx.speaker.sessions();

  new Gauge({
    name: 'xbgpd_peer_state',
    help: 'FSM state of the peer: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, 6 Established',
    labelNames: ['peer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sessions()) this.set({ peer: s.peer.name }, states.indexOf(s.state) + 1);
    },
  });
  new Gauge({
    name: 'xbgpd_peer_established_seconds',
    help: 'Seconds the session has been Established (0 when it is not)',
    labelNames: ['peer'],
    registers: [registry],
    collect() {
      this.reset();
      const now = ctx.speaker.now();
      for (const s of sessions()) {
        const up = s.upSince;
        this.set({ peer: s.peer.name }, up === undefined ? 0 : (now - up) / 1000);
      }
    },
  });
  new Counter({
    name: 'xbgpd_peer_flaps_total',
    help: 'Times the session went down after reaching OpenSent or beyond (reset after a stable minute)',
    labelNames: ['peer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sessions()) this.inc({ peer: s.peer.name }, s.status().flaps);
    },
  });
  for (const direction of ['received', 'sent'] as const) {
    new Counter({
      name: `xbgpd_peer_messages_${direction}_total`,
      help: `BGP messages ${direction}, by type`,
      labelNames: ['peer', 'type'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of sessions())
          messageTypes.forEach((type, i) =>
            this.inc({ peer: s.peer.name, type }, s.messageCounts[direction][i] ?? 0),
          );
      },
    });
  }
  new Gauge({
    name: 'xbgpd_peer_prefixes',
    help: 'Prefixes of an Established peer: received (Adj-RIB-In), accepted (post-policy), best, advertised',
    labelNames: ['peer', 'family', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [peer, byFamily] of prefixCounts())
        for (const family of allFamilies)
          for (const [kind, n] of Object.entries(byFamily[family])) this.set({ peer, family, kind }, n);
    },
  });
  new Gauge({
    name: 'xbgpd_rib_prefixes',
    help: 'Destinations in the RIB, per family',
    labelNames: ['family'],
    registers: [registry],
    collect() {
      for (const family of allFamilies) this.set({ family }, ctx.speaker.rde.ribs[family].size);
    },
  });
  new Gauge({
    name: 'xbgpd_rib_paths',
    help: 'Adj-RIB-In paths of every peer, per family',
    labelNames: ['family'],
    registers: [registry],
    collect() {
      const byFamily = { 'ipv4-unicast': 0, 'ipv6-unicast': 0 };
      for (const family of allFamilies)
        for (const d of ctx.speaker.rde.ribs[family].all())
          for (let p = d.first; p !== undefined; p = p.next) byFamily[family]++;
      for (const family of allFamilies) this.set({ family }, byFamily[family]);
    },
  });
  new Gauge({
    name: 'xbgpd_attribute_sets',
    help: 'Distinct attribute sets interned by the RIB',
    registers: [registry],
    collect() {
      this.set(ctx.speaker.rde.store.size);
    },
  });
  plugletMetrics(ctx, registry);
  return registry;
}

/** Per pluglet (plugin, pluglet, point): calls, faults, instructions, run time; and disabled plugins. */
function plugletMetrics(ctx: AdminContext, registry: Registry): void {
  const labelNames = ['plugin', 'pluglet', 'point'] as const;
  const pluglets = () => ctx.speaker.plugins?.pluglets() ?? [];
  const fields = [
    ['calls', 'Runs of the pluglet', (s: { calls: number }) => s.calls],
    ['faults', 'Runs that faulted (the native behaviour ran instead)', (s: { faults: number }) => s.faults],
    ['instructions', 'eBPF instructions executed', (s: { steps: number }) => s.steps],
  ] as const;
  for (const [name, help, value] of fields) {
    new Counter({
      name: `xbgpd_pluglet_${name}_total`,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const p of pluglets())
          this.inc({ plugin: p.plugin.name, pluglet: p.name, point: p.point }, value(p.stats));
      },
    });
  }
  new Counter({
    name: 'xbgpd_pluglet_run_seconds_total',
    help: 'Time spent running the pluglet',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of pluglets())
        this.inc({ plugin: p.plugin.name, pluglet: p.name, point: p.point }, p.stats.timeNs / 1e9);
    },
  });
  new Gauge({
    name: 'xbgpd_plugin_disabled',
    help: 'Whether the plugin was disabled (fault limit): 1 disabled, 0 running',
    labelNames: ['plugin'],
    registers: [registry],
    collect() {
      this.reset();
      const seen = new Set<string>();
      for (const p of pluglets()) {
        if (seen.has(p.plugin.name)) continue;
        seen.add(p.plugin.name);
        this.set({ plugin: p.plugin.name }, p.plugin.disabled ? 1 : 0);
      }
    },
  });
}

export function metricsRoute(app: FastifyInstance, ctx: AdminContext): void {
  const registry = metricsRegistry(ctx);
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        tags: ['daemon'],
        response: {
          200: {
            description: 'Prometheus text format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (_request, reply) => {
      const text = await registry.metrics();
      return reply.header('content-type', registry.contentType).send(text);
    },
  );
  app.addHook('onClose', () => registry.clear());
}
