import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';

/** How long the retries of one endpoint after one cause share one `info` line. */
export const RETRY_LOG_WINDOW_MS = 10_000;

/** Windows kept before the expired ones are dropped (causes that differ by message add keys). */
const MAX_WINDOWS = 256;

interface Window {
  since: number;
  /** The highest retry number said at info in this window. */
  attempt: number;
  /** Retries said at debug only since the window's last info line. */
  more: number;
}

/**
 * The kernel's retry lines at `info`, summed up per endpoint and cause. An outage with 200 calls in
 * flight logged a line per retry (651 in 2 s): unreadable. Now, per endpoint and cause (`HTTP 502`), a
 * retry is said at `info` when it is the first in RETRY_LOG_WINDOW_MS (`clock.monotonic()`) or a higher
 * retry number than any said in the window (so one call's retries read as before: retry 1, 2, 3 …, and a
 * user waiting on a dead server sees why within the first backoff); the other calls' retries are said at
 * `debug` only, and counted in the next info line. `debug` keeps a line per attempt.
 */
export class RetryLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  retried(what: string, cause: string, attempt: number, line: string, fields: Record<string, unknown>): void {
    const key = `${what}\u0000${cause}`;
    const now = this.clock.monotonic();
    const found = this.windows.get(key);
    const current = found !== undefined && now - found.since < RETRY_LOG_WINDOW_MS;
    if (current && attempt <= found.attempt) {
      found.more++;
      this.logger.debug(line, fields);
      return;
    }
    const more = found?.more ?? 0;
    if (!found && this.windows.size >= MAX_WINDOWS) this.dropExpired(now);
    // A new window when the last one is over; the same, with a higher retry number said, otherwise.
    this.windows.set(key, { since: current ? found.since : now, attempt, more: 0 });
    if (more === 0) return this.logger.info(line, fields);
    const others = `${more} other ${more === 1 ? 'retry' : 'retries'} of ${what} after ${cause} since the last such line`;
    this.logger.info(`${line}; ${others}`, { ...fields, more_retries: more });
  }

  private dropExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.since >= RETRY_LOG_WINDOW_MS) this.windows.delete(key);
    }
  }
}

const logs = new WeakMap<Logger, RetryLog>();

/** The retry log of a kernel's logger (a logger registered anew starts with no windows). */
export function retryLogOf(logger: Logger, clock: Clock): RetryLog {
  let log = logs.get(logger);
  if (!log) logs.set(logger, (log = new RetryLog(logger, clock)));
  return log;
}
