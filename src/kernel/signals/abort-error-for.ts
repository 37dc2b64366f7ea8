import { APIUserAbortError } from '../errors/api-errors.js';

/**
 * The error a call, wait or stream ends with when the caller's `signal` aborts: an `APIUserAbortError`
 * (a user error, never retried) whose cause is the signal's reason, so `AbortSignal.timeout` reads as a
 * deadline, not an abort. One construction for the kernel, its adapters and plugins; without a signal
 * the cause is undefined.
 */
export function abortErrorFor(signal: AbortSignal | undefined): APIUserAbortError {
  return new APIUserAbortError(undefined, { cause: signal?.reason });
}
