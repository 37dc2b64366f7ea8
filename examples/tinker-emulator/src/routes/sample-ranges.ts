import { HttpError } from '../http-util.js';

type Body = Record<string, any>;

/**
 * Sample settings outside what an inference server takes are a 400 naming the field, as vLLM refuses
 * them (n >= 1, temperature >= 0, top_p in [0, 1], top_k >= -1, logprobs >= 0; max_tokens 0 stays an
 * empty "length" sequence). The official client sends them unchecked; without this the emulator answered
 * them as if they were fine (max_tokens -1: an empty sequence; num_samples 0: none).
 */
export function checkSampleRanges(body: Body): void {
  const p: Body = body.sampling_params ?? {};
  const stop = Array.isArray(p.stop) ? p.stop : [];
  const rules: [string, boolean, string][] = [
    ['num_samples', (body.num_samples ?? 1) >= 1, 'must be >= 1'],
    ['topk_prompt_logprobs', (body.topk_prompt_logprobs ?? 0) >= 0, 'must be >= 0'],
    ['sampling_params.max_tokens', (p.max_tokens ?? 0) >= 0, 'must be >= 0'],
    ['sampling_params.temperature', (p.temperature ?? 1) >= 0, 'must be >= 0'],
    ['sampling_params.top_p', (p.top_p ?? 1) >= 0 && (p.top_p ?? 1) <= 1, 'must be between 0 and 1'],
    ['sampling_params.top_k', (p.top_k ?? -1) >= -1, 'must be >= -1 (-1 = off)'],
  ];
  for (const [field, holds, rule] of rules)
    if (!holds) throw new HttpError(400, `${field.replace('sampling_params.', '')} ${rule}`, field);
  const bad = stop.findIndex((s: unknown) => typeof s === 'number' && s < 0);
  if (bad >= 0)
    throw new HttpError(400, `stop token ${stop[bad]} is not a token id`, `sampling_params.stop[${bad}]`);
}
