import type { PortToken } from './port-token.js';
export interface TokenBucketSettings {
  requestsPerSecond: number;
  burst: number;
}

/**
 * RateLimiter port.
 * (a) A backoff window per bucket: after a 429, `backoff(bucket, ms)` closes the window and every later
 *     `acquire` on that bucket waits (abortably) until it reopens. Buckets never block each other.
 * (b) An optional token bucket per bucket.
 */
export interface RateLimiter {
  acquire(
    bucket: string,
    options?: { signal?: AbortSignal; tokenBucket?: TokenBucketSettings },
  ): Promise<void>;
  backoff(bucket: string, ms: number): void;
  /** Milliseconds until the bucket's window reopens (0 when open). */
  waitTime(bucket: string): number;
  /**
   * Epoch ms at which the bucket's latest backoff window reopens, or reopened (0 when it was never
   * closed): lets a caller stay careful for a while after a 429 (a "recently throttled" phase). An
   * adapter may forget a window that reopened over an hour ago (0 then), so that buckets keyed per
   * remote object do not pile up in a long-lived client. An adapter that keeps its windows on
   * `Clock.monotonic()` answers where the wall clock puts that instant now (`clock.now() - reopensAt`
   * is then the time since, whatever step the wall clock took), to within a millisecond.
   */
  reopensAt(bucket: string): number;
}

/**
 * A settled promise an adapter may return from `acquire` to say "admitted, go now" (most calls, on an
 * open bucket): the pipeline then goes on without waiting a microtask and without an async frame.
 * Any other promise is awaited.
 */
export const ADMITTED: Promise<void> = Promise.resolve();

export const RateLimiterToken = Symbol.for('pristine.port.RateLimiter') as PortToken<RateLimiter>;
