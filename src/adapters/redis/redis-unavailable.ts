import { SharedStateUnavailableError } from '../../kernel/errors/shared-state-unavailable.js';

/** Redis could not be asked (down, restarting, timed out). The adapters fall back or reject. */
export class RedisUnavailable extends Error {
  constructor(
    cause: unknown,
    /**
     * The command went out and no answer came (a timeout, or the connection dropped under it): Redis
     * may have run it, or may run it yet.
     */
    readonly unanswered = false,
    /** Why, in Redis's terms (a refused password, a lost connection and its cause). Never the URL. */
    readonly reason = cause instanceof Error ? cause.message : String(cause),
    /**
     * Redis answered, as something the options do not describe (a cluster node, `cluster` not set):
     * no retry can help until the process is configured anew.
     */
    readonly setting = false,
  ) {
    super(`Redis unavailable: ${reason}`, { cause });
    this.name = 'RedisUnavailable';
  }
}

/** The error a `'reject'` adapter throws for `error`: its reason, retryable unless a setting is wrong. */
export function rejectedFor(what: string, error: RedisUnavailable): SharedStateUnavailableError {
  return new SharedStateUnavailableError(what, {
    cause: error,
    reason: error.reason,
    setting: error.setting,
  });
}
