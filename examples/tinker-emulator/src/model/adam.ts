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
  let sq = 0;
  for (const x of g.u) sq += x * x;
  for (const x of g.v) sq += x * x;
  const norm = Math.sqrt(sq);
  const scale = p.grad_clip_norm > 0 && norm > p.grad_clip_norm ? p.grad_clip_norm / norm : 1;
  s.step += 1;
  const c1 = 1 - p.beta1 ** s.step;
  const c2 = 1 - p.beta2 ** s.step;
  const update = (param: Float32Array, grad: Float64Array, m: Float64Array, v: Float64Array) => {
    for (let i = 0; i < param.length; i++) {
      const gi = grad[i] * scale;
      m[i] = p.beta1 * m[i] + (1 - p.beta1) * gi;
      v[i] = p.beta2 * v[i] + (1 - p.beta2) * gi * gi;
      const step = m[i] / c1 / (Math.sqrt(v[i] / c2) + p.eps);
      param[i] = param[i] - p.learning_rate * (step + p.weight_decay * param[i]);
    }
  };
  update(w.u, g.u, s.mu, s.nu);
  update(w.v, g.v, s.mv, s.nv);
  g.u.fill(0);
  g.v.fill(0);
  return norm;
}
