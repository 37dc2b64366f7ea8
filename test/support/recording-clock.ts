import type { Clock } from '../../src/ports/clock.js';
import { APIUserAbortError } from '../../src/kernel/errors/api-errors.js';

/**
 * A clock whose sleeps complete at once and are recorded, so retry delays can be asserted without
 * waiting. `hold = true` keeps sleeps pending until aborted, to test abort-during-backoff.
 */
export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  hold = false;
  private time = 1_700_000_000_000;

  now(): number {
    return this.time;
  }

  monotonic(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(new APIUserAbortError());
    if (!this.hold) {
      this.time += ms;
      return Promise.resolve();
    }
    return new Promise((_, reject) => {
      signal?.addEventListener('abort', () => reject(new APIUserAbortError()), { once: true });
    });
  }

  /** Deadlines never fire: these tests are about retry sleeps. */
  after(): () => void {
    return () => {};
  }

  every(): () => void {
    return () => {};
  }
}
