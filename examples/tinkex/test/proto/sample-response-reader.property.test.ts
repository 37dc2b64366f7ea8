import { describe, expect, it } from '@jest/globals';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { SampleResponseSchema, StopReason } from '../../src/proto/gen/tinker_public_pb.js';
import {
  ReadSampleResponse,
  readSampleResponse,
  readSampleResponseByHand,
} from '../../src/proto/sample-response-reader.js';
import { sampleResponseFromProto } from '../../src/proto/sample-response.js';
import { packFloat32, packInt32 } from '../../src/proto/packed.js';
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

/** What the generic path gives the poll: protobuf-es's message converted, or the error's message. */
function reference(input: Uint8Array): unknown {
  try {
    return sampleResponseFromProto(fromBinary(SampleResponseSchema, input));
  } catch (error) {
    return (error as Error).message;
  }
}

/** What the poll gets from the reader: the hand-read value, or the message converted as before. */
function fast(input: Uint8Array): unknown {
  try {
    const read = readSampleResponse(input);
    return read instanceof ReadSampleResponse ? read.value : sampleResponseFromProto(read);
  } catch (error) {
    return (error as Error).message;
  }
}

/** Responses as servers write them: stop or length, int32 tokens, float32 logprobs, no top-k. */
const served = fc.record({
  sequences: fc.array(
    fc.record(
      {
        stopReason: fc.constantFrom(StopReason.STOP, StopReason.LENGTH),
        tokens: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 80 }).map(packInt32),
        logprobs: fc.array(fc.float(), { maxLength: 80 }).map(packFloat32),
      },
      { requiredKeys: ['stopReason', 'tokens'] },
    ),
    { maxLength: 4 },
  ),
  promptLogprobs: fc.option(fc.array(fc.float(), { maxLength: 80 }).map(packFloat32), { nil: undefined }),
  promptCacheHitTokens: int32,
});

/** At an odd offset of a larger allocation, as the transport hands bodies over. */
const onTheWire = (wire: Uint8Array) => Buffer.concat([Buffer.from([9, 9, 9]), wire]).subarray(3);

describe('the hand-written SampleResponse reader', () => {
  it('reads what the generic path converts, key order included (random responses, every field)', () => {
    let readByHand = 0;
    fc.assert(
      fc.property(fc.oneof(response, served), (init) => {
        const wire = toBinary(SampleResponseSchema, create(SampleResponseSchema, init));
        if (readSampleResponseByHand(wire) !== undefined) readByHand++;
        for (const bytes of [wire, onTheWire(wire)]) {
          expect(fast(bytes)).toStrictEqual(reference(bytes));
          expect(JSON.stringify(fast(bytes))).toBe(JSON.stringify(reference(bytes)));
        }
      }),
      { numRuns: 400 },
    );
    // Meaningful only if the hand reader read many of them itself (the served half, about 200 of 400).
    expect(readByHand).toBeGreaterThan(120);
  });

  it('reads what servers write by hand, and hands everything else to fromBinary', () => {
    fc.assert(
      fc.property(served, (init) => {
        const wire = toBinary(SampleResponseSchema, create(SampleResponseSchema, init));
        expect(readSampleResponse(onTheWire(wire))).toBeInstanceOf(ReadSampleResponse);
      }),
      { numRuns: 100 },
    );
    const unusual = [
      { sequences: [{ stopReason: 7, tokens: packInt32([1]) }] }, // a stop reason the conversion refuses
      { sequences: [{ stopReason: StopReason.STOP, tokens: new Uint8Array(3) }] }, // not whole int32s
      { promptLogprobs: new Uint8Array(5) },
      { topkPromptLogprobs: { k: 1, promptLength: 1, tokenIds: packInt32([1]), logprobs: packFloat32([0]) } },
    ];
    for (const init of unusual) {
      const wire = toBinary(SampleResponseSchema, create(SampleResponseSchema, init));
      expect(readSampleResponse(wire)).toStrictEqual(fromBinary(SampleResponseSchema, wire));
    }
  });

  it('agrees with the generic path on damaged, repeated and unknown records: same result or same error', () => {
    fc.assert(
      fc.property(fc.oneof(response, served), damage, (init, how) => {
        const wire = toBinary(SampleResponseSchema, create(SampleResponseSchema, init));
        for (const bytes of damagedVariants(wire, how)) expect(fast(bytes)).toStrictEqual(reference(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves a known field sent with another wire type to the generic path: same result or same error', () => {
    // protobuf-es reads a known field by its declared type whatever the tag's wire type says; random
    // byte edits almost never make such a tag inside a sequence. Stop reason 0, tokens [1], then:
    const sequence = (...tail: number[]) => {
      const body = [0x08, 0x00, 0x12, 0x04, 1, 0, 0, 0, ...tail];
      return Uint8Array.from([0x0a, body.length, ...body]);
    };
    for (const bytes of [
      sequence(0x18, 0x05), // logprobs (bytes) as a varint
      sequence(0x18, 0x00), // the same, an empty read
      sequence(0x0a, 0x01, 0x01), // stop reason (enum) as length-delimited
      sequence(0x15, 0, 0, 0x80, 0x3f), // tokens as a fixed32
    ])
      expect(fast(bytes)).toStrictEqual(reference(bytes));
  });

  it('holds no view into the body it read: plain arrays, NaN prompt logprobs as null', () => {
    const wire = toBinary(
      SampleResponseSchema,
      create(SampleResponseSchema, {
        sequences: [
          { stopReason: StopReason.STOP, tokens: packInt32([5, -6]), logprobs: packFloat32([-0.5]) },
        ],
        promptLogprobs: packFloat32([Number.NaN, -0.25]),
        promptCacheHitTokens: 2,
      }),
    );
    const body = onTheWire(wire);
    const value = readSampleResponseByHand(body)!;
    body.fill(0);
    expect(value).toStrictEqual({
      sequences: [{ stop_reason: 'stop', tokens: [5, -6], logprobs: [-0.5] }],
      type: 'sample',
      prompt_logprobs: [null, -0.25],
      topk_prompt_logprobs: null,
      prompt_cache_hit_tokens: 2,
    });
    expect(Array.isArray(value.sequences[0].tokens)).toBe(true);
  });
});
