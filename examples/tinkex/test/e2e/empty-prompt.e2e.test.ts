import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModelInput, ValidationError, type SamplingClient } from '../../src/index.js';
import { callsTo, E2E_MODES, setup } from './harness.js';

/**
 * Found by hand: `sampler.sample({ prompt: [] })` was sent and sampled from, with nothing to condition on.
 * A prompt without a token is refused before anything is sent, with a typed error naming the field and the
 * rule, on every public way in (sample, sampleStream, computeLogprobs).
 */
describe.each(E2E_MODES)('an empty prompt (%s)', (mode) => {
  let env: Awaited<ReturnType<typeof setup>>;
  let sampler: SamplingClient;

  beforeAll(async () => {
    env = await setup({}, {}, mode);
    sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    await sampler.sample({ prompt: [72, 105], sampling_params: { max_tokens: 1 } }); // negotiated
  });
  afterAll(() => env.close());

  const sent = () => callsTo(env, 'asample').length + callsTo(env, 'stream_sample').length;
  const empties = [[], { chunks: [] }, { chunks: [{ tokens: [] }, { tokens: [] }] }, ModelInput.empty()];

  it.each(empties.map((prompt, i) => [i, prompt] as const))(
    'is a ValidationError at /prompt, and nothing is sent (%i)',
    async (_i, prompt) => {
      const before = sent();
      const attempts: Promise<unknown>[] = [
        sampler.sample({ prompt, sampling_params: { max_tokens: 4 } }),
        sampler.computeLogprobs(prompt),
        (async () => {
          for await (const event of sampler.sampleStream({ prompt, sampling_params: { max_tokens: 4 } }))
            void event;
        })(),
      ];
      for (const attempt of attempts) {
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues).toEqual([
          { pointer: '/prompt', rule: 'minLength', message: 'prompt must hold at least one token' },
        ]);
      }
      expect(sent()).toBe(before);
    },
  );

  it('a one-token prompt is still sampled from', async () => {
    const response = await sampler.sample({ prompt: [72], sampling_params: { max_tokens: 2 } });
    expect(response.sequences[0]!.tokens).toHaveLength(2);
  });
});
