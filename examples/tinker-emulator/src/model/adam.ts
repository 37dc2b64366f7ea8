import type { AdapterWeights } from './byte-model.js';
import type { Gradients } from './training.js';

export interface AdamSettings {
  learning_rate: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  /** Global-norm clip; 0 disables. */
  grad_clip_norm: number;
}

/** The server's defaults for fields a client omitted (Python SDK AdamParams). */
export const ADAM_DEFAULTS: AdamSettings = {
  learning_rate: 1e-4,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-12,
  weight_decay: 0,
  grad_clip_norm: 0,
};

export interface OptimizerState {
  step: number;
  mu: Float64Array;
  mv: Float64Array;
  nu: Float64Array;
  nv: Float64Array;
}

export function createOptimizer(w: AdapterWeights): OptimizerState {
  return {
    step: 0,
    mu: new Float64Array(w.u.length),
    mv: new Float64Array(w.v.length),
    nu: new Float64Array(w.u.length),
    nv: new Float64Array(w.v.length),
  };
}

export function cloneOptimizer(s: OptimizerState): OptimizerState {
  return {
    step: s.step,
    mu: new Float64Array(s.mu),
    mv: new Float64Array(s.mv),
    nu: new Float64Array(s.nu),
    nv: new Float64Array(s.nv),
  };
}

/** AdamW with decoupled weight decay and optional global-norm gradient clipping. Returns the grad norm. */
export function adamStep(w: AdapterWeights, g: Gradients, s: OptimizerState, p: AdamSettings): number {
  // One accumulator over u then v: the same rounding as ever, so losses stay bit for bit reproducible.
  const norm = Math.sqrt(sumOfSquares(g.v, sumOfSquares(g.u, 0)));
  const scale = p.grad_clip_norm > 0 && norm > p.grad_clip_norm ? p.grad_clip_norm / norm : 1;
  s.step += 1;
  const c1 = 1 - p.beta1 ** s.step;
  const c2 = 1 - p.beta2 ** s.step;
  update(w.u, g.u, s.mu, s.nu, p, scale, c1, c2);
  update(w.v, g.v, s.mv, s.nv, p, scale, c1, c2);
  g.u.fill(0);
  g.v.fill(0);
  return norm;
}

function sumOfSquares(xs: Float64Array, start: number): number {
  let sum = start;
  for (let i = 0; i < xs.length; i++) sum += xs[i] * xs[i];
  return sum;
}

/**
 * One tensor's AdamW update. A module function with the settings read into locals once, not a closure
 * made per step reading them from `p` per element: the closure ran 1.5–3× slower and its speed varied
 * from process to process (whether V8 inlined it), which made every optim_step in the training benchmark
 * cost 0.8–2.2 ms (issue 12's protocol comparison).
 */
function update(
  param: Float32Array,
  grad: Float64Array,
  m: Float64Array,
  v: Float64Array,
  p: AdamSettings,
  scale: number,
  c1: number,
  c2: number,
): void {
  const { beta1, beta2, eps, learning_rate, weight_decay } = p;
  for (let i = 0; i < param.length; i++) {
    const gi = grad[i] * scale;
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const step = mi / c1 / (Math.sqrt(vi / c2) + eps);
    param[i] = param[i] - learning_rate * (step + weight_decay * param[i]);
  }
}
