import { describe, expect, it } from '@jest/globals';
import { client, KEY, openModel, textDatum, withEmulator } from './helpers.js';
import {
  decodeFwdBwdOutput,
  decodeSampleResponse,
  fwdBwdRequest,
  int32s,
  pollRaw,
  postProto,
  protoDatum,
  zstd,
} from './support/proto.js';

const TEXT = 'The quick brown fox jumps over the lazy dog. ';
const PROTOBUF = 'application/x-protobuf';

/** Per-datum float32 values of one BatchedTensor field, sliced by its byte offsets. */
function perDatum(field: { data: Uint8Array; offsets: Uint8Array }): number[][] {
  const offsets = [...new BigInt64Array(new Uint8Array(field.offsets).buffer)].map(Number);
  const data = Buffer.from(field.data);
  return offsets
    .slice(0, -1)
    .map((start, i) => [
      ...new Float32Array(data.buffer.slice(data.byteOffset + start, data.byteOffset + offsets[i + 1])),
    ]);
}

describe('0.25 protobuf forward_backward', () => {
  it('trains from protobuf bodies exactly as from JSON, and answers protobuf results to protobuf polls', async () => {
    const run = async (proto: boolean) =>
      withEmulator({ seed: 3 }, async (emu) => {
        const api = client(emu);
        const { modelId } = await openModel(api);
        const losses: number[] = [];
        for (let seq = 1; seq <= 6; seq += 2) {
          let loss: number;
          if (proto) {
            const submit = await postProto(
              emu.url,
              KEY,
              fwdBwdRequest({
                model_id: modelId,
                seq_id: seq,
                data: [protoDatum(TEXT)],
                loss_fn: 'cross_entropy',
              }),
            );
            expect(submit.status).toBe(200);
            const result = await pollRaw(emu.url, KEY, submit.body.request_id, PROTOBUF);
            expect(result.type).toBe(PROTOBUF);
            const output = decodeFwdBwdOutput(result.data);
            expect(output.loss_fn_output_type).toBe('ArrayRecord');
            expect(output.loss_fn_outputs).toHaveLength(1);
            expect(output.loss_fn_outputs[0].num_datums).toBe(1);
            expect(output.loss_fn_outputs[0].fields.logprobs.dtype).toBe('DTYPE_FLOAT32');
            expect(perDatum(output.loss_fn_outputs[0].fields.logprobs)[0]).toHaveLength(TEXT.length - 1);
            loss = output.metrics['loss:sum'];
          } else {
            const result = await api.submit('forward_backward', {
              forward_backward_input: { data: [textDatum(TEXT)], loss_fn: 'cross_entropy' },
              model_id: modelId,
              seq_id: seq,
            });
            loss = result.metrics['loss:sum'];
          }
          losses.push(loss);
          await api.submit('optim_step', {
            adam_params: { learning_rate: 1e-4 },
            model_id: modelId,
            seq_id: seq + 1,
          });
        }
        return losses;
      });
    const [json, proto] = [await run(false), await run(true)];
    expect(proto[2]).toBeLessThan(proto[0]);
    // float32 on the wire: the same numbers to float32 precision.
    proto.forEach((loss, i) => expect(loss).toBeCloseTo(json[i], 4));
  });

  it('forward_only is a forward pass: no gradient, so optim_step changes nothing', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const forward = async (seq: number) => {
        const body = fwdBwdRequest({
          model_id: modelId,
          seq_id: seq,
          data: [protoDatum(TEXT)],
          loss_fn: 'cross_entropy',
          forward_only: true,
        });
        const submit = await postProto(emu.url, KEY, body);
        return decodeFwdBwdOutput((await pollRaw(emu.url, KEY, submit.body.request_id, PROTOBUF)).data)
          .metrics['loss:sum'];
      };
      const before = await forward(1);
      await api.submit('optim_step', { adam_params: { learning_rate: 1e-4 }, model_id: modelId, seq_id: 2 });
      expect(await forward(3)).toBe(before);
    });
  });

  it('accepts zstd-compressed bodies (Content-Encoding: zstd) and logs the decoded message', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const raw = fwdBwdRequest({
        model_id: modelId,
        seq_id: 1,
        data: [protoDatum('abcd'), protoDatum('xyz')],
        loss_fn: 'cross_entropy',
        loss_fn_config: { clip: 0.5 },
      });
      const compressed = await zstd(raw);
      expect(compressed.subarray(0, 4).toString('hex')).toBe('28b52ffd');
      const submit = await postProto(emu.url, KEY, compressed, 'zstd');
      expect(submit.status).toBe(200);
      const polled = await pollRaw(emu.url, KEY, submit.body.request_id, PROTOBUF);
      const output = decodeFwdBwdOutput(polled.data);
      expect(perDatum(output.loss_fn_outputs[0].fields.elementwise_loss).map((d) => d.length)).toEqual([
        3, 2,
      ]);
      const entry = emu.requestLog().find((r) => r.path === '/api/v1/forward_backward')!;
      expect(entry).toMatchObject({
        content_type: PROTOBUF,
        content_encoding: 'zstd',
        body_bytes: compressed.length,
        status: 200,
      });
      expect(entry.body).toEqual({
        model_id: modelId,
        seq_id: 1,
        data: [
          {
            model_input: [{ encoded_text: { tokens: [97, 98, 99] } }],
            loss_fn_inputs: {
              target_tokens: { dense: [98, 99, 100], dtype: 'DTYPE_INT64', shape: [3] },
              weights: { dense: [1, 1, 1], dtype: 'DTYPE_FLOAT32', shape: [3] },
            },
          },
          {
            model_input: [{ encoded_text: { tokens: [120, 121] } }],
            loss_fn_inputs: {
              target_tokens: { dense: [121, 122], dtype: 'DTYPE_INT64', shape: [2] },
              weights: { dense: [1, 1], dtype: 'DTYPE_FLOAT32', shape: [2] },
            },
          },
        ],
        loss_fn: 'cross_entropy',
        loss_fn_config: { clip: 0.5 },
      });
      const poll = emu
        .requestLog()
        .filter((r) => r.path === '/api/v1/retrieve_future')
        .at(-1)!;
      expect(poll.response_content_type).toBe(PROTOBUF);
    });
  });

  it('rejects malformed protobuf with a 400 naming the field, and applies nothing', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const datum = protoDatum('abcd');
      datum.model_input[0].encoded_text.tokens = Buffer.concat([int32s([97, 98]), Buffer.from([1])]);
      const odd = await postProto(
        emu.url,
        KEY,
        fwdBwdRequest({ model_id: modelId, seq_id: 1, data: [datum], loss_fn: 'cross_entropy' }),
      );
      expect(odd).toMatchObject({
        status: 400,
        body: { field: 'data[0].model_input[0].encoded_text.tokens' },
      });
      const shape = protoDatum('abcd');
      shape.loss_fn_inputs.weights.shape = [4];
      const mismatch = await postProto(
        emu.url,
        KEY,
        fwdBwdRequest({ model_id: modelId, seq_id: 1, data: [shape], loss_fn: 'cross_entropy' }),
      );
      expect(mismatch).toMatchObject({
        status: 400,
        body: { field: 'data[0].loss_fn_inputs.weights.shape' },
      });
      const garbage = await postProto(emu.url, KEY, Buffer.from([0x0a, 0xff, 0xff]));
      expect(garbage.status).toBe(400);
      expect(garbage.body.detail).toMatch(/not a tinker_public.ForwardBackwardRequest/);
      const notZstd = await postProto(emu.url, KEY, Buffer.from('plain'), 'zstd');
      expect(notZstd.status).toBe(400);
      expect(emu.state.appliedSteps(modelId)).toEqual([]);
    });
  });

  it('a refused protobuf submission gives up its seq_id: the next one runs without waiting for the gap', async () => {
    await withEmulator({ sequenceGapMs: 600_000, longPollMs: 0 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const datum = protoDatum('abcd');
      datum.loss_fn_inputs.weights.dtype = 0; // DTYPE_UNSPECIFIED
      const refused = await postProto(
        emu.url,
        KEY,
        fwdBwdRequest({ model_id: modelId, seq_id: 1, data: [datum], loss_fn: 'cross_entropy' }),
      );
      expect(refused).toMatchObject({ status: 400, body: { field: 'data[0].loss_fn_inputs.weights.dtype' } });
      const next = await postProto(
        emu.url,
        KEY,
        fwdBwdRequest({ model_id: modelId, seq_id: 2, data: [protoDatum('abcd')], loss_fn: 'cross_entropy' }),
      );
      const poll = await api.post('retrieve_future', { request_id: next.body.request_id });
      expect(poll.body.metrics).toBeDefined(); // done at once, not try_again
      expect(emu.state.appliedSteps(modelId)).toEqual([2]);
    });
  });

  it('answers JSON results to JSON polls of the same futures (0.7.0 clients)', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const submit = await postProto(
        emu.url,
        KEY,
        fwdBwdRequest({ model_id: modelId, seq_id: 1, data: [protoDatum('abc')], loss_fn: 'cross_entropy' }),
      );
      const result = await pollRaw(emu.url, KEY, submit.body.request_id, 'application/json');
      expect(result.type).toContain('application/json');
      expect(JSON.parse(result.data.toString()).loss_fn_outputs[0].logprobs.data).toHaveLength(2);
    });
  });
});

describe('protobuf result layouts and protocol selection', () => {
  it('splits outputs into one ArrayRecord per datum and sends bfloat16 floats when configured', async () => {
    await withEmulator({ protobufResults: { records: 'per-datum', float: 'bfloat16' } }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const submit = await postProto(
        emu.url,
        KEY,
        fwdBwdRequest({
          model_id: modelId,
          seq_id: 1,
          data: [protoDatum('abcde'), protoDatum('xyz')],
          loss_fn: 'cross_entropy',
        }),
      );
      const json = JSON.parse(
        (await pollRaw(emu.url, KEY, submit.body.request_id, 'application/json')).data.toString(),
      );
      const output = decodeFwdBwdOutput((await pollRaw(emu.url, KEY, submit.body.request_id, PROTOBUF)).data);
      expect(output.loss_fn_outputs.map((r: any) => r.num_datums)).toEqual([1, 1]);
      output.loss_fn_outputs.forEach((record: any, i: number) => {
        const field = record.fields.logprobs;
        expect(field.dtype).toBe('DTYPE_BFLOAT16');
        const offsets = [...new BigInt64Array(new Uint8Array(field.offsets).buffer)].map(Number);
        const expected = json.loss_fn_outputs[i].logprobs.data as number[];
        expect(offsets).toEqual([0, expected.length * 2]); // byte offsets of 2-byte values
        const halves = new Uint16Array(new Uint8Array(field.data).buffer);
        const widened = [...halves].map((h) => new Float32Array(new Uint32Array([h << 16]).buffer)[0]);
        widened.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 1));
      });
    });
  });

  it('complete_metadata gives the protobuf size, and the full poll then delivers exactly that many bytes', async () => {
    await withEmulator({ metadataThresholdBytes: 16 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const submit = await postProto(
        emu.url,
        KEY,
        fwdBwdRequest({
          model_id: modelId,
          seq_id: 1,
          data: [protoDatum('abcdef')],
          loss_fn: 'cross_entropy',
        }),
      );
      const poll = (allowMetadataOnly: boolean) =>
        fetch(`${emu.url}/api/v1/retrieve_future`, {
          method: 'POST',
          headers: { 'x-api-key': KEY, 'content-type': 'application/json', accept: PROTOBUF },
          body: JSON.stringify({
            request_id: submit.body.request_id,
            allow_metadata_only: allowMetadataOnly,
          }),
        });
      const metadata = await (await poll(true)).json();
      expect(metadata).toEqual({ status: 'complete_metadata', response_payload_size: expect.any(Number) });
      const full = await poll(false);
      expect(full.headers.get('content-type')).toBe(PROTOBUF);
      expect((await full.arrayBuffer()).byteLength).toBe(metadata.response_payload_size);
    });
  });

  it('serves protobuf to 0.18.1–0.24.1 polls (Accept: application/x-protobuf, application/json)', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const submit = await postProto(
        emu.url,
        KEY,
        fwdBwdRequest({ model_id: modelId, seq_id: 1, data: [protoDatum('abc')], loss_fn: 'cross_entropy' }),
      );
      const result = await pollRaw(emu.url, KEY, submit.body.request_id, `${PROTOBUF}, application/json`);
      expect(result.type).toBe(PROTOBUF);
    });
  });

  it('in legacy-json mode refuses protobuf bodies (415) and answers JSON to protobuf polls', async () => {
    await withEmulator({ legacyJson: true }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const refused = await postProto(
        emu.url,
        KEY,
        fwdBwdRequest({ model_id: modelId, seq_id: 1, data: [protoDatum('abc')], loss_fn: 'cross_entropy' }),
      );
      expect(refused.status).toBe(415);
      const submit = await api.post('forward_backward', {
        forward_backward_input: { data: [textDatum('abc')], loss_fn: 'cross_entropy' },
        model_id: modelId,
        seq_id: 1,
      });
      const result = await pollRaw(emu.url, KEY, submit.body.request_id, PROTOBUF);
      expect(result.type).toContain('application/json');
      expect(emu.state.appliedSteps(modelId)).toEqual([1]);
    });
  });
});

describe('0.25 protobuf SampleResponse', () => {
  it('answers samples as protobuf: int32 tokens, NaN first prompt logprob, sentinel-padded top-k rows', async () => {
    await withEmulator({ seed: 5 }, async (emu) => {
      const api = client(emu);
      const session = (
        await api.post('create_session', { tags: [], user_metadata: {}, sdk_version: '0.25.0' })
      ).body.session_id;
      const sampler = await api.post('create_sampling_session', {
        session_id: session,
        sampling_session_seq_id: 0,
        base_model: 'meta-llama/Llama-3.2-1B',
        type: 'create_sampling_session',
      });
      const prompt = [84, 104, 101, 32, 113, 117];
      const sample = await api.post('asample', {
        num_samples: 2,
        prompt: { chunks: [{ tokens: prompt, type: 'encoded_text' }] },
        sampling_params: { max_tokens: 8, seed: 1234, temperature: 0.7, top_k: -1, top_p: 1.0 },
        sampling_session_id: sampler.body.sampling_session_id,
        seq_id: 0,
        prompt_logprobs: true,
        topk_prompt_logprobs: 2,
        type: 'sample',
      });
      const json = (await api.result(sample.body.request_id)).body; // JSON view of the same result
      const polled = await pollRaw(emu.url, KEY, sample.body.request_id, PROTOBUF);
      expect(polled.type).toBe(PROTOBUF);
      const message = decodeSampleResponse(polled.data);
      expect(message.sequences).toHaveLength(2);
      message.sequences.forEach((seq: any, i: number) => {
        expect([...new Int32Array(new Uint8Array(seq.tokens).buffer)]).toEqual(json.sequences[i].tokens);
        expect(seq.stop_reason ?? 'STOP_REASON_STOP').toBe(
          json.sequences[i].stop_reason === 'length' ? 'STOP_REASON_LENGTH' : 'STOP_REASON_STOP',
        );
      });
      const promptLogprobs = [...new Float32Array(new Uint8Array(message.prompt_logprobs).buffer)];
      expect(promptLogprobs).toHaveLength(prompt.length);
      expect(Number.isNaN(promptLogprobs[0])).toBe(true);
      expect(promptLogprobs[1]).toBeCloseTo(json.prompt_logprobs[1], 5);
      const topk = message.topk_prompt_logprobs;
      expect(topk).toMatchObject({ k: 2, prompt_length: prompt.length });
      const ids = [...new Int32Array(new Uint8Array(topk.token_ids).buffer)];
      const lps = [...new Float32Array(new Uint8Array(topk.logprobs).buffer)];
      expect(ids.slice(0, 2)).toEqual([0, 0]); // row 0 has no logprobs: sentinels
      expect(lps.slice(0, 2)).toEqual([-99999, -99999]);
      expect(ids.slice(2, 4)).toEqual(json.topk_prompt_logprobs[1].map((p: number[]) => p[0]));
    });
  });
});
