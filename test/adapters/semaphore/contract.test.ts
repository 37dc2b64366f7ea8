import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { FifoSemaphore } from '../../../src/adapters/semaphore/fifo-semaphore.js';
import { RedisSemaphoreFactory } from '../../../src/adapters/semaphore/redis-semaphore.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import type { Semaphore } from '../../../src/ports/semaphore.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

/*
 * What every Semaphore adapter promises, run against the in-process one and the Redis one. Redis answers
 * asynchronously, so "not yet granted" is checked after the grant that must come first, and `available`
 * is read once the releases have landed.
 */

const tick = () => new Promise((r) => setImmediate(r));

/** Settles when `check` holds (polling on the event loop), so Redis round trips can land. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 2000) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 1));
  }
}

function contract(name: string, make: (capacity: number) => Semaphore) {
  describe(`Semaphore contract: ${name}`, () => {
    it('serves waiters in FIFO order without barging, weighted', async () => {
      const sem = make(10);
      const order: string[] = [];
      const first = await sem.acquire(6);
      const heavy = sem.acquire(8).then((r) => (order.push('heavy'), r));
      const light = sem.acquire(1).then((r) => (order.push('light'), r));
      for (let i = 0; i < 20; i++) await tick();
      expect(order).toEqual([]); // light fits but must not pass the heavy waiter
      first();
      (await heavy)();
      (await light)();
      expect(order).toEqual(['heavy', 'light']);
      await eventually(() => sem.available === 10);
    });

    it('lets an aborted waiter leave the queue and gives its place to the next', async () => {
      const sem = make(1);
      const held = await sem.acquire();
      const controller = new AbortController();
      const aborted = sem.acquire(1, controller.signal);
      const next = sem.acquire();
      expect(sem.waiting).toBe(2);
      controller.abort();
      await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);
      expect(sem.waiting).toBe(1);
      held();
      (await next)();
      await eventually(() => sem.available === 1 && sem.waiting === 0);
    });

    it('runs a request larger than the budget alone, admitting nothing else meanwhile', async () => {
      const sem = make(4);
      const small = await sem.acquire(1);
      const admitted: string[] = [];
      const big = sem.acquire(100).then((r) => (admitted.push('big'), r));
      for (let i = 0; i < 20; i++) await tick();
      expect(admitted).toEqual([]);
      small();
      small(); // a double release credits nothing
      const releaseBig = await big;
      const zero = sem.acquire(0).then((r) => (admitted.push('zero'), r));
      for (let i = 0; i < 20; i++) await tick();
      expect(admitted).toEqual(['big']);
      releaseBig();
      (await zero)();
      expect(admitted).toEqual(['big', 'zero']);
      await eventually(() => sem.available === 4);
    });

    it('never lets 100 concurrent acquirers exceed the limit, and grants in arrival order', async () => {
      const sem = make(8);
      let inFlight = 0;
      let maxInFlight = 0;
      const granted: number[] = [];
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const release = await sem.acquire(1);
          granted.push(i);
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          for (let hop = 0; hop < (i * 7) % 5; hop++) await tick();
          inFlight -= 1;
          release();
        }),
      );
      expect(maxInFlight).toBeLessThanOrEqual(8);
      expect(maxInFlight).toBeGreaterThan(1);
      expect(granted).toEqual([...granted].sort((a, b) => a - b));
      await eventually(() => sem.available === 8);
    });

    it('ignores an abort that comes after the grant; rejects aborted signals and nonsense weights', async () => {
      const sem = make(1);
      const controller = new AbortController();
      const release = await sem.acquire(1, controller.signal);
      controller.abort();
      let second = false;
      const next = sem.acquire(1).then((r) => ((second = true), r));
      for (let i = 0; i < 20; i++) await tick();
      expect(second).toBe(false); // the permit is still held
      release();
      (await next)();
      await expect(sem.acquire(1, AbortSignal.abort())).rejects.toBeInstanceOf(APIUserAbortError);
      await expect(sem.acquire(-1)).rejects.toBeInstanceOf(RangeError);
      await expect(sem.acquire(Number.NaN)).rejects.toBeInstanceOf(RangeError);
      expect(sem.waiting).toBe(0);
    });
  });
}

contract('FifoSemaphore', (capacity) => new FifoSemaphore(capacity));

describeRedis('RedisSemaphore', () => {
  let redis: RedisServer;
  /** Every link logs here: a fallback to in-process limits would let these tests pass without Redis. */
  const logger = new CaptureLogger();
  const links: RedisLink[] = [];
  const factories: RedisSemaphoreFactory[] = [];
  /** A factory on its own connection, as another process would have. */
  const factory = (leaseMs?: number) => {
    const link = new RedisLink({ url: redis.url, keyPrefix: 'sem-test:' });
    link.useLogger(logger);
    links.push(link);
    const made = new RedisSemaphoreFactory(link, new SystemClock(), { leaseMs });
    factories.push(made);
    return { link, made };
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    expect(logger.records.filter((r) => r.level === 'warn')).toEqual([]);
    for (const made of factories) made.close();
    await Promise.all(links.map((link) => link.close()));
    await redis?.stop();
  });

  contract('RedisSemaphore', (capacity) => factory().made.create(capacity, randomUUID()));

  it('shares one budget between processes, FIFO across them', async () => {
    const name = randomUUID();
    const [a, b] = [factory().made.create(2, name), factory().made.create(2, name)];
    const held = [await a.acquire(), await b.acquire()];
    const order: string[] = [];
    const fromB = b.acquire().then((r) => (order.push('b'), r));
    await eventually(() => b.waiting === 1);
    for (let i = 0; i < 20; i++) await tick();
    expect(order).toEqual([]); // a's permit counts against b's budget
    held[0](); // released in the other process: b is woken by the notification
    (await fromB)();
    held[1]();
    expect(order).toEqual(['b']);
  });

  it("gives a dead holder's permits back within the lease time", async () => {
    const name = randomUUID();
    const dying = factory(600);
    const survivor = factory(600).made.create(1, name);
    await dying.made.create(1, name).acquire();
    // The holder's process stops renewing and never releases (as if killed).
    dying.made.close();
    await dying.link.close();
    const start = performance.now();
    (await survivor.acquire())();
    const waited = performance.now() - start;
    expect(waited).toBeGreaterThan(300); // it did wait for the lease to lapse…
    expect(waited).toBeLessThan(5_000); // …and did not hang
  });

  it('keeps a lease alive past its expiry while the holder renews it', async () => {
    const name = randomUUID();
    const holder = factory(300).made.create(1, name);
    const other = factory(300).made.create(1, name);
    const release = await holder.acquire();
    const controller = new AbortController();
    const waiting = other.acquire(1, controller.signal);
    await new Promise((r) => setTimeout(r, 900)); // three leases long: renewals must have kept it
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(APIUserAbortError);
    release();
    (await other.acquire())();
  });
});
