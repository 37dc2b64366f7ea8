import { describe, expect, it } from '@jest/globals';
import { client, openSampler, withEmulator } from './helpers.js';

/**
 * Prompt logprobs have one entry per prompt token, the first null (nothing precedes it): clients zip
 * them with the prompt, so a list one longer than the prompt misaligns every position.
 */
describe('prompt logprobs (JSON results)', () => {
  it('hold exactly one entry per prompt token, for one-token and longer prompts', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      let seq = 0;
      for (const tokens of [[72], [72, 105, 33]]) {
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
        expect(result.prompt_logprobs[0]).toBeNull();
        expect(result.prompt_logprobs.slice(1).every((x: unknown) => typeof x === 'number')).toBe(true);
        expect(result.topk_prompt_logprobs.slice(1).every((row: unknown[]) => row.length === 2)).toBe(true);
      }
    });
  });

  it('an empty prompt (no chunk, or text chunks without tokens) is a 400 naming the prompt, as vLLM refuses one', async () => {
    // Found by hand: an empty prompt was sampled from as if it were a prompt, so a client bug that
    // drops the prompt went unnoticed against the emulator.
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      for (const chunks of [[], [{ tokens: [] }], [{ type: 'encoded_text', tokens: [] }, { tokens: [] }]]) {
        for (const path of ['asample', 'stream_sample']) {
          const answer = await api.post(path, {
            prompt: { chunks },
            sampling_params: { max_tokens: 1 },
            sampling_session_id: sampler,
            seq_id: 0,
          });
          expect(answer.status).toBe(400);
          expect(JSON.stringify(answer.body)).toMatch(/prompt.*empty|empty.*prompt/i);
        }
      }
    });
  });
});
