import { ValidationError } from 'pristine';
import type { Datum, TensorDataWire } from '../types/schemas.js';

/** A loss that returns its own gradients d loss / d logprobs (one array per datum). */
export type ManualLoss = (
  data: readonly Datum[],
  logprobs: number[][],
) =>
  | { loss: number; grads: number[][]; metrics?: Record<string, number> }
  | Promise<{ loss: number; grads: number[][]; metrics?: Record<string, number> }>;

/** A loss written with @tensorflow/tfjs-core ops; gradients come from automatic differentiation. */
export interface AutodiffLoss {
  autodiff: (data: readonly Datum[], logprobs: any[], tf: any) => any;
  metrics?: (data: readonly Datum[], logprobs: number[][]) => Record<string, number>;
}

export type CustomLoss = ManualLoss | AutodiffLoss;

/**
 * Step 1 of forward_backward_custom: the forward data. Only `target_tokens` and `weights` are allowed;
 * datums without weights get zero weights so the forward pass reports plain logprobs.
 */
export function forwardDataForCustomLoss(data: readonly Datum[]): Datum[] {
  return data.map((d, i) => {
    const inputs = d.loss_fn_inputs;
    if (!inputs.target_tokens) {
      throw ValidationError.field(
        'training data',
        `/data/${i}/loss_fn_inputs/target_tokens`,
        'required',
        'target_tokens is required for a custom loss',
      );
    }
    for (const key of Object.keys(inputs)) {
      if (key !== 'target_tokens' && key !== 'weights') {
        throw ValidationError.field(
          'training data',
          `/data/${i}/loss_fn_inputs/${key}`,
          'additionalProperties',
          'custom losses accept only target_tokens and weights',
        );
      }
    }
    if (inputs.weights) return d;
    const n = inputs.target_tokens.data.length;
    const weights: TensorDataWire = {
      data: new Array(n).fill(0),
      dtype: 'float32',
      shape: inputs.target_tokens.shape ?? [n],
    };
    return { ...d, loss_fn_inputs: { ...inputs, weights } };
  });
}

/** Steps 2–3: run the user's loss on the logprobs and get exact gradients. */
export async function customLossGradients(
  data: readonly Datum[],
  logprobs: number[][],
  loss: CustomLoss,
): Promise<{ loss: number; grads: number[][]; metrics: Record<string, number> }> {
  if (typeof loss === 'function') {
    const out = await loss(data, logprobs);
    if (!Array.isArray(out.grads) || out.grads.length !== logprobs.length) {
      throw ValidationError.field(
        'custom loss',
        '/grads',
        'length',
        `the loss must return one gradient array per datum (${logprobs.length})`,
      );
    }
    out.grads.forEach((g, i) => {
      if (g.length !== logprobs[i].length) {
        throw ValidationError.field(
          'custom loss',
          `/grads/${i}`,
          'length',
          `gradient ${i} has ${g.length} values, logprobs have ${logprobs[i].length}`,
        );
      }
    });
    return { loss: out.loss, grads: out.grads, metrics: out.metrics ?? {} };
  }
  const tf = await loadTf();
  const inputs = logprobs.map((lp) => tf.tensor1d(lp, 'float32'));
  try {
    const { value, grads } = tf.valueAndGrads((...xs: unknown[]) => loss.autodiff(data, xs, tf))(inputs);
    const result = {
      loss: (await value.data())[0] as number,
      grads: await Promise.all(grads.map(async (g: any) => Array.from((await g.data()) as Float32Array))),
      metrics: loss.metrics?.(data, logprobs) ?? {},
    };
    value.dispose();
    grads.forEach((g: any) => g.dispose());
    return result;
  } finally {
    inputs.forEach((t: any) => t.dispose());
  }
}

/** Step 4: the cross_entropy data whose gradient equals the custom one (weights = −grad). */
export function backwardData(data: readonly Datum[], grads: number[][]): Datum[] {
  return data.map((d, i) => ({
    model_input: d.model_input,
    loss_fn_inputs: {
      target_tokens: d.loss_fn_inputs.target_tokens,
      weights: { data: grads[i].map((g) => -g), dtype: 'float32', shape: [grads[i].length] },
    },
  }));
}

let tfModule: Promise<any> | undefined;

/** @tensorflow/tfjs-core with the CPU backend is an optional peer dependency, loaded on first use. */
async function loadTf(): Promise<any> {
  tfModule ??= (async () => {
    try {
      const core = 'tfjs-core';
      const cpu = 'tfjs-backend-cpu';
      const tf = await import(`@tensorflow/${core}`);
      // tfjs-core registers gradient functions only on request.
      await import(`@tensorflow/${core}/dist/register_all_gradients.js`);
      await import(`@tensorflow/${cpu}`);
      await tf.setBackend('cpu');
      return tf;
    } catch (error) {
      tfModule = undefined;
      throw new ValidationError('custom loss', [
        {
          pointer: '/autodiff',
          rule: 'dependency',
          message: `automatic differentiation needs @tensorflow/tfjs-core and @tensorflow/tfjs-backend-cpu (npm install them), or return grads yourself: ${(error as Error).message}`,
        },
      ]);
    }
  })();
  return tfModule;
}
