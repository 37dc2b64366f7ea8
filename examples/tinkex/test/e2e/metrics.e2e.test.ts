import { afterEach, describe, expect, it } from '@jest/globals';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { TinkexMetrics } from '../../src/index.js';
import { setup, TEXT, textDatum, bytes } from './harness.js';

/** The OTel SDK's pull reader: `collect()` returns what an exporter would be given. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c()));
  cleanup = [];
});

async function trainAndSample(env: Awaited<ReturnType<typeof setup>>) {
  const training = await env.service.createLoraTrainingClient({
    base_model: 'meta-llama/Llama-3.2-1B',
    rank: 8,
  });
  for (let i = 0; i < 3; i++) {
    await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    await training.optimStep({ learning_rate: 1e-4 });
  }
  const sampler = await training.saveWeightsAndGetSamplingClient();
  await sampler.sample({ prompt: bytes('The quick'), sampling_params: { max_tokens: 4 } });
  await sampler.sample({ prompt: bytes('The quick'), sampling_params: { max_tokens: 4 } });
}

describe('TinkexMetrics against the emulator', () => {
  it('counts and times training and sampling calls, requests and futures, with percentiles', async () => {
    const env = await setup();
    cleanup.push(env.close);
    const metrics = new TinkexMetrics(env.service.kernel.events);
    await trainAndSample(env);
    const { counters, histograms } = metrics.snapshot();
    expect(counters['tinkex.training.calls{endpoint=forward_backward,outcome=ok}']).toBe(3);
    expect(counters['tinkex.training.calls{endpoint=optim_step,outcome=ok}']).toBe(3);
    expect(counters['tinkex.training.calls{endpoint=save_weights_for_sampler,outcome=ok}']).toBe(1);
    expect(counters['tinkex.sampling.calls{endpoint=asample,outcome=ok}']).toBe(2);
    // The kernel counts its own endpoints: 0.25 sends forward_backward as forward_backward_proto.
    const fbRequests = ['forward_backward', 'forward_backward_proto'].map(
      (id) => counters[`pristine.requests{endpoint=${id},outcome=ok,status=200}`] ?? 0,
    );
    expect(fbRequests[0] + fbRequests[1]).toBe(3);
    // 3 + 3 + 1 training, 2 sampling, and the model creation.
    expect(counters['pristine.futures{endpoint=create_model,outcome=ok}']).toBe(1);
    expect(counters['pristine.futures']).toBe(10);
    const sampling = histograms['tinkex.sampling.duration'];
    expect(sampling.count).toBe(2);
    expect(sampling.p50).toBeLessThanOrEqual(sampling.p99);
    expect(sampling.p99).toBeLessThanOrEqual(sampling.max);
    expect(histograms['pristine.future.polls'].min).toBeGreaterThanOrEqual(1);
    metrics.close();
  }, 30_000);

  it('exports tinkex.* instruments through a real OpenTelemetry metrics SDK', async () => {
    const env = await setup();
    cleanup.push(env.close);
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    cleanup.push(() => provider.shutdown());
    const metrics = new TinkexMetrics(env.service.kernel.events, { meter: provider.getMeter('tinkex') });
    await trainAndSample(env);
    const { resourceMetrics } = await reader.collect();
    const exported = new Map(resourceMetrics.scopeMetrics[0].metrics.map((m) => [m.descriptor.name, m]));
    const calls = exported.get('tinkex.sampling.calls')!.dataPoints;
    expect(calls).toEqual([
      expect.objectContaining({ attributes: { endpoint: 'asample', outcome: 'ok' }, value: 2 }),
    ]);
    expect(exported.get('tinkex.training.duration')!.descriptor.unit).toBe('ms');
    expect(exported.get('tinkex.sampling.calls')!.descriptor.unit).toBe('{call}');
    expect(exported.get('tinkex.training.calls')!.descriptor.unit).toBe('{call}');
    metrics.close();
  }, 30_000);
});
