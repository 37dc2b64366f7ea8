import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { encodeCommonForwardBackwardOutput } from '../src/protocol/fwdbwd-output.js';
import {
  encodeForwardBackwardOutput,
  encodeForwardBackwardOutputMessage,
  type ProtobufResultLayout,
} from '../src/protocol/results.js';

const float = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 3.4e39, 1e-46, -0.5),
);
const int = fc.oneof(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.constantFrom(0, 2 ** 53, -(2 ** 60)));
// Trailing dims as a result may hold them: small, zero, beyond 32 bits, negative, fractional.
const dim = fc.oneof(fc.nat(300), fc.constantFrom(0, 2 ** 35, -3, 2.5));
const names = fc.uniqueArray(fc.oneof(fc.constantFrom('logprobs', 'elementwise_loss'), fc.string()), {
  maxLength: 3,
});
/** Outputs that share their tensor names and dtypes, as the training route's do. */
const outputs = fc
  .tuple(names, fc.nat(4), fc.boolean(), fc.array(dim, { maxLength: 2 }))
  .chain(([keys, count, ints, trailing]) =>
    fc.array(
      fc.record(
        Object.fromEntries(
          keys.map((k, i) => {
            const isInt = ints && i === 0;
            return [
              k,
              fc.record({
                data: fc.array(isInt ? int : float, { maxLength: 12 }),
                dtype: fc.constant(isInt ? 'int64' : 'float32'),
                shape: fc.constantFrom(undefined, [3], [1, ...trailing]),
              }),
            ];
          }),
        ),
      ),
      { minLength: count, maxLength: count },
    ),
  );
// Metric names as the training route writes them, and any other (non-ASCII, lone surrogates).
const metrics = fc.dictionary(
  fc.oneof(fc.constantFrom('loss:sum', 'clock_cycle:unique'), fc.string(), fc.string({ unit: 'binary' })),
  fc.oneof(float, fc.constant('1' as unknown as number)),
  { maxKeys: 4 },
);
const layout: fc.Arbitrary<ProtobufResultLayout> = fc.record({
  records: fc.constantFrom('one', 'per-datum'),
  float: fc.constantFrom('float32', 'bfloat16'),
});

describe('ForwardBackwardOutput written directly (fwdbwd-output.ts)', () => {
  it('is protobufjs’s encoding byte for byte, or leaves the result to it', () => {
    fc.assert(
      fc.property(outputs, metrics, layout, (loss_fn_outputs, m, l) => {
        const result = { loss_fn_outputs, metrics: m };
        let reference: Buffer;
        try {
          reference = encodeForwardBackwardOutputMessage(result, l);
        } catch (error) {
          // What protobufjs's path refuses (NaN in an int64 tensor), the direct one does not hide.
          expect(() => encodeForwardBackwardOutput(result, l)).toThrow((error as Error).message);
          return;
        }
        const direct = encodeCommonForwardBackwardOutput(result, l);
        if (direct !== undefined) expect(direct.toString('hex')).toBe(reference.toString('hex'));
        expect(encodeForwardBackwardOutput(result, l).toString('hex')).toBe(reference.toString('hex'));
      }),
      { numRuns: 1000 },
    );
  });

  it('takes the training route’s results, and leaves odd metric names and values to protobufjs', () => {
    const result = {
      loss_fn_outputs: [
        { logprobs: { data: [-1.5, -0.25], dtype: 'float32', shape: [2] } },
        { logprobs: { data: [-2], dtype: 'float32', shape: [1] } },
      ],
      metrics: { 'loss:sum': 3.75 },
    };
    const one: ProtobufResultLayout = { records: 'one', float: 'float32' };
    expect(encodeCommonForwardBackwardOutput(result, one)).toEqual(
      encodeForwardBackwardOutputMessage(result, one),
    );
    expect(encodeCommonForwardBackwardOutput({ ...result, metrics: { '\ud800': 1 } }, one)).toBeUndefined();
    expect(
      encodeCommonForwardBackwardOutput({ ...result, metrics: { loss: '1' as unknown as number } }, one),
    ).toBeUndefined();
  });
});
