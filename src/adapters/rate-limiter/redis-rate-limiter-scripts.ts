import { LuaScript } from '../redis/redis-scripts.js';

/*
 * One fleet-wide bucket is two keys, changed only by these scripts (atomic), on the server's clock:
 *   KEYS[1] hash  open_at (429 window), tokens (negative: reserved ahead) at refilled_at, tail (the
 *                 latest slot taken from the count), left_until (the latest slot left in KEYS[2]: the
 *                 common path looks at KEYS[2] only while one may be ahead), seq
 *   KEYS[2] zset  slots left by callers that aborted while queued -> slot (server ms)
 * A token is granted at a slot: at once (`now`) or for a time a reserving caller sleeps until. Every
 * slot is a token's worth after the one before it, so no window of the server's clock holds more than
 * burst + rate × window grants; a refund must never move a slot, only hand one on.
 */

/** Server time in ms; every process reads the same clock, so windows agree across the fleet. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Lua: the count of `tokens` last written at `at`, refilled to `now` (needs the locals `now`, `rate` and
 * `burst`). One expression for the acquire and the refund, so the two never reckon a bucket differently.
 */
const refilled = (tokens: string, at: string) =>
  `math.min(burst, tonumber(${tokens}) + math.max(0, now - tonumber(${at})) * rate / 1000)`;

/** Idle buckets expire a minute after they have refilled (or their window reopened), so Redis never fills up. */
export const IDLE_MS = 60_000;

/**
 * KEYS bucket hash, free slots; ARGV rate (0 = window only), burst, idle ms.
 * Returns {0} go, {1, ms} window closed for ms, or for a token taken at `slot` (server ms, which a
 * refund names), {0, 0, slot} go or {2, ms, slot} go in ms (then re-check the window).
 * Reserving (the count may go below zero) puts every process's caller in one arrival order; a slot a
 * queued caller left goes to the next caller as it was.
 * The key outlives the bucket's refill: a bucket forgotten before it is full would come back full, and
 * grant more than burst + rate × window (a drained 100-token bucket at 1/s had 100 again after a minute).
 */
export const ACQUIRE = new LuaScript(
  'rate-acquire',
  `${NOW}
local h = redis.call('HMGET', KEYS[1], 'open_at', 'tokens', 'refilled_at', 'left_until')
local open_at = tonumber(h[1] or '0')
if open_at > now then return {1, open_at - now} end
local rate = tonumber(ARGV[1])
if rate <= 0 then return {0} end
local burst = tonumber(ARGV[2])
local tokens = ${refilled('h[2] or ARGV[2]', 'h[3] or now')}
local slot
if tonumber(h[4] or '-1') >= now then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. now)
  local left = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  if #left > 0 then
    redis.call('ZREM', KEYS[2], left[1])
    slot = tonumber(left[2])
  end
end
if slot then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'refilled_at', now)
else
  tokens = tokens - 1
  slot = now
  if tokens < -1e-9 then slot = now + math.ceil(-tokens * 1000 / rate) end
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'refilled_at', now, 'tail', slot)
end
local full_in = math.ceil((burst - tokens) * 1000 / rate)
redis.call('PEXPIRE', KEYS[1], math.max(redis.call('PTTL', KEYS[1]), full_in + tonumber(ARGV[3])))
if slot <= now then return {0, 0, slot} end
return {2, slot - now, slot}`,
);

/** ACQUIRE's answer: go, or the window's (1) or the reserved token's (2) wait in ms; the token's slot. */
export type AcquireReply =
  [kind: 0, ms?: 0, slot?: number] | [kind: 1, ms: number] | [kind: 2, ms: number, slot: number];

/** KEYS bucket hash; ARGV ms, idle ms. Extends (never shortens) the window; returns ms until it reopens. */
export const BACKOFF = new LuaScript(
  'rate-backoff',
  `${NOW}
local open_at = math.max(tonumber(redis.call('HGET', KEYS[1], 'open_at') or '0'), now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'open_at', open_at)
redis.call('PEXPIRE', KEYS[1], math.max(redis.call('PTTL', KEYS[1]), open_at - now + tonumber(ARGV[2])))
return open_at - now`,
);

/**
 * KEYS bucket hash, free slots; ARGV rate, burst, slot. Gives back the token a caller that aborted
 * took at `slot`. Adding it to the count is right only when no later slot was reckoned from it: the
 * latest slot taken, or any once every slot has passed (the count is not negative). Otherwise (a slot
 * in the middle of the queue) the next caller gets that very slot; one already passed is lost (the
 * bucket grants one token less, never one more). Before round 28 the count went up by one whatever
 * came after, and the next caller shared the last waiter's slot: two grants at once with burst 1.
 */
export const REFUND = new LuaScript(
  'rate-refund',
  `${NOW}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local rate, burst, slot = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 'tokens', 'refilled_at', 'tail')
local tokens = ${refilled('h[1] or ARGV[2]', 'h[2] or now')}
if tokens >= 0 or slot == tonumber(h[3] or '-1') then
  redis.call('HDEL', KEYS[1], 'tail')
  redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(burst, tokens + 1)), 'refilled_at', now)
  return 1
end
if slot <= now then return 0 end
redis.call('ZADD', KEYS[2], slot, slot .. ':' .. redis.call('HINCRBY', KEYS[1], 'seq', 1))
local until_ = math.max(slot, tonumber(redis.call('HGET', KEYS[1], 'left_until') or '-1'))
redis.call('HSET', KEYS[1], 'left_until', until_)
redis.call('PEXPIRE', KEYS[2], math.max(redis.call('PTTL', KEYS[2]), slot - now + 1000))
return 2`,
);
