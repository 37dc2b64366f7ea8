import { describe, expect, it } from '@jest/globals';
import { client, KEY, openModel, textDatum, withEmulator } from './helpers.js';
import { decodeFwdBwdOutput, fwdBwdRequest, pollRaw, postProto, protoDatum } from './support/proto.js';

const TEXT = 'Both generations on one server. ';

describe('a 0.7.0 JSON client and a 0.25.0 client on the same running emulator', () => {
  it('train side by side, each in its own protocol, to the same losses', async () => {
    await withEmulator({ seed: 9 }, async (emu) => {
      const api = client(emu);
      const legacy = await openModel(api); // no client/config: the 0.7.0 start-up
      expect((await api.post('client/config', { sdk_version: '0.25.0' })).status).toBe(200);
      const modern = await openModel(api);
      const jsonRun = async () => {
        const losses: number[] = [];
        for (let seq = 1; seq <= 8; seq += 2) {
          const fb = await api.submit('forward_backward', {
            forward_backward_input: {
              data: [textDatum(TEXT)],
              loss_fn: 'cross_entropy',
              loss_fn_config: null,
            },
            model_id: legacy.modelId,
            seq_id: seq,
          });
          losses.push(fb.metrics['loss:sum']);
          await api.submit('optim_step', {
            adam_params: { learning_rate: 1e-4 },
            model_id: legacy.modelId,
            seq_id: seq + 1,
          });
        }
        return losses;
      };
      const protoRun = async () => {
        const losses: number[] = [];
        for (let seq = 1; seq <= 8; seq += 2) {
          const body = fwdBwdRequest({
            model_id: modern.modelId,
            seq_id: seq,
            data: [protoDatum(TEXT)],
            loss_fn: 'cross_entropy',
          });
          const submit = await postProto(emu.url, KEY, body);
          const polled = await pollRaw(emu.url, KEY, submit.body.request_id, 'application/x-protobuf');
          losses.push(decodeFwdBwdOutput(polled.data).metrics['loss:sum']);
          await api.submit('optim_step', {
            adam_params: {
              learning_rate: 0.0001,
              beta1: 0.9,
              beta2: 0.95,
              eps: 1e-12,
              weight_decay: 0,
              grad_clip_norm: 0,
            },
            model_id: modern.modelId,
            seq_id: seq + 1,
            type: 'optim_step',
          });
        }
        return losses;
      };
      const [json, proto] = await Promise.all([jsonRun(), protoRun()]);
      expect(json[3]).toBeLessThan(json[0]);
      proto.forEach((loss, i) => expect(loss).toBeCloseTo(json[i], 6));
      const types = emu
        .requestLog()
        .filter((r) => r.path === '/api/v1/forward_backward')
        .map((r) => r.content_type);
      expect(types.filter((t) => t === 'application/json')).toHaveLength(4);
      expect(types.filter((t) => t === 'application/x-protobuf')).toHaveLength(4);
    });
  });
});
