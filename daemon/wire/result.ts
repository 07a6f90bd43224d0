// The result shape every message decoder returns: a message (possibly with RFC 7606 soft errors), or the
// session-reset error. Peer input never throws; `throw` in this codec means a bug.
import type { DecodeError, ErrorAction, UpdateError } from './errors.js';

export type DecodeResult<M> =
  | {
      ok: true;
      message: M;
      /** Soft errors (attribute-discard, treat-as-withdraw, afisafi-disable); empty for most messages. */
      errors: readonly UpdateError[];
      /** The strongest of `errors`, or 'none'. */
      action: Exclude<ErrorAction, 'session-reset'> | 'none';
    }
  | { ok: false; error: DecodeError; action: 'session-reset' };

const NONE: readonly UpdateError[] = Object.freeze([]) as readonly UpdateError[];

export function decoded<M>(message: M): DecodeResult<M> {
  return { ok: true, message, errors: NONE, action: 'none' };
}

export function failed<M>(error: DecodeError): DecodeResult<M> {
  return { ok: false, error, action: 'session-reset' };
}
