import { describe, expect, it } from '@jest/globals';
import { client, KEY, nextBytes, openModel, withEmulator } from './helpers.js';
import {
  decodeFwdBwdOutput,
  fwdBwdRequest,
  float32s,
  int32s,
  int64s,
  pollRaw,
  postProto,
} from './support/proto.js';

// proto3 leaves an empty `bytes` field out of the message (the official client and Tinkex both do), and
// protobufjs then reads it as its prototype default, a plain `[]`, not a Uint8Array. An empty text chunk
// (a ModelInput built from an empty string) or a sparse tensor with no non-zero value (all-zero weights
// through sparsifyIfSmaller) must mean "no values", as in the JSON protocol: before, these bodies were
// refused with `… has undefined bytes, not a multiple of 4`, and the request log threw on them.
const PROTOBUF = 'application/x-protobuf';
const TEXT = 'The quick brown fox. ';

describe('0.25 protobuf forward_backward: empty bytes fields left out, as proto3 does', () => {
  it('reads an absent tokens or sparse values field as empty, and answers as the JSON protocol does', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const { tokens, targets } = nextBytes(TEXT);
      const protoForward = async (seq: number, weights: Record<string, unknown>) => {
        const body = fwdBwdRequest({
          model_id: modelId,
          seq_id: seq,
          forward_only: true,
          loss_fn: 'cross_entropy',
          data: [
            {
              // the first chunk is empty: its `tokens` field is not on the wire at all
              model_input: [{ encoded_text: {} }, { encoded_text: { tokens: int32s(tokens) } }],
              loss_fn_inputs: {
                target_tokens: { dense: int64s(targets), dtype: 2, shape: [targets.length] },
                weights,
              },
            },
          ],
        });
        const submit = await postProto(emu.url, KEY, body);
        expect({ status: submit.status, body: submit.body }).toEqual({
          status: 200,
          body: expect.objectContaining({ request_id: expect.any(String) }),
        });
        return decodeFwdBwdOutput((await pollRaw(emu.url, KEY, submit.body.request_id, PROTOBUF)).data)
          .metrics['loss:sum'];
      };
      const jsonForward = async (seq: number, weight: number) =>
        (
          await api.submit('forward', {
            forward_input: {
              loss_fn: 'cross_entropy',
              data: [
                {
                  model_input: { chunks: [{ tokens: [] }, { tokens }] },
                  loss_fn_inputs: {
                    target_tokens: { data: targets, dtype: 'int64', shape: [targets.length] },
                    weights: { data: targets.map(() => weight), dtype: 'float32', shape: [targets.length] },
                  },
                },
              ],
            },
            model_id: modelId,
            seq_id: seq,
          })
        ).metrics['loss:sum'];

      const ones = { dense: float32s(targets.map(() => 1)), dtype: 1, shape: [targets.length] };
      // all-zero weights as CSR: no values and no column indices, so both fields are left out
      const zeros = { sparse_csr: { crow_indices: int64s([0, 0]) }, dtype: 1, shape: [targets.length] };
      const [loss, zeroLoss] = [await protoForward(1, ones), await protoForward(2, zeros)];
      expect(loss).toBeCloseTo(await jsonForward(3, 1), 4);
      expect(zeroLoss).toBe(await jsonForward(4, 0));

      const logged = emu.requestLog().filter((r) => r.path === '/api/v1/forward_backward');
      expect(logged).toHaveLength(2);
      expect((logged[0]!.body as any).data[0].model_input[0]).toEqual({ encoded_text: { tokens: [] } });
    });
  });
});
