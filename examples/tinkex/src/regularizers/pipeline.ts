import { ValidationError } from 'pristine-kernel';
import type { CustomLossResult, ManualLoss, Metrics } from '../training/custom-loss.js';
import type { Datum } from '../types/datum.js';
import type { RegularizerEvents } from './events.js';
import type { Regularizer, RegularizerResult, Rows } from './types.js';

/** A regularizer in a pipeline: a unique name and a non-negative weight. */
export interface RegularizerSpec {
  name: string;
  weight: number;
  fn: Regularizer;
}

export interface RegularizerOutput {
  name: string;
  value: number;
  weight: number;
  /** weight · value */
  contribution: number;
  /** ‖∂value/∂logprobs‖₂, when tracked. */
  grad_norm?: number;
  grad_norm_weighted?: number;
  custom: Metrics;
}

export interface CustomLossOutput {
  loss_total: number;
  base_loss: { value: number; grad_norm?: number; custom: Metrics };
  regularizers: Record<string, RegularizerOutput>;
  regularizer_total: number;
  total_grad_norm?: number;
}

/** The base loss of a pipeline: value and exact gradient (a ManualLoss result). */
export type BaseLoss = (data: readonly Datum[], logprobs: Rows) => ReturnType<ManualLoss>;

export interface PipelineOptions {
  regularizers?: readonly RegularizerSpec[];
  /** Report gradient norms per term and of the total. */
  track_grad_norms?: boolean;
  /** Emit `x:tinkex:custom_loss:*` and `x:tinkex:regularizer:compute:*` here (e.g. `service.kernel.events`). */
  events?: RegularizerEvents;
}

export function validateSpecs(specs: readonly RegularizerSpec[]): void {
  const seen = new Set<string>();
  specs.forEach((s, i) => {
    const fail = (message: string) =>
      ValidationError.field('regularizers', `/regularizers/${i}`, 'spec', message);
    if (typeof s.name !== 'string' || s.name.length === 0) throw fail('name must be a non-empty string');
    if (seen.has(s.name)) throw fail(`duplicate regularizer name "${s.name}"`);
    seen.add(s.name);
    if (!(typeof s.weight === 'number' && s.weight >= 0)) throw fail(`weight of "${s.name}" must be ≥ 0`);
    if (typeof s.fn !== 'function') throw fail(`fn of "${s.name}" must be a function`);
  });
}

const norm = (g: Rows) => Math.sqrt(g.reduce((s, r) => s + r.reduce((t, v) => t + v * v, 0), 0));

/**
 * Total loss = base + Σ weight_i · regularizer_i, with the exact total gradient. Runs the regularizers
 * concurrently (they may be async) and reports each term.
 */
export async function computePipeline(
  data: readonly Datum[],
  logprobs: Rows,
  base: BaseLoss,
  options: PipelineOptions = {},
): Promise<{ loss: number; grads: Rows; metrics: RegularizedMetrics; output: CustomLossOutput }> {
  const specs = options.regularizers ?? [];
  validateSpecs(specs);
  const events = options.events;
  const started = performance.now();
  if (events?.observed('x:tinkex:custom_loss:start')) {
    events.emit('x:tinkex:custom_loss:start', {
      regularizer_count: specs.length,
      track_grad_norms: options.track_grad_norms ?? false,
    });
  }
  const baseOut = await base(data, logprobs);
  const results: RegularizerResult[] = await Promise.all(
    specs.map((s) => computeOne(s, data, logprobs, events)),
  );
  const grads = baseOut.grads.map((r) => [...r]);
  const regularizers: Record<string, RegularizerOutput> = {};
  let regularizerTotal = 0;
  results.forEach((res, i) => {
    const { name, weight } = specs[i];
    res.grad.forEach((r, a) => r.forEach((v, b) => (grads[a][b] += weight * v)));
    const gn = options.track_grad_norms ? norm(res.grad) : undefined;
    regularizers[name] = {
      name,
      value: res.value,
      weight,
      contribution: weight * res.value,
      ...(gn === undefined ? {} : { grad_norm: gn, grad_norm_weighted: weight * gn }),
      custom: res.metrics,
    };
    regularizerTotal += weight * res.value;
    events?.emit('x:tinkex:regularizer:compute:stop', {
      regularizer_name: name,
      weight,
      duration_ms: durations.get(res) ?? 0,
      value: res.value,
      contribution: weight * res.value,
      ...(gn === undefined ? {} : { grad_norm: gn }),
    });
  });
  const loss = baseOut.loss + regularizerTotal;
  const output: CustomLossOutput = {
    loss_total: loss,
    base_loss: {
      value: baseOut.loss,
      ...(options.track_grad_norms ? { grad_norm: norm(baseOut.grads) } : {}),
      custom: baseOut.metrics ?? {},
    },
    regularizers,
    regularizer_total: regularizerTotal,
    ...(options.track_grad_norms ? { total_grad_norm: norm(grads) } : {}),
  };
  const metrics: RegularizedMetrics = {
    ...(baseOut.metrics ?? {}),
    loss_total: loss,
    regularizer_total: regularizerTotal,
  };
  for (const r of Object.values(regularizers)) metrics[`${r.name}_contribution`] = r.contribution;
  events?.emit('x:tinkex:custom_loss:stop', {
    duration_ms: performance.now() - started,
    loss_total: loss,
    regularizer_total: regularizerTotal,
    regularizer_count: specs.length,
  });
  return { loss, grads, metrics, output };
}

// How long each regularizer took, for its stop event (emitted once the pipeline knows its grad norm).
const durations = new WeakMap<RegularizerResult, number>();

async function computeOne(
  spec: RegularizerSpec,
  data: readonly Datum[],
  logprobs: Rows,
  events: RegularizerEvents | undefined,
): Promise<RegularizerResult> {
  const { name: regularizer_name, weight } = spec;
  if (!events) return spec.fn(data, logprobs);
  const started = performance.now();
  events.emit('x:tinkex:regularizer:compute:start', { regularizer_name, weight });
  try {
    const result = await spec.fn(data, logprobs);
    durations.set(result, performance.now() - started);
    return result;
  } catch (reason) {
    const duration_ms = performance.now() - started;
    events.emit('x:tinkex:regularizer:compute:exception', { regularizer_name, weight, duration_ms, reason });
    throw reason;
  }
}

/** The metrics a withRegularizers loss always returns (a ManualLoss whose `metrics` is known). */
export type RegularizedMetrics = Metrics & { loss_total: number; regularizer_total: number };

/** A ManualLoss whose result always has the regularized metrics. */
export type RegularizedLoss = (
  ...args: Parameters<ManualLoss>
) => Promise<CustomLossResult & { metrics: RegularizedMetrics }>;

/** A ManualLoss for `forwardBackwardCustom` that adds the regularizers to `base`. */
export function withRegularizers(base: BaseLoss, options: PipelineOptions): RegularizedLoss {
  validateSpecs(options.regularizers ?? []);
  return async (data, logprobs) => {
    const { loss, grads, metrics } = await computePipeline(data, logprobs, base, options);
    return { loss, grads, metrics };
  };
}
