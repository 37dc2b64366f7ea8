import type { Clock } from '../../ports/clock.js';
import { APIUserAbortError } from '../errors/api-errors.js';
import { FutureCancelledError, FutureTimeoutError } from './future-errors.js';

/**
 * A long-running operation's result. Polling starts at once (like the Python SDK) and runs once: `await
 * future`, `future.result()` and `.then` all share the same poll loop. `cancel()` stops polling.
 */
export class APIFuture<T> implements PromiseLike<T> {
  private readonly controller = new AbortController();
  private readonly settled: Promise<T>;

  constructor(
    readonly requestId: string,
    poll: (signal: AbortSignal) => Promise<T>,
    private readonly clock: Clock,
  ) {
    this.settled = poll(this.controller.signal).catch((error) => {
      if (this.controller.signal.aborted) throw new FutureCancelledError(this.requestId);
      throw error;
    });
    // A future nobody awaits must not crash the process with an unhandled rejection.
    this.settled.catch(() => {});
  }

  /** Snake-case alias, as the wire and the Python SDK name it. */
  get request_id(): string {
    return this.requestId;
  }

  /** Wait for the result, at most `timeoutMs`; `signal` stops waiting (polling goes on unless cancelled). */
  result(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    const { timeoutMs, signal } = options;
    if (timeoutMs === undefined && !signal) return this.settled;
    return new Promise<T>((resolve, reject) => {
      const stop = new AbortController();
      const cleanup = () => stop.abort();
      if (timeoutMs !== undefined) {
        this.clock.sleep(timeoutMs, stop.signal).then(
          () => reject(new FutureTimeoutError(this.requestId, timeoutMs)),
          () => {},
        );
      }
      signal?.addEventListener('abort', () => reject(new APIUserAbortError()), { once: true, signal: stop.signal });
      this.settled.then(resolve, reject).finally(cleanup);
    });
  }

  cancel(): void {
    this.controller.abort();
  }

  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.settled.then(onfulfilled, onrejected);
  }

  /** Derive a future whose value is transformed, sharing this one's poll loop and id. */
  map<U>(transform: (value: T) => U | Promise<U>): APIFuture<U> {
    return new APIFuture(this.requestId, () => this.settled.then(transform), this.clock);
  }
}
