import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { encodeSampleResponse, encodeSampleResponseMessage } from '../src/protocol/results.js';
import { encodeCommonSampleResponse } from '../src/protocol/sample-response.js';

const float = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 3.4e39, 1e-46),
);
// Token ids as a sampler gives them, and what else a result may hold: beyond int32, fractions.
const token = fc.oneof(
  fc.nat(300),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: -(2 ** 33), max: 2 ** 33 }),
  fc.double({ noNaN: true, min: -1e3, max: 1e3 }),
);
const sequence = fc.record(
  {
    tokens: fc.array(token, { maxLength: 40 }),
    stop_reason: fc.constantFrom('length', 'stop'),
    logprobs: fc.oneof(fc.array(float, { maxLength: 40 }), fc.constant(null)),
  },
  { requiredKeys: ['tokens'] },
);
const topkRow = fc.oneof(fc.constant(null), fc.array(fc.tuple(fc.nat(300), float), { maxLength: 3 }));
const result = fc.record(
  {
    sequences: fc.array(sequence, { maxLength: 4 }),
    prompt_logprobs: fc.oneof(
      fc.array(fc.oneof(float, fc.constant(null)), { maxLength: 300 }),
      fc.constant(null),
    ),
    topk_prompt_logprobs: fc.oneof(fc.array(topkRow, { maxLength: 4 }), fc.constant(null)),
    prompt_cache_hit_tokens: fc.oneof(
      fc.nat(),
      fc.integer({ min: -5, max: 2 ** 40 }),
      fc.double({ min: -2, max: 300 }),
      fc.constantFrom(Number.NaN, 0, 2 ** 32 + 3),
    ),
  },
  { requiredKeys: ['sequences'] },
);

describe('SampleResponse written directly (sample-response.ts)', () => {
  it('is protobufjs’s encoding byte for byte, or leaves the result to it', () => {
    fc.assert(
      fc.property(result, (r) => {
        let reference: Buffer;
        try {
          reference = encodeSampleResponseMessage(r);
        } catch (error) {
          // Token ids beyond int32 (writeInt32LE refuses them): the same error, from protobufjs's path.
          expect(encodeCommonSampleResponse(r)).toBeUndefined();
          expect(() => encodeSampleResponse(r)).toThrow((error as Error).message);
          return;
        }
        const direct = encodeCommonSampleResponse(r);
        if (direct !== undefined) expect(direct.toString('hex')).toBe(reference.toString('hex'));
        expect(encodeSampleResponse(r).toString('hex')).toBe(reference.toString('hex'));
        // Twice in a row: nothing of one result (the scratch array) leaks into the next.
        expect(encodeSampleResponse(r).toString('hex')).toBe(reference.toString('hex'));
      }),
      { numRuns: 1000 },
    );
  });

  it('takes the results a fan-out polls, and leaves top-k prompt logprobs and ids beyond int32 to protobufjs', () => {
    const common = {
      sequences: [{ tokens: [72, 105, 33], stop_reason: 'length', logprobs: [-0.5, -1, -2.25] }],
      prompt_logprobs: [null, -1.5],
      prompt_cache_hit_tokens: 2,
    };
    expect(encodeCommonSampleResponse(common)).toEqual(encodeSampleResponseMessage(common));
    expect(encodeCommonSampleResponse({ ...common, topk_prompt_logprobs: [[[1, -0.5]]] })).toBeUndefined();
    expect(encodeCommonSampleResponse({ sequences: [{ tokens: [2 ** 31] }] })).toBeUndefined();
    // A long sequence grows the scratch array; the next short one is still exact.
    const long = { sequences: [{ tokens: Array.from({ length: 5000 }, (_, i) => i), logprobs: [] }] };
    expect(encodeCommonSampleResponse(long)).toEqual(encodeSampleResponseMessage(long));
    expect(encodeCommonSampleResponse(common)).toEqual(encodeSampleResponseMessage(common));
  });
});
