import { checkOption, fieldRows } from './math.js';
import type { Regularizer, Rows } from './types.js';

export interface GradientPenaltyOptions {
  /** ∇f(x) of the function whose gradient norm is penalized. */
  gradFn: (x: Rows) => Rows;
  /** Hessian-vector product H(x)·v; exact when given, otherwise a central difference of `gradFn`. */
  hvp?: (x: Rows, v: Rows) => Rows;
  /** `output`: at the logprobs; `interpolated`: at x̂ = εx + (1−ε)·reference, ε ~ U(0, 1). */
  mode?: 'output' | 'interpolated';
  target_norm?: number;
  reference_field?: string;
  /** Source of ε (tests pass a fixed one). */
  random?: () => number;
}

/** `gradient_penalty`: (‖∇f(x̂)‖₂ − t)². Its gradient is 2(‖g‖ − t)·ε·H(x̂)·g/‖g‖. */
export function gradientPenalty(options: GradientPenaltyOptions): Regularizer {
  const {
    mode = 'output',
    target_norm = 1,
    reference_field = 'reference_logprobs',
    random = Math.random,
  } = options;
  checkOption(typeof options.gradFn === 'function', 'gradFn', 'gradFn is required');
  return (data, logprobs) => {
    let eps = 1;
    let x = logprobs;
    if (mode === 'interpolated') {
      const ref = fieldRows(data, reference_field, 'gradient_penalty');
      eps = random();
      x = logprobs.map((r, i) => r.map((v, j) => eps * v + (1 - eps) * ref[i][j]));
    }
    const g = options.gradFn(x);
    const norm = Math.sqrt(g.reduce((s, r) => s + r.reduce((t, v) => t + v * v, 0), 0));
    const value = (norm - target_norm) * (norm - target_norm);
    if (norm === 0)
      return { value, grad: logprobs.map((r) => r.map(() => 0)), metrics: { gradient_norm: 0 } };
    const unit = g.map((r) => r.map((v) => v / norm));
    const hv = options.hvp ? options.hvp(x, unit) : centralHvp(options.gradFn, x, unit);
    const k = 2 * (norm - target_norm) * eps;
    return { value, grad: hv.map((r) => r.map((v) => k * v)), metrics: { gradient_norm: norm } };
  };
}

function centralHvp(gradFn: (x: Rows) => Rows, x: Rows, v: Rows): Rows {
  const h = 1e-5;
  const up = gradFn(x.map((r, i) => r.map((a, j) => a + h * v[i][j])));
  const down = gradFn(x.map((r, i) => r.map((a, j) => a - h * v[i][j])));
  return up.map((r, i) => r.map((a, j) => (a - down[i][j]) / (2 * h)));
}
