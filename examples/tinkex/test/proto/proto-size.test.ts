import { describe, expect, it } from '@jest/globals';
import { forwardBackwardRequest } from '../../src/proto/forward-backward-request.js';
import { protoChunkBytes, protoDatumBytes, requestPayloadBytes } from '../../src/proto/proto-size.js';
import type { Datum } from '../../src/types/datum.js';

/** base64 of `n` bytes: the three padding cases are n % 3 = 0, 2, 1. */
const b64 = (n: number) => Buffer.alloc(n, 7).toString('base64');

/** A datum with every kind of payload the 0.25 request carries (built as the wire form). */
const mixed = {
  model_input: {
    chunks: [
      { tokens: [1, 2, 3], type: 'encoded_text' },
      { data: b64(10), format: 'png', type: 'image' },
      { dmel: b64(5), type: 'dmel' },
    ],
  },
  loss_fn_inputs: {
    target_tokens: { data: [4, 5, 6], dtype: 'int64', shape: [3] },
    weights: { data: [1, 0, 1], dtype: 'float32', shape: [3] },
    // CSR: 2 values in a 2×3 tensor; crow has rows + 1 entries, col one per value.
    advantages: {
      data: [0.5, -0.5],
      dtype: 'float32',
      shape: [2, 3],
      sparse_crow_indices: [0, 1, 2],
      sparse_col_indices: [0, 2],
    },
  },
} as unknown as Datum;

describe('the 0.25 payload estimate (chunked_fwdbwd_helpers)', () => {
  it('counts tokens as int32, images and dmel as their decoded bytes, tensors in their dtype, CSR indices as int64', () => {
    expect(protoChunkBytes({ tokens: [1, 2, 3], type: 'encoded_text' })).toBe(12);
    for (const n of [9, 10, 11])
      expect(protoChunkBytes({ data: b64(n), format: 'png', type: 'image' })).toBe(n);
    expect(protoChunkBytes({ dmel: b64(5), type: 'dmel' })).toBe(5);
    expect(
      protoChunkBytes({ location: 'tinker://run/img.png', format: 'png', type: 'image_asset_pointer' }),
    ).toBe('tinker://run/img.png'.length);
    // 12 + 10 + 5 (input) + 3×8 (int64) + 3×4 (float32) + 2×4 + (3 + 2)×8 (sparse).
    expect(protoDatumBytes(mixed)).toBe(12 + 10 + 5 + 24 + 12 + 8 + 40);
  });

  it('reads the same number off the built request as the datums give (what the dispatch byte budget charges)', () => {
    const data = [mixed, mixed];
    const message = forwardBackwardRequest({
      model_id: 'S:train:0',
      seq_id: 1,
      data,
      loss_fn: 'cross_entropy',
      forward_only: false,
    });
    expect(requestPayloadBytes(message)).toBe(2 * protoDatumBytes(mixed));
  });
});
