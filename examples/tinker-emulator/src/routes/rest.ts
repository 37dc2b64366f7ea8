import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { HttpError, ok, type Answer } from '../http-util.js';
import type { CheckpointRecord, ModelRecord } from '../state.js';
import type { IncomingHttpHeaders } from 'node:http';
import { sendArchive } from '../archive.js';
import { checkOwned, checkReadable } from './weights.js';

type Query = URLSearchParams;

function page<T>(items: T[], query: Query, defaultLimit: number) {
  const limit = Number(query.get('limit') ?? defaultLimit);
  const offset = Number(query.get('offset') ?? 0);
  if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) {
    throw new HttpError(400, 'limit and offset must be non-negative integers', 'limit');
  }
  return { items: items.slice(offset, offset + limit), cursor: { offset, limit, total_count: items.length } };
}

function trainingRun(ctx: EmulatorContext, model: ModelRecord) {
  const checkpoints = [...ctx.state.checkpoints.values()].filter((c) => c.training_run_id === model.model_id);
  const last = (type: string) =>
    checkpoints
      .filter((c) => c.checkpoint_type === type)
      .map(checkpointJson)
      .at(-1) ?? null;
  return {
    training_run_id: model.model_id,
    base_model: model.base_model,
    model_owner: 'emulator-user',
    is_lora: true,
    corrupted: model.corrupted,
    lora_rank: model.lora_rank,
    last_request_time: model.last_request_time,
    last_checkpoint: last('training'),
    last_sampler_checkpoint: last('sampler'),
    user_metadata: model.user_metadata,
  };
}

function checkpointJson(c: CheckpointRecord) {
  return {
    checkpoint_id: c.checkpoint_id,
    checkpoint_type: c.checkpoint_type,
    time: c.time,
    tinker_path: c.tinker_path,
    size_bytes: c.size_bytes,
    public: c.public,
    expires_at: c.expires_at,
  };
}

export function listTrainingRuns(ctx: EmulatorContext, query: Query): Answer {
  const scope = query.get('access_scope');
  if (scope !== null && scope !== 'owned' && scope !== 'accessible')
    throw new HttpError(400, 'access_scope must be owned or accessible', 'access_scope');
  const project = query.get('project_id');
  const runs = [...ctx.state.models.values()]
    .filter((m) => project === null || ctx.state.sessions.get(m.session_id)?.project_id === project)
    .map((m) => trainingRun(ctx, m));
  const { items, cursor } = page(runs, query, 20);
  return ok({ training_runs: items, cursor });
}

export function getTrainingRun(ctx: EmulatorContext, runId: string): Answer {
  const model = ctx.state.models.get(runId);
  if (!model) throw new HttpError(404, `training run ${runId} not found`, 'training_run_id');
  return ok(trainingRun(ctx, model));
}

/**
 * Emulator-only (`POST /_emulator/training_runs/{id}/corrupt`, body `{corrupted?: boolean}`): mark a run
 * corrupted (default) or healthy again, as `emulator.setRunCorrupted` does.
 */
export function setCorrupted(ctx: EmulatorContext, runId: string, body: { corrupted?: unknown }): Answer {
  const model = ctx.state.models.get(runId);
  if (!model) throw new HttpError(404, `training run ${runId} not found`, 'training_run_id');
  if (body.corrupted !== undefined && typeof body.corrupted !== 'boolean')
    throw new HttpError(400, 'corrupted must be a boolean', 'corrupted');
  model.corrupted = body.corrupted ?? true;
  return ok(trainingRun(ctx, model));
}

export function listCheckpoints(ctx: EmulatorContext, runId: string): Answer {
  if (!ctx.state.models.has(runId))
    throw new HttpError(404, `training run ${runId} not found`, 'training_run_id');
  const list = [...ctx.state.checkpoints.values()]
    .filter((c) => c.training_run_id === runId)
    .map(checkpointJson);
  return ok({ checkpoints: list, cursor: { offset: 0, limit: list.length, total_count: list.length } });
}

export function listUserCheckpoints(ctx: EmulatorContext, query: Query): Answer {
  const { items, cursor } = page([...ctx.state.checkpoints.values()].map(checkpointJson), query, 100);
  return ok({ checkpoints: items, cursor });
}

function checkpoint(ctx: EmulatorContext, runId: string, checkpointId: string): CheckpointRecord {
  const found = ctx.state.checkpoints.get(`tinker://${runId}/${checkpointId}`);
  if (!found) throw new HttpError(404, `checkpoint ${checkpointId} of ${runId} not found`, 'checkpoint_id');
  return found;
}

export function deleteCheckpoint(
  ctx: EmulatorContext,
  runId: string,
  checkpointId: string,
  headers: IncomingHttpHeaders,
): Answer {
  const found = checkpoint(ctx, runId, checkpointId);
  checkOwned(ctx, found, headers);
  ctx.state.checkpoints.delete(found.tinker_path);
  ctx.audit('delete_checkpoint', { model_id: runId, tinker_path: found.tinker_path });
  return { status: 204 };
}

export function publish(
  ctx: EmulatorContext,
  runId: string,
  checkpointId: string,
  on: boolean,
  headers: IncomingHttpHeaders,
): Answer {
  const found = checkpoint(ctx, runId, checkpointId);
  checkOwned(ctx, found, headers);
  if (on && found.public) throw new HttpError(409, 'checkpoint is already public');
  if (!on && !found.public) throw new HttpError(409, 'checkpoint is not public');
  found.public = on;
  ctx.audit(on ? 'publish_checkpoint' : 'unpublish_checkpoint', {
    model_id: runId,
    tinker_path: found.tinker_path,
  });
  return { status: 204 };
}

export function setTtl(
  ctx: EmulatorContext,
  runId: string,
  checkpointId: string,
  body: Record<string, any>,
  headers: IncomingHttpHeaders,
): Answer {
  const found = checkpoint(ctx, runId, checkpointId);
  checkOwned(ctx, found, headers);
  const ttl = body.ttl_seconds as number | null;
  if (ttl !== null && ttl <= 0)
    throw new HttpError(400, 'ttl_seconds must be positive or null', 'ttl_seconds');
  found.expires_at = ttl === null ? null : new Date(ctx.now() + ttl * 1000).toISOString();
  return { status: 204 };
}

export function archiveUrl(
  ctx: EmulatorContext,
  runId: string,
  checkpointId: string,
  headers: IncomingHttpHeaders,
): Answer {
  const found = checkpoint(ctx, runId, checkpointId);
  checkReadable(ctx, found, headers, 'checkpoint_id');
  const token = randomUUID();
  const expires = ctx.now() + 15 * 60_000;
  ctx.audit('download_checkpoint', { model_id: runId, tinker_path: found.tinker_path, purpose: 'archive' });
  ctx.downloads.set(token, { path: found.tinker_path, expires });
  return {
    status: 302,
    headers: {
      location: `${ctx.baseUrl()}/downloads/${token}.tar`,
      expires: new Date(expires).toUTCString(),
    },
  };
}

export function download(ctx: EmulatorContext, token: string): Answer {
  const entry = ctx.downloads.get(token);
  if (!entry?.path || entry.expires < ctx.now()) throw new HttpError(404, 'download link expired or unknown');
  const found = ctx.state.checkpoints.get(entry.path);
  if (!found) throw new HttpError(404, 'checkpoint was deleted');
  return {
    raw: (res) => void sendArchive(res, found, ctx.archivePaddingBytes).catch(() => res.destroy()),
  };
}

export function listSessions(ctx: EmulatorContext, query: Query): Answer {
  const { items } = page([...ctx.state.sessions.keys()], query, 20);
  return ok({ sessions: items });
}

export function getSession(ctx: EmulatorContext, sessionId: string): Answer {
  const session = ctx.state.sessions.get(sessionId);
  if (!session) throw new HttpError(404, `session ${sessionId} not found`, 'session_id');
  return ok({ training_run_ids: session.training_run_ids, sampler_ids: session.sampler_ids });
}

export function getSampler(ctx: EmulatorContext, samplerId: string): Answer {
  const sampler = ctx.state.samplers.get(samplerId);
  if (!sampler) throw new HttpError(404, `sampler ${samplerId} not found`, 'sampler_id');
  return ok({
    sampler_id: sampler.sampler_id,
    base_model: sampler.base_model,
    model_path: sampler.model_path,
  });
}
