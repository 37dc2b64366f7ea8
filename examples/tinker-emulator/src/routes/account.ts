import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { HttpError, ok, type Answer } from '../http-util.js';
import type { UsageRecord } from '../state.js';
import { session } from './models.js';

type Query = URLSearchParams;
const HOUR = 3_600_000;

/** `PUT sessions/{id}/project` `{project_id}`: assign (not clear) the session's project. */
export function assignProject(ctx: EmulatorContext, sessionId: string, body: { project_id: string }): Answer {
  if (!body.project_id) throw new HttpError(400, 'project_id must not be empty', 'project_id');
  session(ctx, sessionId).project_id = body.project_id;
  return { status: 204 };
}

/**
 * `GET sessions/{id}/trace_export`: `{status: "pending"}` for the first `traceExportPendingPolls` polls,
 * then `{status: "ready", url}` (a local JSON download of the session, valid 1 h).
 */
export function traceExport(ctx: EmulatorContext, sessionId: string, pendingPolls: number): Answer {
  const found = session(ctx, sessionId);
  if (found.traceExportPolls++ < pendingPolls) return ok({ status: 'pending' });
  const token = randomUUID();
  ctx.downloads.set(token, { trace: sessionId, expires: ctx.now() + HOUR });
  return ok({ status: 'ready', url: `${ctx.baseUrl()}/downloads/traces/${token}.json` });
}

/** The trace download: the session, its runs and samplers, and its heartbeat count. */
export function traceDownload(ctx: EmulatorContext, token: string): Answer {
  const entry = ctx.downloads.get(token);
  if (!entry?.trace || entry.expires < ctx.now())
    throw new HttpError(404, 'download link expired or unknown');
  const found = session(ctx, entry.trace);
  return ok({
    session_id: found.session_id,
    project_id: found.project_id,
    created_at: found.created_at,
    training_run_ids: found.training_run_ids,
    sampler_ids: found.sampler_ids,
    heartbeats: found.heartbeats.length,
  });
}

/** `GET audit?event_type=all|checkpoints[&day=YYYY-MM-DD]`. */
export function auditLog(ctx: EmulatorContext, query: Query): Answer {
  const eventType = query.get('event_type') ?? 'all';
  if (eventType !== 'all' && eventType !== 'checkpoints')
    throw new HttpError(400, 'event_type must be all or checkpoints', 'event_type');
  const day = query.get('day');
  if (day !== null && !/^\d{4}-\d{2}-\d{2}$/.test(day))
    throw new HttpError(400, 'day must look like YYYY-MM-DD', 'day');
  const entries = ctx.state.audit.filter(
    (e) =>
      (eventType === 'all' || e.tinker_path !== undefined) && (day === null || e.timestamp.startsWith(day)),
  );
  return ok({ entries });
}

function hourInstant(query: Query, name: string): number {
  const text = query.get(name);
  if (text === null) throw new HttpError(400, `${name} is required`, name);
  const at = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(at))
    throw new HttpError(400, `${name} must be an RFC 3339 time`, name);
  if (at % HOUR !== 0) throw new HttpError(400, `${name} must be on a whole UTC hour`, name);
  return at;
}

const EVENT_INFO: Record<UsageRecord['type'], (amount: number) => Record<string, unknown>> = {
  training: (n) => ({ type: 'training', token_count: n }),
  sampling_prefill: (n) => ({ type: 'sampling_prefill', cached: false, token_count: n }),
  sampling_sample: (n) => ({ type: 'sampling_sample', token_count: n }),
  checkpoint: (n) => ({ type: 'checkpoint', count: n }),
};

/** A whole-second UTC time as the SDK's pydantic models write one: `2026-07-13T17:00:00Z`, no `.000`. */
const hourText = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * `GET billing/usage/events?starting_on&ending_before` (whole UTC hours, at most 14 days, not in the
 * future): metered work summed per hour, session, base model and kind, plus the sessions' metadata.
 */
export function billingUsage(ctx: EmulatorContext, query: Query): Answer {
  const from = hourInstant(query, 'starting_on');
  const to = hourInstant(query, 'ending_before');
  if (to <= from) throw new HttpError(400, 'ending_before must be after starting_on', 'ending_before');
  if (to - from > 14 * 24 * HOUR)
    throw new HttpError(400, 'the range must be at most 14 days', 'ending_before');
  if (from > ctx.now()) throw new HttpError(400, 'starting_on must not be in the future', 'starting_on');
  const buckets = new Map<string, { record: UsageRecord; bucket: number; amount: number }>();
  for (const record of ctx.state.usage.values()) {
    if (record.at < from || record.at >= to) continue;
    const bucket = record.at; // records are per hour already
    const key = `${bucket}|${record.session_id}|${record.base_model}|${record.type}`;
    const entry = buckets.get(key) ?? { record, bucket, amount: 0 };
    entry.amount += record.amount;
    buckets.set(key, entry);
  }
  const sessions: Record<string, { user_metadata: Record<string, unknown> }> = {};
  const data = [...buckets.values()].map(({ record, bucket, amount }) => {
    const owner = ctx.state.sessions.get(record.session_id);
    if (owner) sessions[owner.session_id] = { user_metadata: owner.user_metadata };
    return {
      bucket_start: hourText(bucket),
      bucket_end: hourText(bucket + HOUR),
      base_model: record.base_model,
      user_id: 'emulator-user',
      user_name: null, // `BillingUsageEvent` has it; the emulator knows no display names
      session_id: record.session_id,
      project_id: owner?.project_id ?? null,
      event_info: EVENT_INFO[record.type](amount),
    };
  });
  return ok({ data, sessions });
}
