import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Type } from '@sinclair/typebox';
import { Redis } from 'ioredis';
import { MemoryTransport } from '../../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import type { Kernel } from '../../../src/kernel/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { Ports } from '../../../src/ports/index.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * A web server that makes a client per request and forgets `close()`: once the kernel is collected,
 * its Redis connections must be closed, not left open
 * on the server (`maxclients`) for the life of the process.
 */

let redis: RedisServer;
let inspector: Redis;
beforeAll(async () => {
  redis = await RedisServer.start();
  inspector = new Redis(redis.url);
});
afterAll(async () => {
  await inspector?.quit();
  await redis?.stop();
});

/** Clients connected to the server, the inspector's own connection included. */
async function connected(): Promise<number> {
  const info = await inspector.info('clients');
  return Number(/connected_clients:(\d+)/.exec(info)?.[1]);
}

/**
 * Collect and ask the server, until it counts `expected` clients; the count it last saw otherwise. Each
 * turn is a full collection and a round trip to the server (the finalizer's QUIT is answered in one).
 */
async function untilConnected(expected: number, turns = 30): Promise<number> {
  let count = await connected();
  for (let i = 0; i < turns && count !== expected; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    count = await connected();
  }
  return count;
}

/** A kernel with a shared semaphore and breaker, used for one call. */
async function usedOnce(keyPrefix: string): Promise<WeakRef<Kernel>> {
  const kernel = createKernel({ logLevel: 'off', shared: { redis: redis.url, keyPrefix } }).use(
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
});
