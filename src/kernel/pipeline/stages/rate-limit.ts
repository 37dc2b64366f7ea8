import { RateLimitError } from '../../errors/api-errors.js';
import type { CallContext, Stage } from '../context.js';

/** The default bucket: base URL plus a credential fingerprint, never the raw key. */
export function rateLimitBucket(context: CallContext): string {
  return `${context.options.baseUrl}|${context.auth?.identity() ?? 'anonymous'}`;
}

/**
 * Wait while the bucket's backoff window is closed (and for a token when a token bucket is set);
 * a 429 with a server-given delay closes the window for every later call on the same bucket.
 */
export const rateLimitStage: Stage = {
  name: 'ratelimit',
  run(context, next) {
    const { rateLimiter, events, settings } = context.services;
    const bucket = rateLimitBucket(context);
    const waitMs = rateLimiter.waitTime(bucket);
    if (waitMs > 0) events.emit('ratelimit:wait', { bucket, waitMs });
    const admitted = rateLimiter.acquire(bucket, {
      signal: context.options.signal,
      tokenBucket: context.plugin.spec.defaults?.tokenBucket ?? settings.tokenBucket,
    });
    return admitted.then(next).catch((error: unknown) => {
      if (error instanceof RateLimitError && error.retryAfterMs !== undefined) {
        rateLimiter.backoff(bucket, error.retryAfterMs);
      }
      throw error;
    });
  },
};
