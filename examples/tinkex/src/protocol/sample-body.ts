/**
 * The 0.25 shape of the `asample` bodies SamplingClient builds, without the second copy of prompt and
 * chunks that the general rule (`shapeV025Body`) makes of a body it does not own.
 *
 * The general rule copies the prompt, every chunk and the sampling params (a caller's objects must stay
 * as they were), through loops over the rule's defaults. For every sample of a fan-out that cost about
 * 9–18 µs of a fresh process's CPU per call, against 3–4 µs for the straight code below. A body that
 * SamplingClient built holds its own copies of the caller's prompt chunks and params (`ModelInput.toJSON`,
 * `copySamplingParams`), which nothing else sees, so its chunks are typed in its own array. The JSON is
 * the general rule's, key order included (a property test compares the two on random bodies).
 */

import { SAMPLING_DEFAULTS } from '../types/sampling-params.js';
import { typedTextChunk } from './text-chunk.js';

/** Bodies whose prompt and sampling params are their own copies (see `ownSampleBody`). */
const owned = new WeakSet<object>();

/**
 * An `asample` body as SamplingClient builds it: validated, every field set, nested objects its own. A
 * type, not an interface, so that it passes where any JSON body (`Record<string, unknown>`) goes.
 */
export type OwnedSampleBody = {
  num_samples: number;
  prompt: { chunks: readonly unknown[] };
  sampling_params: Record<string, unknown>;
  sampling_session_id: string;
  prompt_logprobs: boolean;
  topk_prompt_logprobs: number;
  seq_id: number;
};

/**
 * Marks `body` as one whose prompt chunks and sampling params nothing else holds, so that its 0.25 shape
 * may type its chunks in its own chunk array. Only for bodies built by SamplingClient (`body`), checked
 * before this.
 */
export function ownSampleBody<T extends OwnedSampleBody>(body: T): T {
  owned.add(body);
  return body;
}

export const isOwnedSampleBody = (input: object): input is OwnedSampleBody => owned.has(input);

/**
 * `shapeV025Body('asample', body)` for an owned body: the rule's defaults first (the params' own values
 * merged into theirs, nulls dropped), then the body's fields in SamplingClient's order, `type` last. Token
 * chunks without a `type` are replaced in the body's own chunk array by their typed form: a resubmission
 * shapes the same body again and finds them typed, as the rule would leave a typed chunk.
 */
export function shapeOwnedSampleBody(body: OwnedSampleBody): Record<string, unknown> {
  const params = body.sampling_params;
  // The defaults' keys first, in the rule's order (temperature, top_k, top_p).
  const sampling_params: Record<string, unknown> = { ...SAMPLING_DEFAULTS };
  for (const key in params) {
    if (!Object.hasOwn(params, key) || key === '__proto__') continue; // as the rule's withoutNulls
    const value = params[key];
    if (value !== null && value !== undefined) sampling_params[key] = value;
  }
  // The body's own array: a typed chunk replaces its untyped one there (text-chunk.ts says why not in
  // place), so a resubmission finds it typed.
  const chunks = body.prompt.chunks as unknown[];
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    if (isPlainObject(chunk) && 'tokens' in chunk && chunk.type === undefined)
      chunks[i] = typedTextChunk(chunk);
  }
  return {
    num_samples: body.num_samples,
    sampling_params,
    topk_prompt_logprobs: body.topk_prompt_logprobs,
    prompt: body.prompt,
    sampling_session_id: body.sampling_session_id,
    prompt_logprobs: body.prompt_logprobs,
    seq_id: body.seq_id,
    type: 'sample',
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
