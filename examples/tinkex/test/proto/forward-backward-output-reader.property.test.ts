import { describe, expect, it } from '@jest/globals';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { DType, ForwardBackwardOutputSchema } from '../../src/proto/gen/tinker_public_pb.js';
import { forwardBackwardOutputFromProto } from '../../src/proto/forward-backward-output.js';
import {
  ReadForwardBackwardOutput,
  readForwardBackwardOutput,
} from '../../src/proto/forward-backward-output-reader.js';
import { packInt64 } from '../../src/proto/packed.js';
import { damage, damagedVariants } from '../support/damaged-bytes.js';

/** Bytes as the HTTP layer hands them over: a Buffer at an odd offset of a larger (pooled) allocation. */
const onTheWire = (bytes: Uint8Array) => Buffer.concat([Buffer.from([1, 2, 3]), bytes]).subarray(3);

const dtype = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      DType.DTYPE_FLOAT32,
      DType.DTYPE_BFLOAT16,
      DType.DTYPE_INT64,
      DType.DTYPE_INT32,
    ),
    weight: 6,
  },
  // Unknown and unspecified dtypes too: the conversion refuses them.
  { arbitrary: fc.integer({ min: -2, max: 6 }), weight: 1 },
);

/**
 * A field as a server writes it (data cut at byte offsets, one slice per datum) or oddly: offsets
 * between values, outside the data, unsorted, or not whole int64s; any bytes as data (NaNs, -0, ±∞).
 */
const tensor = fc
  .record({
    data: fc.uint8Array({ maxLength: 96 }),
    cuts: fc.array(fc.nat(100), { maxLength: 6 }),
    dtype,
    trailing: fc.constantFrom<bigint[]>([], [2n], [3n, 2n], [0n], [-1n]),
    odd: fc.constantFrom('none', 'none', 'none', 'raw-offsets', 'unsorted', 'short'),
  })
  .map(({ data, cuts, dtype, trailing, odd }) => {
    const width = { [DType.DTYPE_BFLOAT16]: 2, [DType.DTYPE_INT64]: 8 }[dtype] ?? 4;
    const whole = data.subarray(0, data.byteLength - (data.byteLength % width));
    const at =
      odd === 'raw-offsets'
        ? cuts
        : [0, ...cuts.map((c) => Math.min(whole.byteLength, c - (c % width))).sort((a, b) => a - b)];
    if (odd === 'unsorted') at.reverse();
    const offsets = packInt64(at);
    return {
      data: odd === 'short' ? data : whole,
      offsets: odd === 'short' ? offsets.subarray(0, Math.max(0, offsets.byteLength - 3)) : offsets,
      dtype,
      trailingShape: trailing,
    };
  });

/** Random outputs: records with several fields (numeric-looking names too), num_datums right or not. */
const output = fc.record({
  lossFnOutputType: fc.constantFrom('', 'ArrayRecord', 'tinker:ArrayRecord', 'a:b:c', 'é'),
  lossFnOutputs: fc.array(
    fc.record({
      typeTag: fc.constantFrom('', 'ArrayRecord'),
      fields: fc.dictionary(
        fc.constantFrom('logprobs', 'elementwise_loss', '1', 'x y', '__proto__'),
        tensor,
        {
          maxKeys: 3,
        },
      ),
      numDatums: fc.oneof(fc.constant(-1n), fc.bigInt({ min: 0n, max: 8n })),
    }),
    { maxLength: 3 },
  ),
  metrics: fc.dictionary(fc.string({ maxLength: 6 }), fc.double()),
});

/** What the poll gets from the generic path: fromBinary, then the conversion; or the error of either. */
function reference(bytes: Uint8Array): unknown {
  let message;
  try {
    message = fromBinary(ForwardBackwardOutputSchema, bytes);
  } catch (error) {
    return { decodeError: (error as Error).message };
  }
  try {
    return { value: forwardBackwardOutputFromProto(message) };
  } catch (error) {
    return { convertError: (error as Error).message };
  }
}

/** The same through the hand reader, and the conversion when it handed over a message. */
function fast(bytes: Uint8Array): unknown {
  let read;
  try {
    read = readForwardBackwardOutput(bytes);
  } catch (error) {
    return { decodeError: (error as Error).message };
  }
  if (read instanceof ReadForwardBackwardOutput) return { value: read.value };
  try {
    return { value: forwardBackwardOutputFromProto(read) };
  } catch (error) {
    return { convertError: (error as Error).message };
  }
}

const wire = (init: object) =>
  toBinary(ForwardBackwardOutputSchema, create(ForwardBackwardOutputSchema, init));

describe('the hand-written ForwardBackwardOutput reader', () => {
  it('gives exactly what fromBinary + forwardBackwardOutputFromProto give (random outputs, every dtype)', () => {
    let readByHand = 0;
    fc.assert(
      fc.property(output, (init) => {
        const bytes = wire(init);
        expect(fast(bytes)).toStrictEqual(reference(bytes));
        expect(fast(onTheWire(bytes))).toStrictEqual(reference(onTheWire(bytes)));
        if (readForwardBackwardOutput(bytes) instanceof ReadForwardBackwardOutput) readByHand++;
      }),
      { numRuns: 500 },
    );
    // The comparison means something only if the hand reader, not its fallback, read many of them (about
    // 40 %: the rest are odd on purpose).
    expect(readByHand).toBeGreaterThan(125);
  });

  it('agrees on damaged, repeated and unknown records: same result or same error', () => {
    fc.assert(
      fc.property(output, damage, (init, how) => {
        const bytes = wire(init);
        for (const variant of damagedVariants(bytes, how))
          expect(fast(variant)).toStrictEqual(reference(variant));
      }),
      { numRuns: 500 },
    );
  });

  // Found by CI: a damaged num_datums (a varint near 2^62) made the conversion push that many datums,
  // until the heap limit (4 GB) killed the process. Now it is a decode error, the same on both paths.
  it('refuses a record whose num_datums no request could hold, without allocating for it', () => {
    const bytes = wire({ lossFnOutputs: [{ numDatums: 2n ** 62n }] });
    const error = { convertError: expect.stringContaining('more than any request holds') };
    expect(fast(bytes)).toStrictEqual(error);
    expect(reference(bytes)).toStrictEqual(error);
  });

  it('reads what servers send itself (no fallback): dense results, bf16 and int32 widened, empty output', () => {
    const floats = new Float32Array([-0.5, 0, -0, Number.NaN, 3.25, -1e30]);
    const bf16 = new Uint16Array([0x3f80, 0xbfc0]); // 1, -1.5
    const int32 = new Int32Array([-7, 2 ** 31 - 1]);
    const bytes = wire({
      lossFnOutputType: 'tinker:ArrayRecord',
      metrics: { 'loss:sum': 2.5 },
      lossFnOutputs: [
        {
          numDatums: 2n,
          fields: {
            logprobs: {
              data: new Uint8Array(floats.buffer),
              offsets: packInt64([0, 8, 24]),
              dtype: DType.DTYPE_FLOAT32,
            },
            weights: { data: new Uint8Array(bf16.buffer), offsets: packInt64([0, 2, 4]), dtype: DType.DTYPE_BFLOAT16 },
          },
        },
        { fields: { ids: { data: new Uint8Array(int32.buffer), offsets: packInt64([0, 8]), dtype: DType.DTYPE_INT32, trailingShape: [2n] } } },
      ],
    }); // prettier-ignore
    const read = readForwardBackwardOutput(onTheWire(bytes));
    expect(read).toBeInstanceOf(ReadForwardBackwardOutput);
    expect((read as ReadForwardBackwardOutput).value).toStrictEqual({
      loss_fn_output_type: 'ArrayRecord',
      loss_fn_outputs: [
        {
          logprobs: { data: [-0.5, 0], dtype: 'float32', shape: [2] },
          weights: { data: [1], dtype: 'float32', shape: [1] },
        },
        {
          logprobs: { data: [-0, Number.NaN, 3.25, Math.fround(-1e30)], dtype: 'float32', shape: [4] },
          weights: { data: [-1.5], dtype: 'float32', shape: [1] },
        },
        { ids: { data: [-7, 2 ** 31 - 1], dtype: 'int64', shape: [1, 2] } },
      ],
      metrics: { 'loss:sum': 2.5 },
    });
    const empty = readForwardBackwardOutput(new Uint8Array(0));
    expect((empty as ReadForwardBackwardOutput).value).toStrictEqual({
      loss_fn_output_type: 'ArrayRecord',
      loss_fn_outputs: [],
      metrics: {},
    });
  });
});
