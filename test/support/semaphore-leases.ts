import type { RedisLink } from '../../src/adapters/redis/redis-link.js';
import { LuaScript } from '../../src/adapters/redis/redis-scripts.js';

/**
 * ARGV[1] optional: first set every lease's expiry to the server's now + ARGV[1] ms (a lease about to
 * lapse, without waiting for one). Returns the server's now and the expiries, in ms.
 */
const LEASES = new LuaScript(
  'test-sem-leases',
  `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), id) end
end
local out = {now}
for i, v in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')) do if i % 2 == 0 then table.insert(out, tonumber(v)) end end
return out`,
);

/**
 * The Redis server's now and the lease expiries of semaphore `name` (ms, on the server's clock, which
 * tests cannot fake), after `lapseInMs` shortened them all when given.
 */
export async function semaphoreLeases(link: RedisLink, name: string, lapseInMs?: number) {
  const args = lapseInMs === undefined ? [] : [lapseInMs];
  const [now, ...expiries] = (await link.run(
    LEASES,
    link.slotKeys(['sem', name], ['holders']),
    args,
  )) as number[];
  return { now, expiries };
}
