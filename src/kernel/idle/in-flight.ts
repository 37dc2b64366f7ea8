import type { Clock } from '../../ports/clock.js';
import { ValidationError } from '../errors/validation-error.js';
import { IdleWaitError } from './idle-error.js';

/** Options of `kernel.idle()`. */
export interface IdleOptions {
  /** Stop waiting when it aborts (IdleWaitError, `bound: 'signal'`); the work in flight goes on. */
  signal?: AbortSignal | undefined;
  /** Stop waiting after this many ms (IdleWaitError, `bound: 'timeoutMs'`); the work goes on. */
  timeoutMs?: number | undefined;
}

/**
 * How many of the kernel's calls and futures are in flight, and the waits for that to reach zero
 * (`kernel.idle()`). On the hot path it is a counter: `begin()` and `end()` (a bound function, shared
 * by every call, handed to the call's `then`) allocate nothing; only a waiter costs anything.
 */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  begin(): void {
    this.count++;
  }

  /** One piece of work settled; at zero every waiter resolves. */
  readonly end = (): void => {
    if (--this.count > 0 || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  };

  /** Count `work` until it settles; returns it as it is (its rejection stays the caller's to handle). */
  track<T>(work: Promise<T>): Promise<T> {
    this.count++;
    work.then(this.end, this.end);
    return work;
  }

  /** Resolves once nothing is in flight (at once when nothing is); never blocks new work. */
  idle(clock: Clock, options: IdleOptions = {}): Promise<void> {
    const { signal, timeoutMs } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      return Promise.reject(
        ValidationError.field('idle options', '/timeoutMs', 'range', 'must be a finite number ≥ 0'),
      );
    }
    if (this.count === 0) return Promise.resolve();
    if (signal?.aborted)
      return Promise.reject(new IdleWaitError('signal', this.count, undefined, signal.reason));
    return new Promise<void>((resolve, reject) => {
      let cancelTimer: (() => void) | undefined;
      const onAbort = () => stop(new IdleWaitError('signal', this.count, undefined, signal?.reason));
      const waiter = () => {
        cancelTimer?.();
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const stop = (error: Error) => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        cancelTimer?.();
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      this.waiters.push(waiter);
      if (timeoutMs !== undefined)
        cancelTimer = clock.after(timeoutMs, () =>
          stop(new IdleWaitError('timeoutMs', this.count, timeoutMs)),
        );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
