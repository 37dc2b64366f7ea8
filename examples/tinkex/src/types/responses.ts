import { Type, type Static } from 'pristine-kernel';
import { maybe } from './common.js';
import { TensorDataOutputSchema } from './tensor-data.js';

/** Results of the training endpoints (what a future resolves to). Unknown fields are ignored. */

export const CreateModelResponseSchema = Type.Object({
  model_id: Type.String(),
  type: Type.Optional(Type.String()),
});

export const ModelDataSchema = Type.Object({
  arch: maybe(Type.String()),
  model_name: maybe(Type.String()),
  tokenizer_id: maybe(Type.String()),
});
export const GetInfoResponseSchema = Type.Object({
  type: maybe(Type.String()),
  model_data: ModelDataSchema,
  model_id: Type.String(),
  is_lora: maybe(Type.Boolean()),
  lora_rank: maybe(Type.Integer()),
  model_name: maybe(Type.String()),
});

export const UnloadModelResponseSchema = Type.Object({
  model_id: Type.String(),
  type: maybe(Type.String()),
});

/** Per-datum outputs by name (e.g. `logprobs`), metrics as `name:reduction` → number. */
export const ForwardBackwardOutputSchema = Type.Object({
  loss_fn_output_type: Type.String(),
  loss_fn_outputs: Type.Array(Type.Record(Type.String(), TensorDataOutputSchema)),
  metrics: Type.Record(Type.String(), Type.Number()),
});

export const OptimStepResponseSchema = Type.Object({
  metrics: maybe(Type.Record(Type.String(), Type.Number())),
});

export const SaveWeightsResponseSchema = Type.Object({
  path: Type.String(),
  type: maybe(Type.String()),
});

export const LoadWeightsResponseSchema = Type.Object({
  path: maybe(Type.String()),
  /** 0.24.1 create-via-load. */
  model_id: maybe(Type.String()),
  type: maybe(Type.String()),
});

/** Named saves answer `{path}`; ephemeral ones `{sampling_session_id}` and no path. */
export const SaveWeightsForSamplerResponseSchema = Type.Object({
  path: maybe(Type.String()),
  sampling_session_id: maybe(Type.String()),
  type: maybe(Type.String()),
});

export type CreateModelResponse = Static<typeof CreateModelResponseSchema>;
export type ModelData = Static<typeof ModelDataSchema>;
export type GetInfoResponse = Static<typeof GetInfoResponseSchema>;
export type UnloadModelResponse = Static<typeof UnloadModelResponseSchema>;
export type ForwardBackwardOutput = Static<typeof ForwardBackwardOutputSchema>;
export type OptimStepResponse = Static<typeof OptimStepResponseSchema>;
export type SaveWeightsResponse = Static<typeof SaveWeightsResponseSchema>;
export type LoadWeightsResponse = Static<typeof LoadWeightsResponseSchema>;
export type SaveWeightsForSamplerResponse = Static<typeof SaveWeightsForSamplerResponseSchema>;
