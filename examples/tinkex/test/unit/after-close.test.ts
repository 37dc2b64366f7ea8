import { describe, expect, it } from '@jest/globals';
import { startEmulator } from 'tinker-emulator';
import { ClientClosedError, ServiceClient } from '../../src/index.js';

/**
 * Found by hand: `sampler.sample(…)` after `service.close()` never settled — its retry loop took the
 * closed transport's "destroyed" error for a connection error and kept trying. Now every client of a
 * closed ServiceClient fails at once, with a typed error, and sends nothing.
 */
describe('clients of a closed ServiceClient', () => {
  it('reject with ClientClosedError at once and send nothing', async () => {
    const emulator = await startEmulator({ seed: 7 });
    const service = new ServiceClient({
      api_key: 'tml-after-close',
      base_url: emulator.url,
      telemetry: false,
      log_level: 'off',
      env: {},
    });
    try {
      const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      await service.close();
      const sent = emulator.state.requests.length;
      const request = {
        prompt: { chunks: [{ type: 'encoded_text' as const, tokens: [72, 105] }] },
        num_samples: 1,
        sampling_params: { max_tokens: 4 },
      };
      const calls: (() => PromiseLike<unknown>)[] = [
        () => sampler.sample(request),
        () => training.optimStep({ learning_rate: 1e-4 }),
        () => service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' }),
        () => service.createRestClient().listTrainingRuns(),
      ];
      const outcomes = await Promise.all(
        calls.map((call) =>
          Promise.resolve()
            .then(call)
            .then(undefined, (error: unknown) => error),
        ),
      );
      for (const outcome of outcomes) expect(outcome).toBeInstanceOf(ClientClosedError);
      expect(emulator.state.requests.length).toBe(sent);
    } finally {
      await service.close();
      await emulator.close();
    }
  });
});
