import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { RedisRateLimiter } from '../../../src/adapters/rate-limiter/redis-rate-limiter.js';
import { WindowRateLimiter } from '../../../src/adapters/rate-limiter/window-rate-limiter.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';
import { contract, tracker } from '../../support/rate-limiter-contract.js';

contract('WindowRateLimiter', () => ({ make: () => new WindowRateLimiter(new SystemClock()) }));

describeRedis('RedisRateLimiter', () => {
  let redis: RedisServer;
  /** Every link logs here: a fallback to in-process limits would let these tests pass without Redis. */
  const logger = new CaptureLogger();
  const links: RedisLink[] = [];
  /** A limiter on its own connection, as another process would have; `prefix` picks the fleet. */
  const limiterFor = (prefix: string) => {
    const link = new RedisLink({ url: redis.url, keyPrefix: prefix });
    link.useLogger(logger);
    links.push(link);
    return new RedisRateLimiter(link, new SystemClock());
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    expect(logger.records.filter((r) => r.level === 'warn')).toEqual([]);
    await Promise.all(links.map((link) => link.close()));
    await redis?.stop();
  });

  contract('RedisRateLimiter', () => ({ make: () => limiterFor(`t-${randomUUID()}:`) }));

  it("closes the bucket for every process when one sees a 429, on the server's clock", async () => {
    const prefix = `t-${randomUUID()}:`;
    const [one, other] = [limiterFor(prefix), limiterFor(prefix)];
    // Both connected (a 429 sent over a link still connecting would reach Redis after `other` asked).
    await Promise.all([one.acquire('warm'), other.acquire('shared')]);
    one.backoff('shared', 400);
    // Processes race like this in real life too; here, wait until Redis has the window: a later command
    // on `one`'s connection is answered after the backoff was applied.
    await one.acquire('warm');
    const { track } = tracker();
    // `other` never saw the 429 itself, yet waits for the window.
    expect(await track('other', other.acquire('shared'))).toBeGreaterThanOrEqual(350);
    expect(other.waitTime('shared')).toBe(0);
    // A different fleet (prefix) is not affected.
    limiterFor(`t-${randomUUID()}:`).backoff('shared', 60_000);
    await other.acquire('shared');
  });

  it('shares one token bucket across processes', async () => {
    const prefix = `t-${randomUUID()}:`;
    const [one, other] = [limiterFor(prefix), limiterFor(prefix)];
    const tokenBucket = { requestsPerSecond: 20, burst: 1 };
    await one.acquire('tb', { tokenBucket }); // spends the fleet's burst
    const { track } = tracker();
    const times = await Promise.all([
      track('other', other.acquire('tb', { tokenBucket })),
      track('one', one.acquire('tb', { tokenBucket })),
    ]);
    // With a bucket of its own, `other` would have gone at once; in one bucket the two callers
    // need one and two refills of 50 ms.
    expect(Math.min(...times)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(80);
  });
});
