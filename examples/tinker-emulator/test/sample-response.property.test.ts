import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DTYPE, SampleResponse, StopReason, packedBytes, writePacked } from '../src/protocol/proto.js';
import { MASK_LOGPROB, encodeSampleResponse } from '../src/protocol/results.js';

type Obj = Record<string, any>;

/** What `writePacked` answers: its bytes, or the error's name and code. */
const attempt = (pack: () => Uint8Array): Buffer | string => {
  try {
    return Buffer.from(pack());
  } catch (error) {
    return `${(error as Error).name} ${(error as NodeJS.ErrnoException).code}`;
  }
};

/**
 * The encoder as it was before round 13: a Buffer per packed field (`writePacked`) and protobufjs's
 * generated `SampleResponse.encode` into a writer of its own. The reference the new bytes must equal.
 */
function referenceEncode(result: Obj): Buffer {
  const message: Obj = {
    sequences: (result.sequences as Obj[]).map((s) => {
      const seq: Obj = { tokens: writePacked(s.tokens, DTYPE.INT32) };
      if (s.stop_reason === 'length') seq.stop_reason = StopReason.length;
      if (Array.isArray(s.logprobs)) seq.logprobs = writePacked(s.logprobs, DTYPE.FLOAT32);
      return seq;
    }),
  };
  if (typeof result.prompt_cache_hit_tokens === 'number' && result.prompt_cache_hit_tokens > 0)
    message.prompt_cache_hit_tokens = result.prompt_cache_hit_tokens;
  if (Array.isArray(result.prompt_logprobs))
    message.prompt_logprobs = writePacked(
      (result.prompt_logprobs as (number | null)[]).map((v) => v ?? Number.NaN),
      DTYPE.FLOAT32,
    );
  const rows = result.topk_prompt_logprobs as ([number, number][] | null)[] | undefined;
  if (Array.isArray(rows) && rows.length > 0) {
    const k = Math.max(0, ...rows.map((r) => r?.length ?? 0));
    if (k > 0) {
      const ids: number[] = [];
      const logprobs: number[] = [];
      for (const row of rows)
        for (let j = 0; j < k; j++) {
          ids.push(row?.[j]?.[0] ?? 0);
          logprobs.push(row?.[j]?.[1] ?? MASK_LOGPROB);
        }
      message.topk_prompt_logprobs = {
        token_ids: writePacked(ids, DTYPE.INT32),
        logprobs: writePacked(logprobs, DTYPE.FLOAT32),
        k,
        prompt_length: rows.length,
      };
    }
  }
  return Buffer.from(SampleResponse.encode(message).finish());
}

const token = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const logprob = fc.oneof(fc.double({ max: 0 }), fc.double(), fc.constantFrom(Number.NaN, -0, MASK_LOGPROB));
const sequence = fc.record(
  {
    tokens: fc.array(token, { maxLength: 20 }),
    logprobs: fc.oneof(fc.array(logprob, { maxLength: 20 }), fc.constant(null)),
    stop_reason: fc.constantFrom('length', 'stop'),
  },
  { requiredKeys: ['tokens', 'stop_reason'] },
);
const pair = fc.tuple(token, logprob);
/** Sample results as the emulator stores them, and shapes it does not make (ragged top-k rows, nulls). */
const sampleResult = fc.record(
  {
    type: fc.constant('sample'),
    sequences: fc.array(sequence, { maxLength: 3 }),
    prompt_cache_hit_tokens: fc.oneof(fc.constant(0), fc.nat(5000)),
    prompt_logprobs: fc.oneof(
      fc.constant(null),
      fc.array(fc.oneof(logprob, fc.constant(null)), { maxLength: 30 }),
    ),
    topk_prompt_logprobs: fc.oneof(
      fc.constant(null),
      fc.array(fc.oneof(fc.constant(null), fc.array(pair, { maxLength: 4 })), { maxLength: 8 }),
    ),
  },
  { requiredKeys: ['sequences'] },
);

describe('the 0.25 SampleResponse the emulator answers', () => {
  it('packedBytes writes what writePacked writes (or throws as it does), for every dtype', () => {
    const value = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.double({ min: -(2 ** 31) - 2, max: 2 ** 31 + 1 }),
      fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.array(value, { maxLength: 20 }), fc.array(value, { minLength: 1025, maxLength: 1100 })),
        (values) => {
          for (const dtype of [DTYPE.FLOAT32, DTYPE.INT32, DTYPE.INT64, DTYPE.BFLOAT16])
            expect(attempt(() => packedBytes(values, dtype))).toEqual(
              attempt(() => writePacked(values, dtype)),
            );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is byte for byte the generated encoder of the former message, result after result (the writer is reused)', () => {
    fc.assert(
      fc.property(fc.array(sampleResult, { minLength: 1, maxLength: 6 }), (results) => {
        for (const result of results) {
          const expected = attempt(() => referenceEncode(result));
          expect(attempt(() => encodeSampleResponse(result))).toEqual(expected);
          // Asked again, the same bytes: nothing of the last encode is left in the reused writer.
          expect(attempt(() => encodeSampleResponse(result))).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('after a result that cannot be encoded (a token beyond int32), the next ones are still exact', () => {
    const good = { sequences: [{ tokens: [1, 2, 3], logprobs: [-0.5, -1, -2], stop_reason: 'length' }] };
    const bad = { sequences: [{ tokens: [2 ** 40], logprobs: [-1], stop_reason: 'stop' }] };
    expect(() => encodeSampleResponse(bad)).toThrow(/out of range/);
    expect(Buffer.from(encodeSampleResponse(good))).toEqual(referenceEncode(good));
  });
});
