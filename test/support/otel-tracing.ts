import { afterAll, beforeAll } from '@jest/globals';
import { context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/**
 * Registers a real async context manager for the calling file (`beforeAll`/`afterAll`), as an application
 * that registers the OTel Node SDK has one: without it no span nests under the caller's.
 */
export function useAsyncContext(): void {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });
  afterAll(() => {
    manager.disable();
    context.disable();
  });
}

/** A tracer provider whose finished spans stay in memory, and an application tracer on it. */
export function inMemoryTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const app = provider.getTracer('app');
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  /** Runs `fn` with a new application span active, ending it afterwards. */
  function inAppSpan<T>(name: string, fn: (span: Span) => Promise<T>): Promise<T> {
    return app.startActiveSpan(name, async (span) => {
      try {
        return await fn(span);
      } finally {
        span.end();
      }
    });
  }
  return { provider, exporter, spans, inAppSpan };
}
