import type { Clock } from '../../ports/clock.js';
import type { RateLimiter, TokenBucketSettings } from '../../ports/rate-limiter.js';
import { SharedStateUnavailableError } from '../../kernel/errors/shared-state-unavailable.js';
import { LuaScript, RedisUnavailable, type RedisLink } from '../redis/redis-link.js';
import { untilAborted } from '../../kernel/signals/until-aborted.js';
import { WindowRateLimiter } from './window-rate-limiter.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

/** Server time in ms; every process reads the same clock, so windows agree across the fleet. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Idle buckets expire a minute after they have refilled (or their window reopened), so Redis never fills up. */
const IDLE_MS = 60_000;

/**
 * KEYS[1] bucket hash; ARGV rate (0 = window only), burst, idle ms.
 * Returns {0} go, {1, ms} window closed for ms, or for a token taken, {0, 0, n} go or {2, ms, n} token
 * reserved: go in ms (then re-check the window), where n numbers the token for a refund.
 * Reserving (the count may go below zero) puts every process's caller in one arrival order.
 * The key outlives the bucket's refill: a bucket forgotten before it is full would come back full, and
 * grant more than burst + rate × window (a drained 100-token bucket at 1/s had 100 again after a minute).
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
local taken = redis.call('HINCRBY', KEYS[1], 'taken', 1)
local wait = 0
if tokens < -1e-9 then wait = math.ceil(-tokens * 1000 / rate) end
local full_in = math.ceil((burst - tokens) * 1000 / rate)
redis.call('PEXPIRE', KEYS[1], math.max(redis.call('PTTL', KEYS[1]), full_in + tonumber(ARGV[3])))
if wait == 0 then return {0, 0, taken} end
return {2, wait, taken}`,
);

/** ACQUIRE's answer: go, or the window's (1) or the reserved token's (2) wait in ms; n numbers a token taken. */
type AcquireReply = [kind: 0, ms?: 0, n?: number] | [kind: 1, ms: number] | [kind: 2, ms: number, n: number];

/** KEYS[1] bucket hash; ARGV ms, idle ms. Extends (never shortens) the window; returns ms until it reopens. */
const BACKOFF = new LuaScript(
  'rate-backoff',
  `${NOW}
local open_at = math.max(tonumber(redis.call('HGET', KEYS[1], 'open_at') or '0'), now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'open_at', open_at)
redis.call('PEXPIRE', KEYS[1], math.max(redis.call('PTTL', KEYS[1]), open_at - now + tonumber(ARGV[2])))
return open_at - now`,
);

/**
 * KEYS[1] bucket hash; ARGV rate, burst, n. Gives back token n, taken by a caller that aborted. Only
 * the last token taken, or any once every reserved slot has passed, can go back: a token given back
 * from the middle of the queue would let the next caller reserve the last waiter's slot (two grants at
 * once, burst 1), so it is dropped (the bucket grants one token less, never one more).
 */
const REFUND = new LuaScript(
  'rate-refund',
  `${NOW}
local tokens = redis.call('HGET', KEYS[1], 'tokens')
if not tokens then return 0 end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local at = tonumber(redis.call('HGET', KEYS[1], 'refilled_at') or now)
tokens = math.min(burst, tonumber(tokens) + math.max(0, now - at) * rate / 1000)
local last = tonumber(redis.call('HGET', KEYS[1], 'taken') or '0')
local is_last = tonumber(ARGV[3]) == last
if tokens < 0 and not is_last then return 0 end
if is_last then redis.call('HSET', KEYS[1], 'taken', last - 1) end
redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(burst, tokens + 1)), 'refilled_at', now)
return 1`,
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
      /** The token this caller reserved (its number in the bucket), once it has one. */
      let reserved: number | undefined;
      for (;;) {
        const rate = tokenBucket && reserved === undefined ? tokenBucket.requestsPerSecond : 0;
        const asked = this.link.run(ACQUIRE, [key], [rate, tokenBucket?.burst ?? 1, IDLE_MS]);
        const held = reserved;
        const [kind, ms, taken] = (await untilAborted(asked, signal, () => {
          // Aborted on the wire: the token reserved before goes back, and the one this asks for once
          // Redis has answered (if it took one: a closed window, kind 1, takes none).
          this.refund(key, tokenBucket, held);
          asked.then(
            (got) => this.refund(key, tokenBucket, (got as AcquireReply)[2]),
            () => {},
          );
        })) as AcquireReply;
        if (kind === 0)
          return await this.grantedOnceLocalWindowPassed(bucket, key, signal, tokenBucket, taken ?? reserved);
        if (kind === 1) this.local.backoff(bucket, ms); // another process's 429: mirror it
        if (kind === 2) reserved = taken;
        try {
          await this.clock.sleep(ms, signal);
        } catch (error) {
          this.refund(key, tokenBucket, reserved);
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
    token: number | undefined,
  ): Promise<void> {
    try {
      await this.localWindowPassed(bucket, signal);
    } catch (error) {
      this.refund(key, tokenBucket, token);
      throw error;
    }
  }

  /** Gives back token number `token` (none: nothing was taken). */
  private refund(key: string, tokenBucket: TokenBucketSettings | undefined, token: number | undefined): void {
    if (!tokenBucket || token === undefined) return;
    this.link.run(REFUND, [key], [tokenBucket.requestsPerSecond, tokenBucket.burst, token]).catch(() => {});
  }

  private key(bucket: string): string {
    return this.link.key('rate', bucket);
  }
}
