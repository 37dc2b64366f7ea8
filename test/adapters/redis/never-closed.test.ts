import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectServedWaiterToExit, runWorker } from '../../support/never-closed.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';
import { answeringServer } from '../../support/spawned-script.js';

/*
 * Found by hand (round 30): a script with a `shared` Redis that made one call and never called close()
 * never exited (`timeout 20` killed it), where the same script without `shared` exits by itself. ioredis
 * kept its sockets (and, while Redis was down, its reconnect timers) referenced for the link's life. The
 * link now holds the process only while a command or a waiter awaits Redis.
 */
describeRedis('a script with shared Redis that never calls close()', () => {
  let redis: RedisServer;
  let api: Awaited<ReturnType<typeof answeringServer>>;
  beforeAll(async () => {
    redis = await RedisServer.start();
    api = await answeringServer();
  });
  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  });

  it('exits by itself with code 0 after one call', async () => {
    const worker = runWorker(redis.url, api.url);
    expect(await worker.line((e) => e.event === 'called')).toEqual({ event: 'called', n: 1, ok: true });
    // Before the fix: killed by the guard (code null, SIGKILL), its command socket still referenced.
    expect(await worker.exited).toMatchObject({ code: 0, signal: null });
  }, 90_000);

  // Found by fleet.test.ts while this was made: close() awaited QUIT's answer on a connection no longer
  // referenced, and the worker exited with code 13 (a top-level await never settled) before it resolved.
  it('still closes, twice, and then exits with code 0', async () => {
    const worker = runWorker(redis.url, api.url, { NC_CLOSE: '1' });
    expect(await worker.line((e) => e.event === 'closed')).toEqual({ event: 'closed' });
    expect(await worker.exited).toMatchObject({ code: 0, signal: null });
  }, 90_000);

  it(
    'does not exit while its only work is a waiter blocked on Redis, and exits once it is served',
    () => expectServedWaiterToExit(redis.url, api.url),
    90_000,
  );

  describe('with Redis down', () => {
    it.each([
      ['local', { event: 'called', n: 1, ok: true }],
      ['reject', { event: 'called', n: 1, ok: false, error: 'SharedStateUnavailableError' }],
    ])(
      "exits by itself after a call made while Redis is down (onUnavailable '%s')",
      async (policy, called) => {
        const down = await RedisServer.start();
        await down.halt();
        try {
          const worker = runWorker(down.url, api.url, { NC_ON_UNAVAILABLE: policy });
          expect(await worker.line((e) => e.event === 'called')).toEqual(called);
          // Before the fix: killed by the guard, ioredis's reconnect timer re-armed once a second.
          expect(await worker.exited).toMatchObject({ code: 0, signal: null });
        } finally {
          await down.stop();
        }
      },
      90_000,
    );

    it('exits by itself when Redis died under its call (the link left reconnecting)', async () => {
      const dying = await RedisServer.start();
      const api2 = await answeringServer(() => dying.halt());
      try {
        const worker = runWorker(dying.url, api2.url);
        expect(await worker.line((e) => e.event === 'called')).toEqual({ event: 'called', n: 1, ok: true });
        expect(await worker.exited).toMatchObject({ code: 0, signal: null });
      } finally {
        await api2.close();
        await dying.stop();
      }
    }, 90_000);
  });
});
