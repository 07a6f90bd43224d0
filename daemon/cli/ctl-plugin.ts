// xbgpctl's plugin commands on a running daemon (the admin API's /plugins routes):
//   plugin list | show NAME | load MANIFEST [--peers A,B] [--conf FILE.json] [--obj-dir DIR] [--dry-run]
//   | unload NAME | enable NAME | disable NAME | attach NAME (PEER... | --all) | dry-run NAME
//   | stats-reset NAME
// `load` sends the manifest and the object files it names (from its obj_dir, --obj-dir, or its folder) as
// multipart/form-data. No command resets a session.
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { CtlError, call, exitCodes, type Target } from './ctl-client.js';

/** The `plugin` subcommands that go to a running daemon (build and check stay local: plugin.ts). */
export const pluginApiCommands = new Set([
  'list',
  'show',
  'load',
  'unload',
  'enable',
  'disable',
  'attach',
  'dry-run',
  'stats-reset',
]);

export interface PluginArgs {
  args: string[];
  flags: ReadonlySet<string>;
  values: ReadonlyMap<string, string>;
}

const enc = encodeURIComponent;

function one(args: string[], what: string): string {
  if (args.length !== 1) throw new CtlError(exitCodes.usage, `expected plugin ${what}`);
  return args[0]!;
}

export async function pluginCommand(
  target: Target,
  p: PluginArgs,
  table: (header: string[], rows: string[][]) => string,
): Promise<{ json: unknown; text: string }> {
  const [sub, ...args] = p.args;
  switch (sub) {
    case 'list': {
      const r = await call(target, 'GET', '/api/v1/plugins');
      const rows = (r.plugins as any[]).map((x) => [
        x.name,
        x.disabledByFaults ? 'disabled (faults)' : x.enabled ? 'yes' : 'no',
        x.peers ? x.peers.join(',') : '(all)',
        String(x.pluglets.length),
        String(x.stats.calls),
        String(x.stats.faults),
        x.source,
      ]);
      return {
        json: r,
        text: table(['Name', 'Enabled', 'Peers', 'Pluglets', 'Calls', 'Faults', 'Source'], rows),
      };
    }
    case 'show': {
      const x = await call(target, 'GET', `/api/v1/plugins/${enc(one(args, 'show NAME'))}`);
      const head = [
        `${x.name}  (${x.source}${x.manifest ? `: ${x.manifest}` : ''})`,
        `  Enabled: ${x.enabled ? 'yes' : 'no'}${x.disabledByFaults ? ', disabled after faults' : ''}`,
        `  Peers:   ${x.peers ? x.peers.join(' ') : '(all)'}`,
        '',
      ];
      const rows = (x.pluglets as any[]).map((l) => [
        l.name,
        l.point,
        l.anchor,
        String(l.seq),
        String(l.stats.calls),
        String(l.stats.faults),
        String(l.stats.instructions),
        `${(l.stats.timeNs / 1e6).toFixed(3)} ms`,
      ]);
      const t = table(['Pluglet', 'Point', 'Anchor', 'Seq', 'Calls', 'Faults', 'Instructions', 'Time'], rows);
      return {
        json: x,
        text:
          head.join('\n') +
          t
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n'),
      };
    }
    case 'load': {
      const manifest = one(args, 'load MANIFEST');
      const body = await uploadBody(manifest, p);
      const dry = p.flags.has('--dry-run');
      const r = await call(target, 'POST', `/api/v1/plugins${dry ? '?dry-run=true' : ''}`, body);
      return { json: r, text: dry ? dryRunText(r, table) : appliedText('loaded', r) };
    }
    case 'unload': {
      const r = await call(target, 'DELETE', `/api/v1/plugins/${enc(one(args, 'unload NAME'))}`);
      return { json: r, text: appliedText('unloaded', r) };
    }
    case 'enable':
    case 'disable': {
      const name = one(args, `${sub} NAME`);
      const r = await call(target, 'PATCH', `/api/v1/plugins/${enc(name)}`, { enabled: sub === 'enable' });
      return { json: r, text: appliedText(`${sub}d`, r) };
    }
    case 'attach': {
      const [name, ...peers] = args;
      if (name === undefined || (peers.length === 0) === !p.flags.has('--all'))
        throw new CtlError(
          exitCodes.usage,
          'expected plugin attach NAME PEER... or plugin attach NAME --all',
        );
      const r = await call(target, 'PATCH', `/api/v1/plugins/${enc(name)}`, {
        peers: peers.length === 0 ? null : peers,
      });
      return {
        json: r,
        text: appliedText(`attached to ${peers.length === 0 ? 'every peer' : peers.join(' ')}`, r),
      };
    }
    case 'dry-run': {
      const r = await call(target, 'POST', `/api/v1/plugins/${enc(one(args, 'dry-run NAME'))}/dry-run`, {});
      return { json: r, text: dryRunText(r, table) };
    }
    case 'stats-reset': {
      const r = await call(
        target,
        'POST',
        `/api/v1/plugins/${enc(one(args, 'stats-reset NAME'))}/stats/reset`,
      );
      return { json: r, text: `${r.name}: statistics reset` };
    }
    default:
      throw new CtlError(exitCodes.usage, `unknown plugin command '${sub ?? ''}'`);
  }
}

function appliedText(what: string, r: any): string {
  return `${r.plugin}: ${what} (${r.reimported} path(s) imported again, ${r.redecided} destination(s) decided again, ${r.resent} peer(s) sent everything again; no session reset)`;
}

function dryRunText(r: any, table: (header: string[], rows: string[][]) => string): string {
  const lines = [
    `${r.destinations} destination(s) examined: import ${r.imported.rejected} rejected, ${r.imported.accepted} accepted, ${r.imported.modified} modified; ${r.bestChanged} best path(s) changed`,
  ];
  const peers = Object.entries(r.exported as Record<string, any>);
  if (peers.length > 0)
    lines.push(
      table(
        ['Peer', 'Announced', 'Withdrawn', 'Modified'],
        peers.map(([peer, c]) => [peer, String(c.announced), String(c.withdrawn), String(c.modified)]),
      ),
    );
  for (const c of r.changes as any[])
    lines.push(`  ${c.stage} ${c.family} ${c.prefix}${c.peer ? ` ${c.peer}` : ''}: ${c.change}`);
  if (r.truncated) lines.push('  (more changes not listed)');
  return lines.join('\n');
}

/** The manifest, the objects it names and the settings, as multipart/form-data. */
async function uploadBody(
  manifestFile: string,
  p: PluginArgs,
): Promise<{ raw: Buffer; contentType: string }> {
  let text: string;
  try {
    text = readFileSync(manifestFile, 'utf8');
  } catch (err) {
    throw new CtlError(exitCodes.usage, `cannot read ${manifestFile}: ${(err as Error).message}`);
  }
  let manifest: { obj_dir?: string; obj_code_list?: Record<string, { obj?: string }> };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch {
    throw new CtlError(exitCodes.usage, `${manifestFile}: not a JSON .plugin manifest`);
  }
  const base = dirname(resolve(manifestFile));
  const objDir = p.values.get('obj-dir') ?? manifest.obj_dir ?? base;
  const dir = isAbsolute(objDir) ? objDir : resolve(base, objDir);
  const form = new FormData();
  form.append('manifest', new Blob([text]), basename(manifestFile));
  for (const { obj } of Object.values(manifest.obj_code_list ?? {})) {
    if (obj === undefined) continue;
    try {
      form.append(basename(obj), new Blob([readFileSync(join(dir, obj))]), basename(obj));
    } catch (err) {
      throw new CtlError(
        exitCodes.usage,
        `cannot read the object ${obj}: ${(err as Error).message} (build it: xbgpctl plugin build)`,
      );
    }
  }
  const settings: Record<string, unknown> = {};
  const peers = p.values.get('peers');
  if (peers !== undefined) settings.peers = peers.split(',').filter(Boolean);
  const conf = p.values.get('conf');
  if (conf !== undefined) {
    try {
      const parsed = JSON.parse(readFileSync(conf, 'utf8')) as { conf?: unknown };
      settings.conf = parsed.conf ?? parsed;
    } catch (err) {
      throw new CtlError(exitCodes.usage, `--conf ${conf}: ${(err as Error).message}`);
    }
  }
  if (Object.keys(settings).length > 0) form.append('settings', JSON.stringify(settings));
  const req = new Request('http://xbgpctl/', { method: 'POST', body: form });
  return { raw: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}
