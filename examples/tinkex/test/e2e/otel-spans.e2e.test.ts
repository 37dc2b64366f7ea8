import { afterEach, describe, expect, it } from '@jest/globals';
import { APITimeoutError } from 'pristine-kernel';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OtelTelemetry, Ports } from 'pristine-kernel';
import { inMemoryTracing, useAsyncContext } from '../../../../test/support/otel-tracing.js';
import { API_KEY, bytes, setup } from './harness.js';

/*
 * OpenTelemetry spans as a user sees them: an application span around Tinkex calls parents the SDK's
 * spans (through the SDK's queues and awaits), while the SDK's own background traffic (telemetry POSTs,
 * heartbeats) starts traces of its own instead of joining the user's.
 */
useAsyncContext();

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c()));
  cleanup = [];
});

describe('OpenTelemetry spans of a Tinkex client', () => {
  it('nests calls under the user’s span, keeps telemetry POSTs out of it, and puts no secret on a span', async () => {
    const { provider, exporter, inAppSpan } = inMemoryTracing();
    const env = await setup(
      {},
      {
        telemetry: true,
        configureKernel: (kernel) =>
          kernel.register(Ports.Telemetry, new OtelTelemetry({ tracerProvider: provider })),
      },
    );
    cleanup.push(env.close);
    const inSpan = <T>(name: string, fn: () => Promise<T>) => inAppSpan(name, fn);

    const sampler = await inSpan('user.sampler', () =>
      env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' }),
    );
    await inSpan('user.sample', () =>
      sampler.sample({ prompt: bytes('The quick'), sampling_params: { max_tokens: 4 } }),
    );
    // A user error: the failing call sends its telemetry (and waits for it) before it rejects.
    const failure = await inSpan('user.bad', () =>
      env.service.createSamplingClient({ base_model: 'no-such-model' }).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    expect((failure as { status?: number }).status).toBe(400);
    await env.close();
    cleanup = [];

    const spans = exporter.getFinishedSpans();
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parent = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? '')?.name;
    const named = (name: string) => spans.filter((s) => s.name === name);
    expect(named('create_sampling_session').map(parent)).toEqual(['user.sampler', 'user.bad']);
    expect(named('asample').map(parent)).toEqual(['user.sample']);
    expect(named('retrieve_future').every((s) => parent(s) === 'user.sample')).toBe(true);
    const bad = named('create_sampling_session')[1];
    expect(bad.attributes['error.type']).toBe('400');

    const posts = named('telemetry');
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) expect(post.parentSpanContext).toBeUndefined();

    const recorded = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events, s.status]));
    expect(recorded).not.toContain(API_KEY);
    expect(recorded).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
  });

  it('records a request its call’s timeoutMs cut short as cut by that deadline, not as aborted by someone', async () => {
    const { provider, exporter } = inMemoryTracing();
    const env = await setup(
      {},
      {
        configureKernel: (kernel) =>
          kernel.register(Ports.Telemetry, new OtelTelemetry({ tracerProvider: provider })),
      },
    );
    cleanup.push(env.close);
    const sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    // The server holds the sample, so the deadline ends it in flight (close() drops the held request).
    env.emulator.setChaos('latency=60000ms@1;scope=sampling');
    const error = await sampler
      .sample({ prompt: bytes('The quick'), sampling_params: { max_tokens: 4 } }, { timeoutMs: 300 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APITimeoutError);
    await env.close();
    cleanup = [];

    const failed = exporter.getFinishedSpans().filter((s) => s.name.includes('asample'));
    expect(failed.map((s) => s.name).sort()).toEqual(['POST /api/v1/asample', 'asample']);
    for (const span of failed) {
      // The caller's message too (round 38: the abort's "Request was aborted: …" before).
      expect(span.status.message).toBe('sample did not finish within timeoutMs (300 ms)');
      expect(span.status.message).toBe((error as Error).message);
      // The very instance the caller got: its stack, not that of an abort, or of a timeout made after.
      expect(span.events[0]?.attributes?.['exception.stacktrace']).toBe((error as Error).stack);
      expect(span.events[0]?.attributes?.['exception.message']).toBe(span.status.message);
      // The class the caller got, not the abort the SDK used inside to stop the request (round 37).
      expect(span.attributes['error.type']).toBe('APITimeoutError');
    }
  });
});
