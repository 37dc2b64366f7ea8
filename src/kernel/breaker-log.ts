import type { BreakerSettings, BreakerStateChange } from '../ports/circuit-breaker.js';
import type { Logger } from '../ports/logger.js';
import { redactUrl } from './redact.js';

/** What tripped a breaker set with `settings`, in words ("5 consecutive failures"). */
export function breakerRule(settings: BreakerSettings): string {
  if (settings.failureRateThreshold === undefined) {
    return `${settings.consecutiveFailures ?? 5} consecutive failures`;
  }
  const percent = Math.round(settings.failureRateThreshold * 100);
  return `failure rate of ${percent}% or more over ${settings.samplingWindowMs ?? 30_000} ms`;
}

/**
 * The kind of the error that opened a breaker: its class name and HTTP status, never its message (a
 * body, a URL with credentials), so the line says why without saying what was sent or answered.
 */
export function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? `${error.name} ${status}` : error.name;
}

/**
 * A state-change listener that logs each breaker's changes: one `warn` when it opens (the breaker, the
 * rule that tripped it, the last error's kind), one `info` when it closes again, `debug` at half-open.
 * Calls rejected while it is open log nothing: the one line says why they fail fast.
 */
export function logBreakerChanges(logger: Logger): (change: BreakerStateChange) => void {
  return (change) => {
    // A breaker is named by its base URL, which may carry credentials (`https://user:pass@host`).
    const breaker = redactUrl(change.key);
    const fields = { breaker, from: change.from };
    if (change.to === 'open') {
      logger.warn(`Circuit breaker ${breaker} opened: calls fail fast until a trial call succeeds`, {
        ...fields,
        ...(change.trippedBy && { trippedBy: change.trippedBy }),
        ...(change.lastError && { lastError: change.lastError }),
      });
    } else if (change.to === 'closed') {
      logger.info(`Circuit breaker ${breaker} closed: calls go through again`, fields);
    } else {
      logger.debug(`Circuit breaker ${breaker} half-open: one trial call goes through`, fields);
    }
  };
}
