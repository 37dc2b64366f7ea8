import { describe, expect, it } from '@jest/globals';
import { client, openModel, textDatum, withEmulator } from './helpers.js';

const TEXT = 'The quick brown fox jumps over the lazy dog. ';

async function trainedCheckpoint(api: ReturnType<typeof client>) {
  const { session, modelId } = await openModel(api, 4);
  await api.submit('forward_backward', {
    forward_backward_input: { data: [textDatum(TEXT)], loss_fn: 'cross_entropy' },
    model_id: modelId,
    seq_id: 1,
  });
  await api.submit('optim_step', { adam_params: { learning_rate: 1e-4 }, model_id: modelId, seq_id: 2 });
  const saved = await api.submit('save_weights', {
    model_id: modelId,
    path: 'ckpt',
    seq_id: 3,
    overwrite: false,
    type: 'save_weights',
  });
  return { session, modelId, path: saved.path as string };
}

const loss = async (api: ReturnType<typeof client>, modelId: string, seq: number) =>
  (
    await api.submit('forward', {
      forward_input: { data: [textDatum(TEXT)], loss_fn: 'cross_entropy' },
      model_id: modelId,
      seq_id: seq,
    })
  ).metrics['loss:sum'] as number;

describe('checkpoints in the 0.25 protocol', () => {
  it('create-via-load makes <session>:train:<n> from the checkpoint with its rank and weights', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { session, modelId, path } = await trainedCheckpoint(api);
      const body = { session_id: session, model_seq_id: 1, path, optimizer: true, type: 'load_weights' };
      const submit = await api.post('load_weights', body);
      expect(submit.body.model_id).toBe(`${session}:train:1`);
      const result = (await api.result(submit.body.request_id)).body;
      expect(result).toEqual({ type: 'load_weights', path, model_id: `${session}:train:1` });
      const info = await api.post('get_info', { model_id: `${session}:train:1`, type: 'get_info' });
      expect(info.body.lora_rank).toBe(4);
      // Same weights: the same loss as the source model.
      expect(await loss(api, `${session}:train:1`, 1)).toBe(await loss(api, modelId, 4));
      // A retry of the same create-via-load answers the same model and loads nothing twice.
      const again = await api.post('load_weights', body);
      expect(again.body.model_id).toBe(`${session}:train:1`);
      expect(emu.state.audit.filter((e) => e.event === 'load_weights')).toHaveLength(1);
    });
  });

  it('create-via-load needs session_id with model_seq_id, and an existing checkpoint', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { session, path } = await trainedCheckpoint(api);
      const none = await api.post('load_weights', { path, optimizer: false });
      expect(none).toMatchObject({ status: 400, body: { field: 'model_id' } });
      const noSeq = await api.post('load_weights', { session_id: session, path, optimizer: false });
      expect(noSeq).toMatchObject({ status: 400, body: { field: 'model_seq_id' } });
      const missing = await api.post('load_weights', {
        session_id: session,
        model_seq_id: 2,
        path: path.replace('ckpt', 'nope'),
        optimizer: false,
      });
      expect(missing).toMatchObject({ status: 404, body: { field: 'path' } });
      expect(emu.state.models.has(`${session}:train:2`)).toBe(false);
    });
  });

  it('accepts a valid weights_access_token (API key or JWT) and refuses others with 403', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId, path } = await trainedCheckpoint(api);
      const jwt = await emu.issueJwt();
      const load = (token: string, seq: number) =>
        api.post('load_weights', {
          model_id: modelId,
          seq_id: seq,
          path,
          optimizer: false,
          weights_access_token: token,
          type: 'load_weights',
        });
      expect((await load(jwt, 4)).status).toBe(200);
      expect((await load('tml-other-user', 5)).status).toBe(200);
      expect(await load('stolen', 6)).toMatchObject({ status: 403, body: { field: 'weights_access_token' } });
      expect((await load(await emu.issueJwt(-10), 6)).status).toBe(403);
      expect(emu.state.weightsAccessTokens).toEqual([jwt, 'tml-other-user']);
    });
  });

  it('save_weights with overwrite false fails on an existing name (user error); true replaces it', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId, path } = await trainedCheckpoint(api);
      const save = (seq: number, overwrite?: boolean) =>
        api.post('save_weights', { model_id: modelId, path: 'ckpt', seq_id: seq, overwrite });
      const conflict = (await api.result((await save(4, false)).body.request_id)).body;
      expect(conflict).toEqual({
        error: `checkpoint ${path} already exists and overwrite is false`,
        category: 'user',
      });
      expect((await api.result((await save(5, true)).body.request_id)).body.path).toBe(path);
      // 0.7.0 clients send no overwrite field: the old replace.
      expect((await api.result((await save(6)).body.request_id)).body.path).toBe(path);
      expect(emu.state.appliedSteps(modelId)).toEqual([1, 2, 3, 5, 6]);
    });
  });
});
