import type { EmulatorContext } from '../context.js';
import type { ResultKind } from '../futures.js';
import { ok, type Answer, type HttpError } from '../http-util.js';
import type { ModelRecord } from '../state.js';

/**
 * Run `work` in seq_id order for the model and answer its future; a repeated seq_id returns the first
 * request's future and is never applied twice. Work that throws fails the future (4xx: category user).
 */
export function sequenced(
  ctx: EmulatorContext,
  model: ModelRecord,
  seqId: number | null | undefined,
  work: () => unknown,
  kind?: ResultKind,
): Answer {
  if (seqId !== undefined && seqId !== null) {
    const existing = model.sequencer.duplicate(seqId);
    if (existing) return ok({ request_id: existing, model_id: model.model_id });
  }
  const requestId = ctx.futures.create(kind);
  const run = () => {
    try {
      ctx.futures.complete(requestId, work());
      if (seqId !== undefined && seqId !== null) model.applied.push(seqId);
    } catch (error) {
      const e = error as HttpError;
      ctx.futures.fail(requestId, e.detail ?? e.message, e.status && e.status < 500 ? 'user' : 'server');
    }
  };
  if (seqId === undefined || seqId === null) run();
  else model.sequencer.submit(seqId, requestId, run);
  return ok({ request_id: requestId, model_id: model.model_id });
}
