import type { Clock } from '../../ports/clock.js';
import type { RateLimiter, TokenBucketSettings } from '../../ports/rate-limiter.js';

interface Bucket {
  openAt: number;
  tokens: number;
  refilledAt: number;
  /** Serializes token waits so callers are served in arrival order. */
  queue: Promise<void>;
}

/**
 * Per-bucket backoff windows (a 429 closes a bucket until its retry-after passes) and an optional token
 * bucket. Buckets never block each other; every wait goes through the Clock and is abortable.
 */
export class WindowRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock) {}

  waitTime(bucket: string): number {
    const state = this.buckets.get(bucket);
    return state ? Math.max(0, state.openAt - this.clock.now()) : 0;
  }

  backoff(bucket: string, ms: number): void {
    const state = this.bucket(bucket);
    state.openAt = Math.max(state.openAt, this.clock.now() + ms);
  }

  async acquire(
    bucket: string,
    options: { signal?: AbortSignal; tokenBucket?: TokenBucketSettings } = {},
  ): Promise<void> {
    // Re-check after each sleep: the window may have been extended meanwhile.
    for (let wait = this.waitTime(bucket); wait > 0; wait = this.waitTime(bucket)) {
      await this.clock.sleep(wait, options.signal);
    }
    if (options.tokenBucket) await this.takeToken(this.bucket(bucket), options.tokenBucket, options.signal);
  }

  private takeToken(state: Bucket, settings: TokenBucketSettings, signal?: AbortSignal): Promise<void> {
    const turn = state.queue.then(async () => {
      for (;;) {
        const now = this.clock.now();
        state.tokens = Math.min(
          settings.burst,
          state.tokens + ((now - state.refilledAt) / 1000) * settings.requestsPerSecond,
        );
        state.refilledAt = now;
        if (state.tokens >= 1) {
          state.tokens -= 1;
          return;
        }
        await this.clock.sleep(((1 - state.tokens) / settings.requestsPerSecond) * 1000, signal);
      }
    });
    state.queue = turn.catch(() => {});
    return turn;
  }

  private bucket(key: string): Bucket {
    let state = this.buckets.get(key);
    if (!state) {
      state = {
        openAt: 0,
        tokens: Number.POSITIVE_INFINITY,
        refilledAt: this.clock.now(),
        queue: Promise.resolve(),
      };
      this.buckets.set(key, state);
    }
    return state;
  }
}

/** The default bucket key: a base URL plus a credential fingerprint (never a raw key). */
export function bucketKey(baseUrl: string, identity: string): string {
  return `${baseUrl}|${identity}`;
}
