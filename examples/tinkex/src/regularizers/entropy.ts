import { checkOption, logSumExp } from './math.js';
import type { Regularizer } from './types.js';

export interface EntropyOptions {
  /** `minimize` returns +H, `maximize` −H (so adding it to a loss maximizes entropy). */
  mode?: 'minimize' | 'maximize';
  reduction?: 'mean' | 'sum';
  /** Divide by log(row length). */
  normalize?: boolean;
  /** Rows are re-normalized at temperature T (lp' = lp/T − logsumexp(lp/T)) when T ≠ 1. */
  temperature?: number;
}

/** Terms with lp' ≤ −50 are masked out: they add nothing but rounding noise. */
const MASK = -50;

/**
 * `entropy`: per row H = −Σ exp(lp')·lp', reduced over rows. Gradient by hand: ∂H/∂lp'_k =
 * −p'_k(lp'_k + 1); through the temperature log-softmax, ∂/∂z_j = a_j − p'_j·Σa, then ÷T.
 */
export function entropy(options: EntropyOptions = {}): Regularizer {
  const { mode = 'minimize', reduction = 'mean', normalize = false, temperature = 1 } = options;
  checkOption(temperature > 0, 'temperature', 'temperature must be positive');
  checkOption(mode === 'minimize' || mode === 'maximize', 'mode', 'mode is "minimize" or "maximize"');
  return (_data, logprobs) => {
    const sgn = mode === 'minimize' ? 1 : -1;
    const k = reduction === 'mean' ? 1 / Math.max(logprobs.length, 1) : 1;
    let total = 0;
    const grad = logprobs.map((row) => {
      const z = row.map((v) => v / temperature);
      const lse = temperature === 1 ? 0 : logSumExp(z);
      const lp = z.map((v) => v - lse);
      const scale = normalize && row.length > 1 ? 1 / Math.log(row.length) : 1;
      let h = 0;
      const a = lp.map((v) => {
        if (v <= MASK) return 0;
        const p = Math.exp(v);
        h -= p * v;
        return -p * (v + 1);
      });
      total += h * scale;
      if (temperature === 1) return a.map((v) => sgn * k * scale * v);
      const sumA = a.reduce((s, v) => s + v, 0);
      return lp.map((v, j) => (sgn * k * scale * (a[j] - Math.exp(v) * sumA)) / temperature);
    });
    const h = total * k;
    return { value: sgn * h, grad, metrics: { entropy: h, temperature } };
  };
}
