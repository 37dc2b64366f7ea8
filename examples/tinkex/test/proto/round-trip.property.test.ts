import { describe, expect, it } from '@jest/globals';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import {
  ArrayRecordSchema,
  BatchedTensorSchema,
  DType,
  ForwardBackwardOutputSchema,
  ForwardBackwardRequestSchema,
  SampleResponseSchema,
  StopReason,
  type Tensor,
} from '../../src/proto/gen/tinker_public_pb.js';
import { forwardBackwardRequest } from '../../src/proto/forward-backward-request.js';
import { forwardBackwardOutputFromProto } from '../../src/proto/forward-backward-output.js';
import { MASK_LOGPROB, sampleResponseFromProto } from '../../src/proto/sample-response.js';
import {
  packFloat32,
  packInt32,
  packInt64,
  unpackFloat32,
  unpackInt32,
  unpackInt64,
} from '../../src/proto/packed.js';
import type { Datum } from '../../src/types/datum.js';

const f32 = (v: number) => Math.fround(v);
/** Bytes as the HTTP layer hands them over: a Buffer at an odd offset of a larger (pooled) allocation. */
const onTheWire = (bytes: Uint8Array) => Buffer.concat([Buffer.from([1, 2, 3]), bytes]).subarray(3);
const float = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(f32);
const token = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const int64 = fc.integer({ min: -(2 ** 53 - 1), max: 2 ** 53 - 1 });

/** A dense or CSR-sparse tensor in its JSON form, of either dtype. */
const tensor = fc.oneof(
  fc.array(float, { maxLength: 20 }).map((data) => ({ data, dtype: 'float32' as const, shape: [data.length] })),
  fc.array(int64, { maxLength: 20 }).map((data) => ({ data, dtype: 'int64' as const, shape: [data.length] })),
  fc
    .record({ rows: fc.integer({ min: 1, max: 5 }), cols: fc.integer({ min: 1, max: 5 }), seed: fc.array(float, { maxLength: 25 }) })
    .map(({ rows, cols, seed }) => {
      // CSR: each row keeps the columns whose seed value is positive.
      const data: number[] = [];
      const crow = [0];
      const col: number[] = [];
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const v = seed[r * cols + c] ?? 0;
          if (v > 0) {
            data.push(v);
            col.push(c);
          }
        }
        crow.push(data.length);
      }
      return { data, dtype: 'float32' as const, shape: [rows, cols], sparse_crow_indices: crow, sparse_col_indices: col };
    }),
); // prettier-ignore

const datum: fc.Arbitrary<Datum> = fc.record({
  model_input: fc.record({
    chunks: fc.array(
      fc.array(token, { maxLength: 30 }).map((tokens) => ({ tokens, type: 'encoded_text' as const })),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  loss_fn_inputs: fc.dictionary(fc.constantFrom('target_tokens', 'weights', 'advantages', 'mask'), tensor),
}) as fc.Arbitrary<Datum>;

function tensorBack(t: Tensor) {
  const dtype = t.dtype === DType.DTYPE_INT64 ? 'int64' : 'float32';
  const unpack = dtype === 'int64' ? unpackInt64 : unpackFloat32;
  const shape = t.shape.map(Number);
  if (t.encoding.case === 'sparseCsr') {
    const csr = t.encoding.value;
    return {
      data: unpack(csr.values),
      dtype,
      shape,
      sparse_crow_indices: unpackInt64(csr.crowIndices),
      sparse_col_indices: unpackInt64(csr.colIndices),
    };
  }
  return { data: unpack(t.encoding.value ?? new Uint8Array()), dtype, shape };
}

describe('protobuf round trips (fast-check)', () => {
  it('ForwardBackwardRequest: random datums (float32, int64, sparse CSR) survive encode → bytes → decode', () => {
    fc.assert(
      fc.property(
        fc.array(datum, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.double({ noNaN: true })),
        (data, forward_only, seq_id, loss_fn_config) => {
          const message = forwardBackwardRequest({ model_id: 'S:train:0', seq_id, data, loss_fn: 'cross_entropy', loss_fn_config, forward_only });
          const back = fromBinary(ForwardBackwardRequestSchema, toBinary(ForwardBackwardRequestSchema, message));
          expect([back.modelId, back.seqId, back.lossFn, back.forwardOnly]).toEqual(['S:train:0', seq_id, 'cross_entropy', forward_only]);
          expect(back.lossFnConfig).toEqual(loss_fn_config);
          const decoded = back.data.map((d) => ({
            model_input: { chunks: d.modelInput.map((c) => ({ tokens: unpackInt32(c.chunk.case === 'encodedText' ? c.chunk.value.tokens : new Uint8Array()), type: 'encoded_text' })) },
            loss_fn_inputs: Object.fromEntries(Object.entries(d.lossFnInputs).map(([k, t]) => [k, tensorBack(t)])),
          }));
          expect(decoded).toEqual(data);
        },
      ),
      { numRuns: 150 },
    );
  }); // prettier-ignore

  /** Per-datum outputs of one field, each a (rows × trailing) block. */
  const outputs = fc
    .record({
      trailing: fc.constantFrom<number[]>([], [2], [3, 2]),
      rows: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 7 }),
      dtype: fc.constantFrom(DType.DTYPE_FLOAT32, DType.DTYPE_BFLOAT16, DType.DTYPE_INT64, DType.DTYPE_INT32),
      records: fc.integer({ min: 1, max: 3 }),
      seed: fc.array(fc.integer({ min: -30000, max: 30000 }), { minLength: 200, maxLength: 200 }),
    })
    .map(({ trailing, rows, dtype, records, seed }) => {
      const inner = trailing.reduce((a, b) => a * b, 1);
      let k = 0;
      const perDatum = rows.map((r) => Array.from({ length: r * inner }, () => seed[k++ % seed.length]));
      return { trailing, perDatum, dtype, records };
    });

  /** Encode values as the server would for `dtype`, and what the client must decode them to. */
  function serverSide(values: number[], dtype: DType): { bytes: Uint8Array; expected: number[]; width: number } {
    switch (dtype) {
      case DType.DTYPE_FLOAT32: {
        const v = values.map((x) => x / 7);
        return { bytes: packFloat32(v), expected: v.map(f32), width: 4 };
      }
      case DType.DTYPE_BFLOAT16: {
        // The high 16 bits of the float32: truncation, so the expected value is that float32 with its low half zeroed.
        const full = new Float32Array(values.map((x) => x / 7));
        const bits = new Uint32Array(full.buffer);
        const halves = new Uint16Array(bits.map((b) => b >>> 16));
        const expected = Array.from(new Float32Array(new Uint32Array(Array.from(halves, (h) => h << 16)).buffer));
        return { bytes: new Uint8Array(halves.buffer), expected, width: 2 };
      }
      case DType.DTYPE_INT32:
        return { bytes: packInt32(values), expected: values, width: 4 };
      default:
        return { bytes: packInt64(values), expected: values, width: 8 };
    }
  } // prettier-ignore

  it('ForwardBackwardOutput: ragged per-datum outputs, split over several records, in every dtype', () => {
    fc.assert(
      fc.property(outputs, ({ trailing, perDatum, dtype, records }) => {
        // Split the datums into `records` consecutive ArrayRecords, each with its own offsets from 0.
        const size = Math.ceil(perDatum.length / records) || 1;
        const groups: number[][][] = [];
        for (let i = 0; i < perDatum.length; i += size) groups.push(perDatum.slice(i, i + size));
        const expected: unknown[] = [];
        const message = create(ForwardBackwardOutputSchema, {
          lossFnOutputType: 'tinker:ArrayRecord',
          metrics: { 'loss:sum': 1.5 },
          lossFnOutputs: groups.map((group) => {
            const parts = group.map((values) => serverSide(values, dtype));
            const offsets = [0];
            for (const p of parts) offsets.push(offsets[offsets.length - 1] + p.bytes.byteLength);
            for (const [i, p] of parts.entries()) {
              const rows = trailing.length === 0 ? group[i].length : group[i].length / trailing.reduce((a, b) => a * b, 1);
              const label = dtype === DType.DTYPE_INT32 || dtype === DType.DTYPE_INT64 ? 'int64' : 'float32';
              expected.push({ logprobs: { data: p.expected, dtype: label, shape: [rows, ...trailing] } });
            }
            return create(ArrayRecordSchema, {
              numDatums: BigInt(group.length),
              fields: {
                logprobs: create(BatchedTensorSchema, {
                  data: Buffer.concat(parts.map((p) => p.bytes)),
                  offsets: packInt64(offsets),
                  dtype,
                  trailingShape: trailing.map(BigInt),
                }),
              },
            });
          }),
        });
        const bytes = toBinary(ForwardBackwardOutputSchema, message);
        const output = forwardBackwardOutputFromProto(fromBinary(ForwardBackwardOutputSchema, onTheWire(bytes)));
        expect(output.loss_fn_output_type).toBe('ArrayRecord');
        expect(output.metrics).toEqual({ 'loss:sum': 1.5 });
        expect(output.loss_fn_outputs).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  }); // prettier-ignore

  it('ForwardBackwardOutput: no records at all is an empty ArrayRecord output', () => {
    const bytes = toBinary(ForwardBackwardOutputSchema, create(ForwardBackwardOutputSchema, {}));
    expect(bytes.byteLength).toBe(0);
    expect(forwardBackwardOutputFromProto(fromBinary(ForwardBackwardOutputSchema, onTheWire(bytes)))).toEqual(
      {
        loss_fn_output_type: 'ArrayRecord',
        loss_fn_outputs: [],
        metrics: {},
      },
    );
  });

  it('SampleResponse: sequences, NaN prompt logprobs → null, top-k sentinels trimmed / null rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ stop: fc.boolean(), tokens: fc.array(token, { maxLength: 12 }), logprobs: fc.option(fc.array(float, { maxLength: 12 })) }), { maxLength: 4 }),
        fc.option(fc.array(fc.option(float, { nil: undefined }), { minLength: 1, maxLength: 10 })),
        fc.option(fc.record({ k: fc.integer({ min: 1, max: 4 }), rows: fc.array(fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), float), { maxLength: 4 }), { minLength: 1, maxLength: 6 }) })),
        (sequences, prompt, topk) => {
          const message = create(SampleResponseSchema, {
            sequences: sequences.map((s) => ({
              stopReason: s.stop ? StopReason.STOP : StopReason.LENGTH,
              tokens: packInt32(s.tokens),
              ...(s.logprobs ? { logprobs: packFloat32(s.logprobs) } : {}),
            })),
            ...(prompt ? { promptLogprobs: packFloat32(prompt.map((v) => v ?? Number.NaN)) } : {}),
            ...(topk
              ? {
                  topkPromptLogprobs: {
                    k: topk.k,
                    promptLength: topk.rows.length,
                    tokenIds: packInt32(topk.rows.flatMap((r) => Array.from({ length: topk.k }, (_, j) => r[j]?.[0] ?? 0))),
                    logprobs: packFloat32(topk.rows.flatMap((r) => Array.from({ length: topk.k }, (_, j) => r[j]?.[1] ?? MASK_LOGPROB))),
                  },
                }
              : {}),
            promptCacheHitTokens: 3,
          });
          const decoded = sampleResponseFromProto(fromBinary(SampleResponseSchema, onTheWire(toBinary(SampleResponseSchema, message))));
          expect(decoded.sequences).toEqual(sequences.map((s) => ({ stop_reason: s.stop ? 'stop' : 'length', tokens: s.tokens, logprobs: s.logprobs ?? null })));
          expect(decoded.prompt_logprobs).toEqual(prompt ? prompt.map((v) => v ?? null) : null);
          expect(decoded.topk_prompt_logprobs).toEqual(topk ? topk.rows.map((r) => (r.length === 0 ? null : r.slice(0, topk.k))) : null);
          expect(decoded.prompt_cache_hit_tokens).toBe(3);
        },
      ),
      { numRuns: 200 },
    );
  }); // prettier-ignore

  it('SampleResponse: the reference example bytes decode as the SDK decodes them', () => {
    // tinker-wire-0.25.md §8: prompt logprobs [NaN, -0.6, …] → [null, -0.6000000238418579, …]; a row
    // [(20610,-0.8),(24371,-0.95),(0,-99999)] keeps 2 pairs; an all-sentinel row is null.
    const message = create(SampleResponseSchema, {
      sequences: [{ stopReason: StopReason.STOP, tokens: packInt32([5, 6]) }],
      promptLogprobs: Buffer.from('0000c07f9a9919bf', 'hex'),
      topkPromptLogprobs: {
        k: 3,
        promptLength: 2,
        tokenIds: packInt32([0, 0, 0, 20610, 24371, 0]),
        logprobs: packFloat32([MASK_LOGPROB, MASK_LOGPROB, MASK_LOGPROB, -0.8, -0.95, MASK_LOGPROB]),
      },
    });
    const decoded = sampleResponseFromProto(
      fromBinary(SampleResponseSchema, onTheWire(toBinary(SampleResponseSchema, message))),
    );
    expect(decoded.prompt_logprobs).toEqual([null, -0.6000000238418579]);
    expect(decoded.topk_prompt_logprobs).toEqual([
      null,
      [
        [20610, f32(-0.8)],
        [24371, f32(-0.95)],
      ],
    ]);
    expect(decoded.sequences).toEqual([{ stop_reason: 'stop', tokens: [5, 6], logprobs: null }]);
    expect(Buffer.from(packFloat32([MASK_LOGPROB])).toString('hex')).toBe('804fc3c7');
  });
});
