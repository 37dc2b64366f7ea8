import { describe, expect, it } from '@jest/globals';
import { client, openModel, textDatum, withEmulator } from './helpers.js';

const TEXT = 'The quick brown fox jumps over the lazy dog. ';

/**
 * Seq ids a client burned (its submission failed for good) must not hold later requests forever, and
 * must never let a late request run out of order.
 */
describe('emulator: gaps in training seq_ids', () => {
  const forward = (modelId: string, seq_id: number, loss_fn = 'cross_entropy') => ({
    forward_backward_input: { data: [textDatum(TEXT)], loss_fn, loss_fn_config: null },
    model_id: modelId,
    seq_id,
  });
  const optim = (modelId: string, seq_id: number) => ({
    adam_params: { learning_rate: 1e-4 },
    model_id: modelId,
    seq_id,
  });

  it('a seq_id refused with a 4xx is consumed: the next one runs at once', async () => {
    await withEmulator({ seed: 1 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      expect((await api.post('forward_backward', forward(modelId, 1, 'ppo'))).status).toBe(400);
      const next = await api.post('optim_step', optim(modelId, 2));
      const first = await api.post('retrieve_future', { request_id: next.body.request_id });
      expect(first.body.type).not.toBe('try_again');
      expect(emu.state.appliedSteps(modelId)).toEqual([2]);
    });
  });

  it('a seq_id never received is passed over after sequenceGapMs; arriving later, it is refused', async () => {
    await withEmulator({ seed: 1, sequenceGapMs: 100 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const held = await api.post('optim_step', optim(modelId, 2));
      const answer = await api.result(held.body.request_id, {}, 100_000);
      expect(answer.body.type).toBe('optim_step');
      expect(emu.state.appliedSteps(modelId)).toEqual([2]);
      const late = await api.post('forward_backward', forward(modelId, 1));
      expect(late.status).toBe(400);
      expect(late.body.field).toBe('seq_id');
      expect(emu.state.appliedSteps(modelId)).toEqual([2]);
    });
  });

  it('an early seq_id still waits for a predecessor that arrives within the window', async () => {
    await withEmulator({ seed: 1, sequenceGapMs: 60_000 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const second = await api.post('optim_step', optim(modelId, 2));
      const polled = await api.post('retrieve_future', { request_id: second.body.request_id });
      expect(polled.body.type).toBe('try_again');
      await api.submit('forward_backward', forward(modelId, 1));
      expect((await api.result(second.body.request_id)).body.type).toBe('optim_step');
      expect(emu.state.appliedSteps(modelId)).toEqual([1, 2]);
    });
  });
});
