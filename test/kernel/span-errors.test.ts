import { afterEach, describe, expect, it } from '@jest/globals';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OtelTelemetry } from '../../src/adapters/telemetry/otel-telemetry.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { RecordingClock } from '../support/recording-clock.js';
import { inMemoryTracing } from '../support/otel-tracing.js';
import { scriptedServer, type Route } from '../support/scripted-server.js';

/*
 * A failed call's spans say what went wrong, as the OpenTelemetry conventions ask: an `exception` event
 * (`recordException`), an ERROR status with a message, and `error.type` (the HTTP status as a string, or
 * the error's class). A server may echo a credential in its error body: no span, event or stack trace
 * carries it, even with an adapter built without the kernel's secrets (`new OtelTelemetry()`, as the
 * guide registers it).
 */
const SECRET = 'sk-echoed-by-the-server-0123456789';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function failingCall(route: Route | 'refused', maxRetries = 1, stream = false) {
  let url = 'http://127.0.0.1:1';
  if (route !== 'refused') {
    const server = await scriptedServer(route);
    cleanups.push(server.close);
    url = server.url;
  }
  const { provider, spans } = inMemoryTracing();
  const kernel = createKernel({ logLevel: 'off', maxRetries }).use(
    definePlugin({
      name: 'svc',
      version: '1',
      defaults: { baseUrl: url, breaker: false },
      manifest: {
        name: 'svc',
        version: '1',
        endpoints: [
          { id: 'ping', method: 'GET', path: '/ping' },
          { id: 'feed', method: 'GET', path: '/feed', stream: { errorEvent: 'error' } },
        ],
      },
    }),
  );
  kernel.secrets.add(SECRET);
  kernel.register(Ports.Telemetry, new OtelTelemetry({ tracerProvider: provider }));
  kernel.register(Ports.Clock, new RecordingClock());
  const read = async () => {
    for await (const _ of kernel.stream('feed', undefined as never));
  };
  const error = await (stream ? read() : kernel.call('ping', undefined as never)).then(
    () => new Error('no failure'),
    (e: unknown) => e as Error,
  );
  await kernel.close();
  const call = spans().find((s) => s.name === (stream ? 'feed stream' : 'ping'))!;
  const attempts = spans().filter((s) => s.name === 'GET /ping');
  return { error, call, attempts };
}

function exceptionOf(span: ReadableSpan) {
  const events = span.events.filter((e) => e.name === 'exception');
  expect(events).toHaveLength(1);
  return events[0].attributes!;
}

describe('the spans of a failed call', () => {
  it('record the exception, an ERROR status and error.type = the status, with no echoed secret', async () => {
    const { error, call, attempts } = await failingCall((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: `upstream refused key ${SECRET}` }));
    });
    expect(attempts).toHaveLength(2);
    for (const span of [call, ...attempts]) {
      expect(span.attributes['error.type']).toBe('503');
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.status.message).toMatch(/^503 upstream refused key /);
      const exception = exceptionOf(span);
      expect(exception['exception.type']).toBe('InternalServerError');
      expect(exception['exception.message']).toBe(span.status.message);
      expect(exception['exception.stacktrace']).toMatch(/^InternalServerError: 503 upstream refused key /);
      expect(JSON.stringify([span.attributes, span.status, span.events])).not.toContain(SECRET);
    }
    // What the caller gets is scrubbed the same way.
    expect(error.message).not.toContain(SECRET);
  });

  it('record a connection error by its class, on the call and on each attempt', async () => {
    const { call, attempts } = await failingCall('refused');
    expect(attempts).toHaveLength(2);
    for (const span of [call, ...attempts]) {
      expect(span.attributes['error.type']).toBe('APIConnectionError');
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(exceptionOf(span)['exception.type']).toBe('APIConnectionError');
    }
  });

  it("record a stream's error event on the stream's span, scrubbed", async () => {
    const { error, call } = await failingCall(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`event: error\ndata: {"message":"key ${SECRET} revoked"}\n\n`);
      },
      1,
      true,
    );
    expect(error.name).toBe('StreamEventError');
    expect(call.attributes['error.type']).toBe('StreamEventError');
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
    expect(exceptionOf(call)['exception.type']).toBe('StreamEventError');
    expect(JSON.stringify([call.attributes, call.status, call.events])).not.toContain(SECRET);
  });
});
