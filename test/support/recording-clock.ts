import type { Clock } from '../../src/ports/clock.js';
import { APIUserAbortError } from '../../src/kernel/errors/api-errors.js';

/**
 * A clock whose sleeps complete at once and are recorded, so retry delays can be asserted without
 * waiting. `hold = true` keeps sleeps pending until aborted, to test abort-during-backoff; `holdFromMs`
 * does so only for sleeps at least that long (a stream's idle bound, 60 s by default, while its retry
 * delays still pass at once).
 */
export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  hold = false;
  private time = 1_700_000_000_000;

  constructor(private readonly options: { holdFromMs?: number } = {}) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(new APIUserAbortError());
    const held = this.hold || ms >= (this.options.holdFromMs ?? Infinity);
    if (!held) {
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
