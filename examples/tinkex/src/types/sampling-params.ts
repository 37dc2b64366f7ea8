import { Type, describeValue, ValidationError, type Static } from 'pristine-kernel';
import { maybe, strict } from './common.js';
import { checkWire, isRecord } from './wire-check.js';

/**
 * Decoding settings for `asample`. `max_tokens`, `seed` and `stop` may be null (unset); the three
 * numeric knobs are omitted by 0.7.0 unless set, and sent with their defaults by newer SDKs.
 */
export const SamplingParamsSchema = Type.Object(
  {
    max_tokens: maybe(Type.Integer({ minimum: 0 })),
    seed: maybe(Type.Integer()),
    stop: maybe(
      Type.Union([Type.String(), Type.Array(Type.String()), Type.Array(Type.Integer({ minimum: 0 }))]),
    ),
    temperature: Type.Optional(Type.Number({ minimum: 0 })),
    /** −1 turns top-k off. */
    top_k: Type.Optional(Type.Integer({ minimum: -1 })),
    top_p: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  strict,
);
export type SamplingParams = Static<typeof SamplingParamsSchema>;

/** The Python SDK's defaults for the fields that have one. */
export const SAMPLING_DEFAULTS = Object.freeze({ temperature: 1, top_k: -1, top_p: 1 });

/**
 * Sampling parameters as 0.7.0 sends them: only the fields given (the server applies the defaults
 * above). Checks the ranges the schema states, naming the field on failure.
 */
export function samplingParams(params: SamplingParams = {}): SamplingParams {
  const fail = (key: string, message: string) =>
    ValidationError.field('sampling params', `/${key}`, 'range', message);
  if (!isRecord(params)) {
    throw ValidationError.field('sampling params', '/', 'type', 'sampling params must be an object');
  }
  const { max_tokens, temperature, top_k, top_p } = params;
  if (max_tokens != null && (!Number.isInteger(max_tokens) || max_tokens < 0))
    throw fail('max_tokens', `max_tokens must be a non-negative integer, got ${describeValue(max_tokens)}`);
  if (temperature !== undefined && !(typeof temperature === 'number' && temperature >= 0))
    throw fail('temperature', `temperature must be ≥ 0, got ${describeValue(temperature)}`);
  if (top_k !== undefined && (!Number.isInteger(top_k) || top_k < -1))
    throw fail('top_k', `top_k must be an integer ≥ -1 (-1 = off), got ${describeValue(top_k)}`);
  if (top_p !== undefined && !(typeof top_p === 'number' && top_p >= 0 && top_p <= 1))
    throw fail('top_p', `top_p must be in [0, 1], got ${describeValue(top_p)}`);
  const out: SamplingParams = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  // Everything the checks above do not word themselves: unknown keys, types, ±Infinity, `stop`.
  checkWire(SamplingParamsSchema, out, 'sampling params');
  return out;
}

/**
 * The caller's params as a request's own (`stop` included): edits the caller makes after a call must
 * not reach a request that was checked when the call was made. Anything but an object is returned as
 * it is, for the schema to refuse.
 */
export function copySamplingParams(params: SamplingParams): SamplingParams {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return params;
  const stop = params.stop;
  return Array.isArray(stop) ? { ...params, stop: [...stop] as typeof stop } : { ...params };
}
