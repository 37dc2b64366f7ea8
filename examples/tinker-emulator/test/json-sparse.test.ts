import { describe, expect, it } from '@jest/globals';
import { client, nextBytes, openModel, withEmulator } from './helpers.js';

// The JSON protocol (SDK 0.18–0.24.1) sends a sparse tensor as `data` (the non-zero values) plus
// `sparse_crow_indices` and `sparse_col_indices`, `shape` being the dense shape. The emulator took the
// indices in its schema but read `data` as if dense, so every sparse loss input was refused with
// "weights must match the model input length" (found by hand: Tinkex with protocol 'legacy' and
// toSparseCsr weights), while the same tensor in protobuf (0.25) was densified and trained on.
const TEXT = 'The quick brown fox. ';

describe('JSON protocol: sparse loss inputs', () => {
  it('densifies a CSR tensor and answers as for the same dense one', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const { tokens, targets } = nextBytes(TEXT);
      const n = targets.length;
      const forward = async (seq: number, weights: Record<string, unknown>) =>
        (
          await api.submit('forward', {
            forward_input: {
              loss_fn: 'cross_entropy',
              data: [
                {
                  model_input: { chunks: [{ tokens }] },
                  loss_fn_inputs: {
                    target_tokens: { data: targets, dtype: 'int64', shape: [n] },
                    weights,
                  },
                },
              ],
            },
            model_id: modelId,
            seq_id: seq,
          })
        ).metrics['loss:sum'];
      // only the last two targets weigh
      const dense = targets.map((_, i) => (i >= n - 2 ? 1 : 0));
      const expected = await forward(1, { data: dense, dtype: 'float32', shape: [n] });
      const sparse = {
        data: [1, 1],
        dtype: 'float32',
        shape: [n],
        sparse_crow_indices: [0, 2],
        sparse_col_indices: [n - 2, n - 1],
      };
      expect(expected).toBeGreaterThan(0);
      expect(await forward(2, sparse)).toBe(expected);
      // no non-zero value at all
      const none = {
        data: [],
        dtype: 'float32',
        shape: [n],
        sparse_crow_indices: [0, 0],
        sparse_col_indices: [],
      };
      expect(await forward(3, none)).toBe(0);
    });
  });

  it('refuses CSR indices that do not describe the values, naming the tensor', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const bad = {
        data: [1],
        dtype: 'float32',
        shape: [3],
        sparse_crow_indices: [0, 2],
        sparse_col_indices: [0],
      };
      const answer = await api.post('forward', {
        forward_input: {
          loss_fn: 'cross_entropy',
          data: [
            {
              model_input: { chunks: [{ tokens: [1, 2, 3] }] },
              loss_fn_inputs: { target_tokens: { data: [2, 3, 4], dtype: 'int64' }, weights: bad },
            },
          ],
        },
        model_id: modelId,
        seq_id: 1,
      });
      expect(answer).toMatchObject({ status: 400, body: { field: 'data[0].loss_fn_inputs.weights' } });
    });
  });
});
