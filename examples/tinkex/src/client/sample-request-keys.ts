import { OptionChecks, ValidationError } from 'pristine-kernel';

const SAMPLE_REQUEST_KEYS = [
  'prompt',
  'num_samples',
  'sampling_params',
  'include_prompt_logprobs',
  'topk_prompt_logprobs',
] as const;
const ONLY_SAMPLE_REQUEST_KEYS = {
  names: new Set<string>(SAMPLE_REQUEST_KEYS),
  what: 'a sample request key',
};

/**
 * A sample request's own keys (sampling_params' are the schema's). The body is built field by field, so
 * a misspelt key (`num_sample: 3`) was dropped and the caller got one sample believing they asked for
 * three; and a stream is one sample, so `sampleStream({ num_samples: 2 })` streamed one. Both are refused
 * by name before anything is sent. Returns the request (`{}` when it is missing), checked as an object.
 */
export function checkSampleRequestKeys<
  T extends Partial<Record<(typeof SAMPLE_REQUEST_KEYS)[number], unknown>>,
>(given: T | undefined, stream: boolean): T {
  // A missing request reads as `{}` (then "prompt is required"), not a TypeError on its first field.
  const request = OptionChecks.optionsObject('sample request', given, ONLY_SAMPLE_REQUEST_KEYS);
  const n = request.num_samples;
  if (stream && n !== undefined && n !== 1)
    throw ValidationError.field(
      'sample request',
      '/num_samples',
      'const',
      'sampleStream streams one sample: num_samples must be 1 or omitted (use sample() for several)',
    );
  return request;
}
