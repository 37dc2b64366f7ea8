import { Type } from '@sinclair/typebox';
import type { Redis } from 'ioredis';
import { RedisBreakerRegistry } from '../../src/adapters/circuit-breaker/redis-breaker.js';
import type { RedisLink } from '../../src/adapters/redis/redis-link.js';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { SharedStateOptions } from '../../src/kernel/shared-state-options.js';
import { Ports } from '../../src/ports/index.js';
import { eventually } from './frozen-redis.js';
import { holdTheOnlyPermit } from './never-closed.js';
import { listedClients } from './redis-clients.js';

/*
 * For the tests that a kernel with shared Redis that nobody closes gives its Redis connections back
 * once collected (test/kernel/long-lived/forgotten-shared-kernel*.test.ts).
 */

/** The fleet's semaphore of the kernel below (plugin `jobs`, resource `uploads`, one at a time). */
const SEMAPHORE = 'jobs:uploads:count';

/**
 * A kernel with a shared semaphore and breaker, used for one call (started, then `whileCalling` run
 * before the call is awaited), and dropped. With `callersLink`, its breaker is a caller's adapter on
 * that link, and `shared` is left unset.
 */
export async function usedOnce(
  shared: SharedStateOptions,
  callersLink?: RedisLink,
  whileCalling?: () => Promise<void>,
): Promise<WeakRef<Kernel>> {
  const kernel = createKernel({ logLevel: 'off', shared: callersLink ? undefined : shared }).use(
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
  const call = kernel.call('upload', {});
  await whileCalling?.();
  await call;
  return new WeakRef(kernel);
}

/**
 * As `usedOnce`, but its call first waits in the fleet's queue while another connection holds the only
 * permit, listening for the release on a subscriber connection of its own (which `inspectors`, one per
 * node, must list: its id is returned), and is served once the permit is given back.
 */
export async function usedOnceAfterWaiting(
  shared: SharedStateOptions & { redis: string },
  inspectors: readonly Redis[],
): Promise<{ ref: WeakRef<Kernel>; subscriber: string }> {
  const before = new Set((await listedClients(inspectors)).subscribers);
  const holder = await holdTheOnlyPermit(shared.redis, shared.keyPrefix ?? '', shared.cluster, SEMAPHORE);
  let subscriber: string | undefined;
  try {
    const ref = await usedOnce(shared, undefined, async () => {
      await eventually(async () => {
        subscriber = (await listedClients(inspectors)).subscribers.find((id) => !before.has(id));
        return subscriber !== undefined;
      });
      holder.release();
    });
    return { ref, subscriber: subscriber! };
  } finally {
    await holder.link.close();
  }
}
