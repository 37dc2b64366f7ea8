import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { RedisSemaphoreFactory } from '../../../src/adapters/semaphore/redis-semaphore-factory.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import type { Semaphore } from '../../../src/ports/semaphore.js';
import { abortedWhileFrozen, eventually } from '../../support/frozen-redis.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

/*
 * Found by hand (round 27): with Redis slow (CLIENT PAUSE, DEBUG SLEEP, a frozen server), a waiter
 * whose acquire was on the wire when its signal aborted stayed pending until the command timed out
 * (`commandTimeoutMs`, 1 s by default; 1,030 ms for a 150 ms AbortSignal.timeout), where the waiters
 * asleep between polls left at once. The signal now ends the wait at once; Redis may still run the
 * command, so whatever it made of the waiter (a ticket, a lease) is taken out as soon as it answers.
 */

describeRedis('a RedisSemaphore waiter aborted while Redis has its command', () => {
  let redis: RedisServer;
  let admin: Redis;
  const prefix = `abort-${randomUUID()}:`;
  const links: RedisLink[] = [];
  const factories: RedisSemaphoreFactory[] = [];
  /** A semaphore on its own connection, as another process would have; commands wait up to a minute. */
  const semaphore = (name: string): Semaphore => {
    const link = new RedisLink({ url: redis.url, keyPrefix: prefix, commandTimeoutMs: 60_000 });
    links.push(link);
    const factory = new RedisSemaphoreFactory(link, new SystemClock(), { leaseMs: 60_000 });
    factories.push(factory);
    return factory.create(1, name);
  };
  const count = (name: string, part: string) => admin.zcard(`${prefix}{sem:${name}}:${part}`);

  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    redis?.unpause();
    await Promise.all(factories.map((factory) => factory.close()));
    await Promise.all(links.map((link) => link.close()));
    admin?.disconnect();
    await redis?.stop();
  });

  it('ends the wait at once, and takes out the ticket Redis queued for it once Redis answers', async () => {
    const name = randomUUID();
    const holder = semaphore(name);
    const release = await holder.acquire(1);
    // Before the fix: still 'pending' here, for the command's whole minute.
    expect(await abortedWhileFrozen(redis, (signal) => semaphore(name).acquire(1, signal))).toBeInstanceOf(
      APIUserAbortError,
    );
    await eventually(async () => (await count(name, 'queue')) === 0);
    release();
  });

  it('gives back at once the lease Redis granted it after it left', async () => {
    const name = randomUUID();
    expect(await abortedWhileFrozen(redis, (signal) => semaphore(name).acquire(1, signal))).toBeInstanceOf(
      APIUserAbortError,
    );
    // The lease Redis granted to nobody is gone (not held for its minute), so another caller gets in.
    await eventually(async () => (await count(name, 'holders')) === 0);
    const release = await semaphore(name).acquire(1);
    release();
  });
});
