import { Type, type Static } from 'pristine';

/**
 * Wire schemas, snake_case exactly as the API sends them. One source: the manifest, the TS types,
 * client-side validation and the docs all come from these. Request schemas are strict (unknown fields
 * are rejected before sending); `type` discriminators are optional, as newer SDKs send them.
 */
const strict = { additionalProperties: false } as const;
const nullable = <T extends import('pristine').TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const EncodedTextChunkSchema = Type.Object(
  { tokens: Type.Array(Type.Integer({ minimum: 0 })), type: Type.Optional(Type.Literal('encoded_text')) },
  strict,
);
export const ImageChunkSchema = Type.Object(
  {
    type: Type.Literal('image'),
    data: Type.String({ description: 'base64' }),
    format: Type.Union([Type.Literal('png'), Type.Literal('jpeg')]),
    expected_tokens: Type.Optional(nullable(Type.Integer())),
  },
  strict,
);
export const ImageAssetPointerChunkSchema = Type.Object(
  {
    type: Type.Literal('image_asset_pointer'),
    location: Type.String(),
    format: Type.Union([Type.Literal('png'), Type.Literal('jpeg')]),
    expected_tokens: Type.Optional(nullable(Type.Integer())),
  },
  strict,
);
export const ModelInputChunkSchema = Type.Union([
  EncodedTextChunkSchema,
  ImageChunkSchema,
  ImageAssetPointerChunkSchema,
]);
export const ModelInputSchema = Type.Object({ chunks: Type.Array(ModelInputChunkSchema) }, strict);

export const TensorDtypeSchema = Type.Union([Type.Literal('int64'), Type.Literal('float32')]);
export const TensorDataSchema = Type.Object(
  {
    data: Type.Array(Type.Number()),
    dtype: TensorDtypeSchema,
    shape: Type.Optional(nullable(Type.Array(Type.Integer({ minimum: 0 })))),
  },
  strict,
);
export const DatumSchema = Type.Object(
  { model_input: ModelInputSchema, loss_fn_inputs: Type.Record(Type.String(), TensorDataSchema) },
  strict,
);
export const LossFnSchema = Type.Union([
  Type.Literal('cross_entropy'),
  Type.Literal('importance_sampling'),
  Type.Literal('ppo'),
  Type.Literal('cispo'),
  Type.Literal('dro'),
]);
export const LossInputSchema = Type.Object(
  {
    data: Type.Array(DatumSchema),
    loss_fn: LossFnSchema,
    loss_fn_config: Type.Optional(nullable(Type.Record(Type.String(), Type.Number()))),
  },
  strict,
);

export const AdamParamsSchema = Type.Object(
  {
    learning_rate: Type.Optional(Type.Number({ minimum: 0 })),
    beta1: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
    beta2: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
    eps: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    weight_decay: Type.Optional(Type.Number({ minimum: 0 })),
    grad_clip_norm: Type.Optional(Type.Number({ minimum: 0 })),
  },
  strict,
);
export const SamplingParamsSchema = Type.Object(
  {
    max_tokens: Type.Optional(nullable(Type.Integer({ minimum: 1 }))),
    seed: Type.Optional(nullable(Type.Integer())),
    stop: Type.Optional(
      nullable(Type.Union([Type.String(), Type.Array(Type.String()), Type.Array(Type.Integer())])),
    ),
    temperature: Type.Optional(Type.Number({ minimum: 0 })),
    top_k: Type.Optional(Type.Integer()),
    top_p: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
  },
  strict,
);
export const LoraConfigSchema = Type.Object(
  {
    rank: Type.Optional(Type.Integer({ minimum: 1 })),
    seed: Type.Optional(nullable(Type.Integer())),
    train_unembed: Type.Optional(Type.Boolean()),
    train_mlp: Type.Optional(Type.Boolean()),
    train_attn: Type.Optional(Type.Boolean()),
  },
  strict,
);

// Responses: unknown fields are kept (servers add fields over time).
export const FutureHandleSchema = Type.Object({
  request_id: Type.String(),
  model_id: Type.Optional(Type.String()),
});
export const LossOutputSchema = Type.Object({
  loss_fn_output_type: Type.Optional(Type.String()),
  loss_fn_outputs: Type.Array(Type.Record(Type.String(), TensorDataSchema)),
  metrics: Type.Record(Type.String(), Type.Number()),
});
export const OptimStepResponseSchema = Type.Object({
  metrics: Type.Optional(nullable(Type.Record(Type.String(), Type.Number()))),
});
export const SampledSequenceSchema = Type.Object({
  tokens: Type.Array(Type.Integer()),
  logprobs: Type.Optional(nullable(Type.Array(Type.Number()))),
  stop_reason: Type.Union([Type.Literal('length'), Type.Literal('stop')]),
});
export const SampleResponseSchema = Type.Object({
  sequences: Type.Array(SampledSequenceSchema),
  prompt_logprobs: Type.Optional(nullable(Type.Array(nullable(Type.Number())))),
  topk_prompt_logprobs: Type.Optional(
    nullable(Type.Array(nullable(Type.Array(Type.Tuple([Type.Integer(), Type.Number()]))))),
  ),
});
export const CheckpointSchema = Type.Object({
  checkpoint_id: Type.String(),
  checkpoint_type: Type.Union([Type.Literal('training'), Type.Literal('sampler')]),
  time: Type.String(),
  tinker_path: Type.String(),
  size_bytes: Type.Optional(nullable(Type.Integer())),
  public: Type.Optional(Type.Boolean()),
  expires_at: Type.Optional(nullable(Type.String())),
});
export const CursorSchema = Type.Object({
  offset: Type.Integer(),
  limit: Type.Integer(),
  total_count: Type.Integer(),
});
export const TrainingRunSchema = Type.Object({
  training_run_id: Type.String(),
  base_model: Type.String(),
  model_owner: Type.String(),
  is_lora: Type.Boolean(),
  corrupted: Type.Optional(Type.Boolean()),
  lora_rank: Type.Optional(nullable(Type.Integer())),
  last_request_time: Type.String(),
  last_checkpoint: Type.Optional(nullable(CheckpointSchema)),
  last_sampler_checkpoint: Type.Optional(nullable(CheckpointSchema)),
  user_metadata: Type.Optional(nullable(Type.Record(Type.String(), Type.Unknown()))),
});

export type ModelInputChunk = Static<typeof ModelInputChunkSchema>;
export type EncodedTextChunk = Static<typeof EncodedTextChunkSchema>;
export type ImageChunk = Static<typeof ImageChunkSchema>;
export type ImageAssetPointerChunk = Static<typeof ImageAssetPointerChunkSchema>;
export type ModelInputWire = Static<typeof ModelInputSchema>;
export type TensorDtype = Static<typeof TensorDtypeSchema>;
export type TensorDataWire = Static<typeof TensorDataSchema>;
export type Datum = Static<typeof DatumSchema>;
export type LossFnType = Static<typeof LossFnSchema>;
export type AdamParams = Static<typeof AdamParamsSchema>;
export type SamplingParams = Static<typeof SamplingParamsSchema>;
export type LoraConfig = Static<typeof LoraConfigSchema>;
export type ForwardBackwardOutput = Static<typeof LossOutputSchema>;
export type OptimStepResponse = Static<typeof OptimStepResponseSchema>;
export type SampleResponse = Static<typeof SampleResponseSchema>;
export type SampledSequence = Static<typeof SampledSequenceSchema>;
export type Checkpoint = Static<typeof CheckpointSchema>;
export type TrainingRun = Static<typeof TrainingRunSchema>;
export type Cursor = Static<typeof CursorSchema>;

/** The Python SDK's AdamParams defaults (the server fills them in when omitted). */
export const ADAM_DEFAULTS = {
  learning_rate: 1e-4,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-12,
  weight_decay: 0,
  grad_clip_norm: 0,
} as const;
