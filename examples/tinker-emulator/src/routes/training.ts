import { cloneAdapter, createAdapter, CORE } from '../model/byte-model.js';
import { ADAM_DEFAULTS, adamStep, cloneOptimizer, createOptimizer } from '../model/adam.js';
import { runSequence, zeroGradients, type Sequence } from '../model/training.js';
import { Sequencer } from '../sequencer.js';
import { parseTinkerPath, TOKENIZER_ID, type EmulatorContext } from '../context.js';
import { HttpError, ok, type Answer } from '../http-util.js';
import type { ModelRecord } from '../state.js';
import type { ResultKind } from '../futures.js';

type Body = Record<string, any>;

/** Run `work` in seq_id order for the model; a repeated seq_id returns the first request's future. */
function sequenced(
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

export function createModel(ctx: EmulatorContext, body: Body): Answer {
  const session = ctx.state.sessions.get(body.session_id);
  if (!session) throw new HttpError(404, `session ${body.session_id} not found`, 'session_id');
  const modelId = `${body.session_id}:train:${body.model_seq_id}`;
  const requestId = ctx.futures.create();
  if (!ctx.state.models.has(modelId)) {
    const base = ctx.baseModel(body.base_model);
    const lora = body.lora_config ?? {};
    const rank = lora.rank ?? 32;
    if (!(rank >= 1 && rank <= 512))
      throw new HttpError(400, 'lora_config.rank must be between 1 and 512', 'lora_config.rank');
    const adapter = createAdapter(rank, (lora.seed ?? ctx.seed) ^ body.model_seq_id);
    ctx.state.models.set(modelId, {
      model_id: modelId,
      session_id: body.session_id,
      base_model: body.base_model,
      model: base,
      lora_rank: rank,
      train: {
        mlp: lora.train_mlp ?? true,
        attn: lora.train_attn ?? true,
        unembed: lora.train_unembed ?? true,
      },
      user_metadata: body.user_metadata ?? null,
      adapter,
      optimizer: createOptimizer(adapter),
      grads: zeroGradients(adapter),
      sequencer: new Sequencer(1),
      applied: [],
      last_request_time: ctx.iso(),
      unloaded: false,
    });
    session.training_run_ids.push(modelId);
  }
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

/** Turn wire datums into sequences, checking what the loss function needs. */
function sequences(input: Body, vocab: number): Sequence[] {
  return input.data.map((datum: Body, i: number) => {
    const tokens: number[] = datum.model_input.chunks.flatMap((c: Body, j: number) => {
      if (!Array.isArray(c.tokens))
        throw new HttpError(
          400,
          'only encoded_text chunks can be trained on',
          `data[${i}].model_input.chunks[${j}]`,
        );
      return c.tokens;
    });
    const inputs = datum.loss_fn_inputs as Record<string, { data: number[] }>;
    const field = (name: string) => `data[${i}].loss_fn_inputs.${name}`;
    const targets = inputs.target_tokens?.data;
    if (!targets) throw new HttpError(400, 'target_tokens is required', field('target_tokens'));
    if (targets.length !== tokens.length)
      throw new HttpError(400, 'target_tokens must match the model input length', field('target_tokens'));
    for (const t of [...tokens, ...targets]) {
      if (!Number.isInteger(t) || t < 0 || t >= vocab)
        throw new HttpError(400, `token ${t} is outside the vocabulary`, field('target_tokens'));
    }
    const weights = inputs.weights?.data ?? new Array(tokens.length).fill(1);
    if (weights.length !== tokens.length)
      throw new HttpError(400, 'weights must match the model input length', field('weights'));
    return {
      tokens,
      targets,
      weights,
      old_logprobs: inputs.logprobs?.data,
      advantages: inputs.advantages?.data,
    };
  });
}

function lossPass(
  ctx: EmulatorContext,
  body: Body,
  inputKey: 'forward_input' | 'forward_backward_input',
  backward: boolean,
): Answer {
  const model = ctx.model(body.model_id);
  const input = body[inputKey];
  if (input.loss_fn !== 'cross_entropy' && input.loss_fn !== 'importance_sampling') {
    throw new HttpError(
      400,
      `loss_fn "${input.loss_fn}" is not supported by the emulator`,
      `${inputKey}.loss_fn`,
    );
  }
  const seqs = sequences(input, model.model.vocabSize);
  return sequenced(
    ctx,
    model,
    body.seq_id,
    () => {
      let total = 0;
      let weightSum = 0;
      const outputs = seqs.map((seq) => {
        const pass = runSequence(
          model.model,
          model.adapter,
          seq,
          input.loss_fn,
          backward ? model.grads : undefined,
        );
        total += pass.loss;
        weightSum += seq.weights.reduce((a, b) => a + b, 0);
        return {
          logprobs: { data: pass.logprobs, dtype: 'float32', shape: [pass.logprobs.length] },
          elementwise_loss: { data: pass.elementwise, dtype: 'float32', shape: [pass.elementwise.length] },
        };
      });
      return {
        loss_fn_output_type: 'TensorData',
        loss_fn_outputs: outputs,
        metrics: { 'loss:sum': total, 'loss:mean': weightSum > 0 ? total / weightSum : 0 },
      };
    },
    'forward_backward',
  );
}

export const forward = (ctx: EmulatorContext, body: Body) => lossPass(ctx, body, 'forward_input', false);
/** JSON bodies are always forward+backward; protobuf ones are a forward pass with `forward_only`. */
export const forwardBackward = (ctx: EmulatorContext, body: Body) =>
  lossPass(ctx, body, 'forward_backward_input', body.forward_only !== true);

export function optimStep(ctx: EmulatorContext, body: Body): Answer {
  const model = ctx.model(body.model_id);
  const params = { ...ADAM_DEFAULTS, ...body.adam_params };
  // The byte model is tiny: scale the rate so real-world LoRA rates (1e-4 … 5e-4) train visibly.
  params.learning_rate *= ctx.learningRateScale;
  if (!(params.learning_rate >= 0))
    throw new HttpError(400, 'learning_rate must be >= 0', 'adam_params.learning_rate');
  return sequenced(ctx, model, body.seq_id, () => {
    const norm = adamStep(model.adapter, model.grads, model.optimizer, params);
    return { type: 'optim_step', metrics: { 'grad_norm:mean': norm } };
  });
}

function checkpointName(body: Body, kind: string): string {
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
  ttl: number | null | undefined,
  withOptimizer: boolean,
) {
  const tinkerPath = `tinker://${model.model_id}/${kind}/${name}`;
  ctx.state.checkpoints.set(tinkerPath, {
    tinker_path: tinkerPath,
    training_run_id: model.model_id,
    checkpoint_id: `${kind}/${name}`,
    checkpoint_type: kind === 'weights' ? 'training' : 'sampler',
    time: ctx.iso(),
    size_bytes: (model.adapter.u.length + model.adapter.v.length) * 4,
    public: false,
    expires_at: ttl ? new Date(ctx.now() + ttl * 1000).toISOString() : null,
    base_model: model.base_model,
    lora_rank: model.lora_rank,
    adapter: cloneAdapter(model.adapter),
    optimizer: withOptimizer ? cloneOptimizer(model.optimizer) : undefined,
  });
  return tinkerPath;
}

export function saveWeights(ctx: EmulatorContext, body: Body): Answer {
  const model = ctx.model(body.model_id);
  const name = checkpointName(body, 'weights');
  return sequenced(ctx, model, body.seq_id, () => {
    const path = storeCheckpoint(ctx, model, 'weights', name, body.ttl_seconds, true);
    return { type: 'save_weights', path };
  });
}

export function saveWeightsForSampler(ctx: EmulatorContext, body: Body): Answer {
  const model = ctx.model(body.model_id);
  if (body.path == null) {
    if (body.sampling_session_seq_id == null) {
      throw new HttpError(400, 'either path or sampling_session_seq_id is required', 'path');
    }
    return sequenced(ctx, model, body.seq_id, () => {
      const session = ctx.state.sessions.get(model.session_id)!;
      const samplerId = `${model.session_id}:sample:${body.sampling_session_seq_id}`;
      ctx.state.samplers.set(samplerId, {
        sampler_id: samplerId,
        base_model: model.base_model,
        model_path: null,
        model: model.model,
        adapter: cloneAdapter(model.adapter),
      });
      session.sampler_ids.push(samplerId);
      return { type: 'save_weights_for_sampler', sampling_session_id: samplerId };
    });
  }
  const name = checkpointName(body, 'sampler');
  return sequenced(ctx, model, body.seq_id, () => ({
    type: 'save_weights_for_sampler',
    path: storeCheckpoint(ctx, model, 'sampler_weights', name, body.ttl_seconds, false),
  }));
}

export function loadWeights(ctx: EmulatorContext, body: Body): Answer {
  const model = ctx.model(body.model_id);
  parseTinkerPath(body.path);
  return sequenced(ctx, model, body.seq_id, () => {
    const checkpoint = ctx.state.checkpoints.get(body.path);
    if (!checkpoint) throw new HttpError(404, `checkpoint ${body.path} not found`, 'path');
    if (checkpoint.lora_rank !== model.lora_rank)
      throw new HttpError(400, 'checkpoint rank differs from the model rank', 'path');
    model.adapter.u.set(checkpoint.adapter.u);
    model.adapter.v.set(checkpoint.adapter.v);
    model.grads = zeroGradients(model.adapter);
    if (body.optimizer) {
      if (!checkpoint.optimizer) throw new HttpError(400, 'checkpoint has no optimizer state', 'optimizer');
      model.optimizer = cloneOptimizer(checkpoint.optimizer);
    } else {
      model.optimizer = createOptimizer(model.adapter);
    }
    return { type: 'load_weights', path: body.path };
  });
}

export function weightsInfo(ctx: EmulatorContext, body: Body): Answer {
  const checkpoint = ctx.state.checkpoints.get(body.tinker_path);
  parseTinkerPath(body.tinker_path);
  if (!checkpoint) throw new HttpError(404, `checkpoint ${body.tinker_path} not found`, 'tinker_path');
  return ok({
    base_model: checkpoint.base_model,
    is_lora: true,
    lora_rank: checkpoint.lora_rank,
    train_mlp: true,
    train_attn: true,
    train_unembed: true,
  });
}

export { CORE };
