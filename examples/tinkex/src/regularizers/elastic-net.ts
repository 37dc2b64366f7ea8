import { checkOption, count, sign, target } from './math.js';
import type { Reduction, Regularizer, Target } from './types.js';

export interface ElasticNetOptions {
  target?: Target;
  reduction?: Reduction;
  lambda?: number;
  /** α: the L1 share, in [0, 1]. */
  l1_ratio?: number;
}

/** `elastic_net`: λ·(α·Σ|x| + (1−α)·Σx²) (means for `mean`). */
export function elasticNet(options: ElasticNetOptions = {}): Regularizer {
  const { reduction = 'sum', lambda = 1, l1_ratio = 0.5 } = options;
  checkOption(l1_ratio >= 0 && l1_ratio <= 1, 'l1_ratio', 'l1_ratio must be in [0, 1]');
  checkOption(reduction === 'sum' || reduction === 'mean', 'reduction', 'reduction is "sum" or "mean"');
  return (data, logprobs) => {
    const { x, back } = target(data, logprobs, options.target);
    const n = reduction === 'mean' ? Math.max(count(x), 1) : 1;
    let abs = 0;
    let sq = 0;
    for (const r of x) {
      for (const v of r) {
        abs += Math.abs(v);
        sq += v * v;
      }
    }
    const value = (lambda * (l1_ratio * abs + (1 - l1_ratio) * sq)) / n;
    const grad = x.map((r) => r.map((v) => (lambda * (l1_ratio * sign(v) + 2 * (1 - l1_ratio) * v)) / n));
    return { value, grad: back(grad), metrics: { elastic_net: value, l1_ratio } };
  };
}
