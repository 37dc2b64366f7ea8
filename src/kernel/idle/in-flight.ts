import type { Clock } from '../../ports/clock.js';
import { ValidationError } from '../errors/validation-error.js';
import { describeValue } from '../options/option-checks.js';
import { IdleWaitError, type InFlightCounts, type InFlightKind } from './idle-error.js';

/** Options of `kernel.idle()`. */
export interface IdleOptions {
  /** Stop waiting when it aborts (IdleWaitError, `bound: 'signal'`); the work in flight goes on. */
  signal?: AbortSignal | undefined;
  /** Stop waiting after this many ms (IdleWaitError, `bound: 'timeoutMs'`); the work goes on. */
  timeoutMs?: number | undefined;
}

/** The count of one kind of work: `begin()`, and `end` (bound, shared: handed to a promise's `then`). */
export interface InFlightCounter {
  begin(): void;
  readonly end: () => void;
  /** Count `work` until it settles; returns it as it is (its rejection stays the caller's to handle). */
  track<T>(work: Promise<T>): Promise<T>;
}

/**
 * How many of the kernel's calls, futures, streams and plugin operations are in flight, per kind, and
 * the waits for all of them to reach zero (`kernel.idle()`). Kept per kind because they nest: a plugin's
 * operation (a sample) makes a call that submits a future, and one count over all three read 300 samples
 * as 900. On the hot path each is a counter: `begin()` and `end()` (a bound function per kind, shared by
 * every call) allocate nothing; only a waiter costs anything.
 */
export class InFlight {
  private readonly counts: InFlightCounts = { operations: 0, calls: 0, futures: 0, streams: 0 };
  private total = 0;
  private waiters: (() => void)[] = [];

  readonly calls = this.counter('calls');
  readonly futures = this.counter('futures');
  readonly streams = this.counter('streams');
  /** A plugin's operations (`kernel.trackInFlight`), with waits between their calls. */
  readonly operations = this.counter('operations');

  get size(): number {
    return this.total;
  }

  /** Resolves once nothing is in flight (at once when nothing is); never blocks new work. */
  idle(clock: Clock, options: IdleOptions = {}): Promise<void> {
    const { signal, timeoutMs } = options;
    if (timeoutMs !== undefined && typeof timeoutMs !== 'number') {
      const got = `must be a number, got ${describeValue(timeoutMs)}`;
      return Promise.reject(ValidationError.field('idle options', '/timeoutMs', 'type', got));
    }
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      return Promise.reject(
        ValidationError.field('idle options', '/timeoutMs', 'range', 'must be a finite number ≥ 0'),
      );
    }
    if (this.total === 0) return Promise.resolve();
    if (signal?.aborted)
      return Promise.reject(new IdleWaitError('signal', this.now(), undefined, signal.reason));
    return new Promise<void>((resolve, reject) => {
      let cancelTimer: (() => void) | undefined;
      const onAbort = () => stop(new IdleWaitError('signal', this.now(), undefined, signal?.reason));
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
          stop(new IdleWaitError('timeoutMs', this.now(), timeoutMs)),
        );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A copy of the counts, for an error that outlives them. */
  private now(): InFlightCounts {
    return { ...this.counts };
  }

  private counter(kind: InFlightKind): InFlightCounter {
    const counts = this.counts;
    const end = (): void => {
      counts[kind]--;
      if (--this.total > 0 || this.waiters.length === 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    };
    return {
      begin: () => {
        counts[kind]++;
        this.total++;
      },
      end,
      track: <T>(work: Promise<T>): Promise<T> => {
        counts[kind]++;
        this.total++;
        work.then(end, end);
        return work;
      },
    };
  }
}
