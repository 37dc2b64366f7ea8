import { Type, type Static } from 'pristine-kernel';
import { Counter, maybe, nullable, strict, typeTag } from './common.js';
import { ModelInputSchema } from './model-input.js';
import { SamplingParamsSchema } from './sampling-params.js';

/**
 * `POST /asample`. The SDK always sends `sampling_session_id` + `seq_id` and `prompt_logprobs` as a
 * bool (false included); `base_model` / `model_path` are accepted for direct sampling.
 */
export const SampleRequestSchema = Type.Object(
  {
    num_samples: Type.Optional(Type.Integer({ minimum: 1 })),
    prompt: ModelInputSchema,
    sampling_params: SamplingParamsSchema,
    base_model: maybe(Type.String()),
    model_path: maybe(Type.String()),
    sampling_session_id: maybe(Type.String()),
    seq_id: maybe(Counter()),
    prompt_logprobs: maybe(Type.Boolean()),
    topk_prompt_logprobs: Type.Optional(Type.Integer({ minimum: 0 })),
    ...typeTag('sample'),
  },
  strict,
);

export const StopReasonSchema = Type.Union([Type.Literal('length'), Type.Literal('stop')]);

export const SampledSequenceSchema = Type.Object({
  stop_reason: StopReasonSchema,
  tokens: Type.Array(Type.Integer()),
  logprobs: maybe(Type.Array(Type.Number())),
});

/** `[token_id, logprob]` pairs per prompt position; the first position has none (null). */
const TopkRow = nullable(Type.Array(Type.Tuple([Type.Integer(), Type.Number()])));

export const SampleResponseSchema = Type.Object({
  sequences: Type.Array(SampledSequenceSchema),
  type: Type.Optional(Type.Literal('sample')),
  prompt_logprobs: maybe(Type.Array(nullable(Type.Number()))),
  topk_prompt_logprobs: maybe(Type.Array(TopkRow)),
  /** 0.23.0+. */
  prompt_cache_hit_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
});

/**
 * `POST /stream_sample` (a Tinkex SSE extension, not in the Python SDK): one sequence, tokens as they
 * are generated.
 */
export const StreamSampleRequestSchema = Type.Object(
  {
    num_samples: Type.Optional(Type.Literal(1)),
    prompt: ModelInputSchema,
    sampling_params: SamplingParamsSchema,
    sampling_session_id: Type.String(),
    seq_id: maybe(Counter()),
    prompt_logprobs: maybe(Type.Boolean()),
    topk_prompt_logprobs: Type.Optional(Type.Integer({ minimum: 0 })),
    ...typeTag('sample'),
  },
  strict,
);

/**
 * One SSE event of `stream_sample`. Kept permissive: token events carry `token` (id) and `logprob`
 * (Elixir tinkex also sends `token_id`, `index`, `finish_reason`); a final event may carry the whole
 * `response` or an `error`. Unknown fields are kept.
 */
export const SampleStreamEventSchema = Type.Object({
  type: Type.Optional(Type.String()),
  token: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
  token_id: maybe(Type.Integer()),
  logprob: maybe(Type.Number()),
  index: maybe(Type.Integer()),
  finish_reason: maybe(Type.String()),
  total_tokens: maybe(Type.Integer()),
  response: Type.Optional(SampleResponseSchema),
  error: Type.Optional(Type.Unknown()),
});

export type SampleRequest = Static<typeof SampleRequestSchema>;
export type StopReason = Static<typeof StopReasonSchema>;
export type SampledSequence = Static<typeof SampledSequenceSchema>;
export type SampleResponse = Static<typeof SampleResponseSchema>;
export type StreamSampleRequest = Static<typeof StreamSampleRequestSchema>;
export type SampleStreamEvent = Static<typeof SampleStreamEventSchema>;
