import { expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { RedisBreakerRegistry } from '../../../src/adapters/circuit-breaker/redis-breaker.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { MemoryTransport } from '../../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import type { Kernel } from '../../../src/kernel/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { Ports } from '../../../src/ports/index.js';
import { connectedClients, connectedClientsAfterCollections } from '../../support/redis-clients.js';
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

/** A kernel with a shared semaphore and breaker, used for one call. */
async function usedOnce(keyPrefix: string, callersLink?: RedisLink): Promise<WeakRef<Kernel>> {
  const shared = callersLink ? undefined : { redis: redis.url, keyPrefix };
  const kernel = createKernel({ logLevel: 'off', shared }).use(
    definePlugin({
      name: 'jobs',
      version: '1',
      defaults: { baseUrl: 'http://jobs.test', maxRetries: 0 },
      concurrency: { uploads: { maxConcurrent: 1 } },
      manifest: {
        name: 'jobs',
        version: '1',
        endpoints: [
          { id: 'upload', method: 'POST', path: '/uploads', resource: 'uploads', input: Type.Object({}) },
        ],
      },
    }),
  );
  kernel.register(
    Ports.Transport,
    new MemoryTransport(async () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })),
  );
  if (callersLink) kernel.register(Ports.CircuitBreaker, new RedisBreakerRegistry(callersLink));
  await kernel.call('upload', {});
  return new WeakRef(kernel);
}

describeRedis('kernels with shared Redis that nobody closes', () => {
  it('close their Redis connections once collected', async () => {
    const baseline = await connected();
    const kernels: WeakRef<Kernel>[] = [];
    for (let i = 0; i < 3; i++) kernels.push(await usedOnce(`forgotten-${randomUUID()}:`));
    // Each kernel opened its command connection.
    expect(await connected()).toBe(baseline + 3);
    expect(await untilConnected(baseline)).toBe(baseline);
    expect(kernels.every((ref) => ref.deref() === undefined)).toBe(true);
  });

  it('keeps the connections of a kernel still referenced', async () => {
    const baseline = await connected();
    const ref = await usedOnce(`kept-${randomUUID()}:`);
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
      const ref = await usedOnce(keyPrefix, link);
      expect(await connected()).toBe(baseline + 1);
      expect(await untilConnected(baseline, 5)).toBe(baseline + 1);
      expect(ref.deref()).toBeUndefined();
      expect(link.isClosed).toBe(false);
    } finally {
      await link.close();
    }
  });
});
