import { ValidationError } from 'pristine-kernel';
import type { Datum } from '../types/datum.js';
import type { ForwardBackwardOutput } from '../types/responses.js';
import type { TensorDataWire } from '../types/tensor-data.js';
import { loadTf, type Tf } from './tf-loader.js';

/**
 * forward_backward_custom (Python SDK §3.7). The server's cross_entropy with weights is
 * L = Σ −logprobs · weights, so ∂L/∂logprobs = −weights. Sending weights = −g, where g = ∂C/∂logprobs of
 * the user's loss C, makes the backend backpropagate exactly g: a linear surrogate of C at the current
 * logprobs. This module is the math; the client does the two round trips.
 */

export type Metrics = Record<string, number>;

/** A loss that returns its own gradient d loss / d logprobs, one array per datum (flat, like logprobs). */
export type ManualLoss = (
  data: readonly Datum[],
  logprobs: number[][],
) =>
  | { loss: number; grads: number[][]; metrics?: Metrics }
  | Promise<{ loss: number; grads: number[][]; metrics?: Metrics }>;

/**
 * A loss written with @tensorflow/tfjs-core ops on the per-datum logprob tensors (shaped as the server
 * returned them); its gradient comes from automatic differentiation. Return a scalar tensor, or
 * `{ loss, metrics }` like the Python `(loss, metrics)` tuple.
 */
export interface AutodiffLoss {
  autodiff: (data: readonly Datum[], logprobs: Tf[], tf: Tf) => Tf | { loss: Tf; metrics?: Metrics };
  /** Extra metrics computed from plain numbers. */
  metrics?: (data: readonly Datum[], logprobs: number[][]) => Metrics;
}

export type CustomLoss = ManualLoss | AutodiffLoss;

/**
 * The metrics a loss's result always has: those of a function whose result type makes `metrics`
 * required (`withRegularizers`: `loss_total`, `regularizer_total`); none known otherwise.
 */
export type LossMetrics<L> = L extends (...args: never[]) => infer R
  ? Awaited<R> extends { metrics: infer M extends Metrics }
    ? M
    : Metrics
  : Metrics;

/**
 * What `forwardBackwardCustom` returns: the backward pass's output, its metrics with the loss's and
 * `custom_loss:sum` (the loss's value), which the SDK always sets, so strict code reads them without `!`.
 */
export type ForwardBackwardCustomOutput<M extends Metrics = Metrics> = ForwardBackwardOutput & {
  metrics: M & { 'custom_loss:sum': number };
};

export interface CustomLossResult {
  loss: number;
  grads: number[][];
  metrics: Metrics;
}

const WHERE = 'training data';

/**
 * Step 1: the forward data. Every datum needs `target_tokens` and may only have `weights` besides;
 * datums without weights get zero weights (float32, target_tokens' shape), as the Python SDK does, so
 * the forward pass computes plain logprobs.
 */
export function forwardDataForCustomLoss(data: readonly Datum[]): Datum[] {
  if (data.length === 0) throw ValidationError.field(WHERE, '/data', 'minItems', 'No data provided');
  return data.map((d, i) => {
    const inputs = d.loss_fn_inputs ?? {};
    const target = inputs.target_tokens;
    if (!target) {
      throw ValidationError.field(
        WHERE,
        `/data/${i}/loss_fn_inputs/target_tokens`,
        'required',
        `data[${i}].loss_fn_inputs.target_tokens must be provided when using cross_entropy`,
      );
    }
    const unexpected = Object.keys(inputs)
      .filter((k) => k !== 'target_tokens' && k !== 'weights')
      .sort();
    if (unexpected.length > 0) {
      throw ValidationError.field(
        WHERE,
        `/data/${i}/loss_fn_inputs/${unexpected[0]}`,
        'additionalProperties',
        `custom losses accept only target_tokens and weights; data[${i}] also has ${unexpected.join(', ')}`,
      );
    }
    if (inputs.weights) return d;
    const n = target.data.length;
    const weights: TensorDataWire = {
      data: new Array<number>(n).fill(0),
      dtype: 'float32',
      shape: target.shape ? [...target.shape] : [n],
    };
    return { ...d, loss_fn_inputs: { ...inputs, weights } };
  });
}

/** The `logprobs` output of each datum from the forward pass, in order, with its shape. */
export function logprobsFromForward(
  output: ForwardBackwardOutput,
  count: number,
): { values: number[][]; shapes: number[][] } {
  if (output.loss_fn_outputs.length !== count) {
    throw ValidationError.field(
      'forward output',
      '/loss_fn_outputs',
      'length',
      `expected ${count} outputs (one per datum), got ${output.loss_fn_outputs.length}`,
    );
  }
  const values: number[][] = [];
  const shapes: number[][] = [];
  output.loss_fn_outputs.forEach((o, i) => {
    const lp = o.logprobs;
    if (!lp) {
      throw ValidationError.field(
        'forward output',
        `/loss_fn_outputs/${i}/logprobs`,
        'required',
        'no logprobs',
      );
    }
    values.push([...lp.data]);
    shapes.push(lp.shape ? [...lp.shape] : [lp.data.length]);
  });
  return { values, shapes };
}

/** Steps 2–3: run the user's loss on the logprobs and get the exact gradients. */
export async function customLossGradients(
  data: readonly Datum[],
  logprobs: number[][],
  loss: CustomLoss,
  shapes: readonly number[][] = logprobs.map((lp) => [lp.length]),
): Promise<CustomLossResult> {
  if (typeof loss === 'function') {
    const out = await loss(data, logprobs);
    checkGrads(out.grads, logprobs);
    if (typeof out.loss !== 'number') {
      throw ValidationError.field(
        'custom loss',
        '/loss',
        'type',
        'the loss must return { loss: number, grads }',
      );
    }
    return { loss: out.loss, grads: out.grads.map((g) => [...g]), metrics: { ...(out.metrics ?? {}) } };
  }
  checkLossShape(loss);
  return autodiffGradients(data, logprobs, shapes, loss);
}

/**
 * Throws unless `loss` can run: a function, or `{ autodiff }` with tfjs installed (loaded here). The
 * client calls it before its forward pass, so a loss that can never run costs no request.
 */
export async function checkCustomLoss(loss: CustomLoss): Promise<void> {
  if (typeof loss === 'function') return;
  checkLossShape(loss);
  await loadTf();
}

function checkLossShape(loss: CustomLoss): asserts loss is AutodiffLoss {
  if (!loss || typeof (loss as Partial<AutodiffLoss>).autodiff !== 'function') {
    throw ValidationError.field(
      'custom loss',
      '/loss',
      'type',
      'pass a function returning { loss, grads } or { autodiff(data, logprobs, tf) }',
    );
  }
}

async function autodiffGradients(
  data: readonly Datum[],
  logprobs: number[][],
  shapes: readonly number[][],
  loss: AutodiffLoss,
): Promise<CustomLossResult> {
  const tf = await loadTf();
  let metrics: Metrics = {};
  const inputs = logprobs.map((lp, i) => tf.tensor(lp, shapes[i], 'float32'));
  try {
    const { value, grads } = tf.valueAndGrads((...xs: Tf[]) => {
      const out = loss.autodiff(data, xs, tf);
      const scalar = out && typeof out === 'object' && 'loss' in out && !('dataSync' in out) ? out.loss : out;
      if (out !== scalar) metrics = { ...(out.metrics ?? {}) };
      if (!scalar || scalar.rank !== 0) {
        throw ValidationError.field(
          'custom loss',
          '/loss',
          'scalar',
          'the autodiff loss must return a scalar tensor',
        );
      }
      return scalar;
    })(inputs);
    try {
      const result: CustomLossResult = {
        loss: (await value.data())[0] as number,
        grads: [],
        metrics: { ...metrics, ...(loss.metrics?.(data, logprobs) ?? {}) },
      };
      for (const g of grads) result.grads.push(Array.from((await g.data()) as Float32Array));
      return result;
    } finally {
      value.dispose();
      for (const g of grads) g.dispose();
    }
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    // tfjs throws when the loss does not depend on the logprobs: Python's "No gradient computed".
    throw ValidationError.field(
      'custom loss',
      '/grads',
      'gradient',
      `No gradient computed: ${(error as Error).message}`,
    );
  } finally {
    for (const t of inputs) t.dispose();
  }
}

function checkGrads(grads: unknown, logprobs: number[][]): asserts grads is number[][] {
  if (!Array.isArray(grads) || grads.length !== logprobs.length) {
    throw ValidationError.field(
      'custom loss',
      '/grads',
      'length',
      `the loss must return one gradient array per datum (${logprobs.length})`,
    );
  }
  grads.forEach((g: unknown, i) => {
    if (!Array.isArray(g) && !ArrayBuffer.isView(g)) {
      throw ValidationError.field('custom loss', `/grads/${i}`, 'type', `gradient ${i} must be an array`);
    }
    const arr = g as ArrayLike<number>;
    if (arr.length !== logprobs[i].length) {
      throw ValidationError.field(
        'custom loss',
        `/grads/${i}`,
        'length',
        `gradient ${i} has ${arr.length} values, logprobs have ${logprobs[i].length}`,
      );
    }
    for (let j = 0; j < arr.length; j++) {
      if (!Number.isFinite(arr[j])) {
        throw ValidationError.field(
          'custom loss',
          `/grads/${i}/${j}`,
          'finite',
          `gradient values must be finite, got ${arr[j]}`,
        );
      }
    }
  });
}

/**
 * Step 4: the cross_entropy data whose gradient is the custom one: each datum's model input and
 * target_tokens with weights = −grad (float32, shaped like the logprobs).
 */
export function backwardData(
  data: readonly Datum[],
  grads: readonly (readonly number[])[],
  shapes?: readonly number[][],
): Datum[] {
  if (grads.length !== data.length) {
    throw ValidationError.field(
      'custom loss',
      '/grads',
      'length',
      `expected ${data.length} gradients, got ${grads.length}`,
    );
  }
  return data.map((d, i) => {
    const g = grads[i];
    const weights = new Array<number>(g.length);
    for (let j = 0; j < g.length; j++) weights[j] = 0 - g[j];
    return {
      loss_fn_inputs: {
        target_tokens: d.loss_fn_inputs.target_tokens,
        weights: { data: weights, dtype: 'float32', shape: shapes?.[i] ? [...shapes[i]] : [g.length] },
      },
      model_input: d.model_input,
    };
  });
}
