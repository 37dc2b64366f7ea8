import { checkOption, count, target } from './math.js';
import type { Reduction, Regularizer, Target } from './types.js';

export interface L2Options {
  target?: Target;
  reduction?: Reduction;
  lambda?: number;
  /** Clip the centered values to [−clip, clip] (the gradient is 0 where clipped). */
  clip?: number;
  /** Subtract the mean of x, or a constant, before squaring. */
  center?: 'mean' | number;
}

/**
 * `l2_weight_decay`: c = clip(x − center); λ·Σc² (or the mean). With `center: 'mean'` the gradient also
 * flows through the mean: ∂/∂x_i = g_i − mean(g) where g = 2c·[unclipped].
 */
export function l2(options: L2Options = {}): Regularizer {
  const { reduction = 'sum', lambda = 1, clip, center } = options;
  checkOption(reduction === 'sum' || reduction === 'mean', 'reduction', 'reduction is "sum" or "mean"');
  checkOption(clip === undefined || clip > 0, 'clip', 'clip must be positive');
  return (data, logprobs) => {
    const { x, back } = target(data, logprobs, options.target);
    const n = Math.max(count(x), 1);
    let sumX = 0;
    let sumSq = 0;
    for (const r of x) {
      for (const v of r) {
        sumX += v;
        sumSq += v * v;
      }
    }
    const c0 = center === 'mean' ? sumX / n : (center ?? 0);
    let total = 0;
    const g = x.map((r) =>
      r.map((v) => {
        const c = v - c0;
        const clipped = clip !== undefined && Math.abs(c) > clip;
        const cc = clipped ? Math.sign(c) * clip : c;
        total += cc * cc;
        return clipped ? 0 : 2 * cc;
      }),
    );
    const k = reduction === 'mean' ? lambda / n : lambda;
    let gMean = 0;
    if (center === 'mean') {
      for (const r of g) for (const v of r) gMean += v;
      gMean /= n;
    }
    const raw = reduction === 'mean' ? total / n : total;
    return {
      value: lambda * raw,
      grad: back(g.map((r) => r.map((v) => k * (v - gMean)))),
      metrics: { l2_raw: raw, l2_mean: sumSq / n, center: c0 },
    };
  };
}
