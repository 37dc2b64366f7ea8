import { APIConnectionError } from './api-errors.js';

/**
 * Fleet-wide limits were asked for with `onUnavailable: 'reject'` and Redis cannot be reached. Nothing
 * was sent to the API. Retryable: Redis may come back (the retry stage's bounds apply).
 */
export class SharedStateUnavailableError extends APIConnectionError {
  constructor(what: string, options: { cause?: unknown } = {}) {
    super(`Shared ${what} unavailable: Redis cannot be reached; refusing to run without fleet-wide limits.`, {
      cause: options.cause,
    });
  }
}
