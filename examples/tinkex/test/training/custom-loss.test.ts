import { describe, expect, it } from '@jest/globals';
import { ValidationError } from 'pristine-kernel';
import {
  backwardData,
  customLossGradients,
  forwardDataForCustomLoss,
  logprobsFromForward,
} from '../../src/training/custom-loss.js';
import { datum } from '../../src/types/datum.js';

const data = [
  datum([1, 2, 3], { target_tokens: [2, 3, 4] }),
  datum([5, 6], { target_tokens: [6, 7], weights: [1, 1] }),
];
const logprobs = [
  [-1.2, -0.3, -2.5],
  [-0.7, -1.9],
];

/** Nonlinear in the logprobs: mean over datums of logsumexp(lp) + 0.1·Σlp². */
const plain = (lps: number[][]) =>
  lps.reduce(
    (acc, lp) =>
      acc + Math.log(lp.reduce((s, x) => s + Math.exp(x), 0)) + 0.1 * lp.reduce((s, x) => s + x * x, 0),
    0,
  ) / lps.length;

const finiteDifference = (f: (x: number[][]) => number, x: number[][], i: number, j: number, h = 1e-4) => {
  const up = x.map((r) => [...r]);
  const down = x.map((r) => [...r]);
  up[i][j] += h;
  down[i][j] -= h;
  return (f(up) - f(down)) / (2 * h);
};

describe('forward_backward_custom math', () => {
  it('autodiff (tfjs) gradients match finite differences, with metrics', async () => {
    const { grads, loss, metrics } = await customLossGradients(data, logprobs, {
      autodiff: (_d, lps, tf) => ({
        loss: tf.div(
          tf.addN(lps.map((lp: any) => tf.add(tf.logSumExp(lp), tf.mul(0.1, tf.sum(tf.square(lp)))))),
          lps.length,
        ),
        metrics: { seen: lps.length },
      }),
    });
    expect(loss).toBeCloseTo(plain(logprobs), 4);
    expect(metrics).toEqual({ seen: 2 });
    logprobs.forEach((lp, i) =>
      lp.forEach((_, j) => expect(grads[i][j]).toBeCloseTo(finiteDifference(plain, logprobs, i, j), 3)),
    );
  });

  it('sends weights = −grad so the server CE (Σ −w·lp) has exactly the custom gradient', async () => {
    const forward = forwardDataForCustomLoss(data);
    expect(forward[0].loss_fn_inputs.weights).toEqual({ data: [0, 0, 0], dtype: 'float32', shape: [3] });
    expect(forward[1]).toBe(data[1]);
    const { grads } = await customLossGradients(data, logprobs, (_d, lps) => ({
      loss: plain(lps),
      grads: lps.map((lp, i) => lp.map((_, j) => finiteDifference(plain, lps, i, j))),
    }));
    const backward = backwardData(data, grads);
    // The server's loss with these weights, as a function of the logprobs:
    const surrogate = (lps: number[][]) =>
      lps.reduce(
        (acc, lp, i) => acc + lp.reduce((s, x, j) => s - x * backward[i].loss_fn_inputs.weights.data[j], 0),
        0,
      );
    logprobs.forEach((lp, i) =>
      lp.forEach((_, j) => expect(finiteDifference(surrogate, logprobs, i, j)).toBeCloseTo(grads[i][j], 6)),
    );
    expect(backward[1].loss_fn_inputs.target_tokens).toBe(data[1].loss_fn_inputs.target_tokens);
    expect(backward[1].model_input).toBe(data[1].model_input);
  });

  it('validates inputs, gradient shapes and forward outputs', async () => {
    expect(() => forwardDataForCustomLoss([datum([1], { weights: [1] })])).toThrow(/target_tokens/);
    expect(() => forwardDataForCustomLoss([datum([1], { target_tokens: [1], advantages: [1] })])).toThrow(
      ValidationError,
    );
    await expect(
      customLossGradients(data, logprobs, () => ({ loss: 0, grads: [[1]] })),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      customLossGradients(data, logprobs, {
        autodiff: (_d, lps, tf) => tf.stack(lps.map((lp: any) => tf.sum(lp))),
      }),
    ).rejects.toThrow(/scalar/);
    const out = {
      loss_fn_output_type: 'x',
      loss_fn_outputs: [{ logprobs: { data: [-1, -2], dtype: 'float32' as const } }],
      metrics: {},
    };
    expect(logprobsFromForward(out, 1)).toEqual({ values: [[-1, -2]], shapes: [[2]] });
    expect(() => logprobsFromForward(out, 2)).toThrow(ValidationError);
  });
});
