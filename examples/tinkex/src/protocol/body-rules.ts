import { SAMPLING_DEFAULTS } from '../types/sampling-params.js';
import { PROTOCOL_VERSION } from './flags.js';
import { isOwnedSampleBody, shapeOwnedSampleBody } from './sample-body.js';
import { typedTextChunk } from './text-chunk.js';

/**
 * How 0.25 JSON bodies differ from 0.7.0 (tinker-wire-0.25.md §4): every request model carries its
 * `type`, defaults are sent, `None` is omitted (no `null`s). Data, applied by the negotiate stage.
 */
interface BodyRule {
  type?: string;
  /** Defaults the 0.25 client always sends; nested objects are merged one level deep. */
  defaults?: Record<string, unknown>;
  /** `sdk_version` carries the protocol version (servers resolve feature flags from it). */
  sdkVersion?: boolean;
  /** Fields kept even when null (the TTL body clears an expiry with an explicit null). */
  keepNull?: readonly string[];
}

const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.95, eps: 1e-12, weight_decay: 0.0, grad_clip_norm: 0.0 };

export const V025_BODY_RULES: Readonly<Record<string, BodyRule>> = {
  create_session: { type: 'create_session', sdkVersion: true },
  telemetry: { sdkVersion: true },
  session_heartbeat: { type: 'session_heartbeat' },
  create_sampling_session: { type: 'create_sampling_session' },
  create_model: { type: 'create_model' },
  get_info: { type: 'get_info' },
  unload_model: { type: 'unload_model' },
  optim_step: { type: 'optim_step', defaults: { adam_params: ADAM_DEFAULTS } },
  save_weights: { type: 'save_weights', defaults: { overwrite: false } },
  save_weights_for_sampler: { type: 'save_weights_for_sampler' },
  load_weights: { type: 'load_weights' },
  asample: {
    type: 'sample',
    defaults: { num_samples: 1, sampling_params: SAMPLING_DEFAULTS, topk_prompt_logprobs: 0 },
  },
  set_checkpoint_ttl: { keepNull: ['ttl_seconds'] },
  // Query parameters: 0.25 reads training runs and sessions with `access_scope=owned` unless told otherwise.
  list_training_runs: { defaults: { access_scope: 'owned' } },
  get_training_run: { defaults: { access_scope: 'owned' } },
  list_sessions: { defaults: { access_scope: 'owned' } },
  get_session: { defaults: { access_scope: 'owned' } },
};

/**
 * The body a 0.25 client sends for `endpointId`, or the input itself when no rule applies. Loops, not
 * `Object.entries`: this runs for every sample.
 */
export function shapeV025Body(endpointId: string, input: Record<string, unknown>): Record<string, unknown> {
  // SamplingClient's own bodies: the same JSON, without copying what only they hold (sample-body.ts).
  if (endpointId === 'asample' && isOwnedSampleBody(input)) return shapeOwnedSampleBody(input);
  const rule = V025_BODY_RULES[endpointId];
  if (!rule) return input;
  const out: Record<string, unknown> = {};
  // for…in, not Object.entries: this runs for every sample (no [key, value] pair arrays).
  const defaults = rule.defaults;
  for (const key in defaults) {
    const fallback = defaults[key];
    const given = input[key];
    out[key] =
      isPlainObject(fallback) && isPlainObject(given)
        ? Object.assign({}, fallback, withoutNulls(given))
        : fallback;
  }
  for (const key in input) {
    if (!Object.hasOwn(input, key) || key === '__proto__') continue; // as Object.entries did
    const value = input[key];
    if (value === undefined || (value === null && !rule.keepNull?.includes(key))) continue;
    if (defaults !== undefined && key in defaults && isPlainObject(out[key])) continue; // merged above
    out[key] = key === 'prompt' ? typedChunks(value) : isPlainObject(value) ? withoutNulls(value) : value;
  }
  if (rule.sdkVersion) out.sdk_version = PROTOCOL_VERSION;
  if (rule.type) out.type = rule.type;
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `None` omitted at every depth of plain objects (pydantic's `exclude_none`), arrays left alone. */
function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key) || key === '__proto__') continue; // as Object.entries did
    const v = value[key];
    if (v !== null && v !== undefined) out[key] = isPlainObject(v) ? withoutNulls(v) : v;
  }
  return out;
}

/** Text chunks carry `"type":"encoded_text"` in 0.25 bodies. */
function typedChunks(prompt: unknown): unknown {
  if (!isPlainObject(prompt) || !Array.isArray(prompt.chunks)) return prompt;
  return {
    ...prompt,
    chunks: prompt.chunks.map((chunk: unknown) =>
      isPlainObject(chunk) && 'tokens' in chunk && chunk.type === undefined ? typedTextChunk(chunk) : chunk,
    ),
  };
}
