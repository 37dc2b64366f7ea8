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

/** When each `prefix|identifier` last warned, per scope. */
const lastWarned = new WeakMap<object, Map<string, number>>();

/**
 * The Python SDK's `QueueStateLogger`: warn `"<prefix> for <id> is paused. Reason: <reason>."` at most once
 * per 60 s per model, however often the state changes in between (a paused/active flip-flop would
 * otherwise warn on every change), and never for `active`. Time comes from the injected clock.
 */
export function queueStateLogger(options: QueueStateLoggerOptions): (event: QueueStateEvent) => void {
  const { logger, clock, scope, prefix, identifier } = options;
  const key = `${prefix}|${identifier}`;
  return (event) => {
    if (event.queueState === 'active') return;
    let windows = lastWarned.get(scope);
    if (!windows) lastWarned.set(scope, (windows = new Map()));
    const now = clock.now();
    const last = windows.get(key);
    if (last !== undefined && now - last < LOG_INTERVAL_MS) return;
    windows.set(key, now);
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
