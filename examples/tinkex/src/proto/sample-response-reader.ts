import { fromBinary } from 'pristine-kernel/protobuf';
import type { HandReadBody } from 'pristine-kernel';
import { SampleResponseSchema, type SampleResponse, type SampledSequence } from './gen/tinker_public_pb.js';

/**
 * `fromBinary(SampleResponseSchema, bytes)` without protobuf-es's reflection: every sample's result is one
 * of these, and the generic reader (a message created from its descriptor, a tag array per field) cost
 * about as much as the rest of the result's handling. Reads the records a server writes (sequences,
 * prompt logprobs, the cache-hit count); anything else (top-k logprobs, unknown or repeated-oddly
 * records, long varints, damage) goes to `fromBinary` whole, so the result or error is always its own.
 */
export function readSampleResponse(bytes: Uint8Array): SampleResponse {
  return readCommon(bytes) ?? fromBinary(SampleResponseSchema, bytes);
}

/** The poll's result body for Sample futures: the schema, read by the reader above. */
export const SAMPLE_RESPONSE_BODY: HandReadBody = { schema: SampleResponseSchema, read: readSampleResponse };

/** The read position (module state: reads never overlap, and a closure or object per read would cost). */
let pos = 0;

/** Varints up to 4 bytes (< 2^28): longer ones (negative int32s, huge lengths) take the generic path. */
function varint(bytes: Uint8Array, end: number): number {
  let value = 0;
  for (let shift = 0; shift < 28 && pos < end; shift += 7) {
    const byte = bytes[pos++];
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return value;
  }
  return -1;
}

function readCommon(bytes: Uint8Array): SampleResponse | undefined {
  pos = 0;
  const end = bytes.length;
  // Field order and zero values as create() makes them; optional fields appear once read.
  const message = {
    $typeName: 'tinker_public.SampleResponse',
    sequences: [] as SampledSequence[],
    promptCacheHitTokens: 0,
  } as SampleResponse;
  while (pos < end) {
    const tag = varint(bytes, end);
    if (tag === 0x20) {
      const value = varint(bytes, end);
      if (value < 0) return undefined;
      message.promptCacheHitTokens = value;
      continue;
    }
    if (tag !== 0x0a && tag !== 0x12) return undefined;
    const length = varint(bytes, end);
    if (length < 0 || length > end - pos) return undefined;
    const start = pos;
    pos += length;
    if (tag === 0x12) {
      message.promptLogprobs = bytes.subarray(start, pos);
      continue;
    }
    const sequence = readSequence(bytes, start, pos);
    if (sequence === undefined) return undefined;
    message.sequences.push(sequence);
  }
  return message;
}

function readSequence(bytes: Uint8Array, start: number, end: number): SampledSequence | undefined {
  const after = pos;
  pos = start;
  let stopReason = 0;
  let tokens: Uint8Array | undefined;
  let logprobs: Uint8Array | undefined;
  while (pos < end) {
    const tag = varint(bytes, end);
    if (tag === 0x08) {
      stopReason = varint(bytes, end);
      if (stopReason < 0) return undefined;
      continue;
    }
    if (tag !== 0x12 && tag !== 0x1a) return undefined;
    const length = varint(bytes, end);
    if (length < 0 || length > end - pos) return undefined;
    const field = bytes.subarray(pos, pos + length);
    pos += length;
    if (tag === 0x12) tokens = field;
    else logprobs = field;
  }
  pos = after;
  // Built once the fields are known: the empty default array is made only when tokens are absent.
  const sequence = {
    $typeName: 'tinker_public.SampledSequence',
    stopReason,
    tokens: tokens ?? new Uint8Array(0),
  } as SampledSequence;
  if (logprobs !== undefined) sequence.logprobs = logprobs;
  return sequence;
}
