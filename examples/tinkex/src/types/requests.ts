import { Type, type Static } from 'pristine-kernel';
import { AdamParamsSchema } from './adam-params.js';
import { Counter, maybe, strict, typeTag } from './common.js';
import { DatumSchema } from './datum.js';
import { LoraConfigSchema } from './lora-config.js';
import { LossFnConfigSchema, LossFnSchema } from './loss.js';

/** Request bodies of the training endpoints, field for field as the Python SDK models them. */

/** String to string, as the Python SDK's `dict[str, str]`: anything else is refused before it is sent. */
const Metadata = Type.Record(Type.String(), Type.String());
/** A checkpoint name for save calls: a bare name, not a URI. */
const CheckpointName = Type.String({ minLength: 1, pattern: '^[^/]+$' });
const TinkerPath = Type.String({ pattern: '^tinker://' });

export const CreateModelRequestSchema = Type.Object(
  {
    session_id: Type.String(),
    model_seq_id: Counter(),
    base_model: Type.String({ minLength: 1 }),
    user_metadata: maybe(Metadata),
    lora_config: maybe(LoraConfigSchema),
    ...typeTag('create_model'),
  },
  strict,
);

export const GetInfoRequestSchema = Type.Object({ model_id: Type.String(), ...typeTag('get_info') }, strict);
export const UnloadModelRequestSchema = Type.Object(
  { model_id: Type.String(), ...typeTag('unload_model') },
  strict,
);

/** `forward_input` / `forward_backward_input`: the batch, the loss and its config (null when unset). */
export const ForwardBackwardInputSchema = Type.Object(
  {
    data: Type.Array(DatumSchema),
    loss_fn: LossFnSchema,
    loss_fn_config: maybe(LossFnConfigSchema),
  },
  strict,
);

export const ForwardRequestSchema = Type.Object(
  {
    forward_input: ForwardBackwardInputSchema,
    model_id: Type.String(),
    seq_id: maybe(Counter()),
    ...typeTag('forward'),
  },
  strict,
);

export const ForwardBackwardRequestSchema = Type.Object(
  {
    forward_backward_input: ForwardBackwardInputSchema,
    model_id: Type.String(),
    seq_id: maybe(Counter()),
    ...typeTag('forward_backward'),
  },
  strict,
);

export const OptimStepRequestSchema = Type.Object(
  {
    adam_params: AdamParamsSchema,
    model_id: Type.String(),
    seq_id: maybe(Counter()),
    ...typeTag('optim_step'),
  },
  strict,
);

/** `ttl_seconds` 0.9.0+, `overwrite` 0.20.0+. */
export const SaveWeightsRequestSchema = Type.Object(
  {
    model_id: Type.String(),
    path: maybe(CheckpointName),
    seq_id: maybe(Counter()),
    ttl_seconds: maybe(Type.Integer({ minimum: 1 })),
    overwrite: Type.Optional(Type.Boolean()),
    ...typeTag('save_weights'),
  },
  strict,
);

/**
 * Legacy form `{model_id, seq_id, path, optimizer}`; 0.24.1's create-via-load form
 * `{session_id, model_seq_id, base_model?, user_metadata?, path, optimizer}` has no model_id.
 */
export const LoadWeightsRequestSchema = Type.Object(
  {
    model_id: maybe(Type.String()),
    seq_id: maybe(Counter()),
    session_id: maybe(Type.String()),
    model_seq_id: maybe(Counter()),
    base_model: maybe(Type.String()),
    user_metadata: maybe(Metadata),
    path: TinkerPath,
    optimizer: Type.Boolean(),
    weights_access_token: maybe(Type.String()),
    ...typeTag('load_weights'),
  },
  strict,
);

/** Named (`path`) or ephemeral (`sampling_session_seq_id`), never both when the SDK builds it. */
export const SaveWeightsForSamplerRequestSchema = Type.Object(
  {
    model_id: Type.String(),
    path: maybe(CheckpointName),
    sampling_session_seq_id: maybe(Counter()),
    seq_id: maybe(Counter()),
    ttl_seconds: maybe(Type.Integer({ minimum: 1 })),
    ...typeTag('save_weights_for_sampler'),
  },
  strict,
);

/** A hand-built body: `{tinker_path}` and nothing else. */
export const WeightsInfoRequestSchema = Type.Object({ tinker_path: TinkerPath }, strict);

export type CreateModelRequest = Static<typeof CreateModelRequestSchema>;
export type GetInfoRequest = Static<typeof GetInfoRequestSchema>;
export type UnloadModelRequest = Static<typeof UnloadModelRequestSchema>;
export type ForwardBackwardInput = Static<typeof ForwardBackwardInputSchema>;
export type ForwardRequest = Static<typeof ForwardRequestSchema>;
export type ForwardBackwardRequest = Static<typeof ForwardBackwardRequestSchema>;
export type OptimStepRequest = Static<typeof OptimStepRequestSchema>;
export type SaveWeightsRequest = Static<typeof SaveWeightsRequestSchema>;
export type LoadWeightsRequest = Static<typeof LoadWeightsRequestSchema>;
export type SaveWeightsForSamplerRequest = Static<typeof SaveWeightsForSamplerRequestSchema>;
export type WeightsInfoRequest = Static<typeof WeightsInfoRequestSchema>;
