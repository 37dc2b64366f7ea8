import type { Clock } from '../../ports/clock.js';
import type { RateLimiter, TokenBucketSettings } from '../../ports/rate-limiter.js';
import type { RedisLink } from '../redis/redis-link.js';
import { rejectedFor, RedisUnavailable } from '../redis/redis-unavailable.js';
import { ACQUIRE, BACKOFF, IDLE_MS, REFUND, type AcquireReply } from './redis-rate-limiter-scripts.js';
import { untilAborted } from '../../kernel/signals/until-aborted.js';
import { WindowRateLimiter } from './window-rate-limiter.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

/**
 * The RateLimiter port shared by every process using the same Redis and key prefix: a 429 seen by one
 * process closes the bucket for all of them, and the token bucket is one bucket for the fleet.
 *
 * Same semantics as WindowRateLimiter: windows extend and never shorten, buckets never block each other,
 * tokens are served in arrival order (fleet-wide, by reservation in Redis), a backoff applies to callers
 * already waiting for tokens, and every wait is abortable. State lives in one Redis hash per bucket (and
 * a sorted set of the slots aborted waiters left), changed only by Lua scripts (atomic) on the server's
 * clock (`redis-rate-limiter-scripts.ts`).
 *
 * `backoff` and `waitTime` are synchronous in the port: `backoff` applies locally at once and is sent to
 * Redis in the background; `waitTime` reports the window as this process last saw it.
 *
 * Redis down: with `onUnavailable: 'local'` the in-process limiter takes over (it already knows every
 * window this process saw); with `'reject'`, `acquire` rejects with SharedStateUnavailableError.
 */
export class RedisRateLimiter implements RateLimiter {
  /** Mirrors every window this process knows of, and is the fallback while Redis is away. */
  private readonly local: WindowRateLimiter;

  constructor(
    private readonly link: RedisLink,
    private readonly clock: Clock,
  ) {
    this.local = new WindowRateLimiter(clock);
  }

  waitTime(bucket: string): number {
    return this.local.waitTime(bucket);
  }

  /** As this process last saw it (its own 429s, and the fleet's as `acquire` meets them). */
  reopensAt(bucket: string): number {
    return this.local.reopensAt(bucket);
  }

  backoff(bucket: string, ms: number): void {
    if (!(ms > 0)) return;
    this.local.backoff(bucket, ms);
    // Same connection as the acquires that follow, so Redis sees the window before them.
    this.link.run(BACKOFF, this.keys(bucket).slice(0, 1), [Math.ceil(ms), IDLE_MS]).catch(() => {
      // Logged by the link; the local window still holds this process back.
    });
  }

  async acquire(
    bucket: string,
    options: { signal?: AbortSignal; tokenBucket?: TokenBucketSettings } = {},
  ): Promise<void> {
    const { signal, tokenBucket } = options;
    if (signal?.aborted) throw abortErrorFor(signal);
    if (tokenBucket && !(tokenBucket.requestsPerSecond > 0 && tokenBucket.burst >= 1)) {
      // The same typed error the in-process limiter gives, before anything is asked of Redis.
      return this.local.acquire(bucket, options);
    }
    const keys = this.keys(bucket);
    try {
      // A window this process already knows of costs no round trip until it has passed.
      await this.localWindowPassed(bucket, signal);
      /** The slot (Redis ms) of the token this caller reserved, once it has one. */
      let reserved: number | undefined;
      for (;;) {
        const rate = tokenBucket && reserved === undefined ? tokenBucket.requestsPerSecond : 0;
        const asked = this.link.run(ACQUIRE, keys, [rate, tokenBucket?.burst ?? 1, IDLE_MS]);
        const held = reserved;
        const [kind, ms, slot] = (await untilAborted(asked, signal, () => {
          // Aborted on the wire: the token reserved before goes back, and the one this asks for once
          // Redis has answered (if it took one: a closed window, kind 1, takes none).
          this.refund(keys, tokenBucket, held);
          asked.then(
            (got) => this.refund(keys, tokenBucket, (got as AcquireReply)[2]),
            () => {},
          );
        })) as AcquireReply;
        if (kind === 0)
          return await this.grantedOnceLocalWindowPassed(bucket, keys, signal, tokenBucket, slot ?? reserved);
        if (kind === 1) this.local.backoff(bucket, ms); // another process's 429: mirror it
        if (kind === 2) reserved = slot;
        try {
          await this.clock.sleep(ms, signal);
        } catch (error) {
          this.refund(keys, tokenBucket, reserved);
          throw error;
        }
      }
    } catch (error) {
      if (!(error instanceof RedisUnavailable)) throw error;
      if (this.link.onUnavailable === 'reject') throw rejectedFor('rate limits', error);
      return this.local.acquire(bucket, options);
    }
  }

  /** Sleeps until the window as this process knows it (its own 429s, the fleet's it mirrored) has passed. */
  private async localWindowPassed(bucket: string, signal: AbortSignal | undefined): Promise<void> {
    for (let wait = this.local.waitTime(bucket); wait > 0; wait = this.local.waitTime(bucket)) {
      await this.clock.sleep(wait, signal);
    }
  }

  /**
   * Redis's clock opened the window; this process's copy of it can end a millisecond later (a timer
   * fires on the event loop's truncated time). `acquire` returns when both are open, so `waitTime` is 0
   * right after it. A wait aborted here gives back the token Redis granted.
   */
  private async grantedOnceLocalWindowPassed(
    bucket: string,
    keys: string[],
    signal: AbortSignal | undefined,
    tokenBucket: TokenBucketSettings | undefined,
    slot: number | undefined,
  ): Promise<void> {
    try {
      await this.localWindowPassed(bucket, signal);
    } catch (error) {
      this.refund(keys, tokenBucket, slot);
      throw error;
    }
  }

  /** Gives back the token taken at `slot` (none: nothing was taken). */
  private refund(
    keys: string[],
    tokenBucket: TokenBucketSettings | undefined,
    slot: number | undefined,
  ): void {
    if (!tokenBucket || slot === undefined) return;
    this.link.run(REFUND, keys, [tokenBucket.requestsPerSecond, tokenBucket.burst, slot]).catch(() => {});
  }

  /** The bucket's hash and the slots its aborted waiters left (see redis-rate-limiter-scripts.ts). */
  private keys(bucket: string): string[] {
    return rateLimitKeys(this.link, bucket);
  }
}

/**
 * `prefix{rate:bucket}` and `prefix{rate:bucket}:free`: one hash slot on a Redis Cluster. Before round
 * 29 they were `prefix rate:bucket` and `prefix rate-free:bucket`, so processes of both versions keep
 * buckets of their own during a rolling upgrade (see CHANGELOG.md).
 */
export function rateLimitKeys(link: RedisLink, bucket: string): string[] {
  return link.slotKeys(['rate', bucket], ['', 'free']);
}
