import { afterEach, describe, expect, it } from '@jest/globals';
import {
  context,
  ROOT_CONTEXT,
  propagation,
  type Context,
  type ContextManager,
  SpanKind,
  SpanStatusCode,
  trace,
  type TextMapPropagator,
  type TracerProvider,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OtelTelemetry } from '../../../src/adapters/telemetry/otel-telemetry.js';
import { NoopTelemetry } from '../../../src/adapters/telemetry/noop-telemetry.js';
import { APIConnectionError, APITimeoutError, statusError } from '../../../src/kernel/errors/api-errors.js';
import { abortErrorFor } from '../../../src/kernel/signals/abort-error-for.js';
import { REDACTED, SecretRegistry } from '../../../src/kernel/redact.js';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

function setup(options: { secrets?: SecretRegistry } = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const telemetry = new OtelTelemetry({ tracerProvider: provider, ...options });
  const span = (name: string): ReadableSpan => {
    const found = exporter.getFinishedSpans().find((s) => s.name === name);
    if (!found) throw new Error(`no finished span ${name}`);
    return found;
  };
  return { exporter, provider, telemetry, span };
}

afterEach(() => {
  propagation.disable();
  context.disable();
});

describe('OtelTelemetry', () => {
  // As Azure's core-tracing does: only the HTTP request is a CLIENT span. Nested CLIENT spans read as two
  // outgoing calls to backends that draw service maps.
  it('makes an INTERNAL call span with a CLIENT child span per attempt', () => {
    const { telemetry, span } = setup();
    const call = telemetry.startCall('things.create', { 'http.request.method': 'POST' });
    for (const attempt of [0, 1]) {
      const child = telemetry.startAttempt(call, `things.create attempt ${attempt}`, {
        'http.request.resend_count': attempt,
      });
      child.end();
    }
    call.end();

    const parent = span('things.create');
    const first = span('things.create attempt 0');
    const second = span('things.create attempt 1');
    expect(parent.kind).toBe(SpanKind.INTERNAL);
    expect(first.kind).toBe(SpanKind.CLIENT);
    expect(second.kind).toBe(SpanKind.CLIENT);
    for (const child of [first, second]) {
      expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
      expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    }
    expect(parent.parentSpanContext).toBeUndefined();
  });

  it('nests the call span under the application’s active span', () => {
    // A minimal synchronous context manager, so the test does not depend on async_hooks packages.
    let active: Context = ROOT_CONTEXT;
    const manager: ContextManager = {
      active: () => active,
      with(ctx, fn, thisArg, ...args) {
        const previous = active;
        active = ctx;
        try {
          return fn.call(thisArg, ...args);
        } finally {
          active = previous;
        }
      },
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    context.setGlobalContextManager(manager);
    const { telemetry, provider, span } = setup();
    const appSpan = provider.getTracer('app').startSpan('app operation');
    const call = context.with(trace.setSpan(context.active(), appSpan), () => telemetry.startCall('c', {}));
    const attempt = telemetry.startAttempt(call, 'a', {});
    attempt.end();
    call.end();
    appSpan.end();
    expect(span('c').parentSpanContext?.spanId).toBe(appSpan.spanContext().spanId);
    expect(span('a').parentSpanContext?.spanId).toBe(span('c').spanContext().spanId);
  });

  it('sets HTTP semantic-convention attributes, redacting url.full and dropping undefined', () => {
    const { telemetry, span } = setup();
    const call = telemetry.startCall('call', { 'http.request.method': 'GET' });
    const attempt = telemetry.startAttempt(call, 'attempt', {
      'http.request.method': 'GET',
      'url.full': 'https://user:pw@api.example.com:8443/v1/x?api_key=abc&page=2',
      'server.address': 'api.example.com',
      'server.port': 8443,
      'http.request.resend_count': 2,
      'pristine.unset': undefined,
    });
    attempt.setAttributes({ 'http.response.status_code': 200, 'url.full': 'https://h/?token=t' });
    attempt.end();
    call.end();
    expect(span('attempt').attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': `https://h/?token=${REDACTED}`,
      'server.address': 'api.example.com',
      'server.port': 8443,
      'http.request.resend_count': 2,
      'http.response.status_code': 200,
    });
    const started = telemetry.startCall('second', { 'url.full': 'https://user:pw@h/?api_key=abc' });
    started.end();
    expect(span('second').attributes['url.full']).toBe(`https://***:***@h/?api_key=${REDACTED}`);
  });

  it('records errors as an exception event, ERROR status and error.type, scrubbing the message', () => {
    const secrets = new SecretRegistry();
    secrets.add('sk-telemetry-secret');
    const { telemetry, span } = setup({ secrets });
    const http = telemetry.startCall('http', {});
    http.recordError(statusError(503, 'unavailable', {}));
    http.end();
    const network = telemetry.startCall('network', {});
    network.recordError(new APIConnectionError('refused with sk-telemetry-secret'));
    network.end();
    const odd = telemetry.startCall('odd', {});
    odd.recordError('a string');
    odd.end();

    expect(span('http').status.code).toBe(SpanStatusCode.ERROR);
    expect(span('http').attributes['error.type']).toBe('503');
    expect(span('network').attributes['error.type']).toBe('APIConnectionError');
    expect(span('network').status).toEqual({
      code: SpanStatusCode.ERROR,
      message: `refused with ${REDACTED}`,
    });
    expect(span('odd').attributes['error.type']).toBe('_OTHER');
    // An `exception` event each (recordException), scrubbed in its message and in its stack alike.
    const exception = (name: string) => span(name).events.find((e) => e.name === 'exception')!.attributes!;
    expect(exception('http')['exception.type']).toBe('InternalServerError');
    expect(exception('network')).toMatchObject({
      'exception.type': 'APIConnectionError',
      'exception.message': `refused with ${REDACTED}`,
    });
    expect(exception('network')['exception.stacktrace']).toMatch(/^APIConnectionError: refused with /);
    expect(JSON.stringify(span('network').events)).not.toContain('sk-telemetry-secret');
    expect(exception('odd')).toMatchObject({ 'exception.type': '_OTHER', 'exception.message': 'a string' });
  });

  // Round 37's case (a call its own deadline stopped, recorded as APIUserAbortError) is the kernel's now:
  // it hands the port the caller's APITimeoutError (test/kernel/deadline-span-error.test.ts, round 38).
  it('gives error.type the class of the error it is handed, an abort too', () => {
    const { telemetry, span } = setup();
    const timedOut = telemetry.startCall('timed-out', {});
    timedOut.recordError(new APITimeoutError('sample did not finish within timeoutMs (300 ms)'));
    timedOut.end();
    const cancelled = telemetry.startCall('cancelled', {});
    cancelled.recordError(abortErrorFor(AbortSignal.abort()));
    cancelled.end();
    expect(span('timed-out').attributes['error.type']).toBe('APITimeoutError');
    expect(span('timed-out').status.message).toBe('sample did not finish within timeoutMs (300 ms)');
    expect(span('cancelled').attributes['error.type']).toBe('APIUserAbortError');
  });

  it('injects a W3C traceparent for the attempt span without any global propagator', () => {
    const { telemetry, span } = setup();
    const call = telemetry.startCall('call', {});
    const attempt = telemetry.startAttempt(call, 'attempt', {});
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    telemetry.inject(attempt, headers);
    attempt.end();
    call.end();
    expect(headers.traceparent).toMatch(TRACEPARENT);
    const [, traceId, spanId, flags] = headers.traceparent!.split('-');
    expect(traceId).toBe(span('attempt').spanContext().traceId);
    expect(spanId).toBe(span('attempt').spanContext().spanId);
    expect(flags).toBe('01');
    expect(headers).not.toHaveProperty('tracestate');
  });

  it('lets a registered global propagator add its own headers too', () => {
    const extra: TextMapPropagator = {
      inject: (_ctx, carrier, setter) => setter.set(carrier, 'baggage', 'tenant=a'),
      extract: (ctx) => ctx,
      fields: () => ['baggage'],
    };
    propagation.setGlobalPropagator(extra);
    const { telemetry } = setup();
    const call = telemetry.startCall('call', {});
    const headers: Record<string, string> = {};
    telemetry.inject(call, headers);
    call.end();
    expect(headers).toMatchObject({ traceparent: expect.stringMatching(TRACEPARENT), baggage: 'tenant=a' });
  });

  it('injects nothing for spans it did not make, or when tracing is a no-op', () => {
    const { telemetry } = setup();
    const headers: Record<string, string> = {};
    telemetry.inject(new NoopTelemetry().startCall(), headers);
    const global = new OtelTelemetry(); // the API's default global provider makes invalid spans
    const span = global.startCall('call', {});
    global.inject(global.startAttempt(span, 'attempt', {}), headers);
    span.end();
    expect(headers).toEqual({});
  });

  it('never throws out of the adapter when the tracer or the exporter throws', () => {
    const throwingProvider: TracerProvider = {
      getTracer() {
        throw new Error('provider broken');
      },
    };
    const broken = new OtelTelemetry({ tracerProvider: throwingProvider });
    const headers: Record<string, string> = {};
    expect(() => {
      const call = broken.startCall('call', {});
      const attempt = broken.startAttempt(call, 'attempt', {});
      broken.inject(attempt, headers);
      attempt.setAttributes({ a: 1 });
      attempt.recordError(new Error('x'));
      attempt.end();
      call.end();
    }).not.toThrow();
    expect(headers).toEqual({});

    const startThrows: TracerProvider = {
      getTracer: () =>
        ({
          startSpan() {
            throw new Error('tracer broken');
          },
        }) as never,
    };
    expect(() => new OtelTelemetry({ tracerProvider: startThrows }).startCall('c', {}).end()).not.toThrow();

    const failingExporter: SpanExporter = {
      export() {
        throw new Error('exporter broken');
      },
      shutdown: () => Promise.resolve(),
    };
    const failingProcessor: SpanProcessor = {
      onStart() {
        throw new Error('processor broken on start');
      },
      onEnd() {
        throw new Error('processor broken on end');
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    for (const processor of [new SimpleSpanProcessor(failingExporter), failingProcessor]) {
      const telemetry = new OtelTelemetry({
        tracerProvider: new BasicTracerProvider({ spanProcessors: [processor] }),
      });
      expect(() => {
        const call = telemetry.startCall('call', {});
        const attempt = telemetry.startAttempt(call, 'attempt', {});
        telemetry.inject(attempt, {});
        attempt.recordError(new Error('x'));
        attempt.end();
        call.end();
      }).not.toThrow();
    }
  });

  it('survives a span whose methods throw', () => {
    const hostile = {
      spanContext() {
        throw new Error('no context');
      },
      setAttributes() {
        throw new Error('no attributes');
      },
      setAttribute() {
        throw new Error('no attribute');
      },
      setStatus() {
        throw new Error('no status');
      },
      end() {
        throw new Error('no end');
      },
    };
    const telemetry = new OtelTelemetry({
      tracerProvider: { getTracer: () => ({ startSpan: () => hostile }) as never },
    });
    const headers: Record<string, string> = {};
    expect(() => {
      const call = telemetry.startCall('c', {});
      call.setAttributes({ a: 1 });
      call.recordError(new Error('x'));
      telemetry.inject(call, headers);
      call.end();
      call.end();
    }).not.toThrow();
    expect(headers).toEqual({});
  });
});
