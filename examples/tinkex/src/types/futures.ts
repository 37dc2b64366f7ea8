import { Type, type Static } from 'pristine-kernel';
import { maybe, strict, typeTag } from './common.js';

/** What every submitting endpoint answers at once; the result is fetched with `retrieve_future`. */
export const UntypedAPIFutureSchema = Type.Object({
  request_id: Type.String(),
  model_id: maybe(Type.String()),
});
export type UntypedAPIFuture = Static<typeof UntypedAPIFutureSchema>;

/** `allow_metadata_only` arrived in 0.14.0; 0.7.0 sends `{request_id}` only. */
export const FutureRetrieveRequestSchema = Type.Object(
  {
    request_id: Type.String({ minLength: 1 }),
    allow_metadata_only: Type.Optional(Type.Boolean()),
    ...typeTag('retrieve_future'),
  },
  strict,
);
export type FutureRetrieveRequest = Static<typeof FutureRetrieveRequestSchema>;

export const QUEUE_STATES = ['active', 'paused_rate_limit', 'paused_capacity'] as const;
/** Any other string is treated as `unknown`. */
export type QueueState = (typeof QUEUE_STATES)[number] | 'unknown';

export function parseQueueState(value: unknown): QueueState {
  const text = typeof value === 'string' ? value.toLowerCase() : '';
  return (QUEUE_STATES as readonly string[]).includes(text) ? (text as QueueState) : 'unknown';
}

/** Not done yet: poll again. Also the body of a 408 from `retrieve_future`. */
export const TryAgainResponseSchema = Type.Object({
  type: Type.Literal('try_again'),
  request_id: Type.String(),
  queue_state: Type.String(),
  queue_state_reason: maybe(Type.String()),
});
export type TryAgainResponse = Static<typeof TryAgainResponseSchema>;

/** Two-phase retrieval (0.14.0+): the result is ready and this large; ask again without metadata only. */
export const CompleteMetadataResponseSchema = Type.Object({
  status: Type.Literal('complete_metadata'),
  response_payload_size: Type.Integer({ minimum: 0 }),
});
export type CompleteMetadataResponse = Static<typeof CompleteMetadataResponseSchema>;

/**
 * A `retrieve_future` answer: try_again, complete_metadata, `{error, category}`, or the result of the
 * request type, told apart by the poll protocol. Kept open here on purpose.
 */
export const FutureRetrieveResponseSchema = Type.Unknown();

/** `X-Tinker-Request-Type` values on polls, by submitting endpoint. */
export const REQUEST_TYPES: Readonly<Record<string, string>> = {
  create_model: 'CreateModel',
  forward_backward: 'ForwardBackward',
  forward: 'Forward',
  forward_backward_proto: 'ForwardBackward',
  forward_proto: 'Forward',
  optim_step: 'OptimStep',
  save_weights: 'SaveWeights',
  load_weights: 'LoadWeights',
  save_weights_for_sampler: 'SaveWeightsForSampler',
  asample: 'Sample',
  unload_model: 'UnloadModel',
};
