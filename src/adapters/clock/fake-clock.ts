// The real setImmediate, even when a test has installed Jest/sinon fake timers on the global.
import { setImmediate as realSetImmediate } from 'node:timers';
import type { Clock } from '../../ports/clock.js';
import { onAbort } from '../../kernel/signals/on-abort.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

interface Timer {
  id: number;
  due: number;
  /** Set for `every` timers: they are rescheduled before they run. */
  interval: number | undefined;
  fire: () => void;
}

/** Let every pending promise chain run: one macrotask turn drains the whole microtask queue. */
const settle = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/**
 * A manual clock for tests: time moves only when the test calls `advance`. Sleeps and `every` timers
 * run in due-time order (ties in the order they were scheduled), each at its own due time, with the
 * microtask queue drained between them, so code that awaits a sleep and then sleeps again is driven
 * through in one `await clock.advance(ms)`. Await each `advance` before the next.
 *
 * `advance` moves both readings; `stepWall(ms)` moves only the wall clock (`now()`), as NTP or a user
 * fixing the date does: `monotonic()` and the timers, which wait on monotonic time, stay where they were.
 *
 * ```ts
 * const clock = new FakeClock();
 * const done = retry.run(attempt, { maxRetries: 3 }); // sleeps through `clock`
 * await clock.advance(10_000);
 * ```
 */
export class FakeClock implements Clock {
  /** Monotonic time: what `advance` moves and timers fall due on. */
  private time = 0;
  /** Wall time minus monotonic time: what `stepWall` moves. */
  private wallOffset: number;
  private timers: Timer[] = [];
  private nextId = 0;

  /**
   * `now()` starts at a fixed, realistic epoch time, so it is never 0 (code may treat 0 as "unset");
   * `monotonic()` starts at 0, as far from it as can be, so a duration that mixes the two is absurd.
   */
  constructor(start = Date.UTC(2025, 0, 1)) {
    this.wallOffset = start;
  }

  now(): number {
    return this.time + this.wallOffset;
  }

  monotonic(): number {
    return this.time;
  }

  /**
   * Steps the wall clock by `ms` (negative: backwards) without moving monotonic time or running any
   * timer: an NTP step, a VM resumed, the date fixed by hand. Synchronous: nothing falls due.
   */
  stepWall(ms: number): void {
    this.wallOffset += ms;
  }

  /** Scheduled sleeps and `every` timers not yet run or cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
    return new Promise((resolve, reject) => {
      let unsubscribe: (() => void) | undefined;
      const timer = this.schedule(ms, undefined, () => {
        unsubscribe?.();
        resolve();
      });
      if (signal)
        unsubscribe = onAbort(signal, () => {
          this.cancel(timer);
          reject(abortErrorFor(signal));
        });
    });
  }

  after(ms: number, fn: () => void): () => void {
    const timer = this.schedule(ms, undefined, fn);
    return () => this.cancel(timer);
  }

  every(ms: number, fn: () => void): () => void {
    // At least 1 ms, or `advance` would loop forever on a zero interval.
    const interval = Math.max(1, ms);
    const timer = this.schedule(interval, interval, fn);
    return () => this.cancel(timer);
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way, at its due time. Timers
   * scheduled by those callbacks run too if they fall due within the window.
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + Math.max(0, ms);
    await settle(); // let already-started work reach its sleeps first
    for (let timer = this.next(); timer && timer.due <= target; timer = this.next()) {
      this.time = Math.max(this.time, timer.due);
      this.run(timer);
      await settle();
    }
    this.time = Math.max(this.time, target);
  }

  /** Advances exactly to the earliest pending timer and runs it (and any due at the same time). */
  async advanceToNext(): Promise<void> {
    await settle();
    const timer = this.next();
    if (timer) await this.advance(timer.due - this.time);
  }

  private schedule(ms: number, interval: number | undefined, fire: () => void): Timer {
    const timer: Timer = { id: this.nextId++, due: this.time + (ms > 0 ? ms : 0), interval, fire };
    this.timers.push(timer);
    return timer;
  }

  private cancel(timer: Timer): void {
    const index = this.timers.indexOf(timer);
    if (index !== -1) this.timers.splice(index, 1);
  }

  private next(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers) {
      if (!best || timer.due < best.due || (timer.due === best.due && timer.id < best.id)) best = timer;
    }
    return best;
  }

  private run(timer: Timer): void {
    if (timer.interval === undefined) {
      this.cancel(timer);
    } else {
      // A fresh id keeps ties fair: an interval does not jump ahead of timers scheduled meanwhile.
      timer.due += timer.interval;
      timer.id = this.nextId++;
    }
    timer.fire();
  }
}
