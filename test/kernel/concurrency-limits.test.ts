import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { TokenProviderAuth } from '../../src/adapters/auth/token-provider.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { closedPort } from '../support/closed-port.js';
import { FifoSemaphore } from '../../src/adapters/semaphore/fifo-semaphore.js';
import { WindowRateLimiter } from '../../src/adapters/rate-limiter/window-rate-limiter.js';
import type { RateLimiter } from '../../src/ports/rate-limiter.js';
import type { Semaphore, SemaphoreFactory } from '../../src/ports/semaphore.js';
import { useHoldingServer } from '../support/holding-server.js';

const holding = useHoldingServer();

/** One upload endpoint on the `uploads` resource, weighted by the input's size. */
const manifest = {
  name: 'jobs',
  version: '1',
  endpoints: [
    {
      id: 'upload',
      method: 'POST' as const,
      path: '/uploads',
      resource: 'uploads',
      weight: 'size',
      input: Type.Object({ size: Type.Integer() }),
    },
  ],
};
const weights = { size: (context: { input: Record<string, unknown> }) => Number(context.input.size) };

/**
 * 10 calls and 100 weight at once; while the `uploads-429` bucket is backed off and 10 s after, 2 calls
 * at `weightFactor` times their weight.
 */
const throttledJobs = (weightFactor: number) =>
  definePlugin({
    name: 'jobs',
    version: '1',
    defaults: { baseUrl: holding.url, maxRetries: 0, breaker: false },
    weights,
    concurrency: {
      uploads: {
        maxConcurrent: 10,
        maxWeight: 100,
        throttled: { windowMs: 10_000, maxConcurrent: 2, weightFactor, bucket: () => 'uploads-429' },
      },
    },
    manifest,
  });

describe('per-resource concurrency limits through the pipeline', () => {
  it('keeps the summed weight in flight within maxWeight, in FIFO order, and builds a request only once admitted', async () => {
    let tokensIssued = 0;
    const kernel = createKernel().use(
      definePlugin({
        name: 'jobs',
        version: '1',
        defaults: { baseUrl: holding.url, maxRetries: 0, breaker: false },
        auth: { default: new TokenProviderAuth(() => `token-${++tokensIssued}`) },
        weights,
        concurrency: { uploads: { maxWeight: 100 } },
        manifest,
      }),
    );
    kernel.register(Ports.Transport, new UndiciTransport());
    holding.held.length = 0;
    const calls = [60, 30, 50, 20].map((size) => kernel.call('upload', { size }));
    await holding.heldCount(2);
    // 60 + 30 fit; 50 would make 140, so it waits, and 20 waits behind it (no barging).
    expect(holding.held.map((h) => h.size)).toEqual([60, 30]);
    // Requests still waiting for their permit were not built: no token was fetched for them.
    expect(tokensIssued).toBe(2);
    holding.held[0].release(); // 60 leaves: 30 + 50 + 20 = 100 fit
    await holding.heldCount(4);
    expect(holding.held.map((h) => h.size)).toEqual([60, 30, 50, 20]);
    expect(tokensIssued).toBe(4);
    for (const h of holding.held.slice(1)) h.release();
    await expect(Promise.all(calls)).resolves.toEqual([
      { size: 60 },
      { size: 30 },
      { size: 50 },
      { size: 20 },
    ]);
    await kernel.close();
  });

  it('after a backoff of the throttle bucket, admits calls through the throttled permits at a multiplied weight, for windowMs', async () => {
    const clock = new FakeClock();
    const kernel = createKernel().use(throttledJobs(20));
    kernel.register(Ports.Transport, new UndiciTransport());
    kernel.register(Ports.Clock, clock);
    holding.held.length = 0;
    const services = kernel.getServices();
    /** Resolves once one call queues on the named semaphore. */
    const waiting = async (name: string) => {
      while (services.semaphore(name, 1).waiting === 0) await new Promise((r) => setImmediate(r));
    };
    services.rateLimiter.backoff('uploads-429', 1_000);
    // Throttled: 2 permits, each call weighs 20× its size. Three size-1 calls (20 each): the permits
    // hold the third back.
    const byPermits = [1, 1, 1].map((size) => kernel.call('upload', { size }));
    await holding.heldCount(2);
    await waiting('jobs:uploads:throttled');
    expect(holding.held).toHaveLength(2);
    holding.held[0].release();
    await holding.heldCount(3);
    holding.held[1].release();
    holding.held[2].release();
    await Promise.all(byPermits);
    // Two size-3 calls (60 each of the 100 budget): the weight holds the second back.
    holding.held.length = 0;
    const byWeight = [3, 3].map((size) => kernel.call('upload', { size }));
    await holding.heldCount(1);
    await waiting('jobs:uploads:weight');
    expect(holding.held).toHaveLength(1);
    holding.held[0].release();
    await holding.heldCount(2);
    holding.held[1].release();
    await Promise.all(byWeight);
    // The window reopened 10 s ago: the normal limits apply again (5 × 2 bytes, 10 permits).
    await clock.advance(11_000);
    holding.held.length = 0;
    const normal = [2, 2, 2, 2, 2].map((size) => kernel.call('upload', { size }));
    await holding.heldCount(5);
    for (const h of holding.held) h.release();
    await Promise.all(normal);
    await kernel.close();
  });

  /**
   * FifoSemaphores that log each take (`tryAcquire count`, `acquire weight`, …); `tryAcquireOn` names the
   * semaphores that offer `tryAcquire` (the stage's synchronous path), the others only `acquire`.
   */
  const loggingSemaphores = (log: string[], tryAcquireOn: string[]): SemaphoreFactory => ({
    create: (capacity, name = '') => {
      const inner = new FifoSemaphore(capacity);
      const which = name.slice(name.lastIndexOf(':') + 1);
      const sem: Semaphore = {
        capacity,
        get available() {
          return inner.available;
        },
        get waiting() {
          return inner.waiting;
        },
        acquire: (weight, signal) => {
          log.push(`acquire ${which}`);
          return inner.acquire(weight, signal);
        },
      };
      if (tryAcquireOn.includes(which)) {
        sem.tryAcquire = (weight) => {
          log.push(`tryAcquire ${which}`);
          return inner.tryAcquire(weight);
        };
      }
      return sem;
    },
  });

  // The stage takes free permits without awaiting when the semaphores offer `tryAcquire` (FifoSemaphore),
  // and awaits `acquire` otherwise (a Redis semaphore): both must admit, hold and release alike.
  const withoutTryAcquire = loggingSemaphores([], []);

  it.each([
    ['semaphores with tryAcquire', undefined],
    ['semaphores without it', withoutTryAcquire],
  ])(
    'gives every permit back when a call fails, succeeds or its weight cannot be computed (%s)',
    async (_, factory) => {
      const kernel = createKernel().use(
        definePlugin({
          name: 'jobs',
          version: '1',
          defaults: { baseUrl: holding.url, maxRetries: 0, breaker: false },
          weights: {
            size: (context: { input: Record<string, unknown> }) => {
              if (context.input.size === 13) throw new Error('unlucky size');
              return Number(context.input.size);
            },
          },
          concurrency: { uploads: { maxConcurrent: 2, maxWeight: 100 } },
          manifest,
        }),
      );
      kernel.register(Ports.Transport, new UndiciTransport());
      if (factory) kernel.register(Ports.Semaphore, factory);
      const services = kernel.getServices();
      const count = services.semaphore('jobs:uploads:count', 2);
      const weight = services.semaphore('jobs:uploads:weight', 100);
      holding.held.length = 0;
      const ok = kernel.call('upload', { size: 40 });
      const unlucky = kernel.call('upload', { size: 13 });
      await expect(unlucky).rejects.toThrow('unlucky size');
      await holding.heldCount(1);
      expect([count.available, weight.available]).toEqual([1, 60]);
      // A second call fits beside the first; a third waits for a count permit.
      const second = kernel.call('upload', { size: 50 });
      await holding.heldCount(2);
      const third = kernel.call('upload', { size: 1 });
      holding.held[0].release();
      await holding.heldCount(3);
      holding.held[1].release();
      holding.held[2].release();
      await expect(Promise.all([ok, second, third])).resolves.toEqual([
        { size: 40 },
        { size: 50 },
        { size: 1 },
      ]);
      expect([count.available, weight.available, count.waiting]).toEqual([2, 100, 0]);
      // A call the server fails releases its permits too.
      const failed = kernel.call(
        'upload',
        { size: 30 },
        { baseUrl: `http://127.0.0.1:${await closedPort()}` },
      );
      await expect(failed).rejects.toThrow();
      expect([count.available, weight.available]).toEqual([2, 100]);
      await kernel.close();
    },
  );

  // Both paths must take the limits in one order (count, throttled, weight, then the rate-limit
  // window), including a call that starts on the synchronous path and finishes on the awaiting one.
  it.each([
    [
      'every semaphore offers tryAcquire',
      ['count', 'throttled', 'weight'],
      ['tryAcquire count', 'tryAcquire throttled', 'tryAcquire weight', 'rate limit'],
    ],
    ['none does', [], ['acquire count', 'acquire throttled', 'acquire weight', 'rate limit']],
    [
      'the weighted one does not',
      ['count', 'throttled'],
      [
        'tryAcquire count',
        'tryAcquire throttled',
        'acquire count',
        'acquire throttled',
        'acquire weight',
        'rate limit',
      ],
    ],
  ])(
    'takes count, throttled, weight, then the rate limit, in that order (%s)',
    async (_, tryAcquireOn, order) => {
      const log: string[] = [];
      const clock = new FakeClock();
      const kernel = createKernel().use(throttledJobs(2));
      const limiter = new WindowRateLimiter(clock);
      const logged: RateLimiter = {
        acquire: (bucket, options) => {
          log.push('rate limit');
          return limiter.acquire(bucket, options);
        },
        backoff: (bucket, ms) => limiter.backoff(bucket, ms),
        waitTime: (bucket) => limiter.waitTime(bucket),
        reopensAt: (bucket) => limiter.reopensAt(bucket),
      };
      kernel.register(Ports.Transport, new UndiciTransport());
      kernel.register(Ports.Clock, clock);
      kernel.register(Ports.RateLimiter, logged);
      kernel.register(Ports.Semaphore, loggingSemaphores(log, tryAcquireOn));
      limiter.backoff('uploads-429', 1_000); // throttled: the call takes all three semaphores
      holding.held.length = 0;
      const call = kernel.call('upload', { size: 3 });
      await holding.heldCount(1);
      holding.held[0].release();
      await expect(call).resolves.toEqual({ size: 3 });
      // The rate-limit stage (before this one) asks first; the semaphore stage asks again once it holds
      // its permits, as a 429 may have closed the window while it queued.
      expect(log).toEqual(['rate limit', ...order]);
      const weight = kernel.getServices().semaphore('jobs:uploads:weight', 100);
      expect(weight.available).toBe(100);
      await kernel.close();
    },
  );
});
