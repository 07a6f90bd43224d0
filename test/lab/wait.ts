// Polling until a condition holds: how the lab waits for daemons, sessions and routes without sleeps.

export interface WaitOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** Poll period (ms). */
  intervalMs?: number;
}

/** A wait that ran out of time; the message says what was awaited and what was last seen. */
export class LabTimeoutError extends Error {
  readonly code = 'ERR_LAB_TIMEOUT';
}

/**
 * Call `probe` until it returns a value other than undefined/false, and resolve with that value.
 * Errors thrown by `probe` count as "not yet" (a daemon still starting refuses its CLI); the last one
 * is reported on timeout.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 150;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new LabTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
