import { Type, type Static } from 'pristine-kernel';
import { Counter, maybe, strict, typeTag } from './common.js';

/** String to string, as the Python SDK's `dict[str, str]`: anything else is refused before it is sent. */
const Metadata = Type.Record(Type.String(), Type.String());

/** 0.7.0: `{"tags":[],"user_metadata":{},"sdk_version":"0.7.0"}`; `project_id` from 0.15.0. */
export const CreateSessionRequestSchema = Type.Object(
  {
    tags: Type.Array(Type.String()),
    user_metadata: maybe(Metadata),
    sdk_version: Type.String(),
    project_id: maybe(Type.String()),
    ...typeTag('create_session'),
  },
  strict,
);
export const CreateSessionResponseSchema = Type.Object({
  session_id: Type.String(),
  info_message: maybe(Type.String()),
  warning_message: maybe(Type.String()),
  error_message: maybe(Type.String()),
});

export const SessionHeartbeatRequestSchema = Type.Object(
  { session_id: Type.String(), ...typeTag('session_heartbeat') },
  strict,
);
export const SessionHeartbeatResponseSchema = Type.Object({ type: Type.Optional(Type.String()) });

/** One of `base_model` / `model_path` is set; 0.7.0 sends the other as null. */
export const CreateSamplingSessionRequestSchema = Type.Object(
  {
    session_id: Type.String(),
    sampling_session_seq_id: Counter(),
    base_model: maybe(Type.String()),
    model_path: maybe(Type.String({ pattern: '^tinker://' })),
    ...typeTag('create_sampling_session'),
  },
  strict,
);
export const CreateSamplingSessionResponseSchema = Type.Object({ sampling_session_id: Type.String() });

export const GetSessionResponseSchema = Type.Object({
  training_run_ids: Type.Array(Type.String()),
  sampler_ids: Type.Array(Type.String()),
});
export const ListSessionsResponseSchema = Type.Object({ sessions: Type.Array(Type.String()) });

export const GetSamplerResponseSchema = Type.Object({
  sampler_id: Type.String(),
  base_model: Type.String(),
  model_path: maybe(Type.String()),
});

/** `owned` (default) or `accessible` (0.15.0+). */
export const AccessScopeSchema = Type.Union([Type.Literal('owned'), Type.Literal('accessible')]);

export type CreateSessionRequest = Static<typeof CreateSessionRequestSchema>;
export type CreateSessionResponse = Static<typeof CreateSessionResponseSchema>;
export type SessionHeartbeatRequest = Static<typeof SessionHeartbeatRequestSchema>;
export type CreateSamplingSessionRequest = Static<typeof CreateSamplingSessionRequestSchema>;
export type CreateSamplingSessionResponse = Static<typeof CreateSamplingSessionResponseSchema>;
export type GetSessionResponse = Static<typeof GetSessionResponseSchema>;
export type ListSessionsResponse = Static<typeof ListSessionsResponseSchema>;
export type GetSamplerResponse = Static<typeof GetSamplerResponseSchema>;
export type AccessScope = Static<typeof AccessScopeSchema>;
