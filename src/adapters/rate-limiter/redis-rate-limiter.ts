import type { Clock } from '../../ports/clock.js';
import type { RateLimiter, TokenBucketSettings } from '../../ports/rate-limiter.js';
import { SharedStateUnavailableError } from '../../kernel/errors/shared-state-unavailable.js';
import { LuaScript, RedisUnavailable, type RedisLink } from '../redis/redis-link.js';
import { untilAborted } from '../../kernel/signals/until-aborted.js';
import { WindowRateLimiter } from './window-rate-limiter.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

/** Server time in ms; every process reads the same clock, so windows agree across the fleet. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Idle buckets expire (a minute after their window or refill horizon), so Redis never fills up. */
const IDLE_MS = 60_000;

/**
 * KEYS[1] bucket hash; ARGV rate (0 = window only), burst, idle ms.
 * Returns {0} go, {1, ms} window closed for ms, {2, ms} token reserved: go in ms (then re-check the window).
 * Reserving (the count may go below zero) puts every process's caller in one arrival order.
 */
const ACQUIRE = new LuaScript(
  'rate-acquire',
  `${NOW}
local open_at = tonumber(redis.call('HGET', KEYS[1], 'open_at') or '0')
if open_at > now then return {1, open_at - now} end
local rate = tonumber(ARGV[1])
if rate <= 0 then return {0} end
local burst = tonumber(ARGV[2])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or ARGV[2])
local at = tonumber(redis.call('HGET', KEYS[1], 'refilled_at') or now)
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000) - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'refilled_at', now)
local wait = 0
if tokens < -1e-9 then wait = math.ceil(-tokens * 1000 / rate) end
redis.call('PEXPIRE', KEYS[1], math.max(redis.call('PTTL', KEYS[1]), wait + tonumber(ARGV[3])))
if wait == 0 then return {0} end
return {2, wait}`,
);

/** ACQUIRE's answer: go, or the window's (1) or the reserved token's (2) wait in ms. */
type AcquireReply = [kind: 0] | [kind: 1 | 2, ms: number];

/** KEYS[1] bucket hash; ARGV ms, idle ms. Extends (never shortens) the window; returns ms until it reopens. */
const BACKOFF = new LuaScript(
  'rate-backoff',
  `${NOW}
local open_at = math.max(tonumber(redis.call('HGET', KEYS[1], 'open_at') or '0'), now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'open_at', open_at)
redis.call('PEXPIRE', KEYS[1], math.max(redis.call('PTTL', KEYS[1]), open_at - now + tonumber(ARGV[2])))
return open_at - now`,
);

/** KEYS[1] bucket hash; ARGV burst. Gives back a reserved token whose caller aborted. */
const REFUND = new LuaScript(
  'rate-refund',
  `local tokens = redis.call('HGET', KEYS[1], 'tokens')
if tokens then redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(tonumber(ARGV[1]), tonumber(tokens) + 1))) end
return 0`,
);

/**
 * The RateLimiter port shared by every process using the same Redis and key prefix: a 429 seen by one
 * process closes the bucket for all of them, and the token bucket is one bucket for the fleet.
 *
 * Same semantics as WindowRateLimiter: windows extend and never shorten, buckets never block each other,
 * tokens are served in arrival order (fleet-wide, by reservation in Redis), a backoff applies to callers
 * already waiting for tokens, and every wait is abortable. State lives in one Redis hash per bucket,
 * changed only by Lua scripts (atomic) on the server's clock.
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
    this.link.run(BACKOFF, [this.key(bucket)], [Math.ceil(ms), IDLE_MS]).catch(() => {
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
    const key = this.key(bucket);
    try {
      // A window this process already knows of costs no round trip until it has passed.
      await this.localWindowPassed(bucket, signal);
      let reserved = false;
      for (;;) {
        const rate = tokenBucket && !reserved ? tokenBucket.requestsPerSecond : 0;
        const asked = this.link.run(ACQUIRE, [key], [rate, tokenBucket?.burst ?? 1, IDLE_MS]);
        const held = reserved;
        const [kind, ms] = (await untilAborted(asked, signal, () => {
          // Aborted on the wire: the token reserved before goes back, and the one this asks for once
          // Redis has answered (a closed window, kind 1, reserved none).
          if (held) this.refund(key, tokenBucket!);
          if (rate > 0)
            asked.then(
              (got) => (got as AcquireReply)[0] !== 1 && this.refund(key, tokenBucket!),
              () => {},
            );
        })) as AcquireReply;
        if (kind === 0) return await this.grantedOnceLocalWindowPassed(bucket, key, signal, tokenBucket);
        if (kind === 1) this.local.backoff(bucket, ms); // another process's 429: mirror it
        if (kind === 2) reserved = true;
        try {
          await this.clock.sleep(ms, signal);
        } catch (error) {
          if (reserved) this.refund(key, tokenBucket!);
          throw error;
        }
      }
    } catch (error) {
      if (!(error instanceof RedisUnavailable)) throw error;
      if (this.link.onUnavailable === 'reject')
        throw new SharedStateUnavailableError('rate limits', { cause: error, reason: error.reason });
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
    key: string,
    signal: AbortSignal | undefined,
    tokenBucket: TokenBucketSettings | undefined,
  ): Promise<void> {
    try {
      await this.localWindowPassed(bucket, signal);
    } catch (error) {
      if (tokenBucket) this.refund(key, tokenBucket);
      throw error;
    }
  }

  private refund(key: string, tokenBucket: TokenBucketSettings): void {
    this.link.run(REFUND, [key], [tokenBucket.burst]).catch(() => {});
  }

  private key(bucket: string): string {
    return this.link.key('rate', bucket);
  }
}
