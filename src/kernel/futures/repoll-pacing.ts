import type { RepollPacing } from '../../ports/futures.js';

/**
 * The kernel's floor under every poll loop. Servers answer `try_again` (or `pending`, 408, 5xx) in a
 * millisecond while work is queued; re-polling at once turns one waiting future into thousands of
 * requests a second. Fast operations still finish on the first or second poll (10 ms, 20 ms, …).
 */
export const DEFAULT_REPOLL_PACING: RepollPacing = { initialMs: 10, maxMs: 250 };

/** Consecutive failed polls (connection errors, 5xx) tolerated when the caller names no budget. */
export const DEFAULT_POLL_FAILURE_BUDGET = 10;

/** Delays for one future's consecutive "not yet" answers: initial·2^k, capped at max. */
export class RepollPacer {
  private streak = 0;

  constructor(private readonly pacing: RepollPacing = DEFAULT_REPOLL_PACING) {}

  /**
   * The delay before the next poll; never below what the server asked for. The floor counts from when
   * the last poll was sent (`sinceSentMs` ago): a poll the server held open (a long poll) already spaced
   * the polls out, so its `try_again` is re-polled at once, as the Python SDK does.
   */
  next(requestedMs = 0, sinceSentMs = 0): number {
    const { initialMs, maxMs } = this.pacing;
    const paced = Math.min(initialMs * 2 ** Math.min(this.streak, 30), maxMs);
    this.streak++;
    return Math.max(paced - Math.max(sinceSentMs, 0), requestedMs);
  }
}

/**
 * `n ↦ min(initialMs · 2^n, maxMs)`: the usual exponential delay, for protocols that want one (e.g. an
 * `errorBackoffMs`). Elixir tinkex's `backoff(i, init, max)` is this curve.
 */
export function exponentialDelay(initialMs: number, maxMs: number): (n: number) => number {
  return (n) => Math.min(initialMs * 2 ** Math.min(Math.max(n, 0), 1_000), maxMs);
}
