// docs/tinkex.md "Metrics", verbatim; test/docs/metrics.test.ts runs it against the emulator.
import { ServiceClient, TinkexMetrics } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
// Start measuring before the calls; with an OpenTelemetry SDK registered, the same values are exported.
const metrics = new TinkexMetrics(service.kernel.events);
const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
const datum = {
  model_input: { chunks: [{ tokens: [84, 104, 101] }] },
  loss_fn_inputs: { target_tokens: { data: [104, 101, 32], dtype: 'int64' as const } },
};
for (let step = 0; step < 5; step++) {
  await training.forwardBackward([datum], 'cross_entropy');
  await training.optimStep({ learning_rate: 1e-4 });
}
const { counters, histograms } = metrics.snapshot();
// A series is there once it has a value: each read is `HistogramSummary | undefined`.
const latency = histograms['tinkex.training.duration{endpoint=forward_backward,outcome=ok}'];
console.log(
  `forward_backward calls: ${counters['tinkex.training.calls{endpoint=forward_backward,outcome=ok}']}`,
);
if (latency) console.log(`p50 ≤ p95 ≤ p99: ${latency.p50 <= latency.p95 && latency.p95 <= latency.p99}`);
console.log(`requests: ${counters['pristine.requests']}, retries: ${counters['pristine.retries'] ?? 0}`);
metrics.close();
await service.close();
