import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import {
  AjvJsonSerializer,
  BackoffRetry,
  CockatielBreakerRegistry,
  FifoSemaphoreFactory,
  FormDataMultipart,
  GotTransport,
  JsonLogger,
  Kernel,
  MemoryTransport,
  NoAuth,
  NoopTelemetry,
  Ports,
  SseStreaming,
  SystemClock,
  UndiciTransport,
  ValidationError,
  WindowRateLimiter,
  ZlibCompression,
  createKernel,
  definePlugin,
  type SemaphoreFactory,
} from '../../src/index.js';
import { defaultCompositionRoot } from '../../src/defaults/composition-root.js';
import type { CompositionRoot, DefaultAdapterContext } from '../../src/kernel/composition-root.js';
import { Kernel as PortsKernel } from '../../src/kernel/kernel.js';
import { useHoldingServer } from '../support/holding-server.js';

const holding = useHoldingServer();

/** A real FIFO factory that remembers the capacity of each semaphore it made. */
function recordingFactory(): SemaphoreFactory & { made: number[] } {
  const inner = new FifoSemaphoreFactory();
  const made: number[] = [];
  return { made, create: (capacity) => (made.push(capacity), inner.create(capacity)) };
}

const jobs = definePlugin({
  name: 'jobs',
  version: '1',
  defaults: { baseUrl: 'http://127.0.0.1:1', maxRetries: 0, breaker: false },
  manifest: {
    name: 'jobs',
    version: '1',
    endpoints: [
      { id: 'job', method: 'POST' as const, path: '/jobs', input: Type.Object({ size: Type.Integer() }) },
    ],
  },
});

describe('the composition root (the kernel imports no adapter; the package entry passes the defaults)', () => {
  it("the package's Kernel and createKernel start with the default adapter of every port", async () => {
    const expected: [symbol, new (...args: never[]) => unknown][] = [
      [Ports.Transport, GotTransport],
      [Ports.Retry, BackoffRetry],
      [Ports.CircuitBreaker, CockatielBreakerRegistry],
      [Ports.RateLimiter, WindowRateLimiter],
      [Ports.Semaphore, FifoSemaphoreFactory],
      [Ports.Serializer, AjvJsonSerializer],
      [Ports.Telemetry, NoopTelemetry],
      [Ports.Auth, NoAuth],
      [Ports.Compression, ZlibCompression],
      [Ports.Multipart, FormDataMultipart],
      [Ports.Streaming, SseStreaming],
      [Ports.Clock, SystemClock],
      [Ports.Logger, JsonLogger],
    ];
    for (const kernel of [new Kernel(), createKernel(), createKernel().use(jobs)]) {
      expect(kernel).toBeInstanceOf(Kernel);
      for (const [token, adapter] of expected) expect(kernel.resolve(token)).toBeInstanceOf(adapter);
      await kernel.close();
    }
    // The options are checked as before, whichever way the kernel is made.
    expect(() => new Kernel({ timeoutMs: -1 })).toThrow(ValidationError);
    expect(() => createKernel({ shared: { redis: 'not a url' } })).toThrow(ValidationError);
  });

  it('a kernel has what its root binds and nothing else, told its settings and log level', async () => {
    const transport = new MemoryTransport(() => ({ status: 200, body: {} }));
    const told: DefaultAdapterContext[] = [];
    const root: CompositionRoot = {
      bindDefaults: (container, context) => {
        told.push(context);
        container.register(Ports.Transport, { useValue: transport });
      },
      bindShared: () => {
        throw new Error('not asked for');
      },
      localSemaphores: new FifoSemaphoreFactory(),
    };
    const kernel = new PortsKernel(root, { timeoutMs: 1234, logLevel: 'debug' });
    expect(kernel.resolve(Ports.Transport)).toBe(transport);
    expect(() => kernel.resolve(Ports.Retry)).toThrow();
    expect(told).toEqual([expect.objectContaining({ logLevel: 'debug' })]);
    expect(told[0].settings.timeoutMs).toBe(1234);
    // Not closed: close() resolves every port, and this kernel has a transport only (it opened nothing).
  });

  it("the connection gate queues on the root's in-process semaphores, never on the bound Semaphore adapter", async () => {
    // With `shared`, the bound Semaphore adapter is the fleet's (Redis): the gate mirrors this process's
    // connection pool and must stay in-process.
    const local = recordingFactory();
    const bound = recordingFactory();
    const kernel = new PortsKernel({ ...defaultCompositionRoot, localSemaphores: local }).use(jobs);
    kernel.register(Ports.Transport, new UndiciTransport({ connections: 1 }));
    kernel.register(Ports.Semaphore, bound);
    const calls = [1, 2].map((size) => kernel.call('job', { size }, { baseUrl: holding.url }));
    await holding.heldCount(1);
    // The second call waits in the gate (one connection), in front of the request.
    expect(holding.held.map((h) => h.size)).toEqual([1]);
    expect({ local: local.made, bound: bound.made }).toEqual({ local: [1], bound: [] });
    holding.held[0].release();
    await holding.heldCount(2);
    holding.held[1].release();
    await expect(Promise.all(calls)).resolves.toEqual([{ size: 1 }, { size: 2 }]);
    await kernel.close();
  });
});
