import { describe, expect, it } from '@jest/globals';
import { client, openSampler, withEmulator } from './helpers.js';

/**
 * Prompt logprobs have one entry per prompt token, the first null (nothing precedes it): clients zip
 * them with the prompt, so a list one longer than the prompt misaligns every position.
 */
describe('prompt logprobs (JSON results)', () => {
  it('hold exactly one entry per prompt token, for empty, one-token and longer prompts', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      let seq = 0;
      for (const tokens of [[], [72], [72, 105, 33]]) {
        const result = await api.submit('asample', {
          prompt: { chunks: [{ tokens }] },
          sampling_params: { max_tokens: 1 },
          sampling_session_id: sampler,
          seq_id: seq++,
          prompt_logprobs: true,
          topk_prompt_logprobs: 2,
        });
        expect(result.prompt_logprobs).toHaveLength(tokens.length);
        expect(result.topk_prompt_logprobs).toHaveLength(tokens.length);
        if (tokens.length > 0) {
          expect(result.prompt_logprobs[0]).toBeNull();
          expect(result.prompt_logprobs.slice(1).every((x: unknown) => typeof x === 'number')).toBe(true);
          expect(result.topk_prompt_logprobs.slice(1).every((row: unknown[]) => row.length === 2)).toBe(true);
        }
      }
    });
  });
});
