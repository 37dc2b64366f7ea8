import { describe, expect, it } from '@jest/globals';
import { client, KEY, openModel, textDatum, withEmulator } from './helpers.js';

const fb = (modelId: string, seq: number) => ({
  forward_backward_input: { data: [textDatum('abc')], loss_fn: 'cross_entropy' },
  model_id: modelId,
  seq_id: seq,
});

describe('402 billing pause and 408 / bare 400 poll answers', () => {
  it('answers 402 on training, sampling and polls while billing is paused, and nothing is applied', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const submitted = await api.post('forward_backward', fb(modelId, 1));
      emu.setBillingPaused(true);
      const paused = await api.post('forward_backward', fb(modelId, 2));
      expect(paused.status).toBe(402);
      expect(paused.body.detail).toMatch(/billing/);
      expect((await api.post('retrieve_future', { request_id: submitted.body.request_id })).status).toBe(402);
      // Configuration and REST reads are not work: they still answer.
      expect((await api.post('client/config', { sdk_version: '0.25.0' })).status).toBe(200);
      expect((await api.call('GET', '/api/v1/get_server_capabilities')).status).toBe(200);
      emu.setBillingPaused(false);
      expect((await api.post('forward_backward', fb(modelId, 2))).status).toBe(200);
      expect(emu.state.appliedSteps(modelId)).toEqual([1, 2]);
    });
  });

  it('chaos 402 / 408 / 400 / 422 answer as the reference describes', async () => {
    await withEmulator({ chaos: '408=1;scope=futures' }, async (emu) => {
      const api = client(emu);
      const session = await api.post('create_session', {
        tags: [],
        user_metadata: {},
        sdk_version: '0.25.0',
      });
      const model = await api.post('create_model', {
        session_id: session.body.session_id,
        model_seq_id: 0,
        base_model: 'meta-llama/Llama-3.2-1B',
      });
      expect(model.body).toMatchObject({ model_id: expect.any(String) });
      const poll = await api.post('retrieve_future', { request_id: model.body.request_id });
      expect(poll.status).toBe(408);
      expect(poll.body).toMatchObject({
        queue_state: 'paused_capacity',
        queue_state_reason: expect.any(String),
      });
    });
    await withEmulator({ chaos: '400=1;scope=futures' }, async (emu) => {
      const res = await fetch(`${emu.url}/api/v1/retrieve_future`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: 'req-1' }),
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toBe(''); // bare, as a proxy sends it
    });
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      emu.setChaos('422=1;scope=training');
      const refused = await api.post('forward_backward', fb(modelId, 1));
      // FastAPI's request-validation answer: a list of {type, loc, msg} under detail.
      expect(refused.status).toBe(422);
      expect(refused.body).toEqual({
        detail: [{ type: 'value_error', loc: ['body'], msg: expect.stringContaining('(chaos)') }],
      });
      expect(emu.state.appliedSteps(modelId)).toEqual([]);
      // Refused before the handler, as FastAPI refuses it: its seq_id is spent, the next one runs at once.
      emu.setChaos('');
      const next = await api.post('forward_backward', fb(modelId, 2));
      await api.post('retrieve_future', { request_id: next.body.request_id });
      expect(emu.state.appliedSteps(modelId)).toEqual([2]);
    });
    await withEmulator({ chaos: '402=1;scope=sampling' }, async (emu) => {
      const res = await client(emu).post('asample', {
        prompt: { chunks: [{ tokens: [1, 2] }] },
        sampling_params: { max_tokens: 1 },
        base_model: 'meta-llama/Llama-3.2-1B',
      });
      expect(res.status).toBe(402);
    });
  });
});
