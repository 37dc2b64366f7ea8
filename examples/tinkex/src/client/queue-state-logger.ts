import type { Clock, Logger, QueueStateEvent } from 'pristine-kernel';

/** The Python SDK's `QUEUE_STATE_LOG_INTERVAL`. */
const LOG_INTERVAL_MS = 60_000;

export interface QueueStateLoggerOptions {
  logger: Logger;
  clock: Clock;
  /** Clients sharing a scope (one per kernel) share each identifier's window. */
  scope: object;
  /** `Training`, `Sampling` or `Model creation`. */
  prefix: 'Training' | 'Sampling' | 'Model creation';
  /** The model id or sampling session id the warning names. */
  identifier: string;
}

/** Never prune below this many windows. */
const MIN_PRUNE_AT = 64;

/**
 * When each `prefix|identifier` last warned, for one scope. A window older than LOG_INTERVAL_MS holds
 * nothing back, so it is dropped once the map has doubled since the last prune: an RL loop makes a
 * sampler per iteration, each may be paused once, and a long-lived client kept one entry per sampler.
 */
export class WarnWindows {
  private readonly last = new Map<string, number>();
  private pruneAt = MIN_PRUNE_AT;

  /** How many windows are kept (recent ones, and at most as many older ones). */
  get size(): number {
    return this.last.size;
  }

  /** True, and a window starts at `now`, when `key` has not warned in the last LOG_INTERVAL_MS. */
  open(key: string, now: number): boolean {
    const last = this.last.get(key);
    if (last !== undefined && now - last < LOG_INTERVAL_MS) return false;
    this.last.set(key, now);
    if (this.last.size >= this.pruneAt) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    for (const [key, last] of this.last) if (now - last >= LOG_INTERVAL_MS) this.last.delete(key);
    this.pruneAt = Math.max(MIN_PRUNE_AT, 2 * this.last.size);
  }
}

/** The windows of each scope. */
const lastWarned = new WeakMap<object, WarnWindows>();

/**
 * The Python SDK's `QueueStateLogger`: warn `"<prefix> for <id> is paused. Reason: <reason>."` at most once
 * per 60 s per model, however often the state changes in between (a paused/active flip-flop would
 * otherwise warn on every change), and never for `active`. Time comes from the injected clock's
 * monotonic reading (a wall clock stepped back must not silence the warning for as long as the step).
 */
export function queueStateLogger(options: QueueStateLoggerOptions): (event: QueueStateEvent) => void {
  const { logger, clock, scope, prefix, identifier } = options;
  const key = `${prefix}|${identifier}`;
  return (event) => {
    if (event.queueState === 'active') return;
    let windows = lastWarned.get(scope);
    if (!windows) lastWarned.set(scope, (windows = new WarnWindows()));
    if (!windows.open(key, clock.monotonic())) return;
    logger.warn(`${prefix} for ${identifier} is paused. Reason: ${reasonOf(event, prefix)}.`);
  };
}

function reasonOf(event: QueueStateEvent, prefix: QueueStateLoggerOptions['prefix']): string {
  if (event.reason) return event.reason;
  if (event.queueState === 'paused_rate_limit')
    return prefix === 'Sampling'
      ? 'concurrent sampler weights limit hit'
      : 'concurrent training clients rate limit hit';
  if (event.queueState === 'paused_capacity')
    return 'Tinker backend is running short on capacity, please wait';
  return 'unknown';
}
