import { expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { RedisRateLimiter } from '../../../src/adapters/rate-limiter/redis-rate-limiter.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { abortedWhileFrozen, eventually, frozenRedisSuite } from '../../support/frozen-redis.js';
import { describeRedis } from '../../support/redis-server.js';

/*
 * Found by hand (round 27): with Redis paused (CLIENT PAUSE), a call with a 150 ms signal ended after
 * 2.5 s, when the pause did: the rate limiter's window check was on the wire and waited for its answer
 * or `commandTimeoutMs`, whatever the signal said. The signal now ends it at once; a token the late
 * command reserved goes back once Redis answers.
 */

describeRedis('a RedisRateLimiter caller aborted while Redis has its command', () => {
  const prefix = `rate-abort-${randomUUID()}:`;
  const suite = frozenRedisSuite(prefix);

  it('ends the wait at once and gives back the token the late command reserved', async () => {
    const limiter = new RedisRateLimiter(suite.link, new SystemClock());
    const tokenBucket = { requestsPerSecond: 0.001, burst: 1 };
    await limiter.acquire('warm', {}); // connected, scripts loaded
    const seen = await abortedWhileFrozen(suite.redis, (signal) =>
      limiter.acquire('b', { signal, tokenBucket }),
    );
    // Before the fix: 'pending' for the command's whole minute.
    expect(seen).toBeInstanceOf(APIUserAbortError);
    // Redis ran the command late and took the bucket's one token (it refills in 1,000 s): it came back.
    await eventually(async () => Number(await suite.admin.hget(`${prefix}{rate:b}`, 'tokens')) >= 1);
    await limiter.acquire('b', { tokenBucket, signal: AbortSignal.timeout(60_000) });
  });
});
