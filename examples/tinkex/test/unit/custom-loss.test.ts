import { describe, expect, it } from '@jest/globals';
import {
  backwardData,
  customLossGradients,
  forwardDataForCustomLoss,
} from '../../src/training/custom-loss.js';
import { ValidationError, type Datum } from '../../src/index.js';

const data: Datum[] = [
  {
    model_input: { chunks: [{ tokens: [1, 2, 3] }] },
    loss_fn_inputs: { target_tokens: { data: [2, 3, 4], dtype: 'int64' } },
  },
  {
    model_input: { chunks: [{ tokens: [5, 6] }] },
    loss_fn_inputs: { target_tokens: { data: [6, 7], dtype: 'int64' } },
  },
];
const logprobs = [
  [-1.2, -0.3, -2.5],
  [-0.7, -1.9],
];

/** A nonlinear loss: mean over datums of log-sum-exp of the logprobs, plus a squared penalty. */
const plain = (lps: number[][]) =>
  lps.reduce(
    (acc, lp) =>
      acc + Math.log(lp.reduce((s, x) => s + Math.exp(x), 0)) + 0.1 * lp.reduce((s, x) => s + x * x, 0),
    0,
  ) / lps.length;

describe('forward_backward_custom math', () => {
  it('autodiff gradients match finite differences', async () => {
    const { grads, loss } = await customLossGradients(data, logprobs, {
      autodiff: (_data, lps, tf) =>
        tf.div(
          tf.addN(lps.map((lp: any) => tf.add(tf.logSumExp(lp), tf.mul(0.1, tf.sum(tf.square(lp)))))),
          lps.length,
        ),
    });
    expect(loss).toBeCloseTo(plain(logprobs), 4);
    const h = 1e-4;
    logprobs.forEach((lp, i) =>
      lp.forEach((_, j) => {
        const up = logprobs.map((r) => [...r]);
        const down = logprobs.map((r) => [...r]);
        up[i][j] += h;
        down[i][j] -= h;
        expect(grads[i][j]).toBeCloseTo((plain(up) - plain(down)) / (2 * h), 3);
      }),
    );
  });

  it('turns gradients into cross_entropy weights = −grad, and adds zero weights for the forward pass', async () => {
    const forward = forwardDataForCustomLoss(data);
    expect(forward[0].loss_fn_inputs.weights.data).toEqual([0, 0, 0]);
    const { grads } = await customLossGradients(data, logprobs, (_d, lps) => ({
      loss: 0,
      grads: lps.map((lp) => lp.map((x) => 2 * x)),
    }));
    const backward = backwardData(forward, grads);
    expect(backward[1].loss_fn_inputs.weights.data).toEqual([1.4, 3.8]);
    expect(backward[1].loss_fn_inputs.target_tokens).toBe(data[1].loss_fn_inputs.target_tokens);
  });

  it('rejects gradients of the wrong shape and inputs other than target_tokens/weights', async () => {
    await expect(
      customLossGradients(data, logprobs, () => ({ loss: 0, grads: [[1]] })),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(() =>
      forwardDataForCustomLoss([
        {
          ...data[0],
          loss_fn_inputs: { ...data[0].loss_fn_inputs, advantages: { data: [1, 1, 1], dtype: 'float32' } },
        },
      ]),
    ).toThrow(ValidationError);
  });
});
