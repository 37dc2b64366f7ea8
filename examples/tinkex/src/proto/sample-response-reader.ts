import { BinaryReader, WireType, fromBinary } from 'pristine-kernel/protobuf';
import type { HandReadBody } from 'pristine-kernel';
import type {
  SampleResponse as PublicResponse,
  SampledSequence as PublicSequence,
} from '../types/sampling.js';
import { SampleResponseSchema, type SampleResponse } from './gen/tinker_public_pb.js';
import { STOP_REASONS } from './sample-response.js';

/**
 * A Sample result the hand reader below has already turned into the public type (what
 * `sampleResponseFromProto(fromBinary(…))` gives for the same bytes). The poll's `read` tells it apart
 * from a protobuf-es message, which is still what the generic path hands over.
 */
export class ReadSampleResponse {
  constructor(readonly value: PublicResponse) {}
}

/**
 * `sampleResponseFromProto(fromBinary(SampleResponseSchema, bytes))` in one pass with protobuf-es's
 * BinaryReader: every sample's result is one of these, and the two steps (a message and a message per
 * sequence, a view and a `DataView` per packed field, the conversion's closure and objects) were the JSON protocol's
 * `JSON.parse` plus about 0.7 KB per sample and a dozen functions that only the 0.25 path runs, each a
 * TurboFan job in every fresh process. Reads the records a server writes (sequences, prompt logprobs, the
 * cache-hit count); anything else (top-k logprobs, unknown or oddly encoded records, a stop reason or a
 * packed length the conversion refuses, damage) goes to `fromBinary` whole, and the poll converts, or
 * refuses, it exactly as before. Property tests hold both paths to the same result or error.
 */
export function readSampleResponse(bytes: Uint8Array): ReadSampleResponse | SampleResponse {
  const value = readSampleResponseByHand(bytes);
  return value ? new ReadSampleResponse(value) : fromBinary(SampleResponseSchema, bytes);
}

/** The hand reader alone: undefined where it hands the bytes to `fromBinary` (exported for tests). */
export function readSampleResponseByHand(bytes: Uint8Array): PublicResponse | undefined {
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

function readCommon(bytes: Uint8Array): PublicResponse | undefined {
  const reader = new BinaryReader(bytes);
  const end = reader.len;
  const sequences: PublicSequence[] = [];
  let prompt_logprobs: (number | null)[] | null = null;
  let promptCacheHitTokens = 0;
  while (reader.pos < end) {
    const [no, wire] = reader.tag();
    if (no === 4 && wire === VARINT) promptCacheHitTokens = reader.int32();
    else if (no === 2 && wire === LEN) {
      const values: (number | null)[] | undefined = packed(reader, end, false);
      if (values === undefined) return undefined;
      // Empty bytes mean "not requested"; NaN marks a position without a logprob.
      for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) values[i] = null;
      prompt_logprobs = values.length === 0 ? null : values;
    } else if (no === 1 && wire === LEN) {
      const sequence = readSequence(reader);
      if (sequence === undefined) return undefined;
      sequences.push(sequence);
    } else return undefined;
  }
  if (reader.pos !== end) return undefined;
  // The key order of `sampleResponseFromProto`'s result.
  return {
    sequences,
    type: 'sample',
    prompt_logprobs,
    topk_prompt_logprobs: null,
    prompt_cache_hit_tokens: promptCacheHitTokens,
  };
}

function readSequence(reader: BinaryReader): PublicSequence | undefined {
  const end = reader.uint32() + reader.pos;
  if (end > reader.len) return undefined;
  let stopReason = 0;
  let tokens: number[] | undefined = [];
  let logprobs: number[] | null | undefined = null;
  // Later records of a field win, as in protobuf-es.
  while (reader.pos < end) {
    const [no, wire] = reader.tag();
    if (no === 1 && wire === VARINT) stopReason = reader.int32();
    else if (no === 2 && wire === LEN) tokens = packed(reader, end, true);
    else if (no === 3 && wire === LEN) logprobs = packed(reader, end, false);
    else return undefined;
    if (tokens === undefined || logprobs === undefined) return undefined;
  }
  if (reader.pos !== end) return undefined;
  const stop_reason = STOP_REASONS[stopReason];
  if (stop_reason === undefined) return undefined;
  return { stop_reason, tokens, logprobs };
}

/**
 * A `bytes` record holding packed little-endian int32 or float32 values (tinker-wire-0.25.md §8; see
 * packed.ts), read value by value with the reader's fixed-width reads: no view or copy per field.
 * Undefined for a length that is not a whole number of values (the conversion's error) or that runs
 * past `end`.
 */
function packed(reader: BinaryReader, end: number, int32: boolean): number[] | undefined {
  const length = reader.uint32();
  if (length % 4 !== 0 || reader.pos + length > end) return undefined;
  const out = new Array<number>(length / 4);
  if (int32) for (let i = 0; i < out.length; i++) out[i] = reader.sfixed32();
  else for (let i = 0; i < out.length; i++) out[i] = reader.float();
  return out;
}
