import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ValidationError, type SamplingClient } from '../../src/index.js';
import { API_KEY, describeInModes, E2E_MODES, setup, type E2EMode } from './harness.js';

const BASE = 'meta-llama/Llama-3.2-1B';
const PROMPT = [72, 105, 33];

/**
 * Found by running Tinkex and the official Python SDK on the same edge inputs: Tinkex refused these
 * before sending, the official client sent them, and the emulator answered them as if they were fine
 * (max_tokens -1 an empty sequence, num_samples 0 no sequence). Tinkex and the server must agree on each
 * bound: what Tinkex sends is answered, what it refuses the server refuses too, naming the same field.
 */
const PAST: Array<[string, Record<string, unknown>, string]> = [
  ['max_tokens -1', { sampling_params: { max_tokens: -1 } }, 'sampling_params.max_tokens'],
  [
    'temperature -0.5',
    { sampling_params: { max_tokens: 1, temperature: -0.5 } },
    'sampling_params.temperature',
  ],
  ['top_p 1.5', { sampling_params: { max_tokens: 1, top_p: 1.5 } }, 'sampling_params.top_p'],
  ['top_k -2', { sampling_params: { max_tokens: 1, top_k: -2 } }, 'sampling_params.top_k'],
  ['stop token -1', { sampling_params: { max_tokens: 1, stop: [-1] } }, 'sampling_params.stop[0]'],
  ['num_samples 0', { num_samples: 0 }, 'num_samples'],
  ['topk_prompt_logprobs -1', { topk_prompt_logprobs: -1 }, 'topk_prompt_logprobs'],
];
const AT: Array<[string, Record<string, unknown>]> = [
  ['max_tokens 0', { max_tokens: 0 }],
  ['temperature 0, top_p 0, top_k 0', { max_tokens: 1, temperature: 0, top_p: 0, top_k: 0 }],
  ['top_p 1, top_k -1, stop token 0', { max_tokens: 1, top_p: 1, top_k: -1, stop: [0] }],
];

for (const mode of E2E_MODES) {
  describeInModes([mode], `sampling bounds: Tinkex and the server agree (${mode})`, () => {
    let env: Awaited<ReturnType<typeof setup>>;
    let sampler: SamplingClient;
    beforeAll(async () => {
      env = await setup({}, {}, mode as E2EMode);
      sampler = await env.service.createSamplingClient({ base_model: BASE });
    }, 30_000);
    afterAll(() => env.close());

    it.each(AT)('%s: sent and answered', async (_label, sampling_params) => {
      const response = await sampler.sample({ prompt: PROMPT, num_samples: 1, sampling_params });
      expect(response.sequences).toHaveLength(1);
    });

    it.each(PAST)('%s: refused by Tinkex before sending, and by the server', async (_label, over, field) => {
      const before = env.emulator.requestLog().length;
      const { sampling_params = { max_tokens: 1 }, ...rest } = over;
      const error = await sampler
        .sample({ prompt: PROMPT, num_samples: 1, sampling_params, ...rest } as never)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(env.emulator.requestLog().slice(before)).toEqual([]);
      // What the official client sends for the same call (it checks none of these).
      const res = await fetch(`${env.emulator.url}/api/v1/asample`, {
        method: 'POST',
        headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({
          prompt: { chunks: [{ type: 'encoded_text', tokens: PROMPT }] },
          sampling_params: { max_tokens: 1 },
          base_model: BASE,
          num_samples: 1,
          type: 'sample',
          ...over,
        }),
      });
      expect([res.status, ((await res.json()) as { field?: string }).field]).toEqual([400, field]);
    });
  });
}
