import { describe, expect, it } from '@jest/globals';
import { client, openModel, openSampler, textDatum, withEmulator } from './helpers.js';

// Values the official SDK sends unchecked (found by running it and Tinkex on the same edge inputs):
// the emulator must refuse them with a 400 naming the field, not store or apply something else.

const save = (modelId: string, seq: number, extra: Record<string, unknown>) => ({
  model_id: modelId,
  seq_id: seq,
  ...extra,
});

describe('out-of-range values the official client sends unchecked', () => {
  it('a save with ttl_seconds <= 0 is a 400 naming ttl_seconds (as PUT …/ttl), and stores nothing', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api, 4);
      let seq = 1;
      for (const ttl of [0, -5]) {
        for (const [route, name] of [
          ['save_weights', `w${-ttl}`],
          ['save_weights_for_sampler', `s${-ttl}`],
        ] as const) {
          const r = await api.post(route, save(modelId, seq++, { path: name, ttl_seconds: ttl }));
          expect([route, ttl, r.status, r.body]).toEqual([
            route,
            ttl,
            400,
            expect.objectContaining({ field: 'ttl_seconds', detail: 'ttl_seconds must be positive or null' }),
          ]);
        }
      }
      expect(emu.state.checkpoints.size).toBe(0);
      // Clients go on with the next seq_id after a refused submit; a positive TTL still saves.
      const ok = await api.submit(
        'save_weights',
        save(modelId, seq, { path: 'ok', ttl_seconds: 60, overwrite: false }),
      );
      expect(ok.path).toMatch(/\/weights\/ok$/);
      expect(emu.state.checkpoints.get(ok.path)?.expires_at).not.toBeNull();
    });
  });

  it.each([
    ['beta1', 1],
    ['beta1', -0.1],
    ['beta2', 1.5],
    ['eps', 0],
    ['weight_decay', -0.1],
    ['grad_clip_norm', -1],
  ])('optim_step with %s = %p is a 400 naming it, and the weights are untouched', async (key, value) => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api, 4);
      await api.submit('forward_backward', {
        forward_backward_input: { data: [textDatum('the cat sat. ')], loss_fn: 'cross_entropy' },
        model_id: modelId,
        seq_id: 1,
      });
      const before = Array.from(emu.state.models.get(modelId)!.adapter.u);
      const r = await api.post('optim_step', {
        adam_params: { learning_rate: 1e-4, [key]: value },
        model_id: modelId,
        seq_id: 2,
      });
      expect(r.status).toBe(400);
      expect(r.body).toEqual(expect.objectContaining({ field: `adam_params.${key}` }));
      expect(Array.from(emu.state.models.get(modelId)!.adapter.u)).toEqual(before);
    });
  });

  // vLLM refuses each of these (n >= 1, max_tokens >= 0 here, temperature >= 0, top_p in [0, 1],
  // top_k >= -1, logprobs >= 0); the emulator answered them as if they were fine (an empty "length"
  // sequence for max_tokens -1, no sequences for num_samples 0).
  it.each([
    ['sampling_params.max_tokens', { sampling_params: { max_tokens: -1 } }],
    ['sampling_params.temperature', { sampling_params: { max_tokens: 2, temperature: -0.5 } }],
    ['sampling_params.top_p', { sampling_params: { max_tokens: 2, top_p: 1.5 } }],
    ['sampling_params.top_p', { sampling_params: { max_tokens: 2, top_p: -0.1 } }],
    ['sampling_params.top_k', { sampling_params: { max_tokens: 2, top_k: -2 } }],
    ['sampling_params.stop[1]', { sampling_params: { max_tokens: 2, stop: [5, -1] } }],
    ['num_samples', { num_samples: 0 }],
    ['num_samples', { num_samples: -1 }],
    ['topk_prompt_logprobs', { topk_prompt_logprobs: -1, prompt_logprobs: true }],
  ])('asample and stream_sample refuse %s out of range with a 400 naming it', async (field, over) => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      const body = {
        prompt: { chunks: [{ type: 'encoded_text', tokens: [1, 2, 3] }] },
        sampling_params: { max_tokens: 2 },
        sampling_session_id: sampler,
        num_samples: 1,
        seq_id: 0,
        type: 'sample',
        ...over,
      };
      for (const route of ['asample', 'stream_sample']) {
        if (route === 'stream_sample' && field === 'num_samples') continue; // the stream samples one
        const r = await api.post(route, body);
        expect([route, r.status, r.body?.field]).toEqual([route, 400, field]);
      }
    });
  });

  it('asample still answers the bounds themselves: max_tokens 0, temperature 0, top_p 0 and 1, top_k -1 and 0', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const sampler = await openSampler(api);
      for (const sampling_params of [
        { max_tokens: 0 },
        { max_tokens: 2, temperature: 0, top_p: 0, top_k: 0 },
        { max_tokens: 2, top_p: 1, top_k: -1, stop: [0] },
      ]) {
        const r = await api.submit('asample', {
          prompt: { chunks: [{ type: 'encoded_text', tokens: [1, 2, 3] }] },
          sampling_params,
          sampling_session_id: sampler,
          num_samples: 1,
          type: 'sample',
        });
        expect(r.sequences).toHaveLength(1);
      }
    });
  });

  // The references type user_metadata dict[str, str] where the server answers it (TrainingRun, the
  // billing sessions); the official client sends other values unchecked, and the emulator echoed them.
  it('user_metadata with a non-string value is a 400 naming the key, on create_session and create_model', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const refused = await api.post('create_session', {
        tags: [],
        user_metadata: { a: 1 },
        sdk_version: '0',
      });
      expect([refused.status, refused.body?.field]).toEqual([400, 'user_metadata.a']);
      const { session } = await openModel(api, 4);
      const r = await api.post('create_model', {
        session_id: session,
        model_seq_id: 1,
        base_model: 'meta-llama/Llama-3.2-1B',
        user_metadata: { ok: 'x', b: null },
        lora_config: { rank: 4 },
      });
      expect([r.status, r.body?.field]).toEqual([400, 'user_metadata.b']);
    });
  });
});
