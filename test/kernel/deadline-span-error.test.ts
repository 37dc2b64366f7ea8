import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { OtelTelemetry } from '../../src/adapters/telemetry/otel-telemetry.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { APITimeoutError, APIUserAbortError } from '../../src/kernel/errors/api-errors.js';
import { Ports } from '../../src/ports/index.js';
import { inMemoryTracing } from '../support/otel-tracing.js';
import { scriptedServer } from '../support/scripted-server.js';
import { thingsPlugin } from './fixtures/things-plugin.js';

/*
 * Round 37's review: a call stopped by a client's per-call `timeoutMs` (its signal aborted with an
 * APITimeoutError) ends inside the pipeline as an APIUserAbortError, while the caller gets the
 * APITimeoutError; the OTel adapter unwrapped it by importing kernel error classes, and the span still
 * said "Request was aborted: …", not the caller's message. The kernel now hands the telemetry port the
 * error the caller gets: the APITimeoutError instance itself.
 */
let server: Awaited<ReturnType<typeof scriptedServer>>;
let arrived: () => void;
const requestArrived = new Promise<void>((resolve) => (arrived = resolve));

beforeAll(async () => {
  // Holds every request: only the deadline ends the call (close() drops the held one).
  server = await scriptedServer(() => arrived());
});
afterAll(() => server.close());

it("ends the call and attempt spans of a call stopped by its deadline with the deadline's APITimeoutError", async () => {
  const { provider, spans } = inMemoryTracing();
  const kernel = createKernel({ maxRetries: 0 }).use(thingsPlugin({ defaults: { baseUrl: server.url } }));
  kernel.register(Ports.Telemetry, new OtelTelemetry({ tracerProvider: provider }));
  try {
    const deadline = new AbortController();
    const call = kernel.call('get_thing', { id: 't1' }, { signal: deadline.signal }).catch((e: unknown) => e);
    await requestArrived;
    const timeout = new APITimeoutError('get_thing did not finish within timeoutMs (300 ms)');
    deadline.abort(timeout);
    // What kernel.call rejects with is unchanged (the client turns it into the timeout).
    const error = await call;
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as Error).cause).toBe(timeout);

    const ended = spans().filter((s) => s.name.includes('thing'));
    expect(ended).toHaveLength(2);
    for (const span of ended) {
      expect(span.attributes['error.type']).toBe('APITimeoutError');
      expect(span.status.message).toBe(timeout.message);
      // The instance itself: its own stack, not that of an abort error made from it.
      expect(span.events[0]?.attributes?.['exception.stacktrace']).toBe(timeout.stack);
    }
  } finally {
    await kernel.close();
  }
});
