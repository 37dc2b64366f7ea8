import { APIConnectionError } from './api-errors.js';

/**
 * Fleet-wide limits were asked for with `onUnavailable: 'reject'` and Redis cannot be reached. Nothing
 * was sent to the API. Retryable: Redis may come back (the retry stage's bounds apply).
 */
export class SharedStateUnavailableError extends APIConnectionError {
  /** `reason`: why, as the shared adapter saw it (a refused password is a setting to fix, not an outage). */
  constructor(what: string, options: { cause?: unknown; reason?: string } = {}) {
    const why = options.reason ? ` (${options.reason})` : '';
    super(
      `Shared ${what} unavailable: Redis cannot be reached${why}; refusing to run without fleet-wide limits.`,
      { cause: options.cause },
    );
  }
}
