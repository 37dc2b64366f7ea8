import { describe, expect, it } from '@jest/globals';
import { client, openSampler, withEmulator } from './helpers.js';

/**
 * A sample whose prompt plus `max_tokens` exceeds the model's context length is refused with a 400
 * naming `sampling_params.max_tokens`, as vLLM refuses one ("This model's maximum context length is …").
 */
describe('sampling past the context length', () => {
  it('is a 400 naming max_tokens, for asample and stream_sample, and the emulator keeps answering', async () => {
    // Found by hand (round 25): `max_tokens: 1e12` made the emulator sample synchronously until it ran
    // out of memory, blocking every other request (health checks included) meanwhile.
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      for (const path of ['asample', 'stream_sample']) {
        for (const max_tokens of [1e12, 131_071]) {
          const answer = await api.post(path, {
            prompt: { chunks: [{ tokens: [72, 105] }] },
            sampling_params: { max_tokens },
            sampling_session_id: sampler,
            seq_id: 0,
          });
          expect(answer.status).toBe(400);
          expect(JSON.stringify(answer.body)).toMatch(/max_tokens/);
          expect(JSON.stringify(answer.body)).toMatch(/131072/);
        }
      }
      const fine = await api.submit('asample', {
        prompt: { chunks: [{ tokens: [72, 105] }] },
        sampling_params: { max_tokens: 3 },
        sampling_session_id: sampler,
        seq_id: 1,
      });
      expect(fine.sequences[0].tokens.length).toBeLessThanOrEqual(3);
    });
  });
});
