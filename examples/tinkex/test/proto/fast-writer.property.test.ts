import { describe, expect, it } from '@jest/globals';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { ForwardBackwardRequestSchema } from '../../src/proto/gen/tinker_public_pb.js';
import { forwardBackwardRequest } from '../../src/proto/forward-backward-request.js';
import { encodeForwardBackwardRequest } from '../../src/proto/forward-backward-writer.js';
import type { Datum } from '../../src/types/datum.js';

const float = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(Math.fround);
const token = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const int64 = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: -(2 ** 53 - 1), max: 2 ** 53 - 1 }),
);
const index = fc.integer({ min: 0, max: 2 ** 40 });
const base64 = fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('base64'));

/** Every chunk kind the writer accepts, including empty payloads (proto3 leaves those off the wire). */
const chunk = fc.oneof(
  fc.array(token, { maxLength: 20 }).map((tokens) => ({ tokens, type: 'encoded_text' as const })),
  fc
    .record({
      data: base64,
      format: fc.constantFrom('png', 'jpeg', ''),
      expected_tokens: fc.option(fc.integer({ min: 0, max: 4096 })),
    })
    .map((c) => ({ ...c, type: 'image' as const })),
  base64.map((dmel) => ({ dmel, type: 'dmel' as const })),
);

const tensor = fc.oneof(
  fc.record({ data: fc.array(float, { maxLength: 20 }), dtype: fc.constant('float32' as const), shape: fc.option(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 })) }),
  fc.record({ data: fc.array(int64, { maxLength: 20 }), dtype: fc.constant('int64' as const), shape: fc.option(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 })) }),
  fc.record({
    data: fc.array(float, { maxLength: 10 }),
    dtype: fc.constantFrom('float32' as const, 'int64' as const),
    shape: fc.option(fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 2 })),
    sparse_crow_indices: fc.array(index, { maxLength: 6 }),
    sparse_col_indices: fc.option(fc.array(index, { maxLength: 10 })),
  }).map((t) => (t.dtype === 'int64' ? { ...t, data: t.data.map(Math.trunc) } : t)),
); // prettier-ignore

const datum = fc.record({
  model_input: fc.record({ chunks: fc.array(chunk, { maxLength: 3 }) }),
  loss_fn_inputs: fc.dictionary(fc.string({ maxLength: 8 }), tensor, { maxKeys: 4 }),
}) as unknown as fc.Arbitrary<Datum>;

describe('the fast ForwardBackwardRequest writer', () => {
  it('writes exactly the bytes toBinary writes for the same request (random datums, every chunk and tensor form)', () => {
    fc.assert(
      fc.property(
        fc.array(datum, { maxLength: 5 }),
        fc.string({ maxLength: 12 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.string({ maxLength: 14 }),
        fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.double({ noNaN: true }))),
        fc.boolean(),
        (data, model_id, seq_id, loss_fn, loss_fn_config, forward_only) => {
          const header = { model_id, seq_id, loss_fn, loss_fn_config, forward_only };
          const generic = toBinary(ForwardBackwardRequestSchema, forwardBackwardRequest({ ...header, data }));
          const fast = encodeForwardBackwardRequest({ ...header, data });
          expect(Buffer.from(fast).toString('hex')).toBe(Buffer.from(generic).toString('hex'));
        },
      ),
      { numRuns: 300 },
    );
  }); // prettier-ignore

  it('reuses its scratch buffer safely: a large batch decodes back to its values', () => {
    const data: Datum[] = Array.from({ length: 64 }, (_, d) => {
      const tokens = Array.from({ length: 300 }, (_, i) => d * 1000 + i);
      return {
        model_input: { chunks: [{ tokens, type: 'encoded_text' }] },
        loss_fn_inputs: {
          target_tokens: { data: tokens.map((t) => t + 1), dtype: 'int64', shape: [300] },
          weights: { data: tokens.map((t) => (t % 3) / 2), dtype: 'float32', shape: [300] },
        },
      } as Datum;
    });
    const call = { model_id: 'S:train:0', seq_id: 7, data, loss_fn: 'cross_entropy', forward_only: false };
    const first = encodeForwardBackwardRequest(call);
    // The writer is reused: a second request must not alter the bytes handed out for the first.
    encodeForwardBackwardRequest({ ...call, data: data.slice(0, 3), seq_id: 8 });
    const back = fromBinary(ForwardBackwardRequestSchema, first);
    expect(back.data).toHaveLength(64);
    const last = back.data[63];
    const tokens = last.modelInput[0].chunk.value as { tokens: Uint8Array };
    expect(Buffer.from(tokens.tokens).readInt32LE(4 * 299)).toBe(63_299);
    const weights = last.lossFnInputs.weights.encoding.value as Uint8Array;
    expect(Buffer.from(weights).readFloatLE(4 * 2)).toBe(Math.fround((63_002 % 3) / 2));
  });
});
