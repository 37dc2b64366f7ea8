import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Type } from '@sinclair/typebox';
import { OtelTelemetry } from '../../src/adapters/telemetry/otel-telemetry.js';
import { SystemClock } from '../../src/adapters/clock/system-clock.js';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { inMemoryTracing, useAsyncContext } from '../support/otel-tracing.js';
import { scriptedServer } from '../support/scripted-server.js';
import { beatingSessionProtocol, sessionEndpoints } from '../support/session-plugin.js';

/*
 * Which span a call's span nests under, with a real async context manager (as an application that
 * registers the OTel Node SDK has): the caller's active span by default, through every await of the
 * pipeline; the stream's span for a stream's connection; none for background work (heartbeats).
 */
useAsyncContext();
afterEach(() => {
  jest.useRealTimers();
});

function tracing() {
  const { provider, spans, inAppSpan } = inMemoryTracing();
  const named = (name: string) => spans().filter((s) => s.name === name);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  return { telemetry: new OtelTelemetry({ tracerProvider: provider }), named, parentOf, inAppSpan };
}

const sessionProtocol = beatingSessionProtocol;

function kernelFor(baseUrl: string, telemetry: OtelTelemetry) {
  const plugin = definePlugin({
    name: 'traced',
    version: '1',
    defaults: { baseUrl, breaker: false },
    sessionProtocols: { main: sessionProtocol },
    manifest: {
      name: 'traced',
      version: '1',
      endpoints: [
        { id: 'ping', method: 'POST', path: '/ping' },
        ...sessionEndpoints(Type.Object({})),
        { id: 'ticks', method: 'POST', path: '/ticks', stream: { terminator: '[DONE]' } },
      ],
    },
  });
  const kernel = createKernel({ logLevel: 'off' }).use(plugin);
  kernel.register(Ports.Telemetry, telemetry);
  return kernel;
}

describe('span parents', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((req, res) => {
      if (req.path === '/ticks') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"s1"}');
      }
    });
  });
  afterAll(() => server.close());

  it('nests a call under the caller’s active span, across the pipeline’s awaits', async () => {
    const { telemetry, named, parentOf, inAppSpan } = tracing();
    const kernel = kernelFor(server.url, telemetry);
    const app = await inAppSpan('app', async (span) => {
      await kernel.call('ping', {});
      return span;
    });
    await kernel.close();
    expect(parentOf(named('ping')[0])).toBe(app.spanContext().spanId);
  });

  it('nests a call under the span given as `parentSpan`, or under none with `parentSpan: null`', async () => {
    const { telemetry, named, parentOf, inAppSpan } = tracing();
    const kernel = kernelFor(server.url, telemetry);
    const mine = telemetry.startCall('my operation', {});
    await inAppSpan('app', async () => {
      await kernel.call('ping', {}, { parentSpan: mine });
      await kernel.call('ping', {}, { parentSpan: null });
    });
    mine.end();
    await kernel.close();
    const [underMine, detached] = named('ping');
    expect(parentOf(underMine)).toBe(named('my operation')[0].spanContext().spanId);
    expect(parentOf(detached)).toBeUndefined();
    expect(detached.spanContext().traceId).not.toBe(named('app')[0].spanContext().traceId);
    // Its attempts still nest under it.
    const attempts = named('POST /ping');
    expect(parentOf(attempts[1])).toBe(detached.spanContext().spanId);
  });

  it('refuses a `parentSpan` that is not a span, naming the option', async () => {
    const { telemetry } = tracing();
    const kernel = kernelFor(server.url, telemetry);
    await expect(kernel.call('ping', {}, { parentSpan: 'abc' as never })).rejects.toThrow(/parentSpan/);
    await kernel.close();
  });

  it('nests a stream’s connection under the stream’s span, itself under the caller’s', async () => {
    const { telemetry, named, parentOf, inAppSpan } = tracing();
    const kernel = kernelFor(server.url, telemetry);
    const app = await inAppSpan('app', async (span) => {
      for await (const event of kernel.stream('ticks', {})) void event;
      return span;
    });
    await kernel.close();
    const stream = named('ticks stream')[0];
    expect(parentOf(stream)).toBe(app.spanContext().spanId);
    expect(parentOf(named('ticks')[0])).toBe(stream.spanContext().spanId);
    expect(parentOf(named('POST /ticks')[0])).toBe(named('ticks')[0].spanContext().spanId);
  });

  it('starts each heartbeat’s span as a trace of its own, not under the span that opened the session', async () => {
    jest.useFakeTimers();
    const { telemetry, named, parentOf, inAppSpan } = tracing();
    const kernel = kernelFor('http://s.test', telemetry);
    kernel.register(
      Ports.Transport,
      new MemoryTransport(() => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"id":"s1"}',
      })),
    );
    kernel.register(Ports.Clock, new SystemClock());
    // The session's timer is created, and here also fires, inside the application's span.
    await inAppSpan('app', async () => {
      await kernel.sessions.open(sessionProtocol, {});
      jest.advanceTimersByTime(10_000);
      for (let i = 0; i < 30; i++) await Promise.resolve();
    });
    await kernel.close();
    const app = named('app')[0];
    expect(parentOf(named('open')[0])).toBe(app.spanContext().spanId);
    const [beat] = named('beat');
    expect(beat).toBeDefined();
    expect(parentOf(beat)).toBeUndefined();
    expect(beat.spanContext().traceId).not.toBe(app.spanContext().traceId);
  });
});
