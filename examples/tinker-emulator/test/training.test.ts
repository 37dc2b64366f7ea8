import { describe, expect, it } from '@jest/globals';
import { bytes, client, openModel, textDatum, withEmulator } from './helpers.js';

const TEXT = 'The quick brown fox jumps over the lazy dog. ';

describe('emulator training and sampling (plain HTTP)', () => {
  it('twenty rounds halve the cross-entropy, and a temperature-0 sample reproduces the text', async () => {
    await withEmulator({ seed: 7 }, async (emu) => {
      const api = client(emu);
      const { modelId, session } = await openModel(api);
      let seq = 1;
      const losses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const fb = await api.submit('forward_backward', {
          forward_backward_input: { data: [textDatum(TEXT)], loss_fn: 'cross_entropy', loss_fn_config: null },
          model_id: modelId,
          seq_id: seq++,
        });
        expect(Object.keys(fb.metrics).every((k) => /^[^:]+:(mean|sum|min|max)$/.test(k))).toBe(true);
        losses.push(fb.metrics['loss:mean']);
        await api.submit('optim_step', {
          adam_params: { learning_rate: 1e-4 },
          model_id: modelId,
          seq_id: seq++,
        });
      }
      expect(losses[19]).toBeLessThan(losses[0] * 0.5);
      const saved = await api.submit('save_weights_for_sampler', {
        model_id: modelId,
        sampling_session_seq_id: 0,
        seq_id: seq++,
      });
      expect(saved.sampling_session_id).toBe(`${session}:sample:0`);
      const out = await api
        .submit('asample', {
          num_samples: 1,
          prompt: { chunks: [{ tokens: bytes('The quick') }] },
          sampling_params: { max_tokens: 20 },
          sampling_session_id: saved.sampling_session_id,
          seq_id: 0,
          prompt_logprobs: true,
          topk_prompt_logprobs: 2,
          // explicit temperature 0: greedy
        })
        .catch(() => undefined);
      expect(out).toBeDefined();
      const greedy = await api.submit('asample', {
        prompt: { chunks: [{ tokens: bytes('The quick') }] },
        sampling_params: { max_tokens: 20, temperature: 0 },
        sampling_session_id: saved.sampling_session_id,
        seq_id: 1,
      });
      expect(Buffer.from(greedy.sequences[0].tokens).toString()).toBe(' brown fox jumps ove');
      const stopped = await api.submit('asample', {
        prompt: { chunks: [{ tokens: bytes('The quick') }] },
        sampling_params: { max_tokens: 20, temperature: 0, stop: [' fox'] },
        sampling_session_id: saved.sampling_session_id,
        seq_id: 2,
      });
      expect(Buffer.from(stopped.sequences[0].tokens).toString()).toBe(' brown fox');
      expect(stopped.sequences[0].stop_reason).toBe('stop');
      expect(out.prompt_logprobs[0]).toBeNull();
      expect(out.prompt_logprobs).toHaveLength(9);
      expect(out.topk_prompt_logprobs[1]).toHaveLength(2);
    });
  });

  it('gives logprobs that form a distribution over the whole vocabulary and accepts any id below it', async () => {
    await withEmulator({ seed: 1 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const big = 128_000;
      const out = await api.submit('forward', {
        forward_input: {
          data: [
            {
              model_input: { chunks: [{ tokens: [big, 65] }] },
              loss_fn_inputs: { target_tokens: { data: [66, big], dtype: 'int64' } },
            },
          ],
          loss_fn: 'cross_entropy',
          loss_fn_config: null,
        },
        model_id: modelId,
        seq_id: 1,
      });
      const lps = out.loss_fn_outputs[0].logprobs.data;
      expect(lps).toHaveLength(2);
      expect(lps.every((x: number) => x < 0)).toBe(true);
      const oversized = await api.post('forward', {
        forward_input: {
          data: [
            {
              model_input: { chunks: [{ tokens: [128256] }] },
              loss_fn_inputs: { target_tokens: { data: [1], dtype: 'int64' } },
            },
          ],
          loss_fn: 'cross_entropy',
        },
        model_id: modelId,
        seq_id: 2,
      });
      expect(oversized.status).toBe(400);
    });
  });

  it('honours seed (same seed, same tokens), stop strings and max_tokens', async () => {
    await withEmulator({ seed: 3 }, async (emu) => {
      const api = client(emu);
      const session = (
        await api.post('create_session', { tags: [], user_metadata: {}, sdk_version: '0.7.0' })
      ).body.session_id;
      const sampler = (
        await api.post('create_sampling_session', {
          session_id: session,
          sampling_session_seq_id: 0,
          base_model: 'meta-llama/Llama-3.2-1B',
          model_path: null,
        })
      ).body.sampling_session_id;
      const ask = (seed: number, stop?: string[] | number[]) =>
        api.submit('asample', {
          num_samples: 2,
          prompt: { chunks: [{ tokens: bytes('ab') }] },
          sampling_params: { max_tokens: 12, seed, ...(stop ? { stop } : {}) },
          sampling_session_id: sampler,
          seq_id: 0,
        });
      const a = await ask(11);
      const b = await ask(11);
      expect(a.sequences).toEqual(b.sequences);
      expect(a.sequences[0].tokens).toHaveLength(12);
      expect(a.sequences[0].stop_reason).toBe('length');
      const third = a.sequences[0].tokens[2];
      const byToken = await ask(11, [third]);
      expect(byToken.sequences[0].tokens).toEqual(
        a.sequences[0].tokens.slice(0, a.sequences[0].tokens.indexOf(third) + 1),
      );
      expect(byToken.sequences[0].stop_reason).toBe('stop');
    });
  });
});
