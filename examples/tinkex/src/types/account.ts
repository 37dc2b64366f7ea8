import { Type, type Static } from 'pristine-kernel';
import { maybe, strict } from './common.js';

/** `PUT /sessions/{id}/project` body (0.22.0+). */
export const AssignSessionProjectBodySchema = Type.Object(
  { project_id: Type.String({ minLength: 1 }) },
  strict,
);

/** `GET /sessions/{id}/trace_export` (0.24.0+): polled until `ready` (or `failed`). */
export const TraceExportResponseSchema = Type.Object({
  status: Type.Union([Type.Literal('pending'), Type.Literal('ready'), Type.Literal('failed')]),
  url: maybe(Type.String()),
  error: maybe(Type.String()),
});

/** `GET /audit` (0.20.0+). */
export const AuditLogEntrySchema = Type.Object({
  timestamp: Type.String(),
  event: Type.String(),
  model_id: maybe(Type.String()),
  tinker_path: maybe(Type.String()),
  purpose: maybe(Type.String()),
});
export const AuditLogResponseSchema = Type.Object({ entries: Type.Array(AuditLogEntrySchema) });

/** What a billing row measures: the Python SDK's `BillingEventInfo`, a union on `type`. */
export type BillingEventInfo =
  | { type: 'training'; token_count: number }
  | { type: 'sampling_prefill'; cached: boolean; token_count: number }
  | { type: 'sampling_sample'; token_count: number }
  | { type: 'checkpoint'; count: number }
  | { type: 'storage'; gigabyte_hours: number };

/**
 * `GET /billing/usage/events` (0.23.3+). `event_info` is checked only for its `type` (a kind a newer
 * server adds still arrives) but typed as the known kinds, so `info.token_count` reads after narrowing.
 */
export const BillingUsageEventSchema = Type.Object({
  bucket_start: Type.String(),
  bucket_end: Type.String(),
  base_model: maybe(Type.String()),
  user_id: maybe(Type.String()),
  user_name: maybe(Type.String()),
  session_id: maybe(Type.String()),
  project_id: maybe(Type.String()),
  event_info: Type.Unsafe<BillingEventInfo>(Type.Object({ type: Type.String() })),
});
export const BillingUsageResponseSchema = Type.Object({
  data: Type.Array(BillingUsageEventSchema),
  sessions: Type.Optional(
    Type.Record(
      Type.String(),
      Type.Object({ user_metadata: maybe(Type.Record(Type.String(), Type.String())) }),
    ),
  ),
});

export type TraceExportResponse = Static<typeof TraceExportResponseSchema>;
export type AuditLogEntry = Static<typeof AuditLogEntrySchema>;
export type AuditLogResponse = Static<typeof AuditLogResponseSchema>;
export type BillingUsageEvent = Static<typeof BillingUsageEventSchema>;
export type BillingUsageResponse = Static<typeof BillingUsageResponseSchema>;
