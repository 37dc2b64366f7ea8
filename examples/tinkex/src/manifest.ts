import { defineManifest, Type, type TSchema } from 'pristine';
import {
  AssignSessionProjectBodySchema,
  AuditLogResponseSchema,
  BillingUsageResponseSchema,
  TraceExportResponseSchema,
} from './types/account.js';
import { CheckpointsListResponseSchema, WeightsInfoResponseSchema } from './types/checkpoints.js';
import {
  AuthTokenRequestSchema,
  AuthTokenResponseSchema,
  ClientConfigRequestSchema,
  ClientConfigResponseSchema,
  ClientDynamicConfigResponseSchema,
} from './types/client-config.js';
import { GetServerCapabilitiesResponseSchema, HealthResponseSchema } from './types/capabilities.js';
import {
  FutureRetrieveRequestSchema,
  FutureRetrieveResponseSchema,
  UntypedAPIFutureSchema,
} from './types/futures.js';
import {
  CreateModelRequestSchema,
  ForwardBackwardRequestSchema,
  ForwardRequestSchema,
  GetInfoRequestSchema,
  LoadWeightsRequestSchema,
  OptimStepRequestSchema,
  SaveWeightsForSamplerRequestSchema,
  SaveWeightsRequestSchema,
  UnloadModelRequestSchema,
  WeightsInfoRequestSchema,
} from './types/requests.js';
import { GetInfoResponseSchema } from './types/responses.js';
import { SampleRequestSchema, SampleStreamEventSchema, StreamSampleRequestSchema } from './types/sampling.js';
import {
  AccessScopeSchema,
  CreateSamplingSessionRequestSchema,
  CreateSamplingSessionResponseSchema,
  CreateSessionRequestSchema,
  CreateSessionResponseSchema,
  GetSamplerResponseSchema,
  GetSessionResponseSchema,
  ListSessionsResponseSchema,
  SessionHeartbeatRequestSchema,
  SessionHeartbeatResponseSchema,
} from './types/sessions.js';
import { TelemetryResponseSchema, TelemetrySendRequestSchema } from './types/telemetry.js';
import { TrainingRunSchema, TrainingRunsResponseSchema } from './types/training-runs.js';
import { SetCheckpointTtlBodySchema } from './types/checkpoints.js';
import { VERSION } from './version.js';

const strict = { additionalProperties: false } as const;
const scope = { access_scope: Type.Optional(AccessScopeSchema) };
const page = (max?: number) => ({
  limit: Type.Optional(Type.Integer({ minimum: 0, ...(max ? { maximum: max } : {}) })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});
const RunId = Type.String({ minLength: 1, pattern: '^[^/]+$' });
/**
 * The REST checkpoint id carries its kind and a `/`: `weights/<name>` or `sampler_weights/<name>`.
 * It goes into the URL raw (the `/` unescaped), hence `multiSegment`.
 */
const checkpointPath = {
  training_run_id: RunId,
  checkpoint_id: Type.String({ pattern: '^(weights|sampler_weights)/[^/]+$' }),
};
const CHECKPOINT = '/api/v1/training_runs/{training_run_id}/checkpoints/{checkpoint_id}';

/** Merge path params into a body schema (the manifest's input covers both). */
const withPath = <P extends Record<string, TSchema>, B extends Record<string, TSchema>>(
  params: P,
  body: { properties: B },
) => Type.Object({ ...params, ...body.properties }, strict);

/**
 * Every endpoint of the Tinker JSON protocol (Python SDK 0.7.0–0.24.1), plus the SSE sampling
 * extension. Pools (`resource`) follow the SDK's connection pools: sessions, training (TRAIN and all
 * REST), futures (RETRIEVE_PROMISE), sampling, telemetry. Every endpoint answering `{request_id}` is a
 * `tinker` future. Retry policy `none` marks the calls the SDK sends with `max_retries=0` and re-drives
 * itself (polls, heartbeats, asample).
 */
export const tinkerManifest = defineManifest({
  name: 'tinker',
  version: VERSION,
  endpoints: [
    // Bootstrap (0.18.0+)
    {
      id: 'get_client_config',
      method: 'POST',
      path: '/api/v1/client/config',
      resource: 'sessions',
      input: ClientConfigRequestSchema,
      response: ClientConfigResponseSchema,
    },
    {
      id: 'get_dynamic_config',
      method: 'POST',
      path: '/api/v1/client/dynamic_config',
      resource: 'sessions',
      retry: 'none',
      timeoutMs: 10_000,
      input: ClientConfigRequestSchema,
      response: ClientDynamicConfigResponseSchema,
    },
    {
      id: 'auth_token',
      method: 'POST',
      path: '/api/v1/auth/token',
      resource: 'sessions',
      input: AuthTokenRequestSchema,
      response: AuthTokenResponseSchema,
    },
    // Sessions
    {
      id: 'create_session',
      method: 'POST',
      path: '/api/v1/create_session',
      resource: 'sessions',
      input: CreateSessionRequestSchema,
      response: CreateSessionResponseSchema,
    },
    {
      id: 'session_heartbeat',
      method: 'POST',
      path: '/api/v1/session_heartbeat',
      resource: 'sessions',
      retry: 'none',
      timeoutMs: 10_000,
      input: SessionHeartbeatRequestSchema,
      response: SessionHeartbeatResponseSchema,
    },
    {
      id: 'create_sampling_session',
      method: 'POST',
      path: '/api/v1/create_sampling_session',
      resource: 'sessions',
      input: CreateSamplingSessionRequestSchema,
      response: CreateSamplingSessionResponseSchema,
    },
    // Service
    {
      id: 'get_server_capabilities',
      method: 'GET',
      path: '/api/v1/get_server_capabilities',
      resource: 'training',
      response: GetServerCapabilitiesResponseSchema,
    },
    {
      id: 'healthz',
      method: 'GET',
      path: '/api/v1/healthz',
      response: HealthResponseSchema,
    },
    // Models
    {
      id: 'create_model',
      method: 'POST',
      path: '/api/v1/create_model',
      resource: 'training',
      future: 'tinker',
      input: CreateModelRequestSchema,
      response: UntypedAPIFutureSchema,
    },
    {
      id: 'get_info',
      method: 'POST',
      path: '/api/v1/get_info',
      resource: 'training',
      input: GetInfoRequestSchema,
      response: GetInfoResponseSchema,
    },
    {
      id: 'unload_model',
      method: 'POST',
      path: '/api/v1/unload_model',
      resource: 'training',
      future: 'tinker',
      input: UnloadModelRequestSchema,
      response: UntypedAPIFutureSchema,
    },
    // Training
    {
      id: 'forward',
      method: 'POST',
      path: '/api/v1/forward',
      resource: 'training',
      future: 'tinker',
      input: ForwardRequestSchema,
      response: UntypedAPIFutureSchema,
    },
    {
      id: 'forward_backward',
      method: 'POST',
      path: '/api/v1/forward_backward',
      resource: 'training',
      future: 'tinker',
      input: ForwardBackwardRequestSchema,
      response: UntypedAPIFutureSchema,
    },
    {
      id: 'optim_step',
      method: 'POST',
      path: '/api/v1/optim_step',
      resource: 'training',
      future: 'tinker',
      input: OptimStepRequestSchema,
      response: UntypedAPIFutureSchema,
    },
    // Weights
    {
      id: 'save_weights',
      method: 'POST',
      path: '/api/v1/save_weights',
      resource: 'training',
      future: 'tinker',
      input: SaveWeightsRequestSchema,
      response: UntypedAPIFutureSchema,
    },
    {
      id: 'load_weights',
      method: 'POST',
      path: '/api/v1/load_weights',
      resource: 'training',
      future: 'tinker',
      input: LoadWeightsRequestSchema,
      response: UntypedAPIFutureSchema,
    },
    {
      id: 'save_weights_for_sampler',
      method: 'POST',
      path: '/api/v1/save_weights_for_sampler',
      resource: 'training',
      future: 'tinker',
      input: SaveWeightsForSamplerRequestSchema,
      response: UntypedAPIFutureSchema,
    },
    {
      id: 'weights_info',
      method: 'POST',
      path: '/api/v1/weights_info',
      resource: 'training',
      input: WeightsInfoRequestSchema,
      response: WeightsInfoResponseSchema,
    },
    // Sampling: the client's retry handler resubmits with a new seq_id, so no transport retries.
    {
      id: 'asample',
      method: 'POST',
      path: '/api/v1/asample',
      resource: 'sampling',
      weight: 'promptBytes',
      retry: 'none',
      future: 'tinker',
      input: SampleRequestSchema,
      response: UntypedAPIFutureSchema,
    },
    {
      id: 'stream_sample',
      method: 'POST',
      path: '/api/v1/stream_sample',
      resource: 'sampling',
      retry: 'none',
      stream: {
        terminator: '[DONE]',
        errorEvent: 'error',
        idleTimeoutMs: 60_000,
        event: SampleStreamEventSchema,
      },
      input: StreamSampleRequestSchema,
    },
    // Futures and telemetry
    {
      id: 'retrieve_future',
      method: 'POST',
      path: '/api/v1/retrieve_future',
      resource: 'futures',
      retry: 'none',
      timeoutMs: 45_000,
      input: FutureRetrieveRequestSchema,
      response: FutureRetrieveResponseSchema,
    },
    {
      id: 'telemetry',
      method: 'POST',
      path: '/api/v1/telemetry',
      resource: 'telemetry',
      timeoutMs: 5_000,
      input: TelemetrySendRequestSchema,
      response: TelemetryResponseSchema,
    },
    // REST: training runs and checkpoints
    {
      id: 'list_training_runs',
      method: 'GET',
      path: '/api/v1/training_runs',
      resource: 'training',
      query: ['limit', 'offset', 'access_scope', 'project_id'],
      input: Type.Object({ ...page(), ...scope, project_id: Type.Optional(Type.String()) }, strict),
      response: TrainingRunsResponseSchema,
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
      resource: 'training',
      query: ['access_scope'],
      input: Type.Object({ training_run_id: RunId, ...scope }, strict),
      response: TrainingRunSchema,
    },
    {
      id: 'list_checkpoints',
      method: 'GET',
      path: '/api/v1/training_runs/{training_run_id}/checkpoints',
      resource: 'training',
      input: Type.Object({ training_run_id: RunId }, strict),
      response: CheckpointsListResponseSchema,
    },
    {
      id: 'list_user_checkpoints',
      method: 'GET',
      path: '/api/v1/checkpoints',
      resource: 'training',
      query: ['limit', 'offset'],
      input: Type.Object(page(), strict),
      response: CheckpointsListResponseSchema,
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
      resource: 'training',
      multiSegment: ['checkpoint_id'],
      input: Type.Object(checkpointPath, strict),
      responseType: 'text',
    },
    // A 302 to a signed URL (Location, Expires) or, from 0.11.0, a 200 `{url, expires}`: never followed.
    {
      id: 'get_checkpoint_archive_url',
      method: 'GET',
      path: `${CHECKPOINT}/archive`,
      resource: 'training',
      multiSegment: ['checkpoint_id'],
      redirect: 'manual',
      input: Type.Object(checkpointPath, strict),
      responseType: 'text',
    },
    {
      id: 'publish_checkpoint',
      // A 409 (already public / not public) is final: no retry can fix it.
      retry: 'publish',
      method: 'POST',
      path: `${CHECKPOINT}/publish`,
      resource: 'training',
      multiSegment: ['checkpoint_id'],
      input: Type.Object(checkpointPath, strict),
      responseType: 'text',
    },
    {
      id: 'unpublish_checkpoint',
      // A 409 (already public / not public) is final: no retry can fix it.
      retry: 'publish',
      method: 'DELETE',
      path: `${CHECKPOINT}/publish`,
      resource: 'training',
      multiSegment: ['checkpoint_id'],
      input: Type.Object(checkpointPath, strict),
      responseType: 'text',
    },
    {
      id: 'set_checkpoint_ttl',
      method: 'PUT',
      path: `${CHECKPOINT}/ttl`,
      resource: 'training',
      multiSegment: ['checkpoint_id'],
      input: withPath(checkpointPath, SetCheckpointTtlBodySchema),
      responseType: 'text',
    },
    // REST: sessions, samplers, account
    {
      id: 'list_sessions',
      method: 'GET',
      path: '/api/v1/sessions',
      resource: 'training',
      query: ['limit', 'offset', 'access_scope'],
      input: Type.Object({ ...page(), ...scope }, strict),
      response: ListSessionsResponseSchema,
      pagination: { style: 'offset', offsetParam: 'offset', limitParam: 'limit', items: 'sessions' },
    },
    {
      id: 'get_session',
      method: 'GET',
      path: '/api/v1/sessions/{session_id}',
      resource: 'training',
      query: ['access_scope'],
      input: Type.Object({ session_id: Type.String({ minLength: 1 }), ...scope }, strict),
      response: GetSessionResponseSchema,
    },
    {
      id: 'assign_session_project',
      method: 'PUT',
      path: '/api/v1/sessions/{session_id}/project',
      resource: 'training',
      input: withPath({ session_id: Type.String({ minLength: 1 }) }, AssignSessionProjectBodySchema),
      responseType: 'text',
    },
    {
      id: 'export_session_trace',
      method: 'GET',
      path: '/api/v1/sessions/{session_id}/trace_export',
      resource: 'training',
      input: Type.Object({ session_id: Type.String({ minLength: 1 }) }, strict),
      response: TraceExportResponseSchema,
    },
    // Sampler ids contain `:` (`<session>:sample:<n>`); the SDK sends them unescaped.
    {
      id: 'get_sampler',
      method: 'GET',
      path: '/api/v1/samplers/{sampler_id}',
      resource: 'training',
      input: Type.Object({ sampler_id: Type.String({ minLength: 1 }) }, strict),
      response: GetSamplerResponseSchema,
    },
    {
      id: 'get_audit_log',
      method: 'GET',
      path: '/api/v1/audit',
      resource: 'training',
      query: ['event_type', 'day'],
      input: Type.Object(
        {
          event_type: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('checkpoints')])),
          day: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
        },
        strict,
      ),
      response: AuditLogResponseSchema,
    },
    {
      id: 'get_billing_usage',
      method: 'GET',
      path: '/api/v1/billing/usage/events',
      resource: 'training',
      query: ['starting_on', 'ending_before'],
      input: Type.Object({ starting_on: Type.String(), ending_before: Type.String() }, strict),
      response: BillingUsageResponseSchema,
    },
    // Signed archive downloads live on another origin: the base URL is set per call, and the kernel sends
    // that origin none of the plugin's headers (no API key, no CF-Access-*, no default_headers).
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
