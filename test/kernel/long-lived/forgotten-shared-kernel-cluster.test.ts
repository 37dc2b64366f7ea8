import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Kernel } from '../../../src/kernel/kernel.js';
import { usedOnce, usedOnceAfterWaiting } from '../../support/forgotten-kernel.js';
import { afterCollections, listedClients } from '../../support/redis-clients.js';
import { RedisCluster } from '../../support/redis-cluster.js';
import { describeRedis } from '../../support/redis-server.js';

/*
 * As forgotten-shared-kernel.test.ts, on a Redis Cluster (three masters): a collected kernel's link
 * closes a connection to each node, and its subscriber's (a separate cluster client, which listens
 * through a connection of ioredis's own making).
 */
describeRedis('kernels with shared Redis Cluster that nobody closes', () => {
  let cluster: RedisCluster;
  let inspectors: Redis[];
  beforeAll(async () => {
    cluster = await RedisCluster.start();
    inspectors = cluster.ports.map((port) => new Redis(port, '127.0.0.1'));
  }, 60_000);
  beforeEach(() => cluster.untilOk());
  afterAll(async () => {
    try {
      await Promise.all(inspectors?.map((inspector) => inspector.quit()) ?? []);
    } finally {
      await cluster?.stop();
    }
  });

  const listed = () => listedClients(inspectors);
  const shared = (name: string) => ({
    redis: cluster.url,
    cluster: true,
    keyPrefix: `${name}-${randomUUID()}:`,
  });
  /** The connections once the collections have closed all but `baseline`'s (or 30 turns went by). */
  const leftAfterCollections = async (baseline: string[]) =>
    (await afterCollections(listed, (now) => now.ids.length === baseline.length)).ids.sort();

  it('close their connections to every node once collected', async () => {
    const baseline = (await listed()).ids.sort();
    const kernels: WeakRef<Kernel>[] = [];
    for (let i = 0; i < 3; i++) kernels.push(await usedOnce(shared('forgotten')));
    // Each kernel's cluster client connected to each of the three masters.
    expect((await listed()).ids.length).toBeGreaterThanOrEqual(baseline.length + 9);
    expect(await leftAfterCollections(baseline)).toEqual(baseline);
    expect(kernels.every((ref) => ref.deref() === undefined)).toBe(true);
  });

  it("closes a forgotten waiter's subscriber connection too", async () => {
    const baseline = (await listed()).ids.sort();
    const { ref, subscriber } = await usedOnceAfterWaiting(shared('waiter'), inspectors);
    expect((await listed()).ids).toContain(subscriber);
    expect(await leftAfterCollections(baseline)).toEqual(baseline);
    expect(ref.deref()).toBeUndefined();
  });
});
