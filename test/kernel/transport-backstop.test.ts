import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
} from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { TRANSPORT_GRACE_MS } from '../../src/kernel/pipeline/stages/transport.js';
import { Ports } from '../../src/ports/index.js';
import type { Transport, TransportRequest, TransportResponse } from '../../src/ports/transport.js';

/**
 * A third-party adapter that breaks the port's contract: it ignores `timeoutMs` and the signal and
 * answers only when the test says so (or never).
 */
class DeafTransport implements Transport {
  readonly name = 'deaf';
  readonly requests: TransportRequest[] = [];
  cancelled = 0;
  private answer: ((response: TransportResponse) => void) | undefined;

  send(request: TransportRequest): Promise<TransportResponse> {
    this.requests.push(request);
    return new Promise((resolve) => (this.answer = resolve));
  }

  respond(): void {
    this.answer?.({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: (async function* () {
        yield Buffer.from('{}');
      })(),
      cancel: () => void this.cancelled++,
    });
  }
}

/** An adapter that says it keeps its own deadline (as the built-in ones do, see the contract tests). */
class SelfTimedTransport extends DeafTransport {
  readonly settlesAtDeadline = true;
}

/** An adapter with a whole-body read (`readAll`, as undici's) that fails with `failure`. */
class FailingReadTransport implements Transport {
  readonly name = 'failing-read';
  constructor(private readonly failure: unknown) {}

  send(): Promise<TransportResponse> {
    return Promise.resolve({
      status: 200,
      // With its length under the kernel's bound, the body is read by the adapter's whole-body read (one
      // without a length is read counting chunks, so that it can stop at the bound).
      headers: { 'content-type': 'application/json', 'content-length': '2' },
      body: (async function* () {})(),
      cancel: () => {},
      readAll: () => Promise.reject(this.failure),
    });
  }
}

function setup(transport = new DeafTransport()) {
  const kernel = createKernel({ maxRetries: 0, timeoutMs: 100, breaker: false }).use(
    definePlugin({
      name: 'p',
      version: '1',
      defaults: { baseUrl: 'http://127.0.0.1:9' },
      manifest: { name: 'p', version: '1', endpoints: [{ id: 'ping', method: 'GET', path: '/ping' }] },
    }),
  );
  kernel.register(Ports.Transport, transport);
  return { kernel, transport };
}

/** Resolves once the call reached the transport (the stages before it run on microtasks). */
async function reached(transport: DeafTransport): Promise<void> {
  while (transport.requests.length === 0) await new Promise((r) => setImmediate(r));
}

// The stage's timer is wall-clock, like the adapters' deadlines; Jest's fake timers drive it.
beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('transport stage: the kernel bounds adapters that ignore the contract', () => {
  it('times the attempt out at the deadline plus a grace period, and cancels an answer that comes later', async () => {
    const { kernel, transport } = setup();
    const call = kernel.call('ping', undefined as never);
    const outcome = call.then(
      () => 'resolved',
      (e: Error) => e,
    );
    await reached(transport);
    jest.advanceTimersByTime(100 + TRANSPORT_GRACE_MS - 1);
    await new Promise((r) => setImmediate(r));
    await expect(Promise.race([outcome, Promise.resolve('pending')])).resolves.toBe('pending');
    jest.advanceTimersByTime(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(APITimeoutError);
    expect((error as Error).message).toMatch(/transport 'deaf' did not settle/);
    transport.respond();
    await new Promise((r) => setImmediate(r));
    expect(transport.cancelled).toBe(1);
    await kernel.close();
  });

  it('ends the attempt as soon as the caller aborts', async () => {
    const { kernel, transport } = setup();
    const controller = new AbortController();
    const call = kernel.call('ping', undefined as never, { signal: controller.signal });
    await reached(transport);
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(APIUserAbortError);
    expect(jest.getTimerCount()).toBe(0); // the grace timer is gone with the attempt
    await kernel.close();
  });
  it('leaves an adapter that declares settlesAtDeadline to its own deadline: no second timer per attempt', async () => {
    const { kernel, transport } = setup(new SelfTimedTransport());
    const call = kernel.call('ping', undefined as never);
    await reached(transport);
    expect(jest.getTimerCount()).toBe(0);
    // Past the kernel's deadline plus grace the call is still the adapter's to settle.
    jest.advanceTimersByTime(100 + TRANSPORT_GRACE_MS + 1);
    transport.respond();
    await expect(call).resolves.toEqual({});
    await kernel.close();
  });

  it("keeps the typed failure of an adapter's whole-body read, and types a plain one as a broken read", async () => {
    const timeout = new APITimeoutError('Request timed out after 100 ms');
    const typed = setup(new FailingReadTransport(timeout) as never);
    await expect(typed.kernel.call('ping', undefined as never)).rejects.toBe(timeout);
    await typed.kernel.close();
    const plain = setup(new FailingReadTransport(new Error('other side closed')) as never);
    const error = await plain.kernel.call('ping', undefined as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toMatch(
      /Connection broke while reading the response: other side closed/,
    );
    await plain.kernel.close();
  });
});
