import { APITimeoutError, APIUserAbortError } from '../errors/api-errors.js';

/**
 * The error the caller gets for `error`, the failure of work run under `signal`. A client built on the
 * kernel puts a deadline on a whole call by aborting the call's signal with an `APITimeoutError` (Tinkex's
 * per-call `timeoutMs`); inside, the call then ends as an abort (`APIUserAbortError`, that error its
 * cause), and the client hands its caller the `APITimeoutError` itself. Telemetry records this one, so a
 * span says what the caller was told (class and message) without its adapter knowing the convention.
 */
export function deadlineErrorOf(error: unknown, signal: AbortSignal | undefined): unknown {
  const reason: unknown = signal?.aborted ? signal.reason : undefined;
  return error instanceof APIUserAbortError && reason instanceof APITimeoutError ? reason : error;
}
