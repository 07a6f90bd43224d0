// The daemon's logger: pino, one JSON line per event on stdout, pretty-printed when stdout is a TTY.
// Each peer logs through `peerLogger(root, name)`, a child carrying `peer` on every line, so a lab test
// can filter the stream by peer. Log messages are part of the interface (see daemon/session/README.md).
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where the JSON lines go; default stdout (pretty when it is a TTY and no destination is given). */
  destination?: DestinationStream;
  pretty?: boolean;
}

/** Create the root logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const base = { name: 'xbgpd' };
  if (options.destination)
    return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime }, options.destination);
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    return pino({
      level,
      base,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that discards everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The child logger of one peer: every line carries `peer: name`. */
export function peerLogger(root: Logger, name: string): Logger {
  return root.child({ peer: name });
}
