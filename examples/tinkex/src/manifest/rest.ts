import type { EndpointSpec } from 'pristine-kernel';
import {
  AssignSessionProjectBodySchema,
  AuditLogResponseSchema,
  BillingUsageResponseSchema,
  TraceExportResponseSchema,
} from '../types/account.js';
import { CheckpointsListResponseSchema, SetCheckpointTtlBodySchema } from '../types/checkpoints.js';
import {
  AccessScopeSchema,
  GetSamplerResponseSchema,
  GetSessionResponseSchema,
  ListSessionsResponseSchema,
} from '../types/sessions.js';
import { TrainingRunSchema, TrainingRunsResponseSchema } from '../types/training-runs.js';
import { type TSchema, Type } from 'pristine-kernel';

const strict = { additionalProperties: false } as const;
const scope = { access_scope: Type.Optional(AccessScopeSchema) };
// A page of at least one item: `limit: 0` asked for nothing (the API documents no maximum).
const page = (max?: number) => ({
  limit: Type.Optional(Type.Integer({ minimum: 1, ...(max ? { maximum: max } : {}) })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});
const RunId = Type.String({ minLength: 1, pattern: '^[^/]+$' });
const checkpointPath = {
  training_run_id: RunId,
  checkpoint_id: Type.String({ pattern: '^(weights|sampler_weights)/[^/]+$' }),
};
const CHECKPOINT = '/api/v1/training_runs/{training_run_id}/checkpoints/{checkpoint_id}';
const withPath = <P extends Record<string, TSchema>, B extends Record<string, TSchema>>(
  params: P,
  body: { properties: B },
) => Type.Object({ ...params, ...body.properties }, strict);

/** REST: training runs, checkpoints, sessions, samplers, audit log, billing, archive downloads. */
export const restEndpoints = [
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
    decompress: false,
    timeoutMs: 60_000,
    input: Type.Object({ path: Type.String() }, strict),
  },
] as const satisfies readonly EndpointSpec[];
