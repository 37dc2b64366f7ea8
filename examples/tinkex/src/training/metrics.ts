import type { ForwardBackwardOutput } from '../types/schemas.js';

/**
 * Merge chunk results as the Python SDK does: outputs concatenated in order; metrics by their
 * `name:reduction` key — `mean` weighted by each chunk's output count, `sum`, `min`, `max`, `slack`
 * (max − weighted mean), `hash_unordered` (hash of the sorted values) and `unique` (first value under the
 * key, the others as `key_1`, `key_2`, …). Keys missing from any chunk, or with an unknown reduction,
 * are dropped.
 */
export function mergeOutputs(results: readonly ForwardBackwardOutput[]): ForwardBackwardOutput {
  if (results.length === 1) return results[0];
  const outputs = results.flatMap((r) => r.loss_fn_outputs);
  const weights = results.map((r) => r.loss_fn_outputs.length);
  return {
    loss_fn_output_type: results[0]?.loss_fn_output_type,
    loss_fn_outputs: outputs,
    metrics: mergeMetrics(
      results.map((r) => r.metrics),
      weights,
    ),
  };
}

export function mergeMetrics(
  metrics: readonly Record<string, number>[],
  weights: readonly number[],
): Record<string, number> {
  const merged: Record<string, number> = {};
  if (metrics.length === 0) return merged;
  for (const key of Object.keys(metrics[0])) {
    if (!metrics.every((m) => key in m)) continue;
    const values = metrics.map((m) => m[key]);
    const reduction = key.slice(key.lastIndexOf(':') + 1);
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const weightedMean = () =>
      totalWeight > 0
        ? values.reduce((acc, v, i) => acc + v * weights[i], 0) / totalWeight
        : values.reduce((a, b) => a + b, 0) / values.length;
    switch (reduction) {
      case 'mean':
        merged[key] = weightedMean();
        break;
      case 'sum':
        merged[key] = values.reduce((a, b) => a + b, 0);
        break;
      case 'min':
        merged[key] = Math.min(...values);
        break;
      case 'max':
        merged[key] = Math.max(...values);
        break;
      case 'slack':
        merged[key] = Math.max(...values) - weightedMean();
        break;
      case 'hash_unordered':
        merged[key] = hashUnordered(values);
        break;
      case 'unique':
        merged[key] = values[0];
        values.slice(1).forEach((v, i) => (merged[`${key}_${i + 1}`] = v));
        break;
      default:
        break;
    }
  }
  return merged;
}

/** An order-independent 32-bit hash of integer values (FNV-1a over the sorted list). */
function hashUnordered(values: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const v of [...values].map(Math.trunc).sort((a, b) => a - b)) {
    h ^= v & 0xffffffff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
