import { describe, expect, it } from '@jest/globals';
import { adamStep, createOptimizer, type AdamSettings } from '../src/model/adam.js';
import { createAdapter } from '../src/model/byte-model.js';
import { zeroGradients } from '../src/model/training.js';

/** AdamW written out once, plainly, element by element: what adamStep must compute bit for bit. */
function referenceStep(
  param: Float32Array,
  grad: Float64Array,
  m: Float64Array,
  v: Float64Array,
  step: number,
  scale: number,
  p: AdamSettings,
): void {
  const c1 = 1 - p.beta1 ** step;
  const c2 = 1 - p.beta2 ** step;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i] * scale;
    m[i] = p.beta1 * m[i] + (1 - p.beta1) * g;
    v[i] = p.beta2 * v[i] + (1 - p.beta2) * g * g;
    const update = m[i] / c1 / (Math.sqrt(v[i] / c2) + p.eps);
    param[i] = param[i] - p.learning_rate * (update + p.weight_decay * param[i]);
  }
}

/** Bit-for-bit equality of two typed arrays (fast on 10^4 elements, unlike a deep equality). */
const sameBits = (a: Float32Array | Float64Array, b: Float32Array | Float64Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A small deterministic generator, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

describe('adamStep', () => {
  it.each([
    ['no clipping, no decay', { grad_clip_norm: 0, weight_decay: 0 }],
    ['clipped, with weight decay', { grad_clip_norm: 0.5, weight_decay: 0.01 }],
  ])('matches AdamW element by element over several steps (%s)', (_name, extra) => {
    const settings: AdamSettings = {
      learning_rate: 0.05,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-12,
      ...extra,
    };
    const weights = createAdapter(2, 7);
    const grads = zeroGradients(weights);
    const state = createOptimizer(weights);
    const expected = {
      u: new Float32Array(weights.u),
      v: new Float32Array(weights.v),
      mu: new Float64Array(weights.u.length),
      nu: new Float64Array(weights.u.length),
      mv: new Float64Array(weights.v.length),
      nv: new Float64Array(weights.v.length),
    };
    const random = lcg(42);
    for (let step = 1; step <= 4; step++) {
      // Sparse gradients, as one datum's backward pass leaves them: most entries zero.
      for (let i = 0; i < grads.u.length; i += 13) grads.u[i] = random() * 0.3;
      for (let i = 0; i < grads.v.length; i += 5) grads.v[i] = random() * 0.3;
      let squares = 0;
      for (const x of grads.u) squares += x * x;
      for (const x of grads.v) squares += x * x;
      const norm = Math.sqrt(squares);
      const clip = settings.grad_clip_norm;
      const scale = clip > 0 && norm > clip ? clip / norm : 1;
      // The clipped case really clips (the gradients' norm is well above 0.5).
      if (clip > 0) expect(scale).toBeLessThan(1);
      referenceStep(expected.u, grads.u, expected.mu, expected.nu, step, scale, settings);
      referenceStep(expected.v, grads.v, expected.mv, expected.nv, step, scale, settings);

      expect(adamStep(weights, grads, state, settings)).toBe(norm);
      expect(state.step).toBe(step);
      expect(sameBits(weights.u, expected.u)).toBe(true);
      expect(sameBits(weights.v, expected.v)).toBe(true);
      expect(sameBits(state.mu, expected.mu)).toBe(true);
      expect(sameBits(state.nu, expected.nu)).toBe(true);
      expect(sameBits(state.mv, expected.mv)).toBe(true);
      expect(sameBits(state.nv, expected.nv)).toBe(true);
      // The gradients are consumed: the next backward pass accumulates from zero.
      expect(grads.u.every((x) => x === 0)).toBe(true);
      expect(grads.v.every((x) => x === 0)).toBe(true);
    }
    // The weights did move (a step that changed nothing would pass the comparisons above).
    expect(sameBits(weights.u, createAdapter(2, 7).u)).toBe(false);
  });
});
