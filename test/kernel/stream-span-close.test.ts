import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
} from '@opentelemetry/sdk-trace-base';
import { OtelTelemetry } from '../../src/adapters/telemetry/otel-telemetry.js';
import { Ports } from '../../src/ports/index.js';
import { scriptedServer } from '../support/scripted-server.js';
import { feedKernel } from '../support/feed-kernel.js';

/*
 * A stream the caller stopped reading (suspended at a `yield`, neither finished nor left with `break`)
 * never resumes to run its `finally` once the kernel closes: its span used to stay open for ever.
 */
describe('a stream suspended when the kernel closes', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\ndata: {"n":2}\n\n'); // and never ends
    });
  });
  afterAll(() => server.close());

  it('ends its span at close, as closed, with the events read so far', async () => {
    const exporter = new InMemorySpanExporter();
    const open = new Set<Span>();
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor(exporter),
        {
          onStart: (span: Span) => void open.add(span),
          onEnd: (span: ReadableSpan) => void open.delete(span as Span),
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    const kernel = feedKernel(server.url, {}, { logLevel: 'off' });
    kernel.register(Ports.Telemetry, new OtelTelemetry({ tracerProvider: provider }));
    const events = kernel.stream('ticks', {})[Symbol.asyncIterator]();
    expect((await events.next()).value).toEqual({ n: 1 });
    await kernel.close();

    expect([...open].map((s) => s.name)).toEqual([]);
    const stream = exporter.getFinishedSpans().find((s) => s.name === 'ticks stream')!;
    expect(stream.status.code).toBe(SpanStatusCode.ERROR);
    expect(stream.attributes['error.type']).toBe('ClientClosedError');
    expect(stream.attributes['pristine.stream.events']).toBe(1);
    // Left after all, the stream ends its span no second time.
    await events.return(undefined);
    expect(exporter.getFinishedSpans().filter((s) => s.name === 'ticks stream')).toHaveLength(1);
  });
});
