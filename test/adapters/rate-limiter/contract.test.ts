import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { RedisRateLimiter } from '../../../src/adapters/rate-limiter/redis-rate-limiter.js';
import { WindowRateLimiter } from '../../../src/adapters/rate-limiter/window-rate-limiter.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import type { RateLimiter } from '../../../src/ports/rate-limiter.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

/*
 * The behaviour both limiters share, on the real clock (Redis keeps time on the server, so a fake clock
 * cannot drive it). Windows are short; the assertions are about order and "not before the window
 * reopened", never about how fast anything was.
 */

interface Subject {
  make(): RateLimiter;
}

/** Resolve-time (ms since `start`) of each settled promise, and its order. */
function tracker() {
  const start = performance.now();
  const order: string[] = [];
  const track = (name: string, p: Promise<void>) =>
    p.then(() => {
      order.push(name);
      return performance.now() - start;
    });
  return { order, track };
}

function contract(name: string, subject: () => Subject) {
  describe(`RateLimiter contract: ${name}`, () => {
    it('closes a bucket for the backoff window (never shortened) and never blocks other buckets', async () => {
      const limiter = subject().make();
      const { order, track } = tracker();
      limiter.backoff('a', 400);
      limiter.backoff('a', 10); // never shortens
      expect(limiter.waitTime('a')).toBeGreaterThan(300);
      const a = track('a', limiter.acquire('a'));
      await track('b', limiter.acquire('b'));
      expect(order).toEqual(['b']);
      expect(await a).toBeGreaterThanOrEqual(380);
      expect(limiter.waitTime('a')).toBe(0);
    });

    it('remembers when the latest window reopens, also after it reopened', async () => {
      const limiter = subject().make();
      expect(limiter.reopensAt('a')).toBe(0);
      const before = Date.now();
      limiter.backoff('a', 50);
      const reopensAt = limiter.reopensAt('a');
      // A window kept on monotonic time, read on the wall clock (whole ms): within a millisecond.
      expect(reopensAt).toBeGreaterThanOrEqual(before + 50 - 1);
      await limiter.acquire('a');
      expect(limiter.waitTime('a')).toBe(0);
      // Still known once past (Redis may have moved it a little later: its clock decides the window).
      expect(limiter.reopensAt('a')).toBeGreaterThanOrEqual(reopensAt - 1);
      expect(limiter.reopensAt('a')).toBeLessThanOrEqual(Date.now() + 1);
      expect(limiter.reopensAt('b')).toBe(0);
    });

    it('rejects an aborted wait at once with the reason as cause', async () => {
      const limiter = subject().make();
      limiter.backoff('a', 60_000);
      const controller = new AbortController();
      const waiting = limiter.acquire('a', { signal: controller.signal });
      controller.abort('bye');
      await expect(waiting).rejects.toMatchObject({ name: 'APIUserAbortError', cause: 'bye' });
      await expect(limiter.acquire('a', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
        APIUserAbortError,
      );
    });

    it('serves a burst at once, then one token per 1/rate, in arrival order', async () => {
      const limiter = subject().make();
      const { order, track } = tracker();
      const tokenBucket = { requestsPerSecond: 20, burst: 2 };
      const calls = Array.from({ length: 6 }, (_, i) =>
        track(String(i), limiter.acquire('t', { tokenBucket })),
      );
      const times = await Promise.all(calls);
      expect(order).toEqual(['0', '1', '2', '3', '4', '5']);
      // Four calls beyond the burst need four refills of 50 ms each.
      expect(times[5]).toBeGreaterThanOrEqual(190);
    });

    it('applies a backoff to callers already queued for tokens', async () => {
      const limiter = subject().make();
      const tokenBucket = { requestsPerSecond: 10, burst: 1 };
      await limiter.acquire('x', { tokenBucket });
      const { track } = tracker();
      const queued = track('x', limiter.acquire('x', { tokenBucket }));
      limiter.backoff('x', 400);
      expect(await queued).toBeGreaterThanOrEqual(380);
    });

    it('rejects token bucket settings that could never grant, before waiting', async () => {
      const limiter = subject().make();
      await expect(
        limiter.acquire('t', { tokenBucket: { requestsPerSecond: 0, burst: 1 } }),
      ).rejects.toBeInstanceOf(RangeError);
    });
  });
}

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
