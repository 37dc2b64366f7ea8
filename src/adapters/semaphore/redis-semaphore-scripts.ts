import { LuaScript } from '../redis/redis-scripts.js';

/*
 * One fleet-wide semaphore is four keys:
 *   KEYS[1] holders  zset  lease id -> lease expiry (server ms)
 *   KEYS[2] queue    zset  waiter id -> ticket (arrival order)
 *   KEYS[3] alive    zset  waiter id -> heartbeat expiry (a crashed waiter leaves the queue)
 *   KEYS[4] meta     hash  used, exclusive, seq, h:<lease id> = weight | 'x', q:<waiter id> = weight
 * Only these scripts change them, so every step is atomic; time is the server's.
 * A PUBLISH is only a wake-up (waiters also poll): it goes through `pcall`, so a user without the
 * channel's rights (Redis 7 gives a new ACL user none) does not fail a script after its writes.
 */

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Drop expired leases (a dead holder's permits come back) and waiters that stopped polling. */
const PRUNE = `
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  local w = redis.call('HGET', KEYS[4], 'h:' .. id)
  if w == 'x' then redis.call('HSET', KEYS[4], 'exclusive', 0)
  elseif w then redis.call('HINCRBYFLOAT', KEYS[4], 'used', -tonumber(w)) end
  redis.call('HDEL', KEYS[4], 'h:' .. id)
  redis.call('ZREM', KEYS[1], id)
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('HDEL', KEYS[4], 'q:' .. id)
end`;

const KEEP = `for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], keep) end`;

/**
 * ARGV id, weight, capacity, lease ms, waiter ttl ms. Queues the caller (once), then grants it only if
 * every waiter ahead of it fits too: FIFO without barging, as the in-process semaphore. A weight above
 * the capacity runs alone. Returns {1, available} granted, {0, available} still waiting.
 */
export const SEM_ACQUIRE = new LuaScript(
  'sem-acquire',
  `${NOW}
local id, weight, capacity = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local lease, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
local keep = math.max(lease, ttl) * 4 + 60000
${PRUNE}
if not redis.call('ZSCORE', KEYS[2], id) then
  redis.call('ZADD', KEYS[2], redis.call('HINCRBY', KEYS[4], 'seq', 1), id)
  redis.call('HSET', KEYS[4], 'q:' .. id, weight)
end
redis.call('ZADD', KEYS[3], now + ttl, id)
local used = tonumber(redis.call('HGET', KEYS[4], 'used') or '0')
local exclusive = redis.call('HGET', KEYS[4], 'exclusive') == '1'
local real_used, real_exclusive = used, exclusive
local start = 0
while true do
  local batch = redis.call('ZRANGE', KEYS[2], start, start + 99)
  if #batch == 0 then break end
  for _, wid in ipairs(batch) do
    local w = tonumber(redis.call('HGET', KEYS[4], 'q:' .. wid) or '0')
    local fits
    if exclusive then fits = false
    elseif w > capacity then fits = used == 0
    else fits = used + w <= capacity end
    if not fits then
      ${KEEP}
      if real_exclusive then return {0, 0} end
      return {0, tostring(math.max(0, capacity - real_used))}
    end
    if wid == id then
      redis.call('ZREM', KEYS[2], id)
      redis.call('ZREM', KEYS[3], id)
      redis.call('HDEL', KEYS[4], 'q:' .. id)
      if w > capacity then
        redis.call('HSET', KEYS[4], 'exclusive', 1, 'h:' .. id, 'x')
        real_exclusive = true
      else
        redis.call('HINCRBYFLOAT', KEYS[4], 'used', w)
        redis.call('HSET', KEYS[4], 'h:' .. id, w)
        real_used = real_used + w
      end
      redis.call('ZADD', KEYS[1], now + lease, id)
      ${KEEP}
      if real_exclusive then return {1, 0} end
      return {1, tostring(math.max(0, capacity - real_used))}
    end
    -- Someone ahead fits: keep their share aside; they take it on their next poll.
    if w > capacity then exclusive = true else used = used + w end
  end
  start = start + 100
end
${KEEP}
return {0, 0}`,
);

/**
 * ARGV id, channel, capacity. Credits a lease's permits back (if it was still held) and tells waiters.
 * Returns the budget now available.
 */
export const SEM_RELEASE = new LuaScript(
  'sem-release',
  `local w = redis.call('HGET', KEYS[4], 'h:' .. ARGV[1])
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  if w == 'x' then redis.call('HSET', KEYS[4], 'exclusive', 0)
  elseif w then redis.call('HINCRBYFLOAT', KEYS[4], 'used', -tonumber(w)) end
  redis.call('HDEL', KEYS[4], 'h:' .. ARGV[1])
  redis.pcall('PUBLISH', ARGV[2], 'released')
end
if redis.call('HGET', KEYS[4], 'exclusive') == '1' then return '0' end
return tostring(math.max(0, tonumber(ARGV[3]) - tonumber(redis.call('HGET', KEYS[4], 'used') or '0')))`,
);

/** ARGV id, channel. An aborted waiter leaves the queue; those behind it may now fit. */
export const SEM_LEAVE = new LuaScript(
  'sem-leave',
  `if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], 'q:' .. ARGV[1])
redis.pcall('PUBLISH', ARGV[2], 'left')
return 1`,
);

/** ARGV lease ms, ids… Extends each lease still held; returns the ids that were lost (expired). */
export const SEM_RENEW = new LuaScript(
  'sem-renew',
  `${NOW}
local lost = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i])
  else
    table.insert(lost, ARGV[i])
  end
end
return lost`,
);

/**
 * ARGV id, channel. Takes `id` out whatever Redis made of it: a ticket (queue) or a lease (holders),
 * for a waiter whose command failed without an answer (it may have run later). Returns 1 if it was
 * either.
 */
export const SEM_FORGET = new LuaScript(
  'sem-forget',
  `local gone = redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], 'q:' .. ARGV[1])
local w = redis.call('HGET', KEYS[4], 'h:' .. ARGV[1])
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  if w == 'x' then redis.call('HSET', KEYS[4], 'exclusive', 0)
  elseif w then redis.call('HINCRBYFLOAT', KEYS[4], 'used', -tonumber(w)) end
  redis.call('HDEL', KEYS[4], 'h:' .. ARGV[1])
  gone = 1
end
if gone == 1 then redis.pcall('PUBLISH', ARGV[2], 'left') end
return gone`,
);
