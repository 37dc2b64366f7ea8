import { defineManifest, Type } from 'pristine';
import {
  AdamParamsSchema,
  CheckpointSchema,
  CursorSchema,
  FutureHandleSchema,
  LoraConfigSchema,
  LossInputSchema,
  ModelInputSchema,
  SamplingParamsSchema,
  TrainingRunSchema,
} from './types/schemas.js';
import { VERSION } from './version.js';

const strict = { additionalProperties: false } as const;
const nullable = <T extends import('pristine').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const typeTag = (name: string) => ({ type: Type.Optional(Type.Literal(name)) });
const seq = { seq_id: Type.Optional(nullable(Type.Integer({ minimum: 0 }))) };
const accessScope = Type.Optional(Type.Union([Type.Literal('owned'), Type.Literal('accessible')]));
const Empty = Type.Unknown();
const checkpointPath = {
  training_run_id: Type.String({ minLength: 1 }),
  checkpoint_id: Type.String({ pattern: '^(weights|sampler_weights)/[^/]+$' }),
};
const CHECKPOINT = '/api/v1/training_runs/{training_run_id}/checkpoints/{checkpoint_id}';

/** Every endpoint of the Tinker JSON protocol (Python SDK 0.7.0–0.24.1), plus the SSE sampling extension. */
export const tinkerManifest = defineManifest({
  name: 'tinker',
  version: VERSION,
  endpoints: [
    // Sessions
    {
      id: 'create_session',
      method: 'POST',
      path: '/api/v1/create_session',
      resource: 'sessions',
      input: Type.Object(
        {
          tags: Type.Array(Type.String()),
          user_metadata: Type.Optional(nullable(Type.Record(Type.String(), Type.Unknown()))),
          sdk_version: Type.String(),
          project_id: Type.Optional(nullable(Type.String())),
          ...typeTag('create_session'),
        },
        strict,
      ),
      response: Type.Object({
        session_id: Type.String(),
        info_message: Type.Optional(nullable(Type.String())),
        warning_message: Type.Optional(nullable(Type.String())),
        error_message: Type.Optional(nullable(Type.String())),
      }),
    },
    {
      id: 'session_heartbeat',
      method: 'POST',
      path: '/api/v1/session_heartbeat',
      resource: 'sessions',
      retry: 'none',
      timeoutMs: 10_000,
      input: Type.Object({ session_id: Type.String(), ...typeTag('session_heartbeat') }, strict),
    },
    {
      id: 'create_sampling_session',
      method: 'POST',
      path: '/api/v1/create_sampling_session',
      resource: 'sessions',
      input: Type.Object(
        {
          session_id: Type.String(),
          sampling_session_seq_id: Type.Integer({ minimum: 0 }),
          base_model: Type.Optional(nullable(Type.String())),
          model_path: Type.Optional(nullable(Type.String())),
          ...typeTag('create_sampling_session'),
        },
        strict,
      ),
      response: Type.Object({ sampling_session_id: Type.String() }),
    },
    // Service
    {
      id: 'get_server_capabilities',
      method: 'GET',
      path: '/api/v1/get_server_capabilities',
      resource: 'training',
      response: Type.Object({
        supported_models: Type.Array(
          Type.Object({
            model_name: Type.Optional(Type.String()),
            max_context_length: Type.Optional(Type.Integer()),
          }),
        ),
      }),
    },
    {
      id: 'healthz',
      method: 'GET',
      path: '/api/v1/healthz',
      auth: false,
      response: Type.Object({ status: Type.String() }),
    },
    // Models
    {
      id: 'create_model',
      method: 'POST',
      path: '/api/v1/create_model',
      resource: 'training',
      future: 'tinker',
      input: Type.Object(
        {
          session_id: Type.String(),
          model_seq_id: Type.Integer({ minimum: 0 }),
          base_model: Type.String({ minLength: 1 }),
          user_metadata: Type.Optional(nullable(Type.Record(Type.String(), Type.Unknown()))),
          lora_config: Type.Optional(nullable(LoraConfigSchema)),
          ...typeTag('create_model'),
        },
        strict,
      ),
      response: FutureHandleSchema,
    },
    {
      id: 'get_info',
      method: 'POST',
      path: '/api/v1/get_info',
      resource: 'training',
      input: Type.Object({ model_id: Type.String(), ...typeTag('get_info') }, strict),
      response: Type.Object({
        model_id: Type.String(),
        model_data: Type.Object({
          arch: Type.Optional(nullable(Type.String())),
          model_name: Type.Optional(nullable(Type.String())),
          tokenizer_id: Type.Optional(nullable(Type.String())),
        }),
        is_lora: Type.Optional(nullable(Type.Boolean())),
        lora_rank: Type.Optional(nullable(Type.Integer())),
        model_name: Type.Optional(nullable(Type.String())),
      }),
    },
    {
      id: 'unload_model',
      method: 'POST',
      path: '/api/v1/unload_model',
      resource: 'training',
      future: 'tinker',
      input: Type.Object({ model_id: Type.String(), ...typeTag('unload_model') }, strict),
      response: FutureHandleSchema,
    },
    // Training
    {
      id: 'forward',
      method: 'POST',
      path: '/api/v1/forward',
      resource: 'training',
      future: 'tinker',
      input: Type.Object(
        { forward_input: LossInputSchema, model_id: Type.String(), ...seq, ...typeTag('forward') },
        strict,
      ),
      response: FutureHandleSchema,
    },
    {
      id: 'forward_backward',
      method: 'POST',
      path: '/api/v1/forward_backward',
      resource: 'training',
      future: 'tinker',
      input: Type.Object(
        {
          forward_backward_input: LossInputSchema,
          model_id: Type.String(),
          ...seq,
          ...typeTag('forward_backward'),
        },
        strict,
      ),
      response: FutureHandleSchema,
    },
    {
      id: 'optim_step',
      method: 'POST',
      path: '/api/v1/optim_step',
      resource: 'training',
      future: 'tinker',
      input: Type.Object(
        { adam_params: AdamParamsSchema, model_id: Type.String(), ...seq, ...typeTag('optim_step') },
        strict,
      ),
      response: FutureHandleSchema,
    },
    // Weights
    {
      id: 'save_weights',
      method: 'POST',
      path: '/api/v1/save_weights',
      resource: 'training',
      future: 'tinker',
      input: Type.Object(
        {
          model_id: Type.String(),
          path: Type.Optional(nullable(Type.String({ pattern: '^[\\w.-]+$' }))),
          ttl_seconds: Type.Optional(nullable(Type.Integer({ minimum: 1 }))),
          overwrite: Type.Optional(Type.Boolean()),
          ...seq,
          ...typeTag('save_weights'),
        },
        strict,
      ),
      response: FutureHandleSchema,
    },
    {
      id: 'load_weights',
      method: 'POST',
      path: '/api/v1/load_weights',
      resource: 'training',
      future: 'tinker',
      input: Type.Object(
        {
          model_id: Type.String(),
          path: Type.String({ pattern: '^tinker://' }),
          optimizer: Type.Boolean(),
          weights_access_token: Type.Optional(nullable(Type.String())),
          ...seq,
          ...typeTag('load_weights'),
        },
        strict,
      ),
      response: FutureHandleSchema,
    },
    {
      id: 'save_weights_for_sampler',
      method: 'POST',
      path: '/api/v1/save_weights_for_sampler',
      resource: 'training',
      future: 'tinker',
      input: Type.Object(
        {
          model_id: Type.String(),
          path: Type.Optional(nullable(Type.String({ pattern: '^[\\w.-]+$' }))),
          sampling_session_seq_id: Type.Optional(nullable(Type.Integer({ minimum: 0 }))),
          ttl_seconds: Type.Optional(nullable(Type.Integer({ minimum: 1 }))),
          ...seq,
          ...typeTag('save_weights_for_sampler'),
        },
        strict,
      ),
      response: FutureHandleSchema,
    },
    {
      id: 'weights_info',
      method: 'POST',
      path: '/api/v1/weights_info',
      resource: 'training',
      input: Type.Object({ tinker_path: Type.String({ pattern: '^tinker://' }) }, strict),
      response: Type.Object({
        base_model: Type.String(),
        is_lora: Type.Boolean(),
        lora_rank: Type.Optional(nullable(Type.Integer())),
        train_unembed: Type.Optional(nullable(Type.Boolean())),
        train_mlp: Type.Optional(nullable(Type.Boolean())),
        train_attn: Type.Optional(nullable(Type.Boolean())),
      }),
    },
    // Sampling
    {
      id: 'asample',
      method: 'POST',
      path: '/api/v1/asample',
      resource: 'sampling',
      weight: 'bodyBytes',
      retry: 'none',
      future: 'tinker',
      input: Type.Object(
        {
          num_samples: Type.Optional(Type.Integer({ minimum: 1 })),
          prompt: ModelInputSchema,
          sampling_params: SamplingParamsSchema,
          sampling_session_id: Type.Optional(Type.String()),
          base_model: Type.Optional(Type.String()),
          model_path: Type.Optional(Type.String()),
          seq_id: Type.Optional(Type.Integer({ minimum: 0 })),
          prompt_logprobs: Type.Optional(Type.Boolean()),
          topk_prompt_logprobs: Type.Optional(Type.Integer({ minimum: 0 })),
          ...typeTag('sample'),
        },
        strict,
      ),
      response: FutureHandleSchema,
    },
    {
      id: 'stream_sample',
      method: 'POST',
      path: '/api/v1/stream_sample',
      resource: 'sampling',
      stream: {
        terminator: '[DONE]',
        idleTimeoutMs: 60_000,
        event: Type.Object({ type: Type.String() }),
      },
      input: Type.Object(
        {
          num_samples: Type.Optional(Type.Literal(1)),
          prompt: ModelInputSchema,
          sampling_params: SamplingParamsSchema,
          sampling_session_id: Type.String(),
          seq_id: Type.Optional(Type.Integer({ minimum: 0 })),
          prompt_logprobs: Type.Optional(Type.Boolean()),
          topk_prompt_logprobs: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        strict,
      ),
    },
    // Futures and telemetry
    {
      id: 'retrieve_future',
      method: 'POST',
      path: '/api/v1/retrieve_future',
      resource: 'futures',
      retry: 'none',
      timeoutMs: 45_000,
      input: Type.Object(
        { request_id: Type.String(), allow_metadata_only: Type.Optional(Type.Boolean()) },
        strict,
      ),
      response: Empty,
    },
    {
      id: 'telemetry',
      method: 'POST',
      path: '/api/v1/telemetry',
      resource: 'telemetry',
      timeoutMs: 5_000,
      input: Type.Object(
        {
          events: Type.Array(Type.Record(Type.String(), Type.Unknown())),
          platform: Type.String(),
          sdk_version: Type.String(),
          session_id: Type.String(),
          process_uuid: Type.Optional(Type.String()),
        },
        strict,
      ),
      response: Type.Object({ status: Type.Literal('accepted') }),
    },
    // REST: training runs and checkpoints
    {
      id: 'list_training_runs',
      method: 'GET',
      path: '/api/v1/training_runs',
      query: ['limit', 'offset', 'access_scope', 'project_id'],
      input: Type.Object(
        {
          limit: Type.Optional(Type.Integer({ minimum: 1 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
          access_scope: accessScope,
          project_id: Type.Optional(Type.String()),
        },
        strict,
      ),
      response: Type.Object({ training_runs: Type.Array(TrainingRunSchema), cursor: CursorSchema }),
      pagination: {
        style: 'offset',
        offsetParam: 'offset',
        limitParam: 'limit',
        items: 'training_runs',
        total: 'cursor.total_count',
      },
    },
    {
      id: 'get_training_run',
      method: 'GET',
      path: '/api/v1/training_runs/{training_run_id}',
      query: ['access_scope'],
      input: Type.Object(
        { training_run_id: Type.String({ minLength: 1 }), access_scope: accessScope },
        strict,
      ),
      response: TrainingRunSchema,
    },
    {
      id: 'list_checkpoints',
      method: 'GET',
      path: '/api/v1/training_runs/{training_run_id}/checkpoints',
      input: Type.Object({ training_run_id: Type.String({ minLength: 1 }) }, strict),
      response: Type.Object({
        checkpoints: Type.Array(CheckpointSchema),
        cursor: Type.Optional(nullable(CursorSchema)),
      }),
    },
    {
      id: 'list_user_checkpoints',
      method: 'GET',
      path: '/api/v1/checkpoints',
      query: ['limit', 'offset'],
      input: Type.Object(
        {
          limit: Type.Optional(Type.Integer({ minimum: 1 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        strict,
      ),
      response: Type.Object({
        checkpoints: Type.Array(CheckpointSchema),
        cursor: Type.Optional(nullable(CursorSchema)),
      }),
      pagination: {
        style: 'offset',
        offsetParam: 'offset',
        limitParam: 'limit',
        items: 'checkpoints',
        total: 'cursor.total_count',
      },
    },
    {
      id: 'delete_checkpoint',
      method: 'DELETE',
      path: CHECKPOINT,
      multiSegment: ['checkpoint_id'],
      input: Type.Object(checkpointPath, strict),
      responseType: 'text',
    },
    {
      id: 'get_checkpoint_archive_url',
      method: 'GET',
      path: `${CHECKPOINT}/archive`,
      multiSegment: ['checkpoint_id'],
      redirect: 'manual',
      input: Type.Object(checkpointPath, strict),
      responseType: 'text',
    },
    {
      id: 'publish_checkpoint',
      method: 'POST',
      retry: 'publish',
      path: `${CHECKPOINT}/publish`,
      multiSegment: ['checkpoint_id'],
      input: Type.Object(checkpointPath, strict),
      responseType: 'text',
    },
    {
      id: 'unpublish_checkpoint',
      method: 'DELETE',
      retry: 'publish',
      path: `${CHECKPOINT}/publish`,
      multiSegment: ['checkpoint_id'],
      input: Type.Object(checkpointPath, strict),
      responseType: 'text',
    },
    {
      id: 'set_checkpoint_ttl',
      method: 'PUT',
      path: `${CHECKPOINT}/ttl`,
      multiSegment: ['checkpoint_id'],
      input: Type.Object({ ...checkpointPath, ttl_seconds: nullable(Type.Integer({ minimum: 1 })) }, strict),
      responseType: 'text',
    },
    // REST: sessions and samplers
    {
      id: 'list_sessions',
      method: 'GET',
      path: '/api/v1/sessions',
      query: ['limit', 'offset', 'access_scope'],
      input: Type.Object(
        {
          limit: Type.Optional(Type.Integer({ minimum: 1 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
          access_scope: accessScope,
        },
        strict,
      ),
      response: Type.Object({ sessions: Type.Array(Type.String()) }),
      pagination: { style: 'offset', offsetParam: 'offset', limitParam: 'limit', items: 'sessions' },
    },
    {
      id: 'get_session',
      method: 'GET',
      path: '/api/v1/sessions/{session_id}',
      query: ['access_scope'],
      input: Type.Object({ session_id: Type.String({ minLength: 1 }), access_scope: accessScope }, strict),
      response: Type.Object({
        training_run_ids: Type.Array(Type.String()),
        sampler_ids: Type.Array(Type.String()),
      }),
    },
    {
      id: 'get_sampler',
      method: 'GET',
      path: '/api/v1/samplers/{sampler_id}',
      input: Type.Object({ sampler_id: Type.String({ minLength: 1 }) }, strict),
      response: Type.Object({
        sampler_id: Type.String(),
        base_model: Type.String(),
        model_path: Type.Optional(nullable(Type.String())),
      }),
    },
    // Signed archive downloads live on another origin: the base URL is set per call, no API key is sent.
    {
      id: 'download_archive',
      method: 'GET',
      path: '/{path}',
      multiSegment: ['path'],
      auth: false,
      responseType: 'stream',
      timeoutMs: 60_000,
      input: Type.Object({ path: Type.String() }, strict),
    },
  ],
});

export type TinkerManifest = typeof tinkerManifest;
