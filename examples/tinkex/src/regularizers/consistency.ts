import { checkOption, count, fieldRows, sameShape, sign } from './math.js';
import type { Regularizer } from './types.js';

export interface ConsistencyOptions {
  /** The datum input holding the logprobs to stay close to (one row per datum). */
  pair_field?: string;
  metric?: 'mse' | 'l1' | 'cosine' | 'kl';
  reduction?: 'mean' | 'sum';
}

/**
 * `consistency`: distance between the logprobs x and each datum's paired logprobs r: mean/sum of
 * (x−r)² or |x−r|; cosine distance 1 − x·r/(max‖x‖,1e−8 · max‖r‖,1e−8) over everything; or the
 * symmetric KL (Σe^x(x−r) + Σe^r(r−x))/2 per row. Each datum is paired with its own row.
 */
export function consistency(options: ConsistencyOptions = {}): Regularizer {
  const { pair_field = 'original_logprobs', metric = 'mse', reduction = 'mean' } = options;
  checkOption(['mse', 'l1', 'cosine', 'kl'].includes(metric), 'metric', 'metric is mse, l1, cosine or kl');
  return (data, x) => {
    const r = fieldRows(data, pair_field, 'consistency');
    sameShape(x, r, pair_field);
    const n = Math.max(count(x), 1);
    let value = 0;
    let grad: number[][];
    if (metric === 'mse' || metric === 'l1') {
      const k = reduction === 'mean' ? 1 / n : 1;
      grad = x.map((row, i) =>
        row.map((v, j) => {
          const d = v - r[i][j];
          value += metric === 'mse' ? d * d : Math.abs(d);
          return k * (metric === 'mse' ? 2 * d : sign(d));
        }),
      );
      value *= k;
    } else if (metric === 'cosine') {
      let dot = 0;
      let xx = 0;
      let rr = 0;
      x.forEach((row, i) =>
        row.forEach((v, j) => ((dot += v * r[i][j]), (xx += v * v), (rr += r[i][j] * r[i][j]))),
      );
      const nx = Math.max(Math.sqrt(xx), 1e-8);
      const nr = Math.max(Math.sqrt(rr), 1e-8);
      value = 1 - dot / (nx * nr);
      const floorX = Math.sqrt(xx) <= 1e-8;
      grad = x.map((row, i) =>
        row.map((v, j) => -(r[i][j] / (nx * nr) - (floorX ? 0 : (dot * v) / (nx * nx * nx * nr)))),
      );
    } else {
      const k = reduction === 'mean' ? 1 / Math.max(x.length, 1) : 1;
      grad = x.map((row, i) =>
        row.map((v, j) => {
          const w = r[i][j];
          value += (Math.exp(v) * (v - w) + Math.exp(w) * (w - v)) / 2;
          return (k * (Math.exp(v) * (v - w) + Math.exp(v) - Math.exp(w))) / 2;
        }),
      );
      value *= k;
    }
    return { value, grad, metrics: { consistency_metric: value } };
  };
}
