import { describe, expect, it } from '@jest/globals';
import { client, openModel, textDatum, withEmulator } from './helpers.js';

const TEXT = 'The quick brown fox jumps over the lazy dog. ';

function fwdBwd(modelId: string, seq_id: number) {
  return {
    model_id: modelId,
    seq_id,
    forward_backward_input: { data: [textDatum(TEXT)], loss_fn: 'cross_entropy' },
  };
}

describe('corrupted training runs', () => {
  it('setRunCorrupted: the run reports corrupted, its work fails (server category) and is not applied', async () => {
    await withEmulator({ seed: 3 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      expect((await api.submit('forward_backward', fwdBwd(modelId, 1))).type).not.toBe('error');
      expect((await api.call('GET', `/api/v1/training_runs/${modelId}`)).body.corrupted).toBe(false);

      emu.setRunCorrupted(modelId);
      expect((await api.call('GET', `/api/v1/training_runs/${modelId}`)).body.corrupted).toBe(true);
      const listed = (await api.call('GET', '/api/v1/training_runs')).body.training_runs;
      expect(listed.find((r: { training_run_id: string }) => r.training_run_id === modelId).corrupted).toBe(
        true,
      );
      const failed = await api.submit('forward_backward', fwdBwd(modelId, 2));
      expect(failed).toMatchObject({ category: 'server' });
      expect(failed.error).toMatch(/is corrupted/);
      expect(emu.state.appliedSteps(modelId)).toEqual([1]);

      // Healthy again: work is applied from then on.
      emu.setRunCorrupted(modelId, false);
      expect((await api.submit('forward_backward', fwdBwd(modelId, 3))).loss_fn_outputs).toHaveLength(1);
      expect(emu.state.appliedSteps(modelId)).toEqual([1, 3]);
      expect(() => emu.setRunCorrupted('nope:train:0')).toThrow(/no training run/);
    });
  });

  it('the admin endpoint marks a run corrupted, and refuses unknown runs and bad bodies', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const marked = await api.call('POST', `/_emulator/training_runs/${modelId}/corrupt`, {});
      expect(marked).toMatchObject({ status: 200, body: { training_run_id: modelId, corrupted: true } });
      expect((await api.call('GET', `/api/v1/training_runs/${modelId}`)).body.corrupted).toBe(true);
      const bad = await api.call('POST', `/_emulator/training_runs/${modelId}/corrupt`, { corrupted: 'no' });
      expect(bad).toMatchObject({ status: 400, body: { field: 'corrupted' } });
      const cleared = await api.call('POST', `/_emulator/training_runs/${modelId}/corrupt`, {
        corrupted: false,
      });
      expect(cleared.body.corrupted).toBe(false);
      expect((await api.call('POST', '/_emulator/training_runs/x:train:9/corrupt', {})).status).toBe(404);
    });
  });

  it('chaos corrupt=1 corrupts a run at its first training work; other classes are untouched', async () => {
    await withEmulator({ chaos: 'corrupt=1;scope=training' }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const failed = await api.submit('forward_backward', fwdBwd(modelId, 1));
      expect(failed).toMatchObject({ category: 'server' });
      expect((await api.call('GET', `/api/v1/training_runs/${modelId}`)).body.corrupted).toBe(true);
      expect(emu.state.appliedSteps(modelId)).toEqual([]);
    });
  });
});
