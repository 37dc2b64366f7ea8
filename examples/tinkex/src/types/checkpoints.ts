import { Type, type Static } from 'pristine-kernel';
import { maybe, strict } from './common.js';

export const CheckpointTypeSchema = Type.Union([Type.Literal('training'), Type.Literal('sampler')]);

/** A saved checkpoint. `checkpoint_id` carries its kind: `weights/<name>` or `sampler_weights/<name>`. */
export const CheckpointSchema = Type.Object({
  checkpoint_id: Type.String(),
  checkpoint_type: CheckpointTypeSchema,
  time: Type.String(),
  tinker_path: Type.String(),
  size_bytes: maybe(Type.Integer({ minimum: 0 })),
  public: Type.Optional(Type.Boolean()),
  /** 0.9.0+: when the checkpoint's TTL runs out. */
  expires_at: maybe(Type.String()),
});

/** Offset pagination state of list answers. */
export const CursorSchema = Type.Object({
  offset: Type.Integer({ minimum: 0 }),
  limit: Type.Integer({ minimum: 0 }),
  total_count: Type.Integer({ minimum: 0 }),
});

export const CheckpointsListResponseSchema = Type.Object({
  checkpoints: Type.Array(CheckpointSchema),
  cursor: maybe(CursorSchema),
});

/** What `getCheckpointArchiveUrl` returns: the 302 `Location`, or a 200 JSON body (0.11.0+). */
export const CheckpointArchiveUrlResponseSchema = Type.Object({
  url: Type.String(),
  expires: Type.String(),
});

/** Body of `PUT …/ttl`; null removes the expiry (the one explicit null the Python SDK always sends). */
export const SetCheckpointTtlBodySchema = Type.Object(
  { ttl_seconds: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]) },
  strict,
);

/** `POST /weights_info` answer; the `train_*` flags arrived in 0.8.0. */
export const WeightsInfoResponseSchema = Type.Object({
  base_model: Type.String(),
  is_lora: Type.Boolean(),
  lora_rank: maybe(Type.Integer()),
  train_unembed: maybe(Type.Boolean()),
  train_mlp: maybe(Type.Boolean()),
  train_attn: maybe(Type.Boolean()),
});

export type CheckpointType = Static<typeof CheckpointTypeSchema>;
export type Checkpoint = Static<typeof CheckpointSchema>;
export type Cursor = Static<typeof CursorSchema>;
export type CheckpointsListResponse = Static<typeof CheckpointsListResponseSchema>;
export type CheckpointArchiveUrlResponse = Static<typeof CheckpointArchiveUrlResponseSchema>;
export type WeightsInfoResponse = Static<typeof WeightsInfoResponseSchema>;
