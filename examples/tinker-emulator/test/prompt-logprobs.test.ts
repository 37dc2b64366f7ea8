import { describe, expect, it } from '@jest/globals';
import { client, KEY, openSampler, withEmulator } from './helpers.js';
import { decodeSampleResponse, pollRaw } from './support/proto.js';

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

describe('prompts with image or audio chunks', () => {
  it('are a 400 naming the chunk on asample and stream_sample, as forward_backward refuses them', async () => {
    // Found by running the official 0.25.0 SDK against the emulator: a sample whose prompt held an image
    // chunk was answered, the image dropped, with prompt logprobs for the text tokens only, while the
    // client counts the image's tokens in the prompt (misaligned positions); docs/emulator.md says such
    // chunks "cannot be trained or sampled on", and forward_backward refuses them.
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      const image = { type: 'image', data: 'iVBORw0KGgo=', format: 'png', expected_tokens: 4 };
      const audio = { type: 'dmel', dmel: 'AAAA' };
      for (const chunk of [image, audio]) {
        for (const path of ['asample', 'stream_sample']) {
          const answer = await api.post(path, {
            num_samples: 1,
            prompt: { chunks: [{ tokens: [72, 105], type: 'encoded_text' }, chunk] },
            sampling_params: { max_tokens: 1 },
            sampling_session_id: sampler,
            seq_id: 0,
            prompt_logprobs: true,
            type: 'sample',
          });
          expect({ path, status: answer.status, field: answer.body?.field }).toEqual({
            path,
            status: 400,
            field: 'prompt.chunks[1]',
          });
        }
      }
    });
  });
});

describe('top-k prompt logprobs (0.25 protobuf results)', () => {
  it('carry the requested k for every prompt, a one-token prompt too (one all-sentinel row, not "not requested")', async () => {
    // Found by running the official 0.25.0 SDK against the emulator: for a one-token prompt with
    // `topk_prompt_logprobs: 3` its `topk_prompt_logprobs` was None ("not requested") while
    // `prompt_logprobs` was [None] and the JSON answer [null]: k was taken from the rows, and the one
    // row has no entries. tinker-wire-0.25.md §8: `k` × `prompt_length` matrices, empty slots sentinels.
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      let seq = 0;
      for (const tokens of [[72], [72, 105]]) {
        const submitted = await api.post('asample', {
          num_samples: 1,
          prompt: { chunks: [{ tokens, type: 'encoded_text' }] },
          sampling_params: { max_tokens: 1, temperature: 1.0, top_k: -1, top_p: 1.0 },
          sampling_session_id: sampler,
          seq_id: seq++,
          prompt_logprobs: true,
          topk_prompt_logprobs: 3,
          type: 'sample',
        });
        const polled = await pollRaw(emu.url, KEY, submitted.body.request_id, 'application/x-protobuf');
        const topk = decodeSampleResponse(polled.data).topk_prompt_logprobs;
        expect(topk).toMatchObject({ k: 3, prompt_length: tokens.length });
        const ids = [...new Int32Array(new Uint8Array(topk.token_ids).buffer)];
        const logprobs = [...new Float32Array(new Uint8Array(topk.logprobs).buffer)];
        expect(ids).toHaveLength(3 * tokens.length);
        expect(ids.slice(0, 3)).toEqual([0, 0, 0]); // row 0: nothing precedes it
        expect(logprobs.slice(0, 3)).toEqual([-99999, -99999, -99999]);
      }
    });
  });
});
