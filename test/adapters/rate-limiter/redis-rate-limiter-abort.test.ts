import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { RedisRateLimiter } from '../../../src/adapters/rate-limiter/redis-rate-limiter.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

/*
 * Found by hand (round 27): with Redis paused (CLIENT PAUSE), a call with a 150 ms signal ended after
 * 2.5 s, when the pause did: the rate limiter's window check was on the wire and waited for its answer
 * or `commandTimeoutMs`, whatever the signal said. The signal now ends it at once; a token the late
 * command reserved goes back once Redis answers.
 */

/** A few turns of the event loop: enough for anything already decided to settle, nothing on the wire. */
async function turns(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

/** Settles when `check` holds (polling on the event loop), so Redis round trips can land. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    if (i > 5000) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 1));
  }
}

describeRedis('a RedisRateLimiter caller aborted while Redis has its command', () => {
  let redis: RedisServer;
  let admin: Redis;
  let link: RedisLink;
  const prefix = `rate-abort-${randomUUID()}:`;

  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
    link = new RedisLink({ url: redis.url, keyPrefix: prefix, commandTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    redis?.unpause();
    await link?.close();
    admin?.disconnect();
    await redis?.stop();
  });

  it('ends the wait at once and gives back the token the late command reserved', async () => {
    const limiter = new RedisRateLimiter(link, new SystemClock());
    const tokenBucket = { requestsPerSecond: 0.001, burst: 1 };
    await limiter.acquire('warm', {}); // connected, scripts loaded
    redis.pause();
    const controller = new AbortController();
    let outcome: unknown = 'pending';
    const acquired = limiter.acquire('b', { signal: controller.signal, tokenBucket }).then(
      () => (outcome = 'granted'),
      (error: unknown) => (outcome = error),
    );
    await turns();
    controller.abort();
    await turns();
    const seen = outcome;
    redis.unpause();
    await acquired;
    // Before the fix: 'pending' for the command's whole minute.
    expect(seen).toBeInstanceOf(APIUserAbortError);
    // Redis ran the command late and took the bucket's one token (it refills in 1,000 s): it came back.
    await eventually(async () => Number(await admin.hget(`${prefix}rate:b`, 'tokens')) >= 1);
    await limiter.acquire('b', { tokenBucket, signal: AbortSignal.timeout(60_000) });
  });
});
