import { expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import type { Kernel } from '../../../src/kernel/kernel.js';
import { usedOnce, usedOnceAfterWaiting } from '../../support/forgotten-kernel.js';
import {
  afterCollections,
  connectedClients,
  connectedClientsAfterCollections,
  listedClients,
} from '../../support/redis-clients.js';
import { useInspectedRedis } from '../../support/inspected-redis.js';
import { describeRedis } from '../../support/redis-server.js';

/**
 * A web server that makes a client per request and forgets `close()`: once the kernel is collected,
 * its Redis connections must be closed, not left open
 * on the server (`maxclients`) for the life of the process.
 */

const redis = useInspectedRedis();

const connected = () => connectedClients(redis.inspector);
const untilConnected = (expected: number, turns?: number) =>
  connectedClientsAfterCollections(redis.inspector, expected, turns);

const usedOnceWith = (keyPrefix: string, callersLink?: RedisLink) =>
  usedOnce({ redis: redis.url, keyPrefix }, callersLink);

describeRedis('kernels with shared Redis that nobody closes', () => {
  it('close their Redis connections once collected', async () => {
    const baseline = await connected();
    const kernels: WeakRef<Kernel>[] = [];
    for (let i = 0; i < 3; i++) kernels.push(await usedOnceWith(`forgotten-${randomUUID()}:`));
    // Each kernel opened its command connection.
    expect(await connected()).toBe(baseline + 3);
    expect(await untilConnected(baseline)).toBe(baseline);
    expect(kernels.every((ref) => ref.deref() === undefined)).toBe(true);
  });

  it("closes a forgotten waiter's subscriber connection too", async () => {
    const listed = () => listedClients([redis.inspector]);
    const baseline = (await listed()).ids.sort();
    const { ref, subscriber } = await usedOnceAfterWaiting(
      { redis: redis.url, keyPrefix: `waiter-${randomUUID()}:` },
      [redis.inspector],
    );
    // Its command connection, and the subscriber its waiter listened for the release on (still open,
    // no longer subscribed once nothing waits).
    const inUse = (await listed()).ids;
    expect(inUse).toHaveLength(baseline.length + 2);
    expect(inUse).toContain(subscriber);
    const left = await afterCollections(listed, (now) => now.ids.length === baseline.length);
    expect(left.ids.sort()).toEqual(baseline);
    expect(ref.deref()).toBeUndefined();
  });

  it('keeps the connections of a kernel still referenced', async () => {
    const baseline = await connected();
    const ref = await usedOnceWith(`kept-${randomUUID()}:`);
    const kernel = ref.deref();
    const inUse = await connected();
    expect(inUse).toBeGreaterThan(baseline);
    expect(await untilConnected(baseline, 3)).toBe(inUse);
    await kernel?.close();
    expect(await connected()).toBe(baseline);
  });

  it("leaves open a link the caller made and passed in (the caller's to close)", async () => {
    const baseline = await connected();
    const keyPrefix = `callers-${randomUUID()}:`;
    const link = new RedisLink({ url: redis.url, keyPrefix });
    try {
      const ref = await usedOnceWith(keyPrefix, link);
      expect(await connected()).toBe(baseline + 1);
      expect(await untilConnected(baseline, 5)).toBe(baseline + 1);
      expect(ref.deref()).toBeUndefined();
      expect(link.isClosed).toBe(false);
    } finally {
      await link.close();
    }
  });
});
