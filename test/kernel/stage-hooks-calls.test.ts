import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import {
  InMemorySpanExporter,
  BasicTracerProvider,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OtelTelemetry } from '../../src/adapters/telemetry/otel-telemetry.js';
import { MemoryTransport, type MemoryHandler } from '../../src/adapters/transport/memory-transport.js';
import { PristineError } from '../../src/kernel/errors/pristine-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { builtInStages } from '../../src/kernel/pipeline/built-in-stages.js';
import type { Stage } from '../../src/kernel/pipeline/context.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { AuthScheme } from '../../src/ports/auth.js';
import { Ports } from '../../src/ports/index.js';

const manifest = {
  name: 'hooks',
  version: '1',
  endpoints: [
    {
      id: 'put_item',
      method: 'POST' as const,
      path: '/items',
      retry: 'none',
      input: Type.Object({ name: Type.String() }),
      response: Type.Object({ id: Type.String() }),
    },
  ],
};

/** A key whose fingerprint (so its rate-limit bucket) changes each time `rotate` is called. */
class RotatingKey implements AuthScheme {
  readonly name = 'rotating';
  readonly secretHeaders = ['x-api-key'];
  generation = 0;
  apply(headers: Record<string, string>): void {
    headers['x-api-key'] = 'sk-hooks-0123456789';
  }
  identity(): string {
    return `key-${this.generation}`;
  }
}

/**
 * One call through a kernel whose built-in stages run as the pipeline runs them (`enter` and hooks,
 * several in one `then`) or, with `runOnly`, through their `run` each (one `then` per stage, as before
 * `enter` existed); everything observable about the call.
 */
async function observe(handler: MemoryHandler, runOnly: boolean, rotateInFlight = false) {
  const exporter = new InMemorySpanExporter();
  const auth = new RotatingKey();
  const kernel = createKernel({ responseValidation: 'strict' }).use(
    definePlugin({
      name: 'hooks',
      version: '1',
      manifest,
      defaults: { baseUrl: 'http://items.test/v1' },
      auth: { default: auth },
      retryPolicies: { none: { maxRetries: 0 } },
      errorMapper: (error) =>
        error.status === 418 ? new PristineError(`mapped: ${error.message}`, { status: 418 }) : undefined,
    }),
  );
  kernel.register(
    Ports.Transport,
    new MemoryTransport((request) => {
      if (rotateInFlight) auth.generation++;
      return handler(request);
    }),
  );
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  kernel.register(Ports.Telemetry, new OtelTelemetry({ tracerProvider: provider }));
  const events: unknown[] = [];
  kernel.events.on('request:start', (e) => events.push(['start', e.endpointId, e.attempt]));
  kernel.events.on('request:stop', (e) => events.push(['stop', e.status, e.attempts]));
  kernel.events.on('request:error', (e) =>
    events.push(['error', e.status, (e.error as Error).constructor.name, (e.error as Error).message]),
  );
  if (runOnly) {
    for (const stage of builtInStages) {
      const next = kernel.pipeline.order()[kernel.pipeline.order().indexOf(stage.name) + 1];
      kernel.pipeline.remove(stage.name);
      const replacement: Stage = { name: stage.name, run: (c, n) => stage.run(c, n) };
      if (stage.passes) replacement.passes = (c) => stage.passes!(c);
      if (next) kernel.pipeline.insert(replacement, { before: next });
      else kernel.pipeline.insert(replacement, { after: kernel.pipeline.order().at(-1)! });
    }
  }
  const outcome = await kernel.execute('put_item', { name: 'a' }).then(
    (r) => ({ status: r.status, body: r.body }),
    (e: unknown) => ({
      error: (e as Error).constructor.name,
      message: (e as Error).message,
      retryable: (e as PristineError).retryable,
    }),
  );
  const { rateLimiter } = kernel.getServices();
  const waits = [0, 1].map((g) => rateLimiter.waitTime(`http://items.test/v1|key-${g}`) > 0);
  await kernel.close();
  return {
    outcome,
    events,
    spans: exporter.getFinishedSpans().map((s) => ({ name: s.name, status: s.status.code, ended: s.ended })),
    waits,
  };
}

const answers: Record<string, MemoryHandler> = {
  success: () => ({ status: 200, body: { id: 'i1' } }),
  'a 429 with retry-after': () => ({
    status: 429,
    headers: { 'retry-after': '30' },
    body: { error: 'slow' },
  }),
  'a 500': () => ({ status: 500, body: { message: 'down' } }),
  'a 418 the plugin maps': () => ({ status: 418, body: { message: 'teapot' } }),
  'a body that does not match the response schema': () => ({ status: 200, body: { id: 7 } }),
  'a transport that throws': () => {
    throw new TypeError('socket hang up');
  },
};

describe('built-in stages entered together give the call its run-by-run outcome', () => {
  for (const [name, handler] of Object.entries(answers)) {
    it(`${name}: same result or error, events, spans and rate-limit window`, async () => {
      const fused = await observe(handler, false);
      const ran = await observe(handler, true);
      expect(fused).toEqual(ran);
      // Every call span ends, failed or not.
      expect(fused.spans.every((s) => s.ended)).toBe(true);
    });
  }

  it('a 429 closes the bucket the attempt was admitted on, even when the key rotated meanwhile', async () => {
    const fused = await observe(answers['a 429 with retry-after']!, false, true);
    expect(fused.outcome).toMatchObject({ error: 'RateLimitError' });
    expect(fused.waits).toEqual([true, false]);
    expect(await observe(answers['a 429 with retry-after']!, true, true)).toEqual(fused);
  });
});
