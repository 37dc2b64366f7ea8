import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { RedisSemaphoreFactory } from '../../../src/adapters/semaphore/redis-semaphore-factory.js';
import {
  SEM_ACQUIRE,
  SEM_FORGET,
  SEM_LEAVE,
  SEM_RELEASE,
} from '../../../src/adapters/semaphore/redis-semaphore-scripts.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

/*
 * Found by hand (probe38b): Redis 7 gives a new ACL user no Pub/Sub channels (`acl-pubsub-default
 * resetchannels`), so `ACL SETUSER fleet on >pw ~* +@all` can run the scripts and reach the keys but
 * not PUBLISH or SUBSCRIBE. The release script then failed after it had given the permits back
 * ("ERR The user executing the script can't publish to the channel…", read as a script bug and
 * swallowed), and the refused SUBSCRIBE was dropped in silence: waiters fell back to polling and
 * nothing said why.
 */

/** Settles when `check` holds (polling on the event loop), so Redis round trips can land. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 2000) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 1));
  }
}

describeRedis('a Redis user without Pub/Sub channel rights', () => {
  let redis: RedisServer;
  let admin: Redis;
  let url: string;
  const links: RedisLink[] = [];
  const factories: RedisSemaphoreFactory[] = [];
  const prefix = `acl-${randomUUID()}:`;
  const link = (logger = new CaptureLogger()) => {
    const made = new RedisLink({ url, keyPrefix: prefix });
    made.useLogger(logger);
    links.push(made);
    return made;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
    // What an operator writes for "everything on the keys": on Redis 7 it grants no channels.
    await admin.call('ACL', 'SETUSER', 'fleet', 'on', '>pw-not-shown', '~*', '+@all', 'resetchannels');
    url = `redis://fleet:pw-not-shown@127.0.0.1:${redis.port}`;
  });
  afterAll(async () => {
    await Promise.all(factories.map((made) => made.close()));
    await Promise.all(links.map((made) => made.close()));
    admin?.disconnect();
    await redis?.stop();
  });

  it('releases, leaves and forgets without failing on the refused PUBLISH', async () => {
    const shared = link();
    const name = randomUUID();
    const keys = shared.slotKeys(['sem', name], ['holders', 'queue', 'alive', 'meta']);
    const channel = shared.key('sem', name, 'events');
    const ask = (id: string) => shared.run(SEM_ACQUIRE, keys, [id, 1, 1, 10_000, 10_000]);
    expect(await ask('holder')).toEqual([1, '0']);
    expect(await ask('waiter')).toEqual([0, '0']);
    await expect(shared.run(SEM_LEAVE, keys, ['waiter', channel])).resolves.toBe(1);
    await expect(shared.run(SEM_RELEASE, keys, ['holder', channel, 1])).resolves.toBe('1');
    expect(await ask('orphan')).toEqual([1, '0']);
    await expect(shared.run(SEM_FORGET, keys, ['orphan', channel])).resolves.toBe(1);
    expect(await admin.zcard(keys[0]!)).toBe(0);
    expect(await admin.zcard(keys[1]!)).toBe(0);
  });

  it('says once, at warn, that waiters poll because Redis refused the release channel', async () => {
    const logger = new CaptureLogger();
    const holderFactory = new RedisSemaphoreFactory(link(), new SystemClock());
    const waiterFactory = new RedisSemaphoreFactory(link(logger), new SystemClock());
    factories.push(holderFactory, waiterFactory);
    const name = randomUUID();
    const release = await holderFactory.create(1, name).acquire();
    // Two waiters of another process: each listens for releases (one subscription, one line).
    const waiters = [0, 1].map(() => waiterFactory.create(1, name).acquire());
    const warned = () => logger.records.filter((record) => /NOPERM/.test(record.message));
    await eventually(() => warned().length > 0);
    release();
    for (const waiter of waiters) (await waiter)();
    expect(warned()).toHaveLength(1);
    expect(warned()[0]!.level).toBe('warn');
    expect(warned()[0]!.message).toMatch(/channel/);
    expect(JSON.stringify(logger.records)).not.toContain('pw-not-shown');
  });
});
