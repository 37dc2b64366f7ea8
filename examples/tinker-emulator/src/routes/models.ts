import { createAdapter } from '../model/byte-model.js';
import { createOptimizer } from '../model/adam.js';
import { zeroGradients } from '../model/training.js';
import { Sequencer } from '../sequencer.js';
import { TOKENIZER_ID, type EmulatorContext } from '../context.js';
import { HttpError, ok, type Answer } from '../http-util.js';
import type { ModelRecord, SessionRecord } from '../state.js';

type Body = Record<string, any>;

export interface LoraSpec {
  rank?: number;
  seed?: number | null;
  train_mlp?: boolean;
  train_attn?: boolean;
  train_unembed?: boolean;
}

/** Create the model `<session>:train:<modelSeqId>` (create_model, or load_weights creating via load). */
export function addModel(
  ctx: EmulatorContext,
  session: SessionRecord,
  modelSeqId: number,
  baseModel: string,
  lora: LoraSpec,
  userMetadata: Record<string, unknown> | null,
): ModelRecord {
  const base = ctx.baseModel(baseModel);
  const rank = lora.rank ?? 32;
  if (!(rank >= 1 && rank <= 512))
    throw new HttpError(400, 'lora_config.rank must be between 1 and 512', 'lora_config.rank');
  const adapter = createAdapter(rank, (lora.seed ?? ctx.seed) ^ modelSeqId);
  const model: ModelRecord = {
    model_id: `${session.session_id}:train:${modelSeqId}`,
    session_id: session.session_id,
    base_model: baseModel,
    model: base,
    lora_rank: rank,
    train: {
      mlp: lora.train_mlp ?? true,
      attn: lora.train_attn ?? true,
      unembed: lora.train_unembed ?? true,
    },
    user_metadata: userMetadata,
    adapter,
    optimizer: createOptimizer(adapter),
    grads: zeroGradients(adapter),
    sequencer: new Sequencer(1, ctx.sequenceGapMs, ctx.protocol.timers.after),
    applied: [],
    last_request_time: ctx.iso(),
    unloaded: false,
    corrupted: false,
  };
  ctx.state.models.set(model.model_id, model);
  session.training_run_ids.push(model.model_id);
  ctx.audit('create_model', { model_id: model.model_id });
  return model;
}

export function session(ctx: EmulatorContext, sessionId: string): SessionRecord {
  const found = ctx.state.sessions.get(sessionId);
  if (!found) throw new HttpError(404, `session ${sessionId} not found`, 'session_id');
  return found;
}

export function createModel(ctx: EmulatorContext, body: Body): Answer {
  const owner = session(ctx, body.session_id);
  const modelId = `${body.session_id}:train:${body.model_seq_id}`;
  if (!ctx.state.models.has(modelId))
    addModel(
      ctx,
      owner,
      body.model_seq_id,
      body.base_model,
      body.lora_config ?? {},
      body.user_metadata ?? null,
    );
  const requestId = ctx.futures.create();
  ctx.futures.complete(requestId, { model_id: modelId, type: 'create_model' });
  return ok({ request_id: requestId, model_id: modelId });
}

export function getInfo(ctx: EmulatorContext, body: Body): Answer {
  const model = ctx.model(body.model_id);
  return ok({
    type: 'get_info',
    model_id: model.model_id,
    model_data: { arch: 'byte-bigram-lora', model_name: model.base_model, tokenizer_id: TOKENIZER_ID },
    is_lora: true,
    lora_rank: model.lora_rank,
    model_name: model.base_model,
  });
}

export function unloadModel(ctx: EmulatorContext, body: Body): Answer {
  const model = ctx.model(body.model_id);
  model.unloaded = true;
  const requestId = ctx.futures.create();
  ctx.futures.complete(requestId, { model_id: model.model_id, type: 'unload_model' });
  return ok({ request_id: requestId, model_id: model.model_id });
}
