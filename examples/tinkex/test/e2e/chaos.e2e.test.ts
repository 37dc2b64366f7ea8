import { describe, expect, it } from '@jest/globals';
import { Ports } from 'pristine-kernel';
import { InstantClock } from './instant-clock.js';
import { E2E_MODES, setup, type E2EMode, TEXT, textDatum, bytes } from './harness.js';

async function run(chaos: string | undefined, mode: E2EMode) {
  const clock = new InstantClock();
  const env = await setup(
    { chaos },
    { configureKernel: (kernel) => kernel.register(Ports.Clock, clock) },
    mode,
  );
  try {
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    const losses: Promise<number>[] = [];
    for (let i = 0; i < 20; i++) {
      losses.push(
        training.forwardBackward([textDatum(TEXT)], 'cross_entropy').then((r) => r.metrics['loss:sum']),
      );
      training.optimStep({ learning_rate: 1e-4 });
    }
    const final = (await training.forward([textDatum(TEXT)], 'cross_entropy')).metrics['loss:sum'];
    const sampler = await training.saveWeightsAndGetSamplingClient();
    const sample = await sampler.sample({
      prompt: bytes('The quick'),
      sampling_params: { max_tokens: 6, temperature: 0 },
    });
    return {
      losses: await Promise.all(losses),
      final,
      sample: Buffer.from(sample.sequences[0].tokens).toString(),
      applied: env.emulator.state.appliedSteps(training.model_id),
      faults: env.emulator.state.requests.filter((r) => r.status === 0 || r.status >= 429).length,
      pauses: clock.sleeps.length,
    };
  } finally {
    await env.close();
  }
}

describe.each(E2E_MODES)('exactly-once training under chaos (%s)', (mode) => {
  it('ends with exactly the same loss with 20% 5xx, 10% 429, 5% resets, lost responses and queue pauses', async () => {
    const calm = await run(undefined, mode);
    const stormy = await run(
      '5xx=0.2,429=0.1,reset=0.05,lost=0.05,truncate=0.02;scope=training|sampling|sessions;pause=0.2,5xx=0.2,429=0.05;scope=futures',
      mode,
    );
    expect(stormy.faults).toBeGreaterThan(10);
    expect(stormy.losses).toEqual(calm.losses);
    expect(stormy.final).toBe(calm.final);
    expect(stormy.sample).toBe(calm.sample);
    // Each of the 40 steps, the forward and the sampler save applied exactly once, in order.
    expect(stormy.applied).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
    expect(calm.applied).toEqual(stormy.applied);
  }, 60_000);
});
