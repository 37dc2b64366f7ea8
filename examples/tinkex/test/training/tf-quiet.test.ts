import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { customLossGradients } from '../../src/training/custom-loss.js';
import { datum } from '../../src/types/datum.js';

afterEach(() => {
  jest.restoreAllMocks();
});

describe('the custom loss on tfjs', () => {
  // Its own file: the banner is printed on the first tensor of a process (of a Jest module registry).
  it("prints nothing to the user's console the first time it runs (no tfjs-node advice)", async () => {
    const warned: unknown[][] = [];
    jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warned.push(args));
    const logged: unknown[][] = [];
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
    const { loss } = await customLossGradients([datum([1, 2], { target_tokens: [2, 3] })], [[-0.5, -1.5]], {
      autodiff: (_data, lps, tf) => tf.neg(tf.sum(lps[0])),
    });
    expect(loss).toBeCloseTo(2, 6);
    expect([...warned, ...logged]).toEqual([]);
  });
});
