import type { SampleResponse as PublicResponse, StopReason } from '../types/sampling.js';
import {
  StopReason as WireStopReason,
  type SampleResponse,
  type TopkPromptLogprobs,
} from './gen/tinker_public_pb.js';
import { unpackFloat32, unpackInt32 } from './packed.js';

/** Empty top-k slots hold token 0 with this logprob (`MASK_LOGPROB`, float32 bytes 80 4f c3 c7). */
export const MASK_LOGPROB = -99999.0;

/** Wire stop reasons by number; any other is refused (the enum is open on the wire). */
export const STOP_REASONS: Readonly<Record<number, StopReason>> = {
  [WireStopReason.STOP]: 'stop',
  [WireStopReason.LENGTH]: 'length',
};

/**
 * A protobuf `SampleResponse` (tinker-wire-0.25.md §8) as the public type of the JSON protocol: NaN
 * prompt logprobs become null, top-k rows lose trailing sentinel slots and a row starting with one is null.
 */
export function sampleResponseFromProto(message: SampleResponse): PublicResponse {
  const sequences = message.sequences.map((sequence) => {
    const stop_reason = STOP_REASONS[sequence.stopReason];
    if (stop_reason === undefined)
      throw new RangeError(`SampleResponse has unknown stop reason ${sequence.stopReason}`);
    return {
      stop_reason,
      tokens: unpackInt32(sequence.tokens, 'sequence tokens'),
      logprobs:
        sequence.logprobs === undefined ? null : unpackFloat32(sequence.logprobs, 'sequence logprobs'),
    };
  });
  const prompt = message.promptLogprobs;
  return {
    sequences,
    type: 'sample',
    // Absent or empty bytes both mean "not requested".
    prompt_logprobs:
      prompt === undefined || prompt.byteLength === 0
        ? null
        : unpackFloat32(prompt, 'prompt logprobs').map((v) => (Number.isNaN(v) ? null : v)),
    topk_prompt_logprobs: topkRows(message.topkPromptLogprobs),
    prompt_cache_hit_tokens: message.promptCacheHitTokens,
  };
}

function topkRows(topk: TopkPromptLogprobs | undefined): PublicResponse['topk_prompt_logprobs'] {
  if (!topk || topk.k === 0 || topk.promptLength === 0) return null;
  const ids = unpackInt32(topk.tokenIds, 'top-k token ids');
  const logprobs = unpackFloat32(topk.logprobs, 'top-k logprobs');
  const { k, promptLength } = topk;
  if (ids.length !== k * promptLength || logprobs.length !== k * promptLength)
    throw new RangeError(`top-k prompt logprobs hold ${ids.length} slots, not ${promptLength} × ${k}`);
  const isSentinel = (slot: number) => ids[slot] === 0 && logprobs[slot] === MASK_LOGPROB;
  const rows: ([number, number][] | null)[] = [];
  for (let row = 0; row < promptLength; row++) {
    const base = row * k;
    if (isSentinel(base)) {
      rows.push(null);
      continue;
    }
    let end = k;
    while (end > 0 && isSentinel(base + end - 1)) end--;
    const pairs: [number, number][] = [];
    for (let j = 0; j < end; j++) pairs.push([ids[base + j], logprobs[base + j]]);
    rows.push(pairs);
  }
  return rows;
}
