import { checkOption, count, sign, target } from './math.js';
import type { Reduction, Regularizer, Target } from './types.js';

export interface L1Options {
  target?: Target;
  reduction?: Reduction;
  lambda?: number;
}

/** `l1_sparsity`: λ·Σ|x| (λ·mean|x| for `mean`). Gradient λ·sign(x) (0 at 0), divided by N for `mean`. */
export function l1(options: L1Options = {}): Regularizer {
  const { reduction = 'sum', lambda = 1 } = options;
  checkOption(reduction === 'sum' || reduction === 'mean', 'reduction', 'reduction is "sum" or "mean"');
  return (data, logprobs) => {
    const { x, back } = target(data, logprobs, options.target);
    const n = count(x);
    let sum = 0;
    for (const r of x) for (const v of r) sum += Math.abs(v);
    const k = reduction === 'mean' ? lambda / Math.max(n, 1) : lambda;
    const raw = reduction === 'mean' ? sum / Math.max(n, 1) : sum;
    return {
      value: lambda * raw,
      grad: back(x.map((r) => r.map((v) => k * sign(v)))),
      metrics: { l1_raw: raw, l1_mean: sum / Math.max(n, 1) },
    };
  };
}
