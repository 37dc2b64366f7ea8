import { APIConnectionError, APIStatusError, ProxyError } from '../errors/api-errors.js';
import type { CallContext } from './context.js';

/**
 * Whether an earlier attempt of a call may have been carried out by the server although its answer
 * never arrived or was a failure: a retried DELETE that then meets 404 may be meeting its own work.
 * Conservative in the sense that matters to a caller who would treat such a 404 as done: an attempt
 * counts only when the server may have run it, and never when it cannot have (see `attemptMayHaveApplied`).
 */

/** `context.bag` key: set once an attempt of this call failed in a way the server may have applied. */
const EARLIER_MAY_HAVE_APPLIED = Symbol('pristine.earlierAttemptMayHaveApplied');

/** The final errors of calls an earlier attempt of which may have been applied. */
const marked = new WeakSet<object>();

/**
 * Connection failures that leave no doubt the request never reached the server: no connection was
 * made (refused, unknown host, no route, the connect timed out). A reset, a socket closed by the other
 * side or a broken pipe may come after the whole request was written, so they count as maybe applied.
 */
const NEVER_CONNECTED: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Whether the server may have carried out the request of a failed attempt: an answer of 500 or above
 * (the server took it and failed, or a gateway lost its answer), or a connection that broke or timed out
 * after it was made (the request may have been written whole, and its answer lost). Not an answer below
 * 500 (429, 408 and the like: refused before it was run), a proxy's refused tunnel, a connection never
 * made, an abort, an open circuit or anything the client refused before sending.
 */
export function attemptMayHaveApplied(error: unknown): boolean {
  if (error instanceof APIStatusError) return error.status >= 500;
  if (!(error instanceof APIConnectionError) || error instanceof ProxyError) return false;
  if (!error.retryable) return false; // TLS, an unsendable request: nothing reached the API
  return !NEVER_CONNECTED.has(codeOf(error.cause) ?? '');
}

/** The innermost `code` of an error's cause chain (the library's, kept on the sanitized copy). */
function codeOf(cause: unknown): string | undefined {
  let code: string | undefined;
  for (let e = cause, depth = 0; e instanceof Object && depth < 5; e = (e as Error).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') code = c;
  }
  return code;
}

/**
 * Called by the retry stage for each failed attempt, with what the attempt threw and the error it
 * reports: that error is marked when an earlier attempt may have been applied, then this attempt is
 * noted for the attempts after it. Costs nothing on a call whose attempts succeed.
 */
export function noteFailedAttempt(context: CallContext, thrown: unknown, reported: unknown): void {
  if (context.bag.get(EARLIER_MAY_HAVE_APPLIED) === true) {
    if (reported instanceof Object) marked.add(reported);
  } else if (attemptMayHaveApplied(thrown)) context.bag.set(EARLIER_MAY_HAVE_APPLIED, true);
}

/** For a stage: whether an attempt of this call before the current one may have been applied. */
export function earlierAttemptMayHaveApplied(context: CallContext): boolean {
  return context.bag.get(EARLIER_MAY_HAVE_APPLIED) === true;
}

/**
 * Whether the call that failed with `error` had an earlier attempt the server may have carried out (see
 * `attemptMayHaveApplied`): a 404 on the retry of a delete is then most likely that attempt's work. False
 * for an error from a first attempt, and for any error the kernel did not report.
 */
export function errorAfterMaybeAppliedAttempt(error: unknown): boolean {
  return error instanceof Object && marked.has(error);
}

/** A plugin's error mapper replaced `from` with `to`: the mark goes with it. */
export function carryMark(from: unknown, to: unknown): void {
  if (from !== to && to instanceof Object && errorAfterMaybeAppliedAttempt(from)) marked.add(to);
}
