import { ValidationError } from 'pristine-kernel';

const SAMPLE_REQUEST_KEYS: ReadonlySet<string> = new Set([
  'prompt',
  'num_samples',
  'sampling_params',
  'include_prompt_logprobs',
  'topk_prompt_logprobs',
]);
const LISTED = [...SAMPLE_REQUEST_KEYS].join(', ');

/**
 * A sample request's own keys (sampling_params' are the schema's). The body is built field by field, so
 * a misspelt key (`num_sample: 3`) was dropped and the caller got one sample believing they asked for
 * three; and a stream is one sample, so `sampleStream({ num_samples: 2 })` streamed one. Both are refused
 * by name before anything is sent. A key whose value is `undefined` counts as not given.
 */
export function checkSampleRequestKeys(request: object, stream: boolean): void {
  for (const key in request) {
    const value = (request as Record<string, unknown>)[key];
    if (value === undefined || !Object.hasOwn(request, key) || SAMPLE_REQUEST_KEYS.has(key)) continue;
    throw ValidationError.field(
      'sample request',
      `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      'additionalProperties',
      `"${key}" is not a sample request field (${LISTED})`,
    );
  }
  const n = (request as { num_samples?: unknown }).num_samples;
  if (stream && n !== undefined && n !== 1)
    throw ValidationError.field(
      'sample request',
      '/num_samples',
      'const',
      'sampleStream streams one sample: num_samples must be 1 or omitted (use sample() for several)',
    );
}
