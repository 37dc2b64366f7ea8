import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ValidationError, type SamplingClient } from '../../src/index.js';
import { callsTo, describeInModes, E2E_MODES, setup, type E2EMode } from './harness.js';

/**
 * Found by hand: `sample({ prompt, num_sample: 3, … })` (a typo) sampled once, and
 * `sampleStream({ num_samples: 2, … })` streamed one sample, both silently: the caller believed they had
 * asked for three and two. A key the request does not have, and a stream of more than one sample, are
 * refused before anything is sent, naming the field and rule (sampling_params' own keys already were).
 */
async function eventsOf(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const event of stream) void event;
}

for (const mode of E2E_MODES as readonly E2EMode[])
  describeInModes([mode], `a sample request's keys (${mode})`, () => {
    let env: Awaited<ReturnType<typeof setup>>;
    let sampler: SamplingClient;

    beforeAll(async () => {
      env = await setup({}, {}, mode);
      sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      await sampler.sample({ prompt: [72, 105], sampling_params: { max_tokens: 1 } }); // negotiated
    });
    afterAll(() => env.close());

    const sent = () => callsTo(env, 'asample').length + callsTo(env, 'stream_sample').length;
    const refusal = (attempt: Promise<unknown>) =>
      attempt.then(
        () => undefined,
        (e: unknown) => e,
      );

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
  });
