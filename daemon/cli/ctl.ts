// xbgpctl's commands on a running daemon, through its admin API (ctl-client.ts):
//   status | peers | peer NAME | rib FAMILY [PREFIX] [--longer|--shorter] [--peer P] [--limit N]
//   | adj-rib-in PEER FAMILY [--pre] | adj-rib-out PEER FAMILY | reset PEER [--soft-in|--soft-out] [-m MSG]
//   | shutdown PEER [-m MSG] | enable PEER | reload [--soft] | plugin ... (ctl-plugin.ts)
// with --url / XBGPD_URL / -c CONFIG, --token / XBGPD_TOKEN (or the configuration's token or token-file),
// -k (any TLS certificate), --json (the API's answer as it is). Human output is aligned tables in the
// manner of birdc and vtysh; a prefix's candidate paths show `>` on the best and the deciding step.
import { CtlError, call, exitCodes, resolveTarget, type Target, type TargetOptions } from './ctl-client.js';
import { pluginCommand } from './ctl-plugin.js';

export const usage = `usage: xbgpctl [--url URL] [-c CONFIG] [--token TOKEN] [-k] [--json] COMMAND ...

commands on a running xbgpd (its admin API):
  status                                   identity, uptime, counts, memory
  peers                                    every peer: state, since, prefixes
  peer NAME                                one peer: negotiation, capabilities, messages, prefixes
  rib FAMILY [PREFIX] [--longer|--shorter] [--peer NAME] [--limit N]
                                           best paths and the deciding step; with PREFIX alone,
                                           every candidate path ('>' on the best) and why each lost
  adj-rib-in PEER FAMILY [--pre]           routes from PEER after import (--pre: as received)
  adj-rib-out PEER FAMILY                  routes sent to PEER
  reset PEER [--soft-in|--soft-out] [-m MSG]   hard reset (CEASE, new session) or soft reset
  shutdown PEER [-m MSG]                   CEASE / Administrative Shutdown with an RFC 9003 message
  enable PEER                              start a peer shut down with 'shutdown'
  reload [--soft]                          re-read the configuration (as SIGHUP)
  plugin list | show NAME | load MANIFEST [--peers A,B] [--conf FILE.json] [--obj-dir DIR] [--dry-run]
         | unload NAME | enable NAME | disable NAME | attach NAME (PEER... | --all) | dry-run NAME
         | stats-reset NAME               plugins at run time; none of these resets a session

the daemon: --url URL, else XBGPD_URL, else the admin section of -c CONFIG
the token:  --token TOKEN, else XBGPD_TOKEN, else the admin section's token or token-file
FAMILY: ipv4-unicast | ipv6-unicast
exit status: 0 ok, 1 failed, 2 usage, 3 unreachable, 4 unauthorized, 5 not found, 6 invalid,
             7 conflict, 8 daemon error`;

/** The API commands (xbgpctl.ts sends these here). */
export const apiCommands = [
  'status',
  'peers',
  'peer',
  'rib',
  'adj-rib-in',
  'adj-rib-out',
  'reset',
  'shutdown',
  'enable',
  'reload',
  'plugin',
] as const;

export interface CtlIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

const stdio: CtlIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  env: process.env,
};

interface Parsed {
  target: TargetOptions;
  json: boolean;
  flags: Set<string>;
  values: Map<string, string>;
  args: string[];
}

const valueFlags = new Map([
  ['--url', 'url'],
  ['-c', 'config'],
  ['--config', 'config'],
  ['--token', 'token'],
  ['-m', 'message'],
  ['--message', 'message'],
  ['--peer', 'peer'],
  ['--limit', 'limit'],
  ['--peers', 'peers'],
  ['--conf', 'conf'],
  ['--obj-dir', 'obj-dir'],
]);
const booleanFlags = new Set([
  '--json',
  '-k',
  '--insecure',
  '--longer',
  '--shorter',
  '--pre',
  '--soft-in',
  '--soft-out',
  '--soft',
  '--dry-run',
  '--all',
]);

function parse(argv: string[]): Parsed {
  const parsed: Parsed = { target: {}, json: false, flags: new Set(), values: new Map(), args: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = valueFlags.get(a);
    if (name !== undefined) {
      const v = argv[++i];
      if (v === undefined) throw new CtlError(exitCodes.usage, `${a} needs a value`);
      parsed.values.set(name, v);
    } else if (booleanFlags.has(a)) parsed.flags.add(a);
    else if (a.startsWith('-') && a !== '-') throw new CtlError(exitCodes.usage, `unknown option '${a}'`);
    else parsed.args.push(a);
  }
  const v = parsed.values;
  if (v.has('url')) parsed.target.url = v.get('url')!;
  if (v.has('config')) parsed.target.config = v.get('config')!;
  if (v.has('token')) parsed.target.token = v.get('token')!;
  if (parsed.flags.has('-k') || parsed.flags.has('--insecure')) parsed.target.insecure = true;
  parsed.json = parsed.flags.has('--json');
  return parsed;
}

/** Run one API command; returns the exit status. */
export async function main(argv: string[], io: CtlIo = stdio): Promise<number> {
  try {
    const p = parse(argv);
    const [command, ...args] = p.args;
    if (command === undefined) throw new CtlError(exitCodes.usage, 'a command is needed');
    const target = await resolveTarget(p.target, io.env);
    const result = await run(command, args, p, target);
    io.out(p.json ? JSON.stringify(result.json, null, 2) : result.text);
    return exitCodes.ok;
  } catch (err) {
    if (!(err instanceof CtlError)) throw err;
    io.err(`xbgpctl: ${err.message}`);
    if (err.exitCode === exitCodes.usage) io.err(usage);
    return err.exitCode;
  }
}

const families = ['ipv4-unicast', 'ipv6-unicast'];
const enc = encodeURIComponent;

function need(args: string[], count: number, what: string): void {
  if (args.length !== count) throw new CtlError(exitCodes.usage, `expected ${what}`);
}

function family(text: string | undefined): string {
  if (text === undefined || !families.includes(text))
    throw new CtlError(exitCodes.usage, `FAMILY must be one of: ${families.join(', ')}`);
  return text;
}

async function run(
  command: string,
  args: string[],
  p: Parsed,
  target: Target,
): Promise<{ json: unknown; text: string }> {
  switch (command) {
    case 'status': {
      need(args, 0, 'no argument');
      const s = await call(target, 'GET', '/api/v1/status');
      return { json: s, text: statusText(s) };
    }
    case 'peers': {
      need(args, 0, 'no argument');
      const r = await call(target, 'GET', '/api/v1/peers');
      return { json: r, text: peersTable(r.peers) };
    }
    case 'peer': {
      need(args, 1, 'peer NAME');
      const r = await call(target, 'GET', `/api/v1/peers/${enc(args[0]!)}`);
      return { json: r, text: peerText(r) };
    }
    case 'rib':
      return rib(args, p, target);
    case 'adj-rib-in':
    case 'adj-rib-out': {
      need(args, 2, `${command} PEER FAMILY`);
      const [peer, f] = [args[0]!, family(args[1])];
      const view = command === 'adj-rib-in' ? `view=${p.flags.has('--pre') ? 'pre' : 'post'}&` : '';
      const entries = await allPages(
        target,
        `/api/v1/peers/${enc(peer)}/${command}/${f}?${view}`,
        limitOf(p),
      );
      return { json: { family: f, entries }, text: routesTable(entries, command === 'adj-rib-in') };
    }
    case 'reset': {
      need(args, 1, 'reset PEER');
      const mode = p.flags.has('--soft-in') ? 'soft-in' : p.flags.has('--soft-out') ? 'soft-out' : 'hard';
      const body: Record<string, string> = { mode };
      if (p.values.has('message')) body.message = p.values.get('message')!;
      const r = await call(target, 'POST', `/api/v1/peers/${enc(args[0]!)}/reset`, body);
      const detail =
        r.changed !== undefined
          ? `: ${r.changed} path(s) changed by import`
          : r.queued !== undefined
            ? `: ${r.queued} prefix(es) sent again`
            : '';
      return { json: r, text: `${r.peer}: ${r.mode} reset${detail}` };
    }
    case 'shutdown': {
      need(args, 1, 'shutdown PEER');
      const body = p.values.has('message') ? { message: p.values.get('message')! } : {};
      const r = await call(target, 'POST', `/api/v1/peers/${enc(args[0]!)}/shutdown`, body);
      return { json: r, text: `${r.name}: shut down (${r.state})` };
    }
    case 'enable': {
      need(args, 1, 'enable PEER');
      const r = await call(target, 'POST', `/api/v1/peers/${enc(args[0]!)}/enable`);
      return { json: r, text: `${r.name}: enabled (${r.state})` };
    }
    case 'plugin':
      return pluginCommand(target, { args, flags: p.flags, values: p.values }, table);
    case 'reload': {
      need(args, 0, 'no argument');
      const r = await call(target, 'POST', '/api/v1/config/reload', { soft: p.flags.has('--soft') });
      return { json: r, text: reloadText(r.summary) };
    }
    default:
      throw new CtlError(exitCodes.usage, `unknown command '${command}'`);
  }
}

function limitOf(p: Parsed): number | undefined {
  const text = p.values.get('limit');
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CtlError(exitCodes.usage, '--limit needs a positive integer');
  return n;
}

/** Every page of a paged route (or the first `limit` entries). */
async function allPages(target: Target, path: string, limit: number | undefined): Promise<any[]> {
  const entries: any[] = [];
  let cursor: string | undefined;
  for (;;) {
    const size = Math.min(limit === undefined ? 1000 : limit - entries.length, 1000);
    const page = await call(target, 'GET', `${path}limit=${size}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
    entries.push(...page.entries);
    cursor = page.next;
    if (cursor === undefined || (limit !== undefined && entries.length >= limit)) return entries;
  }
}

async function rib(args: string[], p: Parsed, target: Target): Promise<{ json: unknown; text: string }> {
  if (args.length < 1 || args.length > 2) throw new CtlError(exitCodes.usage, 'expected rib FAMILY [PREFIX]');
  const f = family(args[0]);
  const prefix = args[1];
  const match = p.flags.has('--longer') ? 'longer' : p.flags.has('--shorter') ? 'shorter' : undefined;
  if (prefix !== undefined && match === undefined && !p.values.has('peer')) {
    const r = await call(target, 'GET', `/api/v1/rib/${f}/${enc(prefix)}`);
    return { json: r, text: candidatesText(r) };
  }
  let query = '';
  if (prefix !== undefined) query += `prefix=${enc(prefix)}&match=${match ?? 'exact'}&`;
  if (p.values.has('peer')) query += `peer=${enc(p.values.get('peer')!)}&`;
  const entries = await allPages(target, `/api/v1/rib/${f}?${query}`, limitOf(p));
  return { json: { family: f, entries }, text: bestTable(entries) };
}

// ===== output =====

/** Rows aligned in columns two spaces apart (the last column not padded). */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const hms = [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
  return d > 0 ? `${d}d ${hms}` : hms;
}

function statusText(s: any): string {
  const rows: [string, string][] = [
    ['Router ID', s.routerId],
    ['AS', String(s.asn)],
    ['Version', s.version],
    ['Up since', `${s.startedAt} (${duration(s.uptimeSeconds)})`],
    ['Peers', `${s.peers.established} established of ${s.peers.configured}`],
  ];
  for (const [f, c] of Object.entries(s.rib as Record<string, any>))
    rows.push([`RIB ${f}`, `${c.prefixes} prefixes, ${c.paths} paths`]);
  rows.push(['Attribute sets', String(s.attributeSets)]);
  rows.push(['Plugins', `${s.plugins.loaded} (${s.plugins.pluglets} pluglets)`]);
  rows.push([
    'Memory',
    `${Math.round(s.memory.rss / 1048576)} MiB RSS, ${Math.round(s.memory.heapUsed / 1048576)} MiB heap`,
  ]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v}`).join('\n');
}

function sumPrefixes(p: any): { received: number; accepted: number; best: number; advertised: number } {
  const sum = { received: 0, accepted: 0, best: 0, advertised: 0 };
  for (const c of Object.values(p.prefixes ?? {}) as any[])
    for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += c[k];
  return sum;
}

function peersTable(peers: any[]): string {
  return table(
    ['Name', 'Address', 'AS', 'State', 'Since', 'Uptime', 'Rcvd', 'Accepted', 'Best', 'Advertised'],
    peers.map((p) => {
      const s = sumPrefixes(p);
      return [
        p.name,
        p.address,
        String(p.asn),
        p.adminDown ? `${p.state} (down)` : p.state,
        String(p.since)
          .replace('T', ' ')
          .replace(/\.\d+Z$/, 'Z'),
        duration(p.uptimeSeconds),
        String(s.received),
        String(s.accepted),
        String(s.best),
        String(s.advertised),
      ];
    }),
  );
}

function peerText(p: any): string {
  const lines = [
    `${p.name}  ${p.address}  AS${p.asn}${p.description ? `  "${p.description}"` : ''}`,
    `  State:          ${p.state} since ${p.since}${p.uptimeSeconds !== undefined ? ` (up ${duration(p.uptimeSeconds)})` : ''}${p.adminDown ? ', administratively down' : ''}`,
    `  Flaps:          ${p.flaps}`,
  ];
  if (p.remoteId) lines.push(`  Router ID:      ${p.remoteId}`);
  if (p.localAddress) lines.push(`  Local address:  ${p.localAddress}`);
  const n = p.negotiated;
  if (n) {
    lines.push(
      `  Hold time:      ${n.holdTime} s (keepalive ${n.keepaliveTime} s)`,
      `  Session:        ${n.ibgp ? 'iBGP' : 'eBGP'}, families ${n.families.join(' ')}`,
    );
    const negotiated = [
      n.fourOctetAs && 'four-octet-as',
      n.routeRefresh && 'route-refresh',
      n.enhancedRouteRefresh && 'enhanced-route-refresh',
      n.extendedMessage && 'extended-message',
      n.gracefulRestart && 'graceful-restart',
      ...n.addPathReceive.map((f: string) => `add-path-receive:${f}`),
      ...n.addPathSend.map((f: string) => `add-path-send:${f}`),
    ].filter(Boolean);
    lines.push(`  Negotiated:     ${negotiated.join(' ') || '-'}`);
  }
  if (p.capabilities) lines.push(`  Peer advertised: ${p.capabilities.join(' ')}`);
  if (p.lastError) lines.push(`  Last error:     ${p.lastError}`);
  const ln = p.lastNotification;
  if (ln)
    lines.push(
      `  Last NOTIFICATION: ${ln.direction} ${ln.code}/${ln.subcode} ${ln.name}${ln.shutdownCommunication !== undefined ? ` "${ln.shutdownCommunication}"` : ''}`,
    );
  if (p.messages) {
    const types = Object.keys(p.messages.received);
    lines.push(
      '',
      indent(
        table(
          ['Messages', ...types],
          [
            ['received', ...types.map((t) => String(p.messages.received[t]))],
            ['sent', ...types.map((t) => String(p.messages.sent[t]))],
          ],
        ),
      ),
    );
  }
  const fams = Object.entries(p.prefixes ?? {}) as [string, any][];
  if (fams.length > 0)
    lines.push(
      '',
      indent(
        table(
          ['Family', 'Received', 'Accepted', 'Best', 'Advertised'],
          fams.map(([f, c]) => [
            f,
            String(c.received),
            String(c.accepted),
            String(c.best),
            String(c.advertised),
          ]),
        ),
      ),
    );
  return lines.join('\n');
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

function attrs(a: any): { nextHop: string; path: string; extra: string } {
  const extra = [
    a.localPref !== undefined ? `lp ${a.localPref}` : '',
    a.med !== undefined ? `med ${a.med}` : '',
    a.communities?.length ? `comm ${a.communities.join(',')}` : '',
    a.largeCommunities?.length ? `lcomm ${a.largeCommunities.join(',')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    nextHop: a.nextHop ?? '-',
    path: `${a.asPath === '' ? '' : `${a.asPath} `}${originMark(a.origin)}`,
    extra,
  };
}

/** As birdc and vtysh end an AS path: i IGP, e EGP, ? incomplete. */
function originMark(origin: string | undefined): string {
  return origin === 'igp' ? 'i' : origin === 'egp' ? 'e' : '?';
}

function bestTable(entries: any[]): string {
  return table(
    ['Prefix', 'From', 'Next hop', 'AS path', 'Step', 'Paths', 'Attributes'],
    entries.map((e) => {
      const a = attrs(e.attributes);
      return [e.prefix, e.peer, a.nextHop, a.path, e.reason, String(e.paths), a.extra];
    }),
  );
}

function candidatesText(r: any): string {
  const rows = (r.paths as any[]).map((p) => {
    const a = attrs(p.attributes);
    const why = p.best ? `best: ${p.reason}` : p.rejected ? `rejected: ${p.rejected}` : `lost at ${p.lostAt}`;
    return [p.best ? '>' : ' ', p.peer + (p.pathId ? `#${p.pathId}` : ''), a.nextHop, a.path, why, a.extra];
  });
  return `${r.prefix}  (${r.family})\n${indent(table(['', 'From', 'Next hop', 'AS path', 'Decision', 'Attributes'], rows))}`;
}

function routesTable(entries: any[], withRejected: boolean): string {
  return table(
    ['Prefix', 'Next hop', 'AS path', 'Attributes', ...(withRejected ? ['Rejected'] : [])],
    entries.map((e) => {
      const a = attrs(e.attributes);
      const prefix = e.pathId ? `${e.prefix}#${e.pathId}` : e.prefix;
      return [prefix, a.nextHop, a.path, a.extra, ...(withRejected ? [e.rejected ?? ''] : [])];
    }),
  );
}

function reloadText(s: any): string {
  const parts: string[] = [];
  const list = (key: string, label: string): void => {
    if (s[key]?.length) parts.push(`${label}: ${s[key].join(', ')}`);
  };
  list('added', 'peers added');
  list('removed', 'peers removed');
  list('changed', 'peers restarted');
  list('policyChanged', 'policy changed (no reset)');
  list('listenersAdded', 'listeners added');
  list('listenersRemoved', 'listeners removed');
  if (s.originateChanged) parts.push('originated prefixes changed');
  if (s.pluginsChanged) parts.push('plugins reloaded');
  return `reloaded: ${parts.length === 0 ? 'nothing changed' : parts.join('; ')}`;
}
