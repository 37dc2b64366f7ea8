import type { EmulatorContext } from '../context.js';
import type { ResultKind } from '../futures.js';
import { HttpError, ok, type Answer } from '../http-util.js';
import type { ModelRecord } from '../state.js';

/**
 * Run `work` in seq_id order for the model and answer its future; a repeated seq_id returns the first
 * request's future and is never applied twice. Work that throws fails the future (4xx: category user).
 * On a corrupted run (or when chaos `corrupt` strikes) the work is not applied and the future fails
 * with category `server`: the run never recovers, only a new run from a checkpoint does.
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
    if (model.sequencer.skipped(seqId))
      throw new HttpError(400, `seq_id ${seqId} was skipped: later requests already ran`, 'seq_id');
  }
  const requestId = ctx.futures.create(kind);
  const run = () => {
    try {
      if (!model.corrupted && ctx.chaos.roll('training', 'corrupt')) model.corrupted = true;
      if (model.corrupted) throw corruptedRun(model);
      ctx.futures.complete(requestId, work());
      if (seqId !== undefined && seqId !== null) model.applied.push(seqId);
    } catch (error) {
      const e = error as HttpError;
      ctx.futures.fail(requestId, e.message, e.status && e.status < 500 ? 'user' : 'server');
    }
  };
  if (seqId === undefined || seqId === null) run();
  else model.sequencer.submit(seqId, requestId, run);
  return ok({ request_id: requestId, model_id: model.model_id });
}

/**
 * A training submission was refused (4xx) before it was sequenced: the server saw its seq_id, so later
 * requests must not wait for it.
 */
export function rejectSequenced(ctx: EmulatorContext, body: Record<string, any> | undefined): void {
  const model = ctx.state.models.get(body?.model_id);
  const seqId: unknown = body?.seq_id;
  if (model && typeof seqId === 'number' && Number.isInteger(seqId)) model.sequencer.reject(seqId);
}

/** What every piece of work on a corrupted run fails with (a server fault: not the caller's doing). */
function corruptedRun(model: ModelRecord): HttpError {
  return new HttpError(
    500,
    `training run ${model.model_id} is corrupted; create a new training client from one of its checkpoints`,
  );
}
