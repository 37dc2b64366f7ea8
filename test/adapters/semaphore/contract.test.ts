import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import type { Clock } from '../../../src/ports/clock.js';
import { FifoSemaphore } from '../../../src/adapters/semaphore/fifo-semaphore.js';
import { RedisSemaphoreFactory } from '../../../src/adapters/semaphore/redis-semaphore-factory.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import type { Semaphore } from '../../../src/ports/semaphore.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';
import { semaphoreLeases } from '../../support/semaphore-leases.js';

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
  const factory = (leaseMs?: number, clock: Clock = new SystemClock()) => {
    const link = new RedisLink({ url: redis.url, keyPrefix: 'sem-test:' });
    link.useLogger(logger);
    links.push(link);
    const made = new RedisSemaphoreFactory(link, clock, { leaseMs });
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

  it("gives a dead holder's permits back once its lease lapses, not before", async () => {
    const name = randomUUID();
    const dying = factory(300);
    const { link, made } = factory(300);
    const survivor = made.create(1, name);
    await dying.made.create(1, name).acquire();
    const [expiry] = (await semaphoreLeases(link, name)).expiries;
    // The holder's process stops renewing and never releases (as if killed).
    dying.made.close();
    await dying.link.close();
    (await survivor.acquire())(); // the test's timeout guards against a hang
    // On the server's clock: granted only after the dead lease had lapsed.
    expect((await semaphoreLeases(link, name)).now).toBeGreaterThanOrEqual(expiry);
  });

  it('renews a held lease to a full lease every leaseMs / 3 on its clock, and stops once released', async () => {
    const name = randomUUID();
    const clock = new FakeClock();
    const { link, made } = factory(3_000, clock);
    const release = await made.create(1, name).acquire();
    for (let renewal = 1; renewal <= 3; renewal++) {
      // A third of the lease left, as if the time since the last renewal had passed.
      const lapsing = await semaphoreLeases(link, name, 1_000);
      await clock.advance(999);
      expect((await semaphoreLeases(link, name)).expiries).toEqual(lapsing.expiries); // not renewed early
      // The renewal is sent during `advance`; Redis answers our read on the same connection after it.
      await clock.advance(1);
      const renewed = await semaphoreLeases(link, name);
      expect(renewed.expiries).toHaveLength(1);
      expect(renewed.expiries[0]).toBeGreaterThanOrEqual(lapsing.now + 3_000);
      expect(renewed.expiries[0]).toBeLessThanOrEqual(renewed.now + 3_000);
    }
    release();
    expect(clock.pending).toBe(0); // nothing held: no renewal timer left behind
  });
});
