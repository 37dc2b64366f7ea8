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

import type { ModelInputChunk, ModelInputWire } from '../types/model-input.js';
import { SAMPLING_DEFAULTS, type SamplingParams } from '../types/sampling-params.js';
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
  /** Set only on a body built in its 0.25 shape (`v025SampleBody`). */
  type?: 'sample';
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
  // Built in its 0.25 shape (SamplingClient knew the protocol): nothing to do.
  if (body.type === 'sample') return body;
  // The body's own array: a typed chunk replaces its untyped one there (text-chunk.ts says why not in
  // place), so a resubmission finds it typed.
  const chunks = body.prompt.chunks as unknown[];
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    if (isPlainObject(chunk) && 'tokens' in chunk && chunk.type === undefined)
      chunks[i] = typedTextChunk(chunk);
  }
  // A valid body (it was checked before it was owned) has no null where the schema refuses one, so the
  // params come out as the rule leaves them: nulls dropped.
  return inWireOrder(body, v025Params(body.sampling_params), body.prompt as ModelInputWire, body.seq_id);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An `asample` body in its 0.25 shape, as `v025SampleBody` builds it. */
export type V025SampleBody = {
  num_samples: number;
  sampling_params: SamplingParams;
  topk_prompt_logprobs: number;
  prompt: ModelInputWire;
  sampling_session_id: string;
  prompt_logprobs: boolean;
  seq_id: number;
  type: 'sample';
};

/** What SamplingClient puts in an `asample` body, its prompt's chunks and params not yet copied. */
export interface SampleBodyParts {
  num_samples: number;
  chunks: readonly ModelInputChunk[];
  sampling_params: unknown;
  sampling_session_id: string;
  prompt_logprobs: boolean;
  topk_prompt_logprobs: number;
}

/**
 * The `asample` body in its 0.25 shape, built once when SamplingClient already knows it speaks 0.25:
 * the JSON `shapeOwnedSampleBody` makes of the plain body (a property test compares the two), without
 * the plain body, its copy of every chunk and of the params that the shaping then replaced. It is
 * validated as it is: every field the 0.25 shape adds is one the schema accepts with the value given
 * (`type` tags, the params' defaults), and a null the 0.25 shape would drop where the schema refuses
 * null (`temperature`, `top_k`, `top_p`) is kept, so that the body is refused exactly as the plain one.
 */
export function v025SampleBody(parts: SampleBodyParts): V025SampleBody {
  // seq_id is set per sample; it goes before `type`, as it always went on the wire.
  return inWireOrder(parts, v025Params(parts.sampling_params), { chunks: parts.chunks.map(v025Chunk) }, 0);
}

/** The 0.25 body's fields in the rule's order (SamplingClient's, then `type`). */
function inWireOrder(
  fields: Omit<SampleBodyParts, 'chunks' | 'sampling_params'>,
  sampling_params: unknown,
  prompt: ModelInputWire,
  seq_id: number,
): V025SampleBody {
  return {
    num_samples: fields.num_samples,
    sampling_params: sampling_params as SamplingParams,
    topk_prompt_logprobs: fields.topk_prompt_logprobs,
    prompt,
    sampling_session_id: fields.sampling_session_id,
    prompt_logprobs: fields.prompt_logprobs,
    seq_id,
    type: 'sample',
  };
}

/** A chunk of the body's own: a token chunk typed (text-chunk.ts), any other a shallow copy (`toJSON`'s). */
function v025Chunk(chunk: ModelInputChunk): ModelInputChunk {
  const own = chunk as unknown as Record<string, unknown>;
  return ('tokens' in own && own.type === undefined ? typedTextChunk(own) : { ...own }) as ModelInputChunk;
}

/**
 * The caller's params as the body's own (`copySamplingParams`: `stop` copied too), in their 0.25 shape:
 * the defaults' keys first, nulls dropped but where the schema refuses them. Anything but an object is
 * returned as it is, for the schema to refuse.
 */
function v025Params(params: unknown): unknown {
  if (!isPlainObject(params)) return params;
  const out: Record<string, unknown> = { ...SAMPLING_DEFAULTS };
  for (const key in params) {
    if (!Object.hasOwn(params, key) || key === '__proto__') continue; // as the rule's withoutNulls
    const value = params[key];
    if (value === undefined || (value === null && !Object.hasOwn(SAMPLING_DEFAULTS, key))) continue;
    out[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return out;
}
