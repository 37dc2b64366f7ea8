import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { MemoryTransport, type MemoryResponse } from '../../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { ValidationError } from '../../../src/kernel/errors/validation-error.js';
import { IdleWaitError } from '../../../src/kernel/idle/idle-error.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import type { PollProtocol } from '../../../src/ports/futures.js';
import { Ports } from '../../../src/ports/index.js';

/**
 * `kernel.idle()`: a service draining before close() waits for its calls and futures to settle. Every
 * answer here is held until the test releases it, so "in flight" is exactly what the test says.
 */
interface Held {
  path: string;
  answer(response?: MemoryResponse): void;
}

const protocol: PollProtocol<{ n: number }> = {
  pollEndpoint: 'poll',
  requestId: (body) => (body as { id: string }).id,
  pollInput: ({ requestId }) => ({ id: requestId }),
  read: (body) => ({ state: 'complete', value: (body as { result: { n: number } }).result }),
  onExpired: 'fail',
};

function setup() {
  const held: Held[] = [];
  const transport = new MemoryTransport(
    (request) =>
      new Promise<MemoryResponse>((resolve) =>
        held.push({
          path: new URL(request.url).pathname,
          answer: (response = { status: 200, body: { id: 'r1', result: { n: 1 } } }) => resolve(response),
        }),
      ),
  );
  const kernel = createKernel({ logLevel: 'off' }).use(
    definePlugin({
      name: 'jobs',
      version: '1',
      defaults: { baseUrl: 'http://jobs.test', breaker: false, maxRetries: 0 },
      pollProtocols: { jobs: protocol },
      manifest: {
        name: 'jobs',
        version: '1',
        endpoints: [
          { id: 'job', method: 'POST' as const, path: '/job', input: Type.Object({}) },
          { id: 'start', method: 'POST' as const, path: '/start', input: Type.Object({}), future: 'jobs' },
          { id: 'poll', method: 'POST' as const, path: '/poll', input: Type.Object({ id: Type.String() }) },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, transport);
  kernel.register(Ports.Clock, new SystemClock());
  return { kernel, held };
}

/** Whether `promise` settled by now (after the pending microtasks ran). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 50; i++) await Promise.resolve();
  return done;
}

async function heldCount(held: Held[], n: number): Promise<void> {
  for (let i = 0; i < 200 && held.length < n; i++) await Promise.resolve();
  expect(held).toHaveLength(n);
}

afterEach(() => {
  jest.useRealTimers();
});

describe('kernel.idle()', () => {
  it('resolves at once when nothing is in flight', async () => {
    const { kernel } = setup();
    expect(kernel.inFlightCount).toBe(0);
    await expect(kernel.idle()).resolves.toBeUndefined();
    await kernel.close();
  });

  it('resolves only once every call settled, a failed one included', async () => {
    const { kernel, held } = setup();
    const first = kernel.call('job', {});
    const second = kernel.call('job', {}).catch((error: unknown) => error);
    await heldCount(held, 2);
    const idle = kernel.idle();
    expect(kernel.inFlightCount).toBe(2);
    held[0].answer();
    await first;
    expect(await settled(idle)).toBe(false);
    held[1].answer({ status: 400, body: { error: 'no' } });
    await second;
    await expect(idle).resolves.toBeUndefined();
    expect(kernel.inFlightCount).toBe(0);
    await kernel.close();
  });

  it('waits for a future until its result came, not only for its submission', async () => {
    const { kernel, held } = setup();
    const future = kernel.submit<{ n: number }>('start', {});
    await heldCount(held, 1);
    held[0].answer();
    await future.accepted;
    const idle = kernel.idle();
    await heldCount(held, 2);
    expect(held[1].path).toBe('/poll');
    expect(await settled(idle)).toBe(false);
    held[1].answer();
    await expect(future).resolves.toEqual({ n: 1 });
    await expect(idle).resolves.toBeUndefined();
    await kernel.close();
  });

  it('does not wait for background calls (parentSpan: null: heartbeats, telemetry flushes)', async () => {
    const { kernel, held } = setup();
    const background = kernel.call('job', {}, { parentSpan: null }).catch(() => undefined);
    await heldCount(held, 1);
    expect(kernel.inFlightCount).toBe(0);
    await expect(kernel.idle()).resolves.toBeUndefined();
    held[0].answer();
    await background;
    await kernel.close();
  });

  it('does not block new calls, and waits for them too', async () => {
    const { kernel, held } = setup();
    const first = kernel.call('job', {});
    await heldCount(held, 1);
    const idle = kernel.idle();
    const later = kernel.call('job', {});
    await heldCount(held, 2);
    held[0].answer();
    await first;
    expect(await settled(idle)).toBe(false);
    held[1].answer();
    await later;
    await expect(idle).resolves.toBeUndefined();
    await kernel.close();
  });

  it('rejects with IdleWaitError naming timeoutMs once the bound passed, and cancels nothing', async () => {
    jest.useFakeTimers();
    const { kernel, held } = setup();
    const call = kernel.call('job', {}, { timeoutMs: 600_000 });
    await heldCount(held, 1);
    const idle = kernel.idle({ timeoutMs: 5_000 });
    const outcome = idle.catch((error: unknown) => error);
    jest.advanceTimersByTime(4_999);
    expect(await settled(idle)).toBe(false);
    jest.advanceTimersByTime(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(IdleWaitError);
    expect(error).toMatchObject({ bound: 'timeoutMs', inFlight: { calls: 1, futures: 0, operations: 0 } });
    expect((error as Error).message).toMatch(/timeoutMs 5000 ms: 1 call still in flight \(not cancelled/);
    // The call goes on, and a later idle() still sees it.
    expect(kernel.inFlightCount).toBe(1);
    held[0].answer();
    await expect(call).resolves.toEqual({ id: 'r1', result: { n: 1 } });
    await expect(kernel.idle({ timeoutMs: 5_000 })).resolves.toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
    await kernel.close();
  });

  it('rejects with IdleWaitError naming the signal when it aborts', async () => {
    const { kernel, held } = setup();
    const call = kernel.call('job', {});
    await heldCount(held, 1);
    const controller = new AbortController();
    const idle = kernel.idle({ signal: controller.signal });
    controller.abort(new Error('shutdown hurried'));
    await expect(idle).rejects.toMatchObject({
      name: 'IdleWaitError',
      bound: 'signal',
      inFlight: { calls: 1 },
    });
    await expect(kernel.idle({ signal: controller.signal })).rejects.toMatchObject({ bound: 'signal' });
    held[0].answer();
    await call;
    await kernel.close();
  });

  // Round 34: one count over nested units read 300 pending samples (each an operation with its call and
  // its future) as 900. The error counts per kind, so an operation reads as one operation.
  it("counts per kind: a plugin's operations, apart from the calls and futures they make", async () => {
    const { kernel, held } = setup();
    const clock = new FakeClock();
    kernel.register(Ports.Clock, clock);
    const operations = [0, 1, 2].map(() =>
      kernel.trackInFlight(kernel.submit<{ n: number }>('start', {}).then((r) => r)),
    );
    await heldCount(held, 3);
    const outcome = kernel.idle({ timeoutMs: 1_000 }).catch((error: unknown) => error);
    await clock.advance(1_000);
    const error = (await outcome) as IdleWaitError;
    expect(error.inFlight).toEqual({ operations: 3, calls: 3, futures: 3, streams: 0 });
    expect(error.message).toBe(
      // Round 34 probe: it read "3 operations, 3 calls, 3 futures still in flight, the operations’ own
      // among them": a person read 9 things in flight. The operations first, the nested counts said apart.
      'Stopped waiting for idle after timeoutMs 1000 ms: 3 operations still in flight, ' +
        'with 3 calls, 3 futures (their own among these, not more work) (not cancelled; close() cancels them)',
    );
    for (const h of held.splice(0)) h.answer();
    await heldCount(held, 3); // the polls
    for (const h of held) h.answer();
    await Promise.all(operations);
    await kernel.idle();
    await kernel.close();
  });

  it('checks timeoutMs before waiting', async () => {
    const { kernel } = setup();
    for (const timeoutMs of [-1, Number.NaN, Infinity]) {
      const error = await kernel.idle({ timeoutMs }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain('/timeoutMs');
      expect((error as ValidationError).issues).toMatchObject([{ pointer: '/timeoutMs', rule: 'range' }]);
    }
    await kernel.close();
  });

  it('refuses a timeoutMs that is no number under rule type, not range', async () => {
    const { kernel } = setup();
    for (const timeoutMs of ['5', null, {}]) {
      const error = await kernel.idle({ timeoutMs: timeoutMs as unknown as number }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toMatchObject([
        { pointer: '/timeoutMs', rule: 'type', message: expect.stringContaining('must be a number') },
      ]);
    }
    await kernel.close();
  });

  it('resolves once close() cancelled the futures still pending', async () => {
    const { kernel, held } = setup();
    const future = kernel.submit('start', {});
    const failed = future.then(undefined, (error: unknown) => error);
    await heldCount(held, 1);
    const idle = kernel.idle();
    await kernel.close();
    expect(await failed).toMatchObject({ name: 'FutureCancelledError' });
    await expect(idle).resolves.toBeUndefined();
    held[0].answer(); // the memory transport's own timer for the request ends with it
  });
});
