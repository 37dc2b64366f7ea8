import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createHook } from 'node:async_hooks';
import { Redis } from 'ioredis';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { LuaScript } from '../../../src/adapters/redis/redis-scripts.js';
import { eventually, turns } from '../../support/frozen-redis.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

/*
 * Found by hand (round 27): three worker processes that closed their kernels while Redis was down
 * (SIGKILLed, not yet back) each stayed alive 2 s after `close()` resolved, where they exited in 20 ms
 * with Redis up. ioredis's disconnect() of a connection whose socket had already died arms a
 * `disconnectTimeout` timer (2 s by default) that waits for a 'close' event the dead socket never
 * sends again. The link's connections now give their socket no grace: by close() we have asked
 * everything we will ask (QUIT on a live connection, which Redis answers by closing).
 */
const ONE = new LuaScript('link-close-one', 'return 1');

/**
 * Timers that keep the process alive (ref'd), created while `during` runs and still pending once it has
 * settled and timers of 0 ms have run.
 */
async function timersLeftBy(during: () => Promise<void>): Promise<number> {
  const live = new Map<number, NodeJS.Timeout>();
  const hook = createHook({
    init: (id, type, _trigger, resource) =>
      void (type === 'Timeout' && live.set(id, resource as NodeJS.Timeout)),
    destroy: (id) => void live.delete(id),
  }).enable();
  try {
    await during();
    // A timer of 0 ms created now fires after every earlier one of 0 or 1 ms: those have run by then.
    await new Promise((r) => setTimeout(r, 0));
    // Destroy hooks run after the timers' callbacks, on a later turn.
    await turns();
    return [...live.values()].filter((timer) => timer.hasRef()).length;
  } finally {
    hook.disable();
  }
}

describeRedis('RedisLink.close() while Redis is down', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** SIGKILL Redis, then wait until `link` has seen its connections drop (it fails at once meanwhile). */
  async function killRedisUnder(link: RedisLink): Promise<void> {
    await redis.halt();
    await eventually(() =>
      link.run(ONE, [], []).then(
        () => false,
        () => true,
      ),
    );
    await turns();
  }

  it('leaves no timer behind to keep the process alive', async () => {
    const link = new RedisLink({ url: redis.url });
    await expect(link.run(ONE, [], [])).resolves.toBe(1);
    await killRedisUnder(link);
    // Before the fix: 1, pending for 2 s.
    expect(await timersLeftBy(() => link.close())).toBe(0);
    await redis.resume();
  });

  it('leaves no timer behind for a channel left while Redis was down', async () => {
    const link = new RedisLink({ url: redis.url });
    await expect(link.run(ONE, [], [])).resolves.toBe(1);
    const stop = link.subscribe('events', () => {});
    await link.run(ONE, [], []); // the subscriber's SUBSCRIBE went out before this
    await killRedisUnder(link);
    // The last waiter stops listening while the subscriber is away, then the kernel closes. Before the
    // fix: the UNSUBSCRIBE waited in ioredis's offline queue, its command timeout (1 s) outliving close().
    expect(
      await timersLeftBy(async () => {
        stop();
        await link.close();
      }),
    ).toBe(0);
    await redis.resume();
  });

  it('drops a channel left while Redis was down once it is back', async () => {
    const link = new RedisLink({ url: redis.url, keyPrefix: 'stale:' });
    const admin = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false });
    const subscribers = async (channel: string) =>
      Number(((await admin.pubsub('NUMSUB', `stale:${channel}`)) as [string, number])[1]);
    try {
      const stop = link.subscribe('left', () => {});
      const stopKept = link.subscribe('kept', () => {});
      await link.run(ONE, [], []);
      await killRedisUnder(link);
      stop();
      await redis.resume();
      await admin.connect();
      // ioredis subscribes again to every channel it knew once back (`kept` shows when); the link then
      // leaves the one nobody listens to. Without that, `left` stayed subscribed for the link's life.
      await eventually(async () => (await subscribers('kept')) === 1);
      await eventually(async () => (await subscribers('left')) === 0);
      stopKept();
    } finally {
      admin.disconnect();
      await link.close();
    }
  });
});
