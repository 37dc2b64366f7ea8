import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Type } from '@sinclair/typebox';
import { OtelTelemetry } from '../../../src/adapters/telemetry/otel-telemetry.js';
import { BackoffRetry } from '../../../src/adapters/retry/backoff-retry.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { Ports } from '../../../src/ports/index.js';
import { RecordingClock } from '../../support/recording-clock.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

describe('telemetry through the pipeline', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  let calls = 0;
  beforeAll(async () => {
    server = await scriptedServer((_req, res) =>
      ++calls < 3 ? json(res, 503, { message: 'busy' }) : json(res, 200, { ok: true }),
    );
  });
  afterAll(() => server.close());

  it('records one call span and one HTTP span per attempt, named and counted as the HTTP conventions say, and puts a valid traceparent on the wire', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const clock = new RecordingClock();
    const kernel = createKernel().use(
      definePlugin({
        name: 'traced',
        version: '1',
        defaults: { baseUrl: `${server.url}/v1?api_key=abc`.replace('?api_key=abc', ''), breaker: false },
        manifest: {
          name: 'traced',
          version: '1',
          endpoints: [
            {
              id: 'ping',
              method: 'POST',
              path: '/ping',
              query: ['token'],
              input: Type.Object({ token: Type.String() }),
            },
          ],
        },
      }),
    );
    kernel.register(Ports.Telemetry, new OtelTelemetry({ tracerProvider: provider }));
    kernel.register(Ports.Clock, clock);
    kernel.register(Ports.Retry, new BackoffRetry(clock, undefined, () => 0));
    await kernel.call('ping', { token: 'very-secret-token' });
    await kernel.close();

    const spans = exporter.getFinishedSpans();
    const call = spans.find((s) => s.name === 'ping')!;
    const attempts = spans.filter((s) => s.name === 'POST /ping');
    expect(attempts).toHaveLength(3);
    for (const a of attempts)
      expect(a.parentSpanContext?.spanId ?? (a as any).parentSpanId).toBe(call.spanContext().spanId);
    expect(attempts.map((a) => a.attributes['http.response.status_code'])).toEqual([503, 503, 200]);
    // `http.request.resend_count` only on a resend; `url.template` as in the span's name.
    expect(attempts.map((a) => a.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2]);
    expect(attempts.every((a) => a.attributes['url.template'] === '/ping')).toBe(true);
    expect(call.attributes['http.request.resend_count']).toBe(2);
    expect(attempts[0].attributes['error.type']).toBe('503');
    expect(String(attempts[0].attributes['url.full'])).not.toContain('very-secret-token');
    expect(attempts[0].attributes['server.address']).toBe('127.0.0.1');
    expect(call.attributes['http.request.method']).toBe('POST');

    const traceparents = server.seen.map((s) => s.headers.traceparent as string);
    traceparents.forEach((tp, i) => {
      expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(tp.split('-')[1]).toBe(call.spanContext().traceId);
      expect(tp.split('-')[2]).toBe(attempts[i].spanContext().spanId);
    });
  });
});
