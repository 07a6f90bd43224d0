// Coded errors of the daemon (outside the wire codec, which has its own DecodeError union).
// Every error the daemon raises on purpose carries a stable `code` (ERR_CFG_*, ERR_BGP_*, ERR_PLUGIN_LOAD, ERR_DAEMON_*,
// ERR_ADMIN_* for the admin API's settings, ERR_API_* in its answers)
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
  /** The admin API's settings are unsafe or unusable (no token off loopback, the example token, TLS files). */
  ERR_ADMIN_CONFIG: 'ERR_ADMIN_CONFIG',
  /** The admin API could not bind its address and port. */
  ERR_ADMIN_LISTEN: 'ERR_ADMIN_LISTEN',
  /** An admin API request without the bearer token, or with a wrong one (HTTP 401). */
  ERR_API_UNAUTHORIZED: 'ERR_API_UNAUTHORIZED',
  /** An admin API request whose parameters, query or body do not match the route's schema (HTTP 400). */
  ERR_API_INVALID: 'ERR_API_INVALID',
  /** An admin API request naming something that does not exist: a peer, a prefix, a route (HTTP 404). */
  ERR_API_NOT_FOUND: 'ERR_API_NOT_FOUND',
  /** An admin API request that cannot be carried out in the current state (HTTP 409). */
  ERR_API_CONFLICT: 'ERR_API_CONFLICT',
  /** A configuration reload asked through the admin API was rejected: the file has errors (HTTP 422). */
  ERR_API_RELOAD: 'ERR_API_RELOAD',
  /** An unexpected failure inside the admin API (HTTP 500): a bug. */
  ERR_API_INTERNAL: 'ERR_API_INTERNAL',
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
