import { describe, expect, it } from '@jest/globals';
import { decodeForwardBackwardRequest } from '../src/protocol/fwdbwd-request.js';
import { encodeForwardBackwardOutput, encodeSampleResponse } from '../src/protocol/results.js';
import { float32s, int32s, int64s } from './support/proto.js';

// Byte layouts transcribed from tinker-wire-0.25.md §6 and §8 (what the official 0.25.0 client sent and
// decoded), to check the emulator's own schema copy and codecs against the reference, not against itself.
const hex = (...parts: (string | Buffer)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p.replace(/\s/g, ''), 'hex') : p)));
const text = (s: string) => Buffer.from(s, 'utf8');

describe('the emulator schema against the reference byte layouts', () => {
  it('decodes the 302-byte forward request of §6', () => {
    const modelId = `${'0'.repeat(36)}:train:0`; // 44 bytes, like the reference's session id
    const bytes = hex(
      '0a 2c', text(modelId),
      '10 03',
      '1a 84 01',
      '0a 18', '0a 16', '0a 14', int32s([101, 2023, 2003, 1037, 3231]),
      '12 40', '0a 0d', text('target_tokens'), '12 2f', '0a 28', int64s([2023, 2003, 1037, 3231, 102]), '18 02', '22 01 05',
      '12 26', '0a 07', text('weights'), '12 1b', '0a 14', float32s([0, 1, 1, 1, 1]), '18 01', '22 01 05',
      '1a 64',
      '0a 10', '0a 0e', '0a 0c', int32s([101, 7592, 2088]),
      '12 30', '0a 0d', text('target_tokens'), '12 1f', '0a 18', int64s([7592, 2088, 102]), '18 02', '22 01 03',
      '12 1e', '0a 07', text('weights'), '12 13', '0a 0c', float32s([0, 1, 1]), '18 01', '22 01 03',
      '22 0d', text('cross_entropy'),
      '30 01',
    ); // prettier-ignore
    expect(bytes).toHaveLength(302);
    const { body, logged } = decodeForwardBackwardRequest(bytes);
    expect(logged()).toEqual({
      model_id: modelId,
      seq_id: 3,
      data: [
        {
          model_input: [{ encoded_text: { tokens: [101, 2023, 2003, 1037, 3231] } }],
          loss_fn_inputs: {
            target_tokens: { dense: [2023, 2003, 1037, 3231, 102], dtype: 'DTYPE_INT64', shape: [5] },
            weights: { dense: [0, 1, 1, 1, 1], dtype: 'DTYPE_FLOAT32', shape: [5] },
          },
        },
        {
          model_input: [{ encoded_text: { tokens: [101, 7592, 2088] } }],
          loss_fn_inputs: {
            target_tokens: { dense: [7592, 2088, 102], dtype: 'DTYPE_INT64', shape: [3] },
            weights: { dense: [0, 1, 1], dtype: 'DTYPE_FLOAT32', shape: [3] },
          },
        },
      ],
      loss_fn: 'cross_entropy',
      forward_only: true,
    });
    expect(body).toMatchObject({ model_id: modelId, seq_id: 3, forward_only: true });
    expect(body.forward_backward_input.data[1].loss_fn_inputs.target_tokens).toEqual({
      data: [7592, 2088, 102],
      dtype: 'int64',
      shape: [3],
    });
  });

  it('a forward_backward (forward_only false) has no field 6 and decodes as a backward pass', () => {
    const bytes = hex('0a 01', text('m'), '10 01', '22 0d', text('cross_entropy'));
    const { body, logged } = decodeForwardBackwardRequest(bytes);
    expect(logged()).toEqual({ model_id: 'm', seq_id: 1, data: [], loss_fn: 'cross_entropy' });
    expect(body.forward_only).toBe(false);
  });

  it('encodes the 199-byte ForwardBackwardOutput of §8', () => {
    const loss = [1, 2, 3, 4, 5, 6, 7, 8];
    const lp = [-1, -2, -3, -4, -5, -6, -7, -8];
    const bytes = encodeForwardBackwardOutput({
      loss_fn_outputs: [
        {
          elementwise_loss: { data: loss.slice(0, 5), dtype: 'float32' },
          logprobs: { data: lp.slice(0, 5), dtype: 'float32' },
        },
        {
          elementwise_loss: { data: loss.slice(5), dtype: 'float32' },
          logprobs: { data: lp.slice(5), dtype: 'float32' },
        },
      ],
      metrics: { 'loss:sum': 22.25 },
    });
    const offsets = int64s([0, 20, 32]);
    expect(bytes).toEqual(
      hex(
        '0a 0b', text('ArrayRecord'),
        '12 a2 01',
        '12 52', '0a 10', text('elementwise_loss'), '12 3e', '0a 20', float32s(loss), '12 18', offsets, '18 01',
        '12 4a', '0a 08', text('logprobs'), '12 3e', '0a 20', float32s(lp), '12 18', offsets, '18 01',
        '18 02',
        '1a 13', '0a 08', text('loss:sum'), '11 0000000000403640',
      ), // prettier-ignore
    );
    expect(bytes).toHaveLength(199);
  });

  it('encodes a SampleResponse as §8 lays it out (length-stopped sequences, NaN, sentinel top-k rows)', () => {
    const tokens = [1, 2, 3, 4, 5, 6, 7, 8];
    const logprobs = tokens.map((t) => -t / 8);
    const prompt = [null, -0.6, -1, -2, -3, -4];
    const rows = [
      null,
      ...[1, 2, 3, 4, 5].map(
        (t) =>
          [
            [t, -0.5],
            [t + 1, -0.75],
          ] as [number, number][],
      ),
    ];
    const bytes = encodeSampleResponse({
      sequences: [0, 1].map(() => ({ tokens, logprobs, stop_reason: 'length' })),
      prompt_logprobs: prompt,
      topk_prompt_logprobs: rows,
    });
    const sequence = hex('0a 46', '08 01', '12 20', int32s(tokens), '1a 20', float32s(logprobs));
    const topkIds = int32s([0, 0, ...rows.slice(1).flatMap((r) => r!.map((p) => p[0]))]);
    const topkLps = float32s([-99999, -99999, ...rows.slice(1).flatMap((r) => r!.map((p) => p[1]))]);
    expect(topkLps.subarray(0, 4).toString('hex')).toBe('804fc3c7');
    expect(bytes).toEqual(
      hex(
        sequence,
        sequence,
        '12 18', float32s([Number.NaN, ...prompt.slice(1).map(Number)]),
        '1a 68', '0a 30', topkIds, '12 30', topkLps, '18 02', '20 06',
      ), // prettier-ignore
    );
    expect(
      bytes
        .subarray(bytes.indexOf(Buffer.from('1218', 'hex')) + 2)
        .subarray(0, 4)
        .toString('hex'),
    ).toBe('0000c07f');
  });

  it('a sequence that stopped on a stop condition has no field 1', () => {
    const bytes = encodeSampleResponse({ sequences: [{ tokens: [7], logprobs: [-1], stop_reason: 'stop' }] });
    expect(bytes).toEqual(hex('0a 0c', '12 04', int32s([7]), '1a 04', float32s([-1])));
  });
});
