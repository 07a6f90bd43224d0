// The admin API's bearer token: where it comes from (`admin.token`, or `admin.token-file` read at start),
// the start-up refusals (no token, or the example token, on an address other than loopback), and the
// comparison of a request's `Authorization: Bearer ...` header, in constant time: both sides are hashed
// to 32 octets first, so neither the token's length nor its first differing octet shows in the timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EXAMPLE_ADMIN_TOKEN, type AdminConfig } from '../config/types.js';
import { XbgpdError, errorCodes } from '../errors.js';
import { isLoopback } from '../net/address.js';

/**
 * The token the API requires (undefined: none, allowed on loopback only). Throws ERR_ADMIN_CONFIG when
 * the token file cannot be read or is empty, or when a non-loopback address has no token or the example one.
 */
export function adminToken(config: AdminConfig): string | undefined {
  let token = config.token;
  if (config.tokenFile !== undefined) {
    try {
      token = readFileSync(config.tokenFile, 'utf8').trim();
    } catch (err) {
      throw new XbgpdError(
        errorCodes.ERR_ADMIN_CONFIG,
        `admin.token-file: cannot read ${config.tokenFile}: ${(err as Error).message}`,
      );
    }
    if (token === '')
      throw new XbgpdError(errorCodes.ERR_ADMIN_CONFIG, `admin.token-file: ${config.tokenFile} is empty`);
  }
  if (!isLoopback(config.address)) {
    if (token === undefined)
      throw new XbgpdError(
        errorCodes.ERR_ADMIN_CONFIG,
        `admin.token: required when admin.address (${config.address}) is not a loopback address`,
      );
    if (token === EXAMPLE_ADMIN_TOKEN)
      throw new XbgpdError(
        errorCodes.ERR_ADMIN_CONFIG,
        `admin.token: the example token '${EXAMPLE_ADMIN_TOKEN}' is refused on ${config.address}; choose your own`,
      );
  }
  return token;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** A checker of `Authorization` header values against `token` (every value passes when there is none). */
export function bearerChecker(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (header) => {
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    // A missing or malformed header is compared too (with an empty token), so it costs the same time.
    const given = digest(match?.[1] ?? '');
    return timingSafeEqual(given, expected) && match !== null;
  };
}
