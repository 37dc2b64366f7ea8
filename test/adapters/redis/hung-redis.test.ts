import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { LuaScript } from '../../../src/adapters/redis/redis-scripts.js';
import { RedisUnavailable } from '../../../src/adapters/redis/redis-unavailable.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

/**
 * Found by hand: a redis-server frozen with SIGSTOP (a hung Redis, or a partition: the connection stays
 * open, nothing answers) cost every call 4 s, for as long as it lasted: each shared decision (rate
 * limit, breaker, semaphore) waited out its own 1 s command timeout before falling back. After one
 * command times out, the link now fails the next ones at once and lets one command try again a
 * second later.
 */
const ONE = new LuaScript('hung-redis-one', 'return 1');

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describeRedis('a Redis that stops answering (SIGSTOP)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    redis?.unpause();
    await redis?.stop();
  });

  it('costs one command timeout, then fails at once until a later probe finds it back', async () => {
    const link = new RedisLink({ url: redis.url, commandTimeoutMs: 200 });
    try {
      await expect(link.run(ONE, [], [])).resolves.toBe(1);
      redis.pause();
      const timedOut = await failure(link.run(ONE, [], []));
      expect(timedOut).toBeInstanceOf(RedisUnavailable);
      expect((timedOut as Error).message).toMatch(/timed out/);
      // The next commands are not sent to wait out the same timeout.
      const skipped = await Promise.all([1, 2, 3].map(() => failure(link.run(ONE, [], []))));
      for (const error of skipped) {
        expect(error).toBeInstanceOf(RedisUnavailable);
        expect((error as Error).message).toMatch(/not asked/);
      }
      redis.unpause();
      // A probe goes out once the pause has passed (at most a second): then commands run again.
      let answer: unknown;
      while (answer !== 1) {
        answer = await link.run(ONE, [], []).catch(() => undefined);
        if (answer !== 1) await new Promise((r) => setImmediate(r));
      }
      await expect(link.run(ONE, [], [])).resolves.toBe(1);
    } finally {
      await link.close();
    }
  });
});
