import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModelInput, ValidationError, type SamplingClient } from '../../src/index.js';
import { callsTo, E2E_MODES, setup } from './harness.js';

async function eventsOf(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const event of stream) void event;
}

/**
 * Found by hand: `sampler.sample({ prompt: [] })` was sent and sampled from, with nothing to condition on.
 * A prompt without a token is refused before anything is sent, with a typed error naming the field and the
 * rule, on every public way in (sample, sampleStream, computeLogprobs).
 */
describe.each(E2E_MODES)('an empty prompt, an unknown key, a stream of several (%s)', (mode) => {
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

  const refusal = (attempt: Promise<unknown>) =>
    attempt.then(
      () => undefined,
      (e: unknown) => e,
    );

  // Found by hand: `sample({ prompt, num_sample: 3, … })` (a typo) sampled once, and
  // `sampleStream({ num_samples: 2, … })` streamed one sample, both silently: the caller believed they had
  // asked for three and two. Both are refused before anything is sent, naming the field and rule.
  it('an unknown key is a ValidationError naming it, with a hint, and nothing is sent', async () => {
    const before = sent();
    const typo = { prompt: [72, 105], num_sample: 3, sampling_params: { max_tokens: 2 } };
    for (const attempt of [sampler.sample(typo as never), eventsOf(sampler.sampleStream(typo as never))]) {
      const error = await refusal(attempt);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        expect.objectContaining({ pointer: '/num_sample', rule: 'additionalProperties' }),
      ]);
      expect((error as ValidationError).message).toContain('num_samples');
    }
    expect(sent()).toBe(before);
  });

  it('sampleStream refuses num_samples other than 1, and takes 1', async () => {
    const before = sent();
    const request = { prompt: [72, 105], num_samples: 2, sampling_params: { max_tokens: 2 } };
    const error = await refusal(eventsOf(sampler.sampleStream(request as never)));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      expect.objectContaining({ pointer: '/num_samples', rule: 'const' }),
    ]);
    expect(sent()).toBe(before);
    await eventsOf(sampler.sampleStream({ ...request, num_samples: 1 } as never));
    expect(sent()).toBe(before + 1);
  });

  // Found while shortening the sample path (round 38): a missing request (`sample()` from plain
  // JavaScript) was a TypeError from reading `undefined.num_samples`, not a typed error naming the field.
  it('a missing request is a ValidationError at /prompt, and nothing is sent', async () => {
    const before = sent();
    for (const attempt of [sampler.sample(undefined as never)]) {
      const error = await refusal(attempt);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        expect.objectContaining({ pointer: '/prompt', rule: 'required' }),
      ]);
    }
    expect(sent()).toBe(before);
  });
});
