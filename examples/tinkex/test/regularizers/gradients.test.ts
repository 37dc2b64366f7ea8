import { describe, expect, it } from '@jest/globals';
import {
  computePipeline,
  consistency,
  elasticNet,
  entropy,
  gradientPenalty,
  klDivergence,
  l1,
  l2,
  orthogonality,
  withRegularizers,
  type Regularizer,
} from '../../src/regularizers/index.js';
import { datum } from '../../src/types/datum.js';
import { TensorData } from '../../src/types/tensor-data.js';

const lp = [
  [-1.2, -0.3, -2.5],
  [-0.7, -1.9, -0.05],
];
const ref = [
  [-1.0, -0.6, -2.0],
  [-0.9, -1.5, -0.2],
];
const data = lp.map((row, i) =>
  datum(
    row.map(() => 1),
    {
      target_tokens: row.map(() => 1),
      original_logprobs: TensorData.fromArray(ref[i], 'float32'),
      reference_logprobs: TensorData.fromArray(ref[i], 'float32'),
    },
  ),
);

async function checkGradient(reg: Regularizer, x = lp, tol = 4) {
  const { grad, value } = await reg(data, x);
  const h = 1e-5;
  const at = async (y: number[][]) => (await reg(data, y)).value;
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x[i].length; j++) {
      const up = x.map((r) => [...r]);
      const down = x.map((r) => [...r]);
      up[i][j] += h;
      down[i][j] -= h;
      expect(grad[i][j]).toBeCloseTo(((await at(up)) - (await at(down))) / (2 * h), tol);
    }
  }
  return value;
}

// Fixed values for the two regularizers whose definitions are easy to get wrong.
const sum = (x: number[][], f: (v: number) => number) => x.flat().reduce((s, v) => s + f(v), 0);

describe('regularizers: exact gradients (vs finite differences) and values', () => {
  it('l1 (sum, mean, probs target)', async () => {
    expect(await checkGradient(l1({ lambda: 2 }))).toBeCloseTo(2 * sum(lp, Math.abs), 12);
    expect(await checkGradient(l1({ reduction: 'mean' }))).toBeCloseTo(sum(lp, Math.abs) / 6, 12);
    expect(await checkGradient(l1({ target: 'probs' }))).toBeCloseTo(sum(lp, Math.exp), 12);
  });

  it('l2 with mean centering and clipping', async () => {
    const mean = sum(lp, (v) => v) / 6;
    expect(await checkGradient(l2({ center: 'mean' }))).toBeCloseTo(
      sum(lp, (v) => (v - mean) ** 2),
      12,
    );
    await checkGradient(l2({ center: 'mean', clip: 0.8, reduction: 'mean' }));
    await checkGradient(l2({ center: -1 }));
  });

  it('elastic net', async () => {
    await checkGradient(elasticNet({ l1_ratio: 0.3, lambda: 0.5 }));
  });

  it('entropy (plain, temperature, normalized, maximize)', async () => {
    const h = -sum(lp, (v) => Math.exp(v) * v) / 2;
    expect(await checkGradient(entropy())).toBeCloseTo(h, 12);
    expect(await checkGradient(entropy({ mode: 'maximize' }))).toBeCloseTo(-h, 12);
    await checkGradient(entropy({ temperature: 2, normalize: true, reduction: 'sum' }));
  });

  it('kl divergence (forward, reverse, symmetric; reference from a field)', async () => {
    const kl = lp.reduce((s, r, i) => s + r.reduce((t, v, j) => t + Math.exp(v) * (v - ref[i][j]), 0), 0) / 2;
    expect(await checkGradient(klDivergence({ reference: ref }))).toBeCloseTo(kl, 12);
    await checkGradient(klDivergence({ referenceField: 'reference_logprobs', direction: 'reverse' }));
    await checkGradient(klDivergence({ reference: ref, symmetric: true, reduction: 'sum' }));
  });

  it('consistency (mse, l1, cosine, kl)', async () => {
    for (const metric of ['mse', 'l1', 'cosine', 'kl'] as const) await checkGradient(consistency({ metric }));
  });

  it('orthogonality (soft, hard, spectral; rows and columns)', async () => {
    for (const mode of ['soft', 'hard', 'spectral'] as const) {
      await checkGradient(orthogonality({ mode }));
      await checkGradient(orthogonality({ mode, axis: 'columns', normalize: false }));
    }
  });

  it('gradient penalty (output and interpolated)', async () => {
    // f(x) = Σ x³ → ∇f = 3x², H·v = 6x·v.
    const gradFn = (x: number[][]) => x.map((r) => r.map((v) => 3 * v * v));
    const hvp = (x: number[][], v: number[][]) => x.map((r, i) => r.map((a, j) => 6 * a * v[i][j]));
    await checkGradient(gradientPenalty({ gradFn, hvp }), lp, 3);
    await checkGradient(gradientPenalty({ gradFn }), lp, 3);
    await checkGradient(gradientPenalty({ gradFn, hvp, mode: 'interpolated', random: () => 0.25 }), lp, 3);
  });
});

describe('regularizer pipeline', () => {
  const base = (_d: unknown, x: number[][]) => ({
    loss: sum(x, (v) => -v),
    grads: x.map((r) => r.map(() => -1)),
    metrics: { base: 1 },
  });

  it('adds weighted terms to the loss and the gradient, reporting each', async () => {
    const { loss, grads, output } = await computePipeline(data, lp, base, {
      regularizers: [
        { name: 'l1', weight: 0.5, fn: l1() },
        { name: 'ent', weight: 2, fn: entropy() },
      ],
      track_grad_norms: true,
    });
    const l1v = sum(lp, Math.abs);
    const ent = -sum(lp, (v) => Math.exp(v) * v) / 2;
    expect(loss).toBeCloseTo(sum(lp, (v) => -v) + 0.5 * l1v + 2 * ent, 12);
    expect(output.regularizers.l1).toMatchObject({ value: l1v, weight: 0.5, contribution: 0.5 * l1v });
    expect(output.regularizer_total).toBeCloseTo(0.5 * l1v + 2 * ent, 12);
    expect(output.total_grad_norm).toBeGreaterThan(0);
    // d/dx of 0.5·|x| is −0.5 for negative x; entropy's is 2·(−e^x(x+1))/2.
    expect(grads[0][0]).toBeCloseTo(-1 - 0.5 - Math.exp(lp[0][0]) * (lp[0][0] + 1), 12);
  });

  it('rejects duplicate names and negative weights; composes into a ManualLoss', async () => {
    await expect(
      computePipeline(data, lp, base, {
        regularizers: [
          { name: 'a', weight: 1, fn: l1() },
          { name: 'a', weight: 1, fn: l1() },
        ],
      }),
    ).rejects.toThrow(/duplicate/);
    expect(() => withRegularizers(base, { regularizers: [{ name: 'a', weight: -1, fn: l1() }] })).toThrow(
      /≥ 0/,
    );
    const manual = withRegularizers(base, { regularizers: [{ name: 'a', weight: 1, fn: l1() }] });
    const out = await manual(data, lp);
    expect(out.loss).toBeCloseTo(2 * sum(lp, Math.abs), 12);
    expect(out.metrics).toMatchObject({ base: 1, a_contribution: sum(lp, Math.abs) });
  });
});
