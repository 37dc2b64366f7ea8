import { ADAM_DEFAULTS, adamStep, type AdamSettings } from '../model/adam.js';
import { runSequence, type Sequence } from '../model/training.js';
import type { EmulatorContext } from '../context.js';
import { HttpError, type Answer } from '../http-util.js';
import { densify } from '../protocol/sparse-csr.js';
import { sequenced } from './sequenced.js';

type Body = Record<string, any>;

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
    const inputs = datum.loss_fn_inputs as Record<string, Body | undefined>;
    const field = (name: string) => `data[${i}].loss_fn_inputs.${name}`;
    // A JSON sparse tensor (SDK 0.18+) is its non-zero values plus CSR indices; protobuf ones arrive dense.
    const values = (name: string): number[] | undefined => {
      const t = inputs[name];
      if (!t?.sparse_crow_indices) return t?.data;
      return densify(t.data, t.sparse_crow_indices, t.sparse_col_indices ?? [], t.shape ?? [], field(name));
    };
    const targets = values('target_tokens');
    if (!targets) throw new HttpError(400, 'target_tokens is required', field('target_tokens'));
    if (targets.length !== tokens.length)
      throw new HttpError(400, 'target_tokens must match the model input length', field('target_tokens'));
    for (const t of [...tokens, ...targets]) {
      if (!Number.isInteger(t) || t < 0 || t >= vocab)
        throw new HttpError(400, `token ${t} is outside the vocabulary`, field('target_tokens'));
    }
    const weights = values('weights') ?? new Array(tokens.length).fill(1);
    if (weights.length !== tokens.length)
      throw new HttpError(400, 'weights must match the model input length', field('weights'));
    return {
      tokens,
      targets,
      weights,
      old_logprobs: values('logprobs'),
      advantages: values('advantages'),
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
      ctx.meter(
        model.session_id,
        model.base_model,
        'training',
        seqs.reduce((n, s) => n + s.tokens.length, 0),
      );
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
  checkAdamRanges(params);
  return sequenced(ctx, model, body.seq_id, () => {
    const norm = adamStep(model.adapter, model.grads, model.optimizer, params);
    return { type: 'optim_step', metrics: { 'grad_norm:mean': norm } };
  });
}

/**
 * The ranges torch's AdamW enforces (β in [0, 1), lr and weight decay ≥ 0), plus eps > 0 and a clip ≥ 0:
 * β1 = 1 zeroes the bias correction and eps = 0 divides 0 by 0 on untouched weights, both NaN weights
 * for every later call. The official client sends these unchecked; Tinkex refuses them before sending.
 */
function checkAdamRanges(p: AdamSettings): void {
  const rules: [keyof AdamSettings, boolean, string][] = [
    ['learning_rate', p.learning_rate >= 0, 'must be >= 0'],
    ['beta1', p.beta1 >= 0 && p.beta1 < 1, 'must be >= 0 and < 1'],
    ['beta2', p.beta2 >= 0 && p.beta2 < 1, 'must be >= 0 and < 1'],
    ['eps', p.eps > 0, 'must be > 0'],
    ['weight_decay', p.weight_decay >= 0, 'must be >= 0'],
    ['grad_clip_norm', p.grad_clip_norm >= 0, 'must be >= 0 (0 = no clipping)'],
  ];
  for (const [key, holds, rule] of rules)
    if (!holds) throw new HttpError(400, `${key} ${rule}`, `adam_params.${key}`);
}
