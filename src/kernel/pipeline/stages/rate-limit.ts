import { RateLimitError } from '../../errors/api-errors.js';
import { ADMITTED, type RateLimiter } from '../../../ports/rate-limiter.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';
import { enteringStage } from '../stage-hooks.js';
import { untilClosed } from './wait-signal.js';

/** The last bucket built for an auth scheme, and what it was built from. */
interface Built {
  baseUrl: string;
  identity: string;
  bucket: string;
}

const BUILT = new WeakMap<object, Built>();
const NO_AUTH = {};

/**
 * The default bucket: base URL plus a credential fingerprint, never the raw key. The string is built
 * once per scheme, base URL and fingerprint, not per call: a fresh string per call was joined and then
 * hashed again by every bucket lookup (two or more per call).
 */
export function rateLimitBucket(context: CallContext): string {
  const baseUrl = context.options.baseUrl;
  const auth = context.auth;
  // A token provider's fingerprint may change with its token: asked on every call, as before.
  const identity = auth?.identity() ?? 'anonymous';
  const key = auth ?? NO_AUTH;
  const built = BUILT.get(key);
  if (built !== undefined && built.baseUrl === baseUrl && built.identity === identity) return built.bucket;
  const bucket = `${baseUrl}|${identity}`;
  BUILT.set(key, { baseUrl, identity, bucket });
  return bucket;
}

/**
 * Wait while the bucket's backoff window is closed (and for a token when a token bucket is set);
 * a 429 with a server-given delay closes the window for every later call on the same bucket.
 */
export const rateLimitStage: Stage = enteringStage({
  name: 'ratelimit',
  enter(context, next) {
    const { rateLimiter, events, settings } = context.services;
    const bucket = rateLimitBucket(context);
    const waitMs = rateLimiter.waitTime(bucket);
    if (waitMs > 0) events.emit('ratelimit:wait', { bucket, waitMs });
    const tokenBucket = context.plugin.spec.defaults?.tokenBucket ?? settings.tokenBucket;
    const mayWait = waitMs > 0 || tokenBucket !== undefined;
    const admitted = untilClosed(context, mayWait, (signal) =>
      rateLimiter.acquire(bucket, { signal, tokenBucket }),
    );
    if (admitted !== ADMITTED) return admittedThen(context, admitted, next, bucket);
    // Admitted now (the common case): no promise, no async frame; the hook sees a 429 on the way out.
    context.rateLimitBucket = bucket;
    return true;
  },
  hooks: {
    rejected(context, error) {
      // `enter` set the bucket whenever it leaves this hook to run.
      const bucket = context.rateLimitBucket;
      if (bucket !== undefined) backoffOn429(error, context.services.rateLimiter, bucket);
      return error;
    },
  },
});

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
  context: CallContext,
  admitted: Promise<void>,
  next: Next,
  bucket: string,
): Promise<CallResult> {
  try {
    await admitted;
    return await next();
  } catch (error) {
    backoffOn429(error, context.services.rateLimiter, bucket);
    throw error;
  }
}
