import { APIConnectionError } from './api-errors.js';

/**
 * Fleet-wide limits were asked for with `onUnavailable: 'reject'` and Redis cannot be reached. Nothing
 * was sent to the API. Retryable: Redis may come back (the retry stage's bounds apply). Not retryable,
 * in the user category, when Redis answered as something the settings do not describe (a Redis Cluster
 * node without `shared.cluster`) or refused access (NOAUTH, WRONGPASS, NOPERM): only a new setting or
 * new credentials help, so retries would only delay the error.
 */
export class SharedStateUnavailableError extends APIConnectionError {
  /** `reason`: why, as the shared adapter saw it (a refused password is a setting to fix, not an outage). */
  constructor(what: string, options: { cause?: unknown; reason?: string; setting?: boolean } = {}) {
    const why = options.reason ? ` (${options.reason})` : '';
    // A setting's reason says what is wrong and what to set; "cannot be reached" would send the reader
    // looking for an outage.
    const problem = options.setting && options.reason ? options.reason : `Redis cannot be reached${why}`;
    super(`Shared ${what} unavailable: ${problem}; refusing to run without fleet-wide limits.`, {
      cause: options.cause,
      ...(options.setting ? { retryable: false, category: 'user' } : {}),
    });
  }
}
