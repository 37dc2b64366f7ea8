import { afterAll, afterEach, beforeAll, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { Redis } from 'ioredis';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { LuaScript } from '../../../src/adapters/redis/redis-scripts.js';
import { RedisSemaphoreFactory } from '../../../src/adapters/semaphore/redis-semaphore-factory.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { SharedSemaphores } from '../../../src/kernel/shared-semaphores.js';
import type { Release, Semaphore } from '../../../src/ports/semaphore.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

/*
 * A fleet's semaphores over a long life, found by hand (round 23): a caller's one signal for hours, a
 * key per sampler, Redis going away while permits are held, waiters aborted at the moment of a grant.
 */

/** Settles when `check` holds (polling on the event loop), so Redis round trips can land. */
async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    if (i > 2000) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Resolves with what `promise` gave once it settles, or 'pending' if it has not after the other's round trip. */
async function stateOf(promise: Promise<unknown>, roundTrip: () => Promise<unknown>): Promise<string> {
  let state = 'pending';
  promise.then(
    () => (state = 'granted'),
    () => (state = 'rejected'),
  );
  for (let i = 0; i < 5; i++) await roundTrip();
  return state;
}

const PING = new LuaScript('life-ping', 'return 1');

describeRedis('RedisSemaphore over a long life', () => {
  let redis: RedisServer;
  let admin: Redis;
  const logger = new CaptureLogger();
  const links: RedisLink[] = [];
  const factories: RedisSemaphoreFactory[] = [];
  const prefix = `life-${randomUUID()}:`;
  /** A factory on its own connection, as another process would have. */
  const factory = (leaseMs?: number) => {
    const link = new RedisLink({ url: redis.url, keyPrefix: prefix, commandTimeoutMs: 500 });
    link.useLogger(logger);
    links.push(link);
    const made = new RedisSemaphoreFactory(link, new SystemClock(), { leaseMs });
    factories.push(made);
    return { link, made };
  };
  const queueLength = (name: string) => admin.zcard(`${prefix}{sem:${name}}:queue`);
  const subscribers = async (name: string) =>
    Number(((await admin.pubsub('NUMSUB', `${prefix}sem:${name}:events`)) as [string, number])[1]);

  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await Promise.all(factories.map((made) => made.close()));
    await Promise.all(links.map((link) => link.close()));
    admin?.disconnect();
    await redis?.stop();
  });

  // Node 20's AbortSignal.any keeps an entry per call in a long-lived source's dependants (soak22).
  it('waits on a long-lived caller signal without AbortSignal.any, and leaves nothing on it', async () => {
    const any = jest.spyOn(AbortSignal, 'any');
    const name = randomUUID();
    const sem = factory().made.create(1, name);
    const other = factory().made.create(1, name);
    const job = new AbortController();
    for (let round = 0; round < 5; round++) {
      const held = await other.acquire(1);
      const waiter = sem.acquire(1, job.signal);
      await eventually(async () => (await queueLength(name)) === 1); // polled, then paused
      held();
      (await waiter)();
    }
    expect(any).not.toHaveBeenCalled();
    expect(getEventListeners(job.signal, 'abort')).toHaveLength(0);
  });

  it('takes an aborted waiter out of the fleet queue at once, so nobody waits behind a ghost', async () => {
    const name = randomUUID();
    const [a, b, c] = [factory(60_000), factory(60_000), factory(60_000)];
    const held = await a.made.create(1, name).acquire();
    const controller = new AbortController();
    const ghost = b.made.create(1, name).acquire(1, controller.signal);
    await eventually(async () => (await queueLength(name)) === 1);
    const next = c.made.create(1, name).acquire();
    await eventually(async () => (await queueLength(name)) === 2);
    controller.abort();
    await expect(ghost).rejects.toBeInstanceOf(APIUserAbortError);
    await eventually(async () => (await queueLength(name)) === 1);
    held();
    // Granted on the release, not after the ghost's heartbeat (a minute) ran out: the test's timeout.
    (await next)();
  });

  it('leaks no permit when a waiter is aborted in the same tick as the release that would grant it', async () => {
    const name = randomUUID();
    const { made } = factory();
    const other = factory().made.create(1, name);
    const sem = made.create(1, name);
    for (let round = 0; round < 5; round++) {
      const held = await other.acquire();
      const controller = new AbortController();
      const waiter = sem.acquire(1, controller.signal).then(
        (release) => (release(), 'granted'),
        () => 'aborted',
      );
      await eventually(async () => (await queueLength(name)) === 1);
      held();
      controller.abort();
      expect(['granted', 'aborted']).toContain(await waiter);
      // Whichever won, the permit is free again and nobody is queued.
      (await other.acquire())();
      await eventually(async () => (await queueLength(name)) === 0);
    }
  });

  it('falls back to in-process limits that count the permits this process already holds', async () => {
    const name = randomUUID();
    const { link, made } = factory();
    const sem = made.create(1, name);
    const held = await sem.acquire();
    await redis.halt();
    try {
      // Redis is gone; the permit held through it still counts in this process.
      const second = sem.acquire();
      expect(await stateOf(second, () => link.run(PING, [], []).catch(() => undefined))).toBe('pending');
      held();
      (await second)();
    } finally {
      await redis.resume();
    }
    // Back to the fleet's budget once Redis returns.
    await eventually(async () => {
      const release = await sem.acquire();
      const shared = (await admin.zcard(`${prefix}{sem:${name}}:holders`).catch(() => 0)) === 1;
      release();
      return shared;
    });
  });

  // Found by hand: a waiter whose poll timed out (a hung Redis) fell back, but its ticket (or the
  // lease the timed-out command won once Redis ran it) stayed in Redis, refreshed for a whole lease:
  // after a one-second stall, the fleet's queue waited behind a ghost for leaseMs.
  it('takes out a ticket or lease it could not tell Redis about once Redis answers again', async () => {
    const name = randomUUID();
    const link = (commandTimeoutMs: number) => {
      const made = new RedisLink({ url: redis.url, keyPrefix: prefix, commandTimeoutMs });
      links.push(made);
      return made;
    };
    const [a, b, c] = [link(5_000), link(200), link(5_000)].map((l) => {
      const made = new RedisSemaphoreFactory(l, new SystemClock(), { leaseMs: 120_000 });
      factories.push(made);
      return made.create(1, name);
    });
    const held = await a.acquire();
    const waiting = b.acquire();
    await eventually(async () => (await queueLength(name)) === 1);
    redis.pause();
    try {
      // b's next poll times out: it falls back to its own limit and is granted.
      (await waiting)();
    } finally {
      redis.unpause();
    }
    held();
    // Granted once b has taken its ticket or lease out, not after the lease (two minutes): the test's timeout.
    (await c.acquire())();
    await eventually(async () => (await queueLength(name)) === 0);
  });

  it('lets go of the semaphores of keys nobody uses: no subscription, nothing kept for them', async () => {
    const { made } = factory();
    const busy = factory().made;
    const shared = new SharedSemaphores(made);
    const names = Array.from({ length: 200 }, () => randomUUID());
    for (const name of names) {
      // Another process holds the key's permit: this one waits (subscribes), and sees a busy fleet.
      const other = await busy.create(1, name).acquire();
      const mine = shared.get(name, 1).acquire();
      await eventually(async () => (await queueLength(name)) === 1);
      other();
      (await mine)();
    }
    await eventually(async () => (await subscribers(names[0])) === 0);
    for (const name of names.slice(-3)) expect(await subscribers(name)).toBe(0);
    expect(shared.held).toBeLessThanOrEqual(128);
    expect(made.open).toBe(0);
  });

  it('keeps the semaphore of a key that is held, and closes it with the factory', async () => {
    const name = randomUUID();
    const { made } = factory();
    const shared = new SharedSemaphores(made);
    const sem = shared.get(name, 1);
    const held: Release = await sem.acquire();
    for (let i = 0; i < 300; i++) (await shared.get(randomUUID(), 1).acquire())();
    expect(shared.get(name, 1)).toBe(sem as Semaphore);
    expect(made.open).toBe(1);
    const waiter = sem.acquire().catch((error: unknown) => error);
    await made.close();
    expect(await waiter).toMatchObject({ name: 'ClientClosedError' });
    await expect(sem.acquire()).rejects.toMatchObject({ name: 'ClientClosedError' });
    await expect(shared.get(randomUUID(), 1).acquire()).rejects.toMatchObject({ name: 'ClientClosedError' });
    held();
  });
});
