import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { onAbort } from './signals/on-abort.js';

/** How long the retries of one endpoint after one cause share one `info` line. */
export const RETRY_LOG_WINDOW_MS = 10_000;

/** Windows kept before the expired ones are dropped (causes that differ by message add keys). */
const MAX_WINDOWS = 256;

interface Window {
  readonly what: string;
  readonly cause: string;
  since: number;
  /** The highest retry number said at info in this window. */
  attempt: number;
  /** Retries said at debug only since the window's last info line. */
  more: number;
  /** Cancels the timer that says `more` when the window ends (set while `more` > 0). */
  stopTimer: (() => void) | undefined;
}

/**
 * The kernel's retry lines at `info`, summed up per endpoint and cause; one per kernel (a service made
 * with it, on its clock and logger: two kernels sharing a logger share no window). An outage with 200
 * calls in flight logged a line per retry (651 in 2 s): unreadable. Now, per endpoint and cause
 * (`HTTP 502`), a retry is said at `info` when it is the first in RETRY_LOG_WINDOW_MS
 * (`clock.monotonic()`) or a higher retry number than any said in the window (so one call's retries read
 * as before: retry 1, 2, 3 …, and a user waiting on a dead server sees why within the first backoff);
 * the other calls' retries are said at `debug` only, and counted in the next info line, or in a line of
 * their own when the window ends (or the kernel closes) first, so an outage's last count is not lost.
 * `debug` keeps a line per attempt.
 */
export class RetryLog {
  private readonly windows = new Map<string, Window>();
  private closed = false;

  /** `closing` (the kernel's): every count still unsaid is said when it aborts, and no timer is left. */
  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    closing?: AbortSignal,
  ) {
    if (closing?.aborted) this.closed = true;
    else if (closing) onAbort(closing, () => this.close());
  }

  retried(what: string, cause: string, attempt: number, line: string, fields: Record<string, unknown>): void {
    const key = `${what}\u0000${cause}`;
    const now = this.clock.monotonic();
    const found = this.windows.get(key);
    const current = found !== undefined && now - found.since < RETRY_LOG_WINDOW_MS;
    if (current && attempt <= found.attempt) {
      if (found.more++ === 0 && !this.closed) this.sayAtEnd(key, found, now);
      this.logger.debug(line, fields);
      return;
    }
    // A window over says its count when it ends; one still here (its timer not run yet) says it now.
    const more = found?.more ?? 0;
    found?.stopTimer?.();
    if (!found && this.windows.size >= MAX_WINDOWS) this.dropExpired(now);
    // A new window when the last one is over; the same, with a higher retry number said, otherwise.
    const since = current ? found.since : now;
    this.windows.set(key, { what, cause, since, attempt, more: 0, stopTimer: undefined });
    if (more === 0) return this.logger.info(line, fields);
    this.logger.info(`${line}; ${othersText(what, cause, more)}`, { ...fields, more_retries: more });
  }

  /** Say every count still unsaid, and clear the timers (the kernel's close). Idempotent. */
  close(): void {
    this.closed = true;
    this.sayNow();
  }

  /**
   * Say every count still unsaid now and end those windows (their timers cleared); later retries start
   * new ones. For a program about to print its answer (the CLI): said at close, the count came after it.
   */
  sayNow(): void {
    for (const key of [...this.windows.keys()]) this.end(key);
  }

  /**
   * When the window ends, say its count if no info line has by then. The timer is the clock's `every`
   * (which never keeps the process alive) stopped at its first tick: a one-shot that holds nothing open.
   */
  private sayAtEnd(key: string, window: Window, now: number): void {
    const ms = Math.max(1, window.since + RETRY_LOG_WINDOW_MS - now);
    window.stopTimer = this.clock.every(ms, () => this.end(key));
  }

  private end(key: string): void {
    const window = this.windows.get(key);
    if (window === undefined) return;
    window.stopTimer?.();
    this.windows.delete(key);
    const { what, cause, more } = window;
    if (more > 0) this.logger.info(othersText(what, cause, more), { more_retries: more });
  }

  private dropExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.since >= RETRY_LOG_WINDOW_MS && window.stopTimer === undefined)
        this.windows.delete(key);
    }
  }
}

function othersText(what: string, cause: string, more: number): string {
  // A cause that is a sentence ends with a full stop, which mid-line read "… limits. since the last".
  const after = cause.replace(/\.+$/, '');
  return `${more} other ${more === 1 ? 'retry' : 'retries'} of ${what} after ${after} since the last such line`;
}
