import type { Clock } from '../../ports/clock.js';
import type { AttemptOutcome, Retry, RetryContext, RetryDelayOptions } from '../../ports/retry.js';
import { linkedSignal } from '../../kernel/signals/linked-signal.js';

export const DEFAULT_RETRY_DELAYS: RetryDelayOptions = {
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  jitter: 0.25,
  maxRetryAfterMs: 60_000,
};

/**
 * Exponential backoff with jitter: `min(initial·2^n, max) × (1 − jitter·random)`, or the server's
 * retry-after when the classifier found one. Every sleep goes through the Clock port and is abortable.
 *
 * Why not cockatiel's RetryPolicy: in 3.2.1 its backoff sleep ignores the AbortSignal and uses the real
 * timer, so an abort would wait out the delay and tests would need real time. Breakers use cockatiel.
 */
export class BackoffRetry implements Retry {
  /** With `maxRetries: 0` the loop below ends at the first outcome that is not a success. */
  readonly oneAttemptWithoutRetries = true;

  constructor(
    private readonly clock: Clock,
    private readonly delays: RetryDelayOptions = DEFAULT_RETRY_DELAYS,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Most calls succeed at the first attempt: that one is chained without an async frame (one promise
   * instead of two, per call); the loop starts only after an attempt that did not succeed.
   */
  run<T>(attempt: (n: number) => Promise<AttemptOutcome<T>>, context: RetryContext): Promise<T> {
    let first: Promise<AttemptOutcome<T>>;
    try {
      first = attempt(0);
    } catch (error) {
      return Promise.reject(error);
    }
    return first.then((outcome) =>
      outcome.kind === 'success' ? outcome.value : this.afterFailure(outcome, attempt, context),
    );
  }

  private async afterFailure<T>(
    failed: Exclude<AttemptOutcome<T>, { kind: 'success' }>,
    attempt: (n: number) => Promise<AttemptOutcome<T>>,
    context: RetryContext,
  ): Promise<T> {
    let outcome: AttemptOutcome<T> = failed;
    for (let n = 0; ;) {
      if (outcome.kind === 'success') return outcome.value;
      if (
        outcome.kind === 'fatal' ||
        n >= context.maxRetries ||
        context.replayable?.() === false ||
        context.signal?.aborted
      ) {
        throw outcome.error;
      }
      const delayMs = this.delayFor(n, outcome.retryAfterMs, context.delays);
      context.onRetry?.({ attempt: n + 1, delayMs, error: outcome.error });
      await this.pause(delayMs, context);
      outcome = await attempt(++n);
    }
  }

  /** The backoff sleep: the caller's signal fails it; `interrupt` only cuts it short. */
  private async pause(delayMs: number, { signal, interrupt }: RetryContext): Promise<void> {
    if (!interrupt) return this.clock.sleep(delayMs, signal);
    if (interrupt.aborted) return;
    // Not AbortSignal.any: `interrupt` lives as long as the client, and Node 20 keeps one entry per call
    // in a source's dependants (linkedSignal).
    const linked = signal ? linkedSignal(signal, interrupt) : undefined;
    try {
      await this.clock.sleep(delayMs, linked ? linked.signal : interrupt);
    } catch (error) {
      if (signal?.aborted || !interrupt.aborted) throw error;
    } finally {
      linked?.unlink();
    }
  }

  /** Delay before retry number `retriesSoFar + 1`. */
  delayFor(retriesSoFar: number, retryAfterMs?: number, overrides?: Partial<RetryDelayOptions>): number {
    const delays = overrides ? { ...this.delays, ...overrides } : this.delays;
    if (retryAfterMs !== undefined && retryAfterMs >= 0 && retryAfterMs <= delays.maxRetryAfterMs) {
      return retryAfterMs;
    }
    const base = Math.min(delays.initialDelayMs * 2 ** retriesSoFar, delays.maxDelayMs);
    return base * (1 - delays.jitter * this.random());
  }
}
