// Coded errors of the daemon (outside the wire codec, which has its own DecodeError union).
// Every error the daemon raises on purpose carries a stable `code` (ERR_CFG_*, ERR_BGP_*, ERR_PLUGIN_LOAD, ERR_DAEMON_*)
// that tests and operators can match on; `throw` of anything else is a bug.

export const errorCodes = {
  /** The configuration file could not be read. */
  ERR_CFG_READ: 'ERR_CFG_READ',
  /** The configuration file is not valid YAML. */
  ERR_CFG_YAML: 'ERR_CFG_YAML',
  /** The configuration does not match config/schema.json or a semantic check failed. */
  ERR_CFG_INVALID: 'ERR_CFG_INVALID',
  /** A listener could not bind its address and port. */
  ERR_BGP_LISTEN: 'ERR_BGP_LISTEN',
  /** An operation named a peer that is not configured. */
  ERR_BGP_UNKNOWN_PEER: 'ERR_BGP_UNKNOWN_PEER',
  /** Setting the IP TTL or minimum TTL (GTSM) of a session's socket failed. */
  ERR_BGP_TTL: 'ERR_BGP_TTL',
  /** The native socket-option addon is not built: sessions use the system's default TTL. */
  ERR_BGP_TTL_UNAVAILABLE: 'ERR_BGP_TTL_UNAVAILABLE',
  /** A configured plugin could not be loaded, linked or verified (each problem is listed). */
  ERR_PLUGIN_LOAD: 'ERR_PLUGIN_LOAD',
  /** The command line was not understood. */
  ERR_DAEMON_USAGE: 'ERR_DAEMON_USAGE',
} as const;

export type ErrorCode = (typeof errorCodes)[keyof typeof errorCodes];

/** Base class of the daemon's coded errors (undici style: a stable `code` and a brand). */
const brand = Symbol.for('xbgpd.error');

export class XbgpdError extends Error {
  readonly [brand] = true;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'XbgpdError';
  }
}

export function isXbgpdError(err: unknown): err is XbgpdError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[brand] === true;
}
