import { ValidationError } from 'pristine-kernel';
import type { ForwardBackwardOutput } from '../types/responses.js';
import { pythonTupleHash } from './python-hash.js';

export const METRIC_REDUCTIONS = ['mean', 'sum', 'min', 'max', 'slack', 'hash_unordered', 'unique'] as const;
export type MetricReduction = (typeof METRIC_REDUCTIONS)[number];

/**
 * `combine_fwd_bwd_output_results`: the output type of the first result, `loss_fn_outputs` concatenated
 * in chunk order, and metrics merged by `mergeMetrics` with each chunk weighted by its output count.
 */
export function mergeOutputs(results: readonly ForwardBackwardOutput[]): ForwardBackwardOutput {
  if (results.length === 0) return { loss_fn_output_type: '', loss_fn_outputs: [], metrics: {} };
  const outputs: ForwardBackwardOutput['loss_fn_outputs'] = [];
  for (const result of results) for (const output of result.loss_fn_outputs) outputs.push(output);
  return {
    loss_fn_output_type: results[0].loss_fn_output_type,
    loss_fn_outputs: outputs,
    metrics: mergeMetrics(
      results.map((r) => r.metrics),
      results.map((r) => r.loss_fn_outputs.length),
    ),
  };
}

/**
 * `_metrics_reduction`. Keys come from the first chunk and must read `name:reduction`; a key missing
 * from any chunk, or with a reduction this SDK does not know, is dropped.
 * - `mean`: average weighted by `weights` (each chunk's datum count); `slack`: max − that mean.
 *   With all weights 0 (numpy would raise) the plain mean is used.
 * - `sum`, `min`, `max`.
 * - `hash_unordered`: CPython's `hash(tuple(sorted(int(v) for v in values)))`, bit for bit (a 64-bit
 *   integer, so the JS number may round it).
 * - `unique`: the first value under the key, the others under `key_1`, `key_2`, ….
 */
export function mergeMetrics(
  metrics: readonly Readonly<Record<string, number>>[],
  weights: readonly number[],
): Record<string, number> {
  const merged: Record<string, number> = {};
  if (metrics.length === 0) return merged;
  for (const key of Object.keys(metrics[0])) {
    const parts = key.split(':');
    if (parts.length !== 2) {
      throw ValidationError.field(
        'metrics',
        `/metrics/${key}`,
        'format',
        `metric keys read "name:reduction" with exactly one ":", got "${key}"`,
      );
    }
    const reduction = parts[1];
    if (!(METRIC_REDUCTIONS as readonly string[]).includes(reduction)) continue;
    if (!metrics.every((m) => key in m)) continue;
    const values = metrics.map((m) => m[key]);
    switch (reduction as MetricReduction) {
      case 'mean':
        merged[key] = weightedMean(values, weights);
        break;
      case 'slack':
        merged[key] = max(values) - weightedMean(values, weights);
        break;
      case 'sum':
        merged[key] = values.reduce((a, b) => a + b, 0);
        break;
      case 'min':
        merged[key] = values.reduce((a, b) => (b < a ? b : a));
        break;
      case 'max':
        merged[key] = max(values);
        break;
      case 'hash_unordered':
        merged[key] = hashUnordered(values);
        break;
      case 'unique':
        merged[key] = values[0];
        for (let i = 1; i < values.length; i++) merged[`${key}_${i}`] = values[i];
        break;
    }
  }
  return merged;
}

function max(values: readonly number[]): number {
  return values.reduce((a, b) => (b > a ? b : a));
}

function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i] ?? 0;
    total += w;
    weighted += values[i] * w;
  }
  if (total === 0) return values.reduce((a, b) => a + b, 0) / values.length;
  return weighted / total;
}

/** Order-insensitive: the values are truncated to ints and sorted before hashing, as in Python. */
export function hashUnordered(values: readonly number[]): number {
  const ints = values.map((v) => BigInt(Math.trunc(v))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Number(pythonTupleHash(ints));
}
