import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import type { Clock } from '../../../src/ports/clock.js';
import { FifoSemaphore } from '../../../src/adapters/semaphore/fifo-semaphore.js';
import { RedisSemaphoreFactory } from '../../../src/adapters/semaphore/redis-semaphore-factory.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';
import { semaphoreLeases } from '../../support/semaphore-leases.js';
import { contract, eventually, tick } from '../../support/semaphore-contract.js';

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
