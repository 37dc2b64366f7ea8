import type { PortToken } from './port-token.js';
/** How one attempt ended, decided once by the classifier. */
export type AttemptOutcome<T> =
  | { kind: 'success'; value: T }
  | { kind: 'retryable'; error: Error; retryAfterMs?: number }
  | { kind: 'fatal'; error: Error };

export interface RetryContext {
  /** Retries after the first attempt (0 = one attempt only). */
  maxRetries: number;
  /**
   * Asked before each retry; a call whose one-shot body (a stream) was sent answers false and is not
   * retried. Omitted means always replayable. A function rather than a getter: object literals with
   * accessors are slow to create, and this context is built on every call.
   */
  replayable?: () => boolean;
  signal?: AbortSignal;
  /**
   * Ends a backoff sleep early without failing the call (the kernel's close): the next attempt then runs
   * at once, and fails as it would (a closed kernel's: ClientClosedError, never retried).
   */
  interrupt?: AbortSignal;
  /** Overrides of the adapter's delay settings for this call (a named retry policy). */
  delays?: Partial<RetryDelayOptions>;
  /** Called before each backoff sleep. */
  onRetry?(info: { attempt: number; delayMs: number; error: Error }): void;
}

export interface RetryDelayOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Fraction of the delay removed at random: delay × (1 − jitter·random). */
  jitter: number;
  /** A server-given delay is honoured only up to this bound. */
  maxRetryAfterMs: number;
}

/**
 * Retry port: runs `attempt(n)` (n = 0 for the first try) until success, a fatal outcome, or the
 * retry budget is spent. All sleeps go through the Clock port and are abortable.
 */
export interface Retry {
  /**
   * `run` with `maxRetries: 0` is exactly `attempt(0)`: its value on success, its error thrown as is
   * otherwise, with no sleep and no `onRetry`. The kernel then makes such calls (every future's poll)
   * without `run`, its context and its closures; adapters without this flag are always asked.
   */
  readonly oneAttemptWithoutRetries?: boolean;
  run<T>(attempt: (n: number) => Promise<AttemptOutcome<T>>, context: RetryContext): Promise<T>;
}

export const RetryToken = Symbol.for('pristine.port.Retry') as PortToken<Retry>;
