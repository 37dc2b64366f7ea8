// docs/tinkex.md "OpenTelemetry spans", verbatim; test/docs/otel-spans.test.ts runs it against the emulator.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OtelTelemetry, Ports } from 'pristine-kernel';
import { ServiceClient } from 'tinkex';

// What the OTel Node SDK sets up for you: an async context manager and a provider (export with OTLP).
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);

const service = new ServiceClient({
  configureKernel: (kernel) => kernel.register(Ports.Telemetry, new OtelTelemetry()),
});
const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
await trace.getTracer('my-app').startActiveSpan('generate', async (span) => {
  await sampler.sample({ prompt: [84, 104, 101], sampling_params: { max_tokens: 4 } });
  span.end();
});
await service.close();

const spans = exporter.getFinishedSpans();
const generate = spans.find((s) => s.name === 'generate')!;
const asample = spans.find((s) => s.name === 'asample')!;
console.log(`asample under generate: ${asample.parentSpanContext?.spanId === generate.spanContext().spanId}`);
const attempts = spans.filter((s) => s.parentSpanContext?.spanId === asample.spanContext().spanId);
console.log(`its attempt: ${attempts[0]?.name}`);
