import type { Clock } from '../../ports/clock.js';
import { onAbort } from '../../kernel/signals/on-abort.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

/** Node fires a timer longer than this after 1 ms (with a warning), so longer sleeps are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock. A sleep keeps the process alive (someone awaits it) but leaves no timer or listener
 * behind once it settles or aborts; `every` timers are unref'd so heartbeats never hold the process.
 */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  /** Node's timers run on the same monotonic clock, so a deadline read here agrees with `after`. */
  monotonic(): number {
    return performance.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout>;
      let unsubscribe: (() => void) | undefined;
      const wait = (remaining: number) => {
        const step = Math.min(remaining, MAX_TIMER_MS);
        timer = setTimeout(() => {
          if (remaining > step) return wait(remaining - step);
          unsubscribe?.();
          resolve();
        }, step);
      };
      wait(ms > 0 ? ms : 0); // NaN and negatives: no wait; Infinity: until aborted
      if (signal)
        unsubscribe = onAbort(signal, () => {
          clearTimeout(timer);
          reject(abortErrorFor(signal));
        });
    });
  }

  after(ms: number, fn: () => void): () => void {
    let timer: ReturnType<typeof setTimeout>;
    const wait = (remaining: number) => {
      const step = Math.min(remaining, MAX_TIMER_MS);
      timer = setTimeout(() => (remaining > step ? wait(remaining - step) : fn()), step);
    };
    wait(ms > 0 ? ms : 0);
    return () => clearTimeout(timer);
  }

  every(ms: number, fn: () => void): () => void {
    const timer = setInterval(fn, Math.max(1, ms));
    timer.unref();
    return () => clearInterval(timer);
  }
}
