#!/usr/bin/env node
// xbgpctl: the operator's command-line tool. Each subcommand lives in its own module and is loaded
// only when used, so `xbgpctl vm ...` never pays for the BGP code and the reverse. The commands on a
// running daemon (status, peers, rib, reset...) go to its admin API through ctl.ts.
const subcommands: Record<
  string,
  { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> }
> = {
  plugin: {
    summary:
      'build and check xBGP plugins (plugin build SRC.c... [-o DIR], plugin check MANIFEST); on a running daemon: plugin list|show|load|unload|enable|disable|attach|dry-run|stats-reset',
    load: () => import('./plugin.js'),
  },
  mrt: { summary: 'read and write MRT files (mrt dump FILE [--json])', load: () => import('./mrt.js') },
  vm: { summary: 'eBPF VM tools (vm test|run|asm|disasm)', load: () => import('./vm.js') },
};

/** The commands on a running daemon (ctl.ts `apiCommands`), and its options that may come first. */
const apiCommands = new Set([
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
]);
const apiOptions = new Set(['--url', '-c', '--config', '--token', '-k', '--insecure', '--json']);

function usage(): string {
  const lines = ['usage: xbgpctl <command> [args...]', '', 'commands:'];
  for (const [name, s] of Object.entries(subcommands)) lines.push(`  ${name.padEnd(8)} ${s.summary}`);
  lines.push(
    '  status | peers | peer | rib | adj-rib-in | adj-rib-out | reset | shutdown | enable | reload',
    '           a running daemon, through its admin API (xbgpctl status --help)',
  );
  return lines.join('\n');
}

async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help') {
    process.stdout.write(usage() + '\n');
    return cmd === undefined ? 1 : 0;
  }
  const pluginOnApi =
    cmd === 'plugin' &&
    ['list', 'show', 'load', 'unload', 'enable', 'disable', 'attach', 'dry-run', 'stats-reset'].includes(
      rest[0] ?? '',
    );
  if (apiCommands.has(cmd) || apiOptions.has(cmd) || pluginOnApi) {
    const ctl = await import('./ctl.js');
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(ctl.usage + '\n');
      return 0;
    }
    return ctl.main(argv);
  }
  const sub = subcommands[cmd];
  if (!sub) {
    process.stderr.write(`xbgpctl: unknown command '${cmd}'\n${usage()}\n`);
    return 1;
  }
  return (await sub.load()).main(rest);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`xbgpctl: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
