import { Type, type Static } from 'pristine-kernel';
import { CheckpointSchema, CursorSchema } from './checkpoints.js';
import { maybe } from './common.js';

export const TrainingRunSchema = Type.Object({
  training_run_id: Type.String(),
  base_model: Type.String(),
  model_owner: Type.String(),
  is_lora: Type.Boolean(),
  corrupted: Type.Optional(Type.Boolean()),
  lora_rank: maybe(Type.Integer()),
  last_request_time: Type.String(),
  last_checkpoint: maybe(CheckpointSchema),
  last_sampler_checkpoint: maybe(CheckpointSchema),
  // Strings by name, as given at creation (the Python SDK's `dict[str, str] | None`); checked open, so a
  // server that returns another value type does not fail the listing.
  user_metadata: maybe(Type.Unsafe<Record<string, string>>(Type.Record(Type.String(), Type.Unknown()))),
});

export const TrainingRunsResponseSchema = Type.Object({
  training_runs: Type.Array(TrainingRunSchema),
  cursor: CursorSchema,
});

export type TrainingRun = Static<typeof TrainingRunSchema>;
export type TrainingRunsResponse = Static<typeof TrainingRunsResponseSchema>;
