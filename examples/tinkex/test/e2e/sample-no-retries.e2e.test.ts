import { afterEach, expect, it } from '@jest/globals';
import { Ports } from 'pristine-kernel';
import { InternalServerError } from '../../src/index.js';
import { bytes, callsTo, describeInModes, setup } from './harness.js';
import { InstantClock } from './instant-clock.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const turn = () => new Promise((resolve) => setImmediate(resolve));

// The Python SDK's sample() bypasses its RetryHandler when the server sends sample_no_retries, while
// compute_logprobs() keeps it (sampling_client.py): a logprob pass is cheap to repeat and a training
// loop's scoring step should not fail on one 503.
describeInModes(['v025'], 'the server flag sample_no_retries', () => {
  it('turns off the retries of sample, not of computeLogprobs', async () => {
    const clock = new InstantClock();
    const env = await setup(
      { clientConfig: { sample_no_retries: true } },
      { configureKernel: (kernel) => kernel.register(Ports.Clock, clock) },
      'v025',
    );
    cleanup.push(env.close);
    const sampler = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    const prompt = bytes('The quick');
    env.emulator.setChaos('5xx=1;scope=sampling');

    const sample = sampler.sample({ prompt, sampling_params: { max_tokens: 2 } });
    await expect(sample).rejects.toBeInstanceOf(InternalServerError);
    expect(callsTo(env, 'asample')).toHaveLength(1);

    const logprobs = sampler.computeLogprobs(prompt);
    // Bounded, so the test fails (rather than spins) when nothing retries.
    for (let i = 0; i < 5_000 && callsTo(env, 'asample').length < 3; i++) await turn();
    expect(callsTo(env, 'asample').length).toBeGreaterThanOrEqual(3);
    env.emulator.setChaos('');
    expect(await logprobs).toHaveLength(prompt.length);
  });
});
