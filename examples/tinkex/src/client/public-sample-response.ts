import type { SampleResponse, SampledSequence } from '../types/schemas.js';

/**
 * A sample's result in the one public shape of every protocol (issue 12): what `sampleResponseFromProto`
 * gives in 0.25. A JSON server leaves out what was not asked for or is older than it (prompt logprobs,
 * top-k rows, a sequence's logprobs; `prompt_cache_hit_tokens` before 0.23), and user code must not see
 * `undefined` (or no key) in one protocol where it sees `null` in another; the Python SDK gives `None`
 * (and 0 cache hits) in both. A complete response (always, in 0.25) is returned as it came: no copy per
 * sample.
 */
export function publicSampleResponse(response: SampleResponse): SampleResponse {
  if (isComplete(response)) return response;
  return {
    ...response,
    sequences: response.sequences.map(publicSequence),
    type: 'sample',
    prompt_logprobs: response.prompt_logprobs ?? null,
    topk_prompt_logprobs: response.topk_prompt_logprobs ?? null,
    prompt_cache_hit_tokens: response.prompt_cache_hit_tokens ?? 0,
  };
}

function isComplete(response: SampleResponse): boolean {
  if (
    response.type === undefined ||
    response.prompt_logprobs === undefined ||
    response.topk_prompt_logprobs === undefined ||
    response.prompt_cache_hit_tokens == null
  )
    return false;
  const { sequences } = response;
  for (let i = 0; i < sequences.length; i++) if (sequences[i].logprobs === undefined) return false;
  return true;
}

const publicSequence = (sequence: SampledSequence): SampledSequence =>
  sequence.logprobs === undefined ? { ...sequence, logprobs: null } : sequence;
