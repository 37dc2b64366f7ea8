import { BinaryReader, WireType, fromBinary } from 'pristine-kernel/protobuf';
import type { HandReadBody } from 'pristine-kernel';
import { SampleResponseSchema, type SampleResponse, type SampledSequence } from './gen/tinker_public_pb.js';

/**
 * `fromBinary(SampleResponseSchema, bytes)` without protobuf-es's reflection: every sample's result is one
 * of these, and the generic reader (a message created from its descriptor, a reader per field) cost
 * about as much as the rest of the result's handling. Reads the records a server writes (sequences,
 * prompt logprobs, the cache-hit count) with protobuf-es's BinaryReader; anything else (top-k logprobs,
 * unknown or oddly encoded records, damage) goes to `fromBinary` whole, so the result or error is
 * always its own.
 */
export function readSampleResponse(bytes: Uint8Array): SampleResponse {
  return readSampleResponseByHand(bytes) ?? fromBinary(SampleResponseSchema, bytes);
}

/** The hand reader alone: undefined where it hands the bytes to `fromBinary` (exported for tests). */
export function readSampleResponseByHand(bytes: Uint8Array): SampleResponse | undefined {
  try {
    return readCommon(bytes);
  } catch {
    return undefined; // damaged: protobuf-es reports it in its own words
  }
}

/** The poll's result body for Sample futures: the schema, read by the reader above. */
export const SAMPLE_RESPONSE_BODY: HandReadBody = { schema: SampleResponseSchema, read: readSampleResponse };

const LEN = WireType.LengthDelimited;
const VARINT = WireType.Varint;

function readCommon(bytes: Uint8Array): SampleResponse | undefined {
  const reader = new BinaryReader(bytes);
  // Field order and zero values as create() makes them; optional fields appear once read.
  const message = {
    $typeName: 'tinker_public.SampleResponse',
    sequences: [] as SampledSequence[],
    promptCacheHitTokens: 0,
  } as SampleResponse;
  while (reader.pos < reader.len) {
    const [no, wire] = reader.tag();
    if (no === 4 && wire === VARINT) message.promptCacheHitTokens = reader.int32();
    else if (no === 2 && wire === LEN) message.promptLogprobs = reader.bytes();
    else if (no === 1 && wire === LEN) {
      const sequence = readSequence(reader);
      if (sequence === undefined) return undefined;
      message.sequences.push(sequence);
    } else return undefined;
  }
  return reader.pos === reader.len ? message : undefined;
}

function readSequence(reader: BinaryReader): SampledSequence | undefined {
  const end = reader.uint32() + reader.pos;
  if (end > reader.len) return undefined;
  let stopReason = 0;
  let tokens: Uint8Array | undefined;
  let logprobs: Uint8Array | undefined;
  while (reader.pos < end) {
    const [no, wire] = reader.tag();
    if (no === 1 && wire === VARINT) stopReason = reader.int32();
    else if (no === 2 && wire === LEN) tokens = reader.bytes();
    else if (no === 3 && wire === LEN) logprobs = reader.bytes();
    else return undefined;
  }
  if (reader.pos !== end) return undefined;
  // Built once the fields are known: the empty default array is made only when tokens are absent.
  const sequence = {
    $typeName: 'tinker_public.SampledSequence',
    stopReason,
    tokens: tokens ?? new Uint8Array(0),
  } as SampledSequence;
  if (logprobs !== undefined) sequence.logprobs = logprobs;
  return sequence;
}
