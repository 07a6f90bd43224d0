// RDE ingest benchmark (issue 5, not a test): pushes the RouteViews full table (one path per prefix,
// ~497k IPv4 prefixes) through the route decision engine in-process: wire decode -> Adj-RIB-In ->
// decision -> Adj-RIB-Out (one eBGP monitor peer) -> UPDATE encoding, then withdraws the whole table the
// same way. Prints time per phase, prefixes/s, heap and RSS. The feeder's UPDATEs are pre-encoded
// before timing starts (bench/lib), so only the RDE is measured.
// With `--plugin inbound|outbound [--interp]` the small filter of bench/plugins/read_accept.c (reads ORIGIN,
// accepts, nothing cached) runs at that point on every route (JIT unless --interp): the plugin host's
// per-route cost, in-process. `--plugin rr [--interp]`: plugins/route_reflector with the feeder and the
// monitor as iBGP clients; `--ibgp`: its native base (an eBGP feeder, an iBGP monitor, no plugin);
// `--plugin rpki [--interp]`: plugins/rpki_origin on the feeder over the VRPs fulltable.ts --rpki serves.
// With `--ipv6` the table is the IPv6 one of `fulltable.ts --ipv6` (bench/lib/table-ipv6.ts, 200,000
// prefixes in MP_REACH_NLRI / MP_UNREACH_NLRI).
// Run: `npx tsx bench/rde-ingest.ts [--ipv6]` or `npm run build && node dist/bench/rde-ingest.js`.
// Profile: `node --cpu-prof --import tsx bench/rde-ingest.ts`.
import { decodeMessage, encodeMessage, type UpdateMessage } from '../daemon/wire/index.js';
import { Rde } from '../daemon/rde/rde.js';
import { benchPluginHooks, benchRpkiHooks, benchRrHooks } from './lib/plugin-variants.js';
import { makeVrps } from './lib/rpki.js';
import { VrpTable } from '../daemon/rpki/vrp-table.js';
import { Monitor } from './lib/monitor.js';
import type { TableRoute } from './lib/table.js';
import { repoRoot } from './lib/repo.js';
import { MONITOR_AS, ingestMessages, ingestPeersUp, ingestRdeOptions } from './lib/ingest.js';

/** The VRPs fulltable.ts --rpki serves through stayrtr, in a table as the RTR client keeps it. */
function vrpTableOf(routes: readonly TableRoute[]): VrpTable {
  const table = new VrpTable();
  for (const v of makeVrps(routes)) {
    const [address, length] = v.prefix.split('/');
    const prefix = new Uint8Array(address!.split('.').map(Number));
    table.add({ ipv6: false, prefix, length: Number(length), maxLength: v.maxLength, asn: v.asn });
  }
  return table;
}

function mib(n: number): string {
  return (n / 1048576).toFixed(0);
}

interface PhaseResult {
  decodeMs: number;
  decideMs: number;
  encodeMs: number;
  sentMessages: number;
  sentPrefixes: number;
  /** CPU time of the process over the three stages (ms; V8's GC helper threads included). */
  cpuMs: number;
}

function runPhase(rde: Rde, messages: Uint8Array[]): PhaseResult {
  const ctx = { asn4: true };
  const cpu = process.cpuUsage();
  let t = performance.now();
  for (const m of messages) {
    const r = decodeMessage(m, ctx);
    if (r.ok && r.message.type === 'update')
      rde.receive('feeder', r.message, true, r.action === 'treat-as-withdraw');
  }
  const decodeMs = performance.now() - t;
  t = performance.now();
  rde.flush();
  const decideMs = performance.now() - t;
  t = performance.now();
  const sent: Uint8Array[] = [];
  for (const u of rde.pull('monitor') as Iterable<UpdateMessage>) sent.push(encodeMessage(u));
  const encodeMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  // Counted from the octets, after the timing (reading the messages' attribute objects would decode them).
  const monitor = new Monitor({ host: '127.0.0.1', port: 0, asn: MONITOR_AS, routerId: '10.0.0.3' });
  for (const m of sent) monitor.countUpdate(m);
  const sentPrefixes = monitor.announced + monitor.withdrawn;
  const cpuMs = (used.user + used.system) / 1000;
  return { decodeMs, decideMs, encodeMs, sentMessages: sent.length, sentPrefixes, cpuMs };
}

function report(name: string, prefixes: number, r: PhaseResult): void {
  const total = r.decodeMs + r.decideMs + r.encodeMs;
  const mem = process.memoryUsage();
  console.log(
    `${name}: ${prefixes} prefixes in ${total.toFixed(0)} ms, ${r.cpuMs.toFixed(0)} ms CPU (${((prefixes / total) * 1000).toFixed(0)} prefixes/s)` +
      ` = decode+adj-rib-in ${r.decodeMs.toFixed(0)} ms, decision+adj-rib-out ${r.decideMs.toFixed(0)} ms,` +
      ` update encoding ${r.encodeMs.toFixed(0)} ms; out: ${r.sentMessages} UPDATEs, ${r.sentPrefixes} prefixes;` +
      ` heap ${mib(mem.heapUsed)} MiB, RSS ${mib(mem.rss)} MiB`,
  );
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const ipv6 = process.argv.includes('--ipv6');
  const table = await ingestMessages(ipv6);
  const { announce, withdraw } = table;
  console.log(
    `table: ${table.routes.length} prefixes, ${announce.length} announcing UPDATEs, ${withdraw.length} withdrawing (loaded in ${(performance.now() - t0).toFixed(0)} ms)`,
  );
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  const pluginArg = process.argv.indexOf('--plugin');
  const point = pluginArg < 0 ? undefined : process.argv[pluginArg + 1];
  const jit = !process.argv.includes('--interp');
  // Route reflection: feeder and monitor are iBGP clients; --ibgp alone: an eBGP feeder, an iBGP monitor.
  const rr = point === 'rr';
  const ibgp = { feeder: rr, monitor: rr || process.argv.includes('--ibgp') };
  const hooks =
    point === undefined
      ? undefined
      : rr
        ? benchRrHooks(repoRoot(), ['127.0.0.2', '127.0.0.3'], jit)
        : point === 'rpki'
          ? benchRpkiHooks(repoRoot(), vrpTableOf(table.routes), jit)
          : benchPluginHooks(repoRoot(), point === 'outbound' ? 'monitor' : 'feeder', point, jit);
  const rde = new Rde({ ...ingestRdeOptions(), pluginHooks: hooks });
  ingestPeersUp(rde, ipv6, ibgp);

  const a = runPhase(rde, announce);
  report('announce', table.routes.length, a);
  (globalThis as { gc?: () => void }).gc?.();
  const held = process.memoryUsage();
  console.log(
    `  RIB held: ${rde.ribs[ipv6 ? 'ipv6-unicast' : 'ipv4-unicast'].size} destinations, ${rde.store.size} attribute sets;` +
      ` heap growth ${mib(held.heapUsed - before.heapUsed)} MiB (after GC${(globalThis as { gc?: unknown }).gc ? '' : ': run with --expose-gc'})`,
  );
  const w = runPhase(rde, withdraw);
  report('withdraw', table.routes.length, w);
  console.log(`peak RSS ${mib(process.resourceUsage().maxRSS * 1024)} MiB`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
