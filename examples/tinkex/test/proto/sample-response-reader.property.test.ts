import { describe, expect, it } from '@jest/globals';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { SampleResponseSchema, StopReason } from '../../src/proto/gen/tinker_public_pb.js';
import { readSampleResponse, readSampleResponseByHand } from '../../src/proto/sample-response-reader.js';
import { damage, damagedVariants } from '../support/damaged-bytes.js';

const bytes = fc.uint8Array({ maxLength: 40 });
const int32 = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));

/** Every field, optional ones absent or present (empty included), any enum value (the enum is open). */
const response = fc.record({
  sequences: fc.array(
    fc.record(
      { stopReason: fc.integer({ min: 0, max: 4 }), tokens: bytes, logprobs: bytes },
      { requiredKeys: ['stopReason', 'tokens'] },
    ),
    { maxLength: 4 },
  ),
  promptLogprobs: fc.option(bytes, { nil: undefined }),
  topkPromptLogprobs: fc.option(
    fc.record({ tokenIds: bytes, logprobs: bytes, k: fc.nat(9), promptLength: fc.nat(9) }),
    { nil: undefined },
  ),
  promptCacheHitTokens: int32,
});

/** What protobuf-es reads, or the message of the error it throws. */
function reference(input: Uint8Array): unknown {
  try {
    return fromBinary(SampleResponseSchema, input);
  } catch (error) {
    return (error as Error).message;
  }
}

function fast(input: Uint8Array): unknown {
  try {
    return readSampleResponse(input);
  } catch (error) {
    return (error as Error).message;
  }
}

describe('the hand-written SampleResponse reader', () => {
  it('reads exactly the message fromBinary reads (random responses, every field)', () => {
    let readByHand = 0;
    fc.assert(
      fc.property(response, (init) => {
        const wire = toBinary(SampleResponseSchema, create(SampleResponseSchema, init));
        if (readSampleResponseByHand(wire) !== undefined) readByHand++;
        expect(readSampleResponse(wire)).toStrictEqual(fromBinary(SampleResponseSchema, wire));
        // A Buffer in, Buffer views out, as protobuf-es hands them out (what the transport delivers).
        const buffer = Buffer.from(wire);
        expect(readSampleResponse(buffer)).toStrictEqual(fromBinary(SampleResponseSchema, buffer));
      }),
      { numRuns: 300 },
    );
    // Meaningful only if the hand reader read some of them itself: the 4 in 5 with top-k logprobs go
    // to fromBinary, about 60 of 300 do not.
    expect(readByHand).toBeGreaterThan(20);
  });

  it('agrees with fromBinary on damaged, repeated and unknown records: same message or same error', () => {
    fc.assert(
      fc.property(response, damage, (init, how) => {
        const wire = toBinary(SampleResponseSchema, create(SampleResponseSchema, init));
        for (const bytes of damagedVariants(wire, how)) expect(fast(bytes)).toStrictEqual(reference(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the views into the bytes it was given (no copies), as fromBinary does', () => {
    const wire = toBinary(
      SampleResponseSchema,
      create(SampleResponseSchema, {
        sequences: [{ stopReason: StopReason.STOP, tokens: new Uint8Array([1, 0, 0, 0]) }],
      }),
    );
    const message = readSampleResponse(wire);
    expect(message.sequences[0].tokens.buffer).toBe(wire.buffer);
  });
});
