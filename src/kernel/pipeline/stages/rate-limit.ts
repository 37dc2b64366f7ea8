import { RateLimitError } from '../../errors/api-errors.js';
import { ADMITTED, type RateLimiter } from '../../../ports/rate-limiter.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';

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
    if (admitted !== ADMITTED) return admittedThen(admitted, next, rateLimiter, bucket);
    // Admitted now (the common case): one promise, not an async frame awaiting a settled one.
    return next().catch((error: unknown) => {
      backoffOn429(error, rateLimiter, bucket);
      throw error;
    });
  },
};

/** A 429 with a server-given delay closes the bucket's window for every later call. */
function backoffOn429(error: unknown, rateLimiter: RateLimiter, bucket: string): void {
  if (error instanceof RateLimitError && error.retryAfterMs !== undefined) {
    rateLimiter.backoff(bucket, error.retryAfterMs);
  }
}

/**
 * An async function, not `admitted.then(next)`: a `then` callback that returns a promise makes the
 * engine adopt it (an extra job and promise on every call), while `await` chains it directly.
 */
async function admittedThen(
  admitted: Promise<void>,
  next: Next,
  rateLimiter: RateLimiter,
  bucket: string,
): Promise<CallResult> {
  try {
    await admitted;
    return await next();
  } catch (error) {
    backoffOn429(error, rateLimiter, bucket);
    throw error;
  }
}
