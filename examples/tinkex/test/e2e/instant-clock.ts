import type { Clock } from 'pristine-kernel';

/**
 * A clock whose short sleeps (backoff, ≤ 60 s) finish at once, so retries cost no real time. Long sleeps
 * are deadlines (progress timeouts): they never fire, they only end when aborted.
 */
export class InstantClock implements Clock {
  readonly sleeps: number[] = [];
  private time = Date.parse('2026-01-01T00:00:00Z');
  now(): number {
    return this.time;
  }
  monotonic(): number {
    return this.time;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (ms > 60_000) {
      return new Promise((_, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true }),
      );
    }
    this.sleeps.push(ms);
    this.time += ms;
    await new Promise((resolve) => setImmediate(resolve));
  }
  private readonly timers = new Set<() => void>();

  /**
   * Deadlines (progress timeouts, the 30 s bound on a telemetry flush) never fire here; short ones fire
   * on the next turn.
   */
  after(ms: number, fn: () => void): () => void {
    if (ms >= 30_000) return () => {};
    const timer = setImmediate(fn);
    return () => clearImmediate(timer);
  }

  /** Repeating timers only fire when the test calls `tick()`. */
  every(_ms: number, fn: () => void): () => void {
    this.timers.add(fn);
    return () => this.timers.delete(fn);
  }

  tick(): void {
    for (const fn of [...this.timers]) fn();
  }

  get timerCount(): number {
    return this.timers.size;
  }
}
