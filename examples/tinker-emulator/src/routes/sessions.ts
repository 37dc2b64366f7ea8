import type { IncomingHttpHeaders } from 'node:http';
import { accountOf } from '../auth.js';
import { SUPPORTED_MODELS, type EmulatorContext } from '../context.js';
import { HttpError, ok, type Answer } from '../http-util.js';

type Body = Record<string, any>;

export function createSession(ctx: EmulatorContext, body: Body, headers: IncomingHttpHeaders = {}): Answer {
  const id = ctx.newSessionId();
  ctx.state.sessions.set(id, {
    session_id: id,
    account: accountOf(headers['x-api-key'], ctx.protocol.accounts),
    tags: body.tags,
    user_metadata: body.user_metadata ?? {},
    sdk_version: body.sdk_version,
    project_id: body.project_id ?? null,
    created_at: ctx.iso(),
    training_run_ids: [],
    sampler_ids: [],
    heartbeats: [],
    modelSeqIds: new Set(),
    samplingSeqIds: new Map(),
    traceExportPolls: 0,
  });
  return ok({ type: 'create_session', session_id: id, info_message: 'Connected to the Tinkex emulator' });
}

export function heartbeat(ctx: EmulatorContext, body: Body): Answer {
  const session = ctx.state.sessions.get(body.session_id);
  if (!session) throw new HttpError(404, `session ${body.session_id} not found`, 'session_id');
  session.heartbeats.push(ctx.now());
  return ok({ type: 'session_heartbeat' });
}

export function telemetry(ctx: EmulatorContext, body: Body): Answer {
  ctx.state.keepTelemetry(body);
  return ok({ status: 'accepted' });
}

export function capabilities(): Answer {
  return ok({
    supported_models: SUPPORTED_MODELS.map(({ model_name, max_context_length }) => ({
      model_name,
      max_context_length,
    })),
  });
}

export const healthz = (): Answer => ok({ status: 'ok' });
