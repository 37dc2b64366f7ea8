import { LuaScript } from '../redis/redis-scripts.js';

/*
 * One breaker is one hash (KEYS[1]): state ('closed' | 'open' | 'half-open'), reopen_at (when an open
 * breaker lets a trial through), trial_until (the trial's lease), consec (consecutive failures), and for
 * the failure-rate mode five sampling windows s<i> / f<i> (successes / failures) indexed by window
 * number. Only these scripts change it; time is the server's.
 */

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * ARGV trial lease ms, idle ms. Returns {state before, verdict}: 'pass' (closed), 'trial' (this caller
 * is the fleet's one half-open trial), or 'reject'. A trial whose lease ran out (its process died) is
 * handed to the next caller.
 */
export const BREAKER_ENTER = new LuaScript(
  'breaker-enter',
  `${NOW}
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state == 'closed' then return {state, 'pass'} end
local due
if state == 'open' then due = tonumber(redis.call('HGET', KEYS[1], 'reopen_at') or '0')
else due = tonumber(redis.call('HGET', KEYS[1], 'trial_until') or '0') end
if now < due then return {state, 'reject'} end
redis.call('HSET', KEYS[1], 'state', 'half-open', 'trial_until', now + tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]))
return {state, 'trial'}`,
);

/**
 * ARGV outcome ('ok' | 'fail' | 'neutral'), trial ('1' | '0'), half-open-after ms, idle ms, mode
 * ('consecutive' | 'rate'), then consecutive: count; rate: threshold, window ms, minimum rps.
 * Returns {state before, state after}.
 */
export const BREAKER_RECORD = new LuaScript(
  'breaker-record',
  `${NOW}
local outcome, trial = ARGV[1], ARGV[2] == '1'
local half_open_after, idle = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local function open()
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'state', 'open', 'reopen_at', now + half_open_after)
  redis.call('PEXPIRE', KEYS[1], half_open_after + idle)
  return {state, 'open'}
end
local function close()
  -- Every close starts a fresh count.
  redis.call('DEL', KEYS[1])
  return {state, 'closed'}
end
if trial then
  -- Only the trial decides a half-open breaker; if the state moved on meanwhile, leave it.
  if state ~= 'half-open' then return {state, state} end
  if outcome == 'fail' then return open() end
  return close()
end
if state ~= 'closed' or outcome == 'neutral' then return {state, state} end
redis.call('PEXPIRE', KEYS[1], idle)
if ARGV[5] == 'consecutive' then
  if outcome == 'ok' then redis.call('HDEL', KEYS[1], 'consec') return {state, state} end
  if redis.call('HINCRBY', KEYS[1], 'consec', 1) >= tonumber(ARGV[6]) then return open() end
  return {state, state}
end
local threshold, window, min_rps = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local size = math.max(1, math.floor(window / 5 + 0.5))
local index = math.floor(now / size)
redis.call('HINCRBY', KEYS[1], (outcome == 'ok' and 's' or 'f') .. index, 1)
redis.call('HDEL', KEYS[1], 's' .. (index - 5), 'f' .. (index - 5))
if outcome == 'ok' then return {state, state} end
local successes, failures = 0, 0
for i = index - 4, index do
  successes = successes + tonumber(redis.call('HGET', KEYS[1], 's' .. i) or '0')
  failures = failures + tonumber(redis.call('HGET', KEYS[1], 'f' .. i) or '0')
end
local total = successes + failures
-- As cockatiel's SamplingBreaker: enough traffic over the window, and failures above the threshold.
if total < size * 5 * min_rps / 1000 then return {state, state} end
if failures > threshold * total then return open() end
return {state, state}`,
);

/**
 * No ARGV. The trial BREAKER_ENTER granted went to a call abandoned before it ran (its signal aborted
 * while the command was on the wire): the next caller may try at once, not after the trial's lease.
 */
export const BREAKER_HAND_ON = new LuaScript(
  'breaker-hand-on',
  `if redis.call('HGET', KEYS[1], 'state') == 'half-open' then redis.call('HSET', KEYS[1], 'trial_until', 0) end
return 0`,
);
