import { cloneAdapter } from '../model/byte-model.js';
import { cloneOptimizer, createOptimizer } from '../model/adam.js';
import { zeroGradients } from '../model/training.js';
import type { IncomingHttpHeaders } from 'node:http';
import { accountOf, credentialProblem, DEFAULT_ACCOUNT } from '../auth.js';
import { parseTinkerPath, type EmulatorContext } from '../context.js';
import { HttpError, ok, type Answer } from '../http-util.js';
import type { CheckpointRecord, ModelRecord } from '../state.js';
import { addModel, session } from './models.js';
import { sequenced } from './sequenced.js';

type Body = Record<string, any>;

function checkpointName(body: Body, kind: string): string {
  // As PUT …/ttl: 0 was stored as "never expires" and a negative TTL as already expired.
  const ttl = body.ttl_seconds as number | null | undefined;
  if (ttl != null && ttl <= 0)
    throw new HttpError(400, 'ttl_seconds must be positive or null', 'ttl_seconds');
  const name = body.path ?? `${kind}-${Date.now().toString(36)}`;
  if (!/^[\w.-]+$/.test(name))
    throw new HttpError(400, 'path must be a bare name (letters, digits, . _ -)', 'path');
  return name;
}

function storeCheckpoint(
  ctx: EmulatorContext,
  model: ModelRecord,
  kind: 'weights' | 'sampler_weights',
  name: string,
  body: Body,
  withOptimizer: boolean,
) {
  const tinkerPath = `tinker://${model.model_id}/${kind}/${name}`;
  // 0.20+ clients send overwrite (false by default); 0.7.0 clients never do and get the old replace.
  if (body.overwrite === false && ctx.state.checkpoints.has(tinkerPath))
    throw new HttpError(409, `checkpoint ${tinkerPath} already exists and overwrite is false`, 'path');
  const ttl = body.ttl_seconds as number | null | undefined;
  ctx.state.checkpoints.set(tinkerPath, {
    tinker_path: tinkerPath,
    account: ctx.state.sessions.get(model.session_id)?.account ?? DEFAULT_ACCOUNT,
    training_run_id: model.model_id,
    checkpoint_id: `${kind}/${name}`,
    checkpoint_type: kind === 'weights' ? 'training' : 'sampler',
    time: ctx.iso(),
    size_bytes: (model.adapter.u.length + model.adapter.v.length) * 4,
    public: false,
    expires_at: ttl ? new Date(ctx.now() + ttl * 1000).toISOString() : null,
    base_model: model.base_model,
    lora_rank: model.lora_rank,
    train: { ...model.train },
    adapter: cloneAdapter(model.adapter),
    optimizer: withOptimizer ? cloneOptimizer(model.optimizer) : undefined,
  });
  ctx.audit(kind === 'weights' ? 'save_weights' : 'save_weights_for_sampler', {
    model_id: model.model_id,
    tinker_path: tinkerPath,
  });
  ctx.meter(model.session_id, model.base_model, 'checkpoint', 1);
  return tinkerPath;
}

export function saveWeights(ctx: EmulatorContext, body: Body): Answer {
  const model = ctx.model(body.model_id);
  const name = checkpointName(body, 'weights');
  return sequenced(ctx, model, body.seq_id, () => ({
    type: 'save_weights',
    path: storeCheckpoint(ctx, model, 'weights', name, body, true),
  }));
}

export function saveWeightsForSampler(ctx: EmulatorContext, body: Body): Answer {
  const model = ctx.model(body.model_id);
  if (body.path == null) {
    if (body.sampling_session_seq_id == null) {
      throw new HttpError(400, 'either path or sampling_session_seq_id is required', 'path');
    }
    return sequenced(ctx, model, body.seq_id, () => {
      const owner = session(ctx, model.session_id);
      const samplerId = `${model.session_id}:sample:${body.sampling_session_seq_id}`;
      ctx.state.samplers.set(samplerId, {
        sampler_id: samplerId,
        base_model: model.base_model,
        model_path: null,
        model: model.model,
        adapter: cloneAdapter(model.adapter),
      });
      owner.sampler_ids.push(samplerId);
      return { type: 'save_weights_for_sampler', sampling_session_id: samplerId };
    });
  }
  const name = checkpointName(body, 'sampler');
  return sequenced(ctx, model, body.seq_id, () => ({
    type: 'save_weights_for_sampler',
    path: storeCheckpoint(ctx, model, 'sampler_weights', name, body, false),
  }));
}

/** Put a checkpoint's weights (and optimizer state, if asked) into a model. */
function applyCheckpoint(model: ModelRecord, checkpoint: CheckpointRecord, optimizer: boolean): void {
  if (checkpoint.lora_rank !== model.lora_rank)
    throw new HttpError(400, 'checkpoint rank differs from the model rank', 'path');
  model.adapter.u.set(checkpoint.adapter.u);
  model.adapter.v.set(checkpoint.adapter.v);
  model.grads = zeroGradients(model.adapter);
  if (optimizer) {
    if (!checkpoint.optimizer) throw new HttpError(400, 'checkpoint has no optimizer state', 'optimizer');
    model.optimizer = cloneOptimizer(checkpoint.optimizer);
  } else {
    model.optimizer = createOptimizer(model.adapter);
  }
}

/** A `weights_access_token`, when given, must be a credential this server accepts (API key or its JWT). */
async function checkAccessToken(ctx: EmulatorContext, token: unknown): Promise<void> {
  if (token === undefined || token === null) return;
  if (await credentialProblem(token as string, ctx.protocol.jwt))
    throw new HttpError(403, 'weights_access_token is not valid', 'weights_access_token');
  ctx.state.weightsAccessTokens.push(token as string);
}

/**
 * A checkpoint is readable by its owner's credentials, by anyone once public, and (load_weights) with a
 * `weights_access_token` of its owner; anyone else gets 403 (never the checkpoint's contents).
 */
export function checkReadable(
  ctx: EmulatorContext,
  checkpoint: CheckpointRecord,
  headers: IncomingHttpHeaders,
  field: string,
  token?: unknown,
): void {
  if (checkpoint.public) return;
  const { accounts } = ctx.protocol;
  if (accountOf(headers['x-api-key'], accounts) === checkpoint.account) return;
  if (typeof token === 'string' && accountOf(token, accounts) === checkpoint.account) return;
  throw new HttpError(403, `checkpoint ${checkpoint.tinker_path} belongs to another account`, field);
}

/** Publishing, unpublishing, a TTL and deleting are its owner's alone, public or not (else 403). */
export function checkOwned(ctx: EmulatorContext, checkpoint: CheckpointRecord, headers: IncomingHttpHeaders) {
  checkReadable(ctx, { ...checkpoint, public: false }, headers, 'checkpoint_id');
}

function readableCheckpoint(
  ctx: EmulatorContext,
  body: Body,
  headers: IncomingHttpHeaders,
): CheckpointRecord {
  const checkpoint = ctx.state.checkpoints.get(body.path);
  if (!checkpoint) throw new HttpError(404, `checkpoint ${body.path} not found`, 'path');
  checkReadable(ctx, checkpoint, headers, 'path', body.weights_access_token);
  return checkpoint;
}

/**
 * `load_weights`: into an existing model (`model_id`, ordered by `seq_id`), or, in the create-via-load
 * form of 0.24.1+ (`session_id` + `model_seq_id`, no `model_id`), create `<session>:train:<n>` from the
 * checkpoint (its base model unless `base_model` overrides it, its rank and train flags) and load it.
 */
export async function loadWeights(
  ctx: EmulatorContext,
  body: Body,
  headers: IncomingHttpHeaders = {},
): Promise<Answer> {
  parseTinkerPath(body.path);
  await checkAccessToken(ctx, body.weights_access_token);
  if (body.model_id == null) return createViaLoad(ctx, body, headers);
  const model = ctx.model(body.model_id);
  return sequenced(ctx, model, body.seq_id, () => {
    const checkpoint = readableCheckpoint(ctx, body, headers);
    applyCheckpoint(model, checkpoint, body.optimizer === true);
    ctx.audit('load_weights', { model_id: model.model_id, tinker_path: body.path, purpose: 'training' });
    return { type: 'load_weights', path: body.path };
  });
}

function createViaLoad(ctx: EmulatorContext, body: Body, headers: IncomingHttpHeaders): Answer {
  if (body.session_id == null)
    throw new HttpError(400, 'model_id, or session_id with model_seq_id, is required', 'model_id');
  if (body.model_seq_id == null)
    throw new HttpError(400, 'model_seq_id is required with session_id', 'model_seq_id');
  const owner = session(ctx, body.session_id);
  const checkpoint = readableCheckpoint(ctx, body, headers);
  const modelId = `${body.session_id}:train:${body.model_seq_id}`;
  // A retried create-via-load finds its model already made (and loaded): the same answer again.
  if (!ctx.state.models.has(modelId)) {
    const model = addModel(
      ctx,
      owner,
      body.model_seq_id,
      body.base_model ?? checkpoint.base_model,
      {
        rank: checkpoint.lora_rank,
        train_mlp: checkpoint.train.mlp,
        train_attn: checkpoint.train.attn,
        train_unembed: checkpoint.train.unembed,
      },
      body.user_metadata ?? null,
    );
    applyCheckpoint(model, checkpoint, body.optimizer === true);
    ctx.audit('load_weights', { model_id: modelId, tinker_path: body.path, purpose: 'create_model' });
  }
  const requestId = ctx.futures.create();
  ctx.futures.complete(requestId, { type: 'load_weights', path: body.path, model_id: modelId });
  return ok({ request_id: requestId, model_id: modelId });
}

export function weightsInfo(ctx: EmulatorContext, body: Body, headers: IncomingHttpHeaders = {}): Answer {
  parseTinkerPath(body.tinker_path);
  const checkpoint = ctx.state.checkpoints.get(body.tinker_path);
  if (!checkpoint) throw new HttpError(404, `checkpoint ${body.tinker_path} not found`, 'tinker_path');
  checkReadable(ctx, checkpoint, headers, 'tinker_path');
  return ok({
    base_model: checkpoint.base_model,
    is_lora: true,
    lora_rank: checkpoint.lora_rank,
    train_mlp: checkpoint.train.mlp,
    train_attn: checkpoint.train.attn,
    train_unembed: checkpoint.train.unembed,
  });
}
