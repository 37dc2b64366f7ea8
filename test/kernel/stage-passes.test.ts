import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import {
  InMemorySpanExporter,
  BasicTracerProvider,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ApiKeyHeaderAuth } from '../../src/adapters/auth/api-key-header.js';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { OtelTelemetry } from '../../src/adapters/telemetry/otel-telemetry.js';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { builtInStages } from '../../src/kernel/pipeline/built-in-stages.js';
import type { CallResult, Stage } from '../../src/kernel/pipeline/context.js';
import { Pipeline } from '../../src/kernel/pipeline/pipeline.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';

const manifest = {
  name: 'passes',
  version: '1',
  endpoints: [
    {
      id: 'put_item',
      method: 'POST' as const,
      path: '/items',
      resource: 'items',
      input: Type.Object({ name: Type.String() }),
      response: Type.Object({ id: Type.String() }),
    },
  ],
};

interface Setup {
  /** Everything a stage with `passes` can do is switched on. */
  everything: boolean;
  /** The built-in stages run without `passes`, as before the pipeline stepped over any. */
  withoutPasses: boolean;
}

/** One call through a kernel, and everything observable about it. */
async function observe({ everything, withoutPasses }: Setup) {
  const exporter = new InMemorySpanExporter();
  const kernel = createKernel({ responseValidation: everything ? 'strict' : 'off' }).use(
    definePlugin({
      name: 'passes',
      version: '1',
      manifest,
      defaults: { baseUrl: 'http://items.test/v1', ...(everything ? {} : { breaker: false as const }) },
      ...(everything
        ? {
            auth: { default: new ApiKeyHeaderAuth('sk-passes-0123456789') },
            concurrency: { items: { maxConcurrent: 1 } },
          }
        : {}),
    }),
  );
  const transport = new MemoryTransport(() => ({ status: 200, body: { id: 'i1' } }));
  const logger = new CaptureLogger({ level: everything ? 'debug' : 'info', logHeaders: true });
  kernel.register(Ports.Transport, transport);
  kernel.register(Ports.Logger, logger);
  if (everything) {
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    kernel.register(Ports.Telemetry, new OtelTelemetry({ tracerProvider: provider }));
  }
  const passed = new Set<string>();
  for (const stage of builtInStages.filter((s) => s.passes)) {
    const next = kernel.pipeline.order()[kernel.pipeline.order().indexOf(stage.name) + 1];
    kernel.pipeline.remove(stage.name);
    const replacement: Stage = { name: stage.name, run: (c, n) => stage.run(c, n) };
    if (!withoutPasses)
      replacement.passes = (c) => {
        const passes = stage.passes!(c);
        if (passes) passed.add(stage.name);
        return passes;
      };
    kernel.pipeline.insert(replacement, { before: next });
  }
  const result = await kernel.execute('put_item', { name: 'a' }, { idempotencyKey: 'key-1' });
  await kernel.close();
  const [request] = transport.requests;
  // A fresh trace id per call: only whether the W3C context went out can be compared.
  const { traceparent, ...headers } = request.headers;
  return {
    passed: [...passed].sort(),
    request: { method: request.method, url: request.url, headers, traced: /^00-/.test(traceparent ?? '') },
    result: { status: result.status, body: result.body, headers: result.headers },
    logs: logger.records.map((r) => ({ level: r.level, message: r.message })),
    spans: exporter.getFinishedSpans().map((s) => s.name),
  };
}

describe('stages with nothing to do are stepped over (Stage.passes)', () => {
  it('steps over every built-in stage that has nothing to do, and the call is the same as when they run', async () => {
    const stepped = await observe({ everything: false, withoutPasses: false });
    const ran = await observe({ everything: false, withoutPasses: true });
    // `auth` is not among them: the kernel's default scheme applies when the plugin names none.
    expect(stepped.passed).toEqual(['attempt', 'breaker', 'log', 'response', 'semaphore', 'telemetry']);
    expect(stepped.request).toEqual(ran.request);
    expect(stepped.result).toEqual(ran.result);
    expect(stepped.logs).toEqual(ran.logs);
    expect(stepped.request.traced).toBe(false);
  });

  it('steps over none of them when each has work, and they do it (spans, log lines, the key)', async () => {
    const stepped = await observe({ everything: true, withoutPasses: false });
    const ran = await observe({ everything: true, withoutPasses: true });
    expect(stepped.passed).toEqual([]);
    expect(stepped).toEqual(ran);
    expect(stepped.spans).toEqual(['POST /items', 'put_item']);
    // The plugin's common headers (once per logger), the request, its response.
    expect(stepped.logs.filter((l) => l.level === 'debug')).toHaveLength(3);
    expect(stepped.request.headers['x-api-key']).toBe('sk-passes-0123456789');
    expect(stepped.request.traced).toBe(true);
  });
});

describe('Pipeline.execute with passes', () => {
  const ok: CallResult = { status: 200, headers: {}, body: 'done' };

  it('asks a stage at its turn, after the stages before it ran, and never runs a stage that passes', async () => {
    const seen: string[] = [];
    let marked = false;
    const pipeline = new Pipeline([
      { name: 'mark', run: (_c, next) => ((marked = true), next()) },
      {
        name: 'maybe',
        passes: () => (seen.push(`asked after mark: ${marked}`), true),
        run: () => Promise.reject(new Error('ran although it passes')),
      },
      { name: 'end', run: () => (seen.push('end'), Promise.resolve(ok)) },
    ]);
    await expect(pipeline.execute({} as never)).resolves.toBe(ok);
    expect(seen).toEqual(['asked after mark: true', 'end']);
  });

  it('runs a stage whose passes says false, and a retried next() asks again', async () => {
    let asked = 0;
    const pipeline = new Pipeline([
      {
        name: 'twice',
        run: (_c, next) => next().then(() => next()),
      },
      { name: 'counted', passes: () => (asked++, false), run: (_c, next) => next() },
      { name: 'end', run: () => Promise.resolve(ok) },
    ]);
    await expect(pipeline.execute({} as never)).resolves.toBe(ok);
    expect(asked).toBe(2);
  });

  it('rejects (never throws) when passes throws or every stage passes', async () => {
    const throwing = new Pipeline([
      {
        name: 'bad',
        passes: () => {
          throw new Error('bad passes');
        },
        run: (_c, next) => next(),
      },
    ]);
    await expect(throwing.execute({} as never)).rejects.toThrow('bad passes');
    const empty = new Pipeline([{ name: 'skip', passes: () => true, run: (_c, next) => next() }]);
    await expect(empty.execute({} as never)).rejects.toThrow(/ended without a transport stage/);
    const last = new Pipeline([{ name: 'only', run: (_c, next) => next() }]);
    await expect(last.execute({} as never)).rejects.toThrow(/ended without a transport stage/);
  });
});
