#!/usr/bin/env -S node --max-semi-space-size=4
// xbgpd: the BGP speaker daemon's entry point. Parses the command line, validates the configuration,
// runs the Speaker (daemon/speaker.ts) and the admin API when configured (daemon/admin), and maps
// signals to them:
//   SIGHUP  re-read the configuration (a bad file, or a plugin that does not load, changes nothing;
//           daemon/reload.ts, shared with the admin API's POST /api/v1/config/reload),
//   SIGTERM / SIGINT  clean shutdown (CEASE / Administrative Shutdown to every peer),
//   SIGUSR1  write the received-prefix table (to --dump-received FILE, else to the log) and log the
//            statistics of every pluglet,
//   SIGUSR2  write the MRT RIB dumps (--dump-rib FILE, --dump-adj-rib-in FILE).
import { readFileSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dirname, join } from 'node:path';
import { loadConfigFile, formatIssue, schemaPath } from '../config/load.js';
import { checkConfigFile, pluginProblemLine, readForReload } from '../config/check.js';
import { createLogger } from '../log.js';
import { PluginLoadFailure, Speaker } from '../speaker.js';
import { ConfigReloader } from '../reload.js';
import type { AdminServer } from '../admin/server.js';
import { adminToken } from '../admin/auth.js';
import { isXbgpdError } from '../errors.js';
import type { LevelWithSilent } from 'pino';
import { PRIME_COLLECT_FROM, PRIME_MAX, PRIME_MIN, PRIME_PREFIXES, primeRde } from '../rde/prime.js';
import { ipv4Number } from '../net/address.js';

const usage = `usage: xbgpd --config FILE [--dump-received FILE] [--dump-rib FILE] [--dump-adj-rib-in FILE]
             [--log-level LEVEL] [--log-pretty|--log-json] [--jit-prime[=PREFIXES]]
       xbgpd --check-config FILE

  --config FILE          run the speaker with this YAML configuration
  --check-config FILE    validate FILE and load every plugin it names, print one line per problem,
                         exit 1 if there is any
  --dump-received FILE   keep FILE updated with the received prefixes of every peer (JSON); also
                         rewritten immediately on SIGUSR1
  --dump-rib FILE        on SIGUSR2 and at shutdown, write the Loc-RIB to FILE as MRT TABLE_DUMP_V2
                         (one entry per prefix: the best path, post-policy; read with bgpdump -m)
  --dump-adj-rib-in FILE like --dump-rib, with every path received from every peer (pre-policy)
  --log-level LEVEL      override the file's log-level (trace debug info warn error fatal silent)
  --log-pretty / --log-json   force pretty or JSON log lines (default: pretty on a TTY)
  --jit-prime[=PREFIXES] before the sessions start, run a synthetic table of PREFIXES per family
                         (default 10000, at most 200000) through throwaway RDEs (2-3 s of CPU), so
                         that the first real table runs in code V8 has optimized already: its
                         announce CPU a sixth lower, for up to 20 MiB more resident memory
`;

interface Args {
  config?: string;
  checkConfig?: string;
  dumpReceived?: string;
  dumpRib?: string;
  dumpAdjRibIn?: string;
  logLevel?: LevelWithSilent;
  pretty?: boolean;
  /** Prefixes per family of the priming table (`--jit-prime`), absent: no priming. */
  jitPrime?: number;
  help?: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (a) {
      case '--config':
      case '-c':
        args.config = value();
        if (args.config === undefined) return `${a} needs a FILE`;
        break;
      case '--check-config':
        args.checkConfig = value();
        if (args.checkConfig === undefined) return `${a} needs a FILE`;
        break;
      case '--dump-received':
        args.dumpReceived = value();
        if (args.dumpReceived === undefined) return `${a} needs a FILE`;
        break;
      case '--dump-rib':
        args.dumpRib = value();
        if (args.dumpRib === undefined) return `${a} needs a FILE`;
        break;
      case '--dump-adj-rib-in':
        args.dumpAdjRibIn = value();
        if (args.dumpAdjRibIn === undefined) return `${a} needs a FILE`;
        break;
      case '--log-level': {
        const level = value();
        if (!level || !['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(level)) {
          return `${a} needs one of trace debug info warn error fatal silent`;
        }
        args.logLevel = level as LevelWithSilent;
        break;
      }
      case '--log-pretty':
        args.pretty = true;
        break;
      case '--log-json':
        args.pretty = false;
        break;
      case '--jit-prime':
        args.jitPrime = PRIME_PREFIXES;
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      default: {
        if (a.startsWith('--jit-prime=')) {
          const value = a.slice('--jit-prime='.length);
          const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
          if (!(n >= PRIME_MIN && n <= PRIME_MAX))
            return `--jit-prime: '${value}' is not a number of prefixes from ${PRIME_MIN} to ${PRIME_MAX}`;
          args.jitPrime = n;
          break;
        }
        return `unknown argument '${a}'`;
      }
    }
  }
  return args;
}

/**
 * A full garbage collection, outside the collector's own schedule: V8's gc function, exposed for this
 * process (the `--expose-gc` flag set at run time, the function taken from a fresh context).
 */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`xbgpd: ${args}\n${usage}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (args.checkConfig !== undefined) return checkConfigFile(args.checkConfig);
  if (args.config === undefined) {
    process.stderr.write(`xbgpd: --config FILE is required\n${usage}`);
    return 2;
  }
  const configFile = args.config;
  const loaded = await loadConfigFile(configFile);
  if (!loaded.ok) {
    for (const issue of loaded.issues) process.stderr.write(formatIssue(issue, configFile) + '\n');
    return 1;
  }
  if (loaded.config.admin !== undefined) {
    // The admin API's settings are refused before anything starts (no token off loopback...).
    try {
      adminToken(loaded.config.admin);
    } catch (err) {
      process.stderr.write(`xbgpd: ${isXbgpdError(err) ? `${err.code}: ${err.message}` : String(err)}\n`);
      return 1;
    }
  }
  const log = createLogger({
    level: args.logLevel ?? loaded.config.logLevel,
    ...(args.pretty !== undefined ? { pretty: args.pretty } : {}),
  });

  if (args.jitPrime !== undefined) {
    // Before any session or listener: nothing waits on the event loop while it runs.
    const primed = primeRde({
      localAsn: loaded.config.asn,
      routerId: ipv4Number(loaded.config.routerId),
      prefixes: args.jitPrime,
    });
    // The throwaway RDEs are garbage once their deferred decision slices (setImmediate) have run: a turn
    // of the loop, then a full collection gives their memory back before the table comes (after primings
    // of PRIME_COLLECT_FROM prefixes or more: below, it would discard what the priming taught V8). Collected
    // before that turn, both stayed (7.5 MB of heap and their typed arrays) until a collection in the
    // middle of the first table.
    await setImmediate();
    if (primed.prefixes >= PRIME_COLLECT_FROM) fullGc();
    log.info(
      {
        prefixes: primed.prefixes,
        ms: Math.round(primed.ms),
        cpuMs: Math.round(primed.cpuMs),
        rssMiB: Math.round(process.memoryUsage.rss() / 2 ** 20),
      },
      'jit primed',
    );
  }

  let speaker: Speaker;
  try {
    speaker = await Speaker.start({
      config: loaded.config,
      log,
      ...(args.dumpReceived !== undefined ? { dumpReceivedFile: args.dumpReceived } : {}),
      ...(args.dumpRib !== undefined ? { dumpRibFile: args.dumpRib } : {}),
      ...(args.dumpAdjRibIn !== undefined ? { dumpAdjRibInFile: args.dumpAdjRibIn } : {}),
    });
  } catch (err) {
    if (err instanceof PluginLoadFailure) {
      // Like --check-config: one line per problem, at the line of its plugins entry.
      const lines = err.problems.map((e) => pluginProblemLine(configFile, loaded.lineOf, e));
      log.fatal({ code: err.code, problems: lines }, 'startup failed: plugins did not load');
      for (const line of lines) process.stderr.write(`${line}\n`);
      return 1;
    }
    const text = isXbgpdError(err) ? `${err.code}: ${err.message}` : String(err);
    log.fatal({ err }, 'startup failed');
    process.stderr.write(`xbgpd: ${text}\n`);
    return 1;
  }
  log.info({ config: configFile, pid: process.pid }, 'xbgpd started');

  const reloader = new ConfigReloader(speaker, () => readForReload(configFile), log);
  let admin: AdminServer | undefined;
  if (loaded.config.admin !== undefined) {
    try {
      // Loaded only when configured: the HTTP stack (Fastify, OpenAPI, metrics) costs some 30 MiB.
      const { startAdmin } = await import('../admin/server.js');
      admin = await startAdmin({ speaker, reloader, log, version: packageVersion() }, loaded.config.admin);
    } catch (err) {
      const text = isXbgpdError(err) ? `${err.code}: ${err.message}` : String(err);
      log.fatal({ err }, 'startup failed: admin api');
      process.stderr.write(`xbgpd: ${text}\n`);
      await speaker.shutdown();
      return 1;
    }
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      reloader.stop();
      log.info({ signal }, 'shutting down');
      (admin?.close() ?? Promise.resolve())
        .then(() => speaker.shutdown())
        .then(
          () => {
            log.info('xbgpd stopped');
            log.flush();
            resolve(0);
          },
          (err: unknown) => {
            log.error({ err }, 'shutdown failed');
            resolve(1);
          },
        );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // Reloads run one after another (daemon/reload.ts); a bad file is logged and changes nothing.
    process.on('SIGHUP', () => void reloader.reload());
    process.on('SIGUSR1', () => {
      speaker.logPluginStats();
      speaker.dumpReceived().catch((err: unknown) => log.error({ err }, 'dump failed'));
    });
    process.on('SIGUSR2', () => {
      speaker.dumpRib().catch((err: unknown) => log.error({ err }, 'rib dump failed'));
    });
  });
}

/** The version in package.json (beside config/, found as the schema is). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(dirname(schemaPath())), 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Listeners and sockets are closed by shutdown(); leave promptly even if a transport lingers.
    if (code !== 0 || process.argv.includes('--config')) setTimeout(() => process.exit(code), 200).unref();
  },
  (err: unknown) => {
    process.stderr.write(`xbgpd: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
