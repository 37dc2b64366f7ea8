import { describe, expect, it } from '@jest/globals';
import { ByteModel, CORE, createAdapter, type AdapterWeights } from '../src/model/byte-model.js';
import { prng } from '../src/model/prng.js';
import { runSequence, zeroGradients, type Gradients, type Sequence } from '../src/model/training.js';

/**
 * The forward and backward pass written out once, plainly, position by position and logit by logit
 * (j-major): what `runSequence` must compute bit for bit, gradients included.
 */
function referencePass(
  model: ByteModel,
  adapter: AdapterWeights,
  seq: Sequence,
  lossFn: 'cross_entropy' | 'importance_sampling',
  grads: Gradients,
) {
  const logits = new Float64Array(CORE);
  const logprobs: number[] = [];
  let loss = 0;
  const { rank, u, v } = adapter;
  for (let t = 0; t < seq.tokens.length; t++) {
    const prev1 = seq.tokens[t];
    const prev2 = t > 0 ? seq.tokens[t - 1] : 0;
    const logZ = model.logits(adapter, prev2, prev1, logits);
    const target = seq.targets[t];
    const lp = ByteModel.logprob(logits, logZ, target);
    logprobs.push(lp);
    let coefficient: number;
    if (lossFn === 'cross_entropy') {
      const w = seq.weights[t] ?? 1;
      loss += -w * lp;
      coefficient = -w;
    } else {
      const ratio = Math.exp(lp - (seq.old_logprobs?.[t] ?? lp));
      const adv = seq.advantages?.[t] ?? 0;
      loss += -adv * ratio;
      coefficient = -adv * ratio;
    }
    if (coefficient === 0) continue;
    const ctx = ByteModel.context(prev2, prev1) * rank;
    for (let j = 0; j < CORE; j++) {
      const dLogit = coefficient * ((j === target ? 1 : 0) - Math.exp(logits[j] - logZ));
      if (dLogit === 0) continue;
      for (let k = 0; k < rank; k++) {
        grads.v[k * CORE + j] += u[ctx + k] * dLogit;
        grads.u[ctx + k] += v[k * CORE + j] * dLogit;
      }
    }
  }
  return { logprobs, loss };
}

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function trainedAdapter(rank: number, seed: number): AdapterWeights {
  const adapter = createAdapter(rank, seed);
  const random = prng(seed + 1);
  for (let i = 0; i < adapter.v.length; i++) adapter.v[i] = (random() - 0.5) * 0.2;
  return adapter;
}

describe('runSequence', () => {
  const text = [...Buffer.from('The quick brown fox jumps over the lazy dog. ')];
  const random = prng(11);
  const seq: Sequence = {
    tokens: text.slice(0, -1),
    targets: [...text.slice(1, -1), 1000],
    weights: text.slice(1).map((_, i) => (i % 5 === 0 ? 0 : 1 + i / 10)),
    old_logprobs: text.slice(1).map(() => -5 * random()),
    advantages: text.slice(1).map((_, i) => (i % 4 === 0 ? 0 : random() - 0.5)),
  };

  for (const [name, adapter] of [
    ['rank 1, untrained', createAdapter(1, 2)],
    ['rank 8, trained', trainedAdapter(8, 3)],
    ['rank 32, trained', trainedAdapter(32, 4)],
  ] as const) {
    for (const lossFn of ['cross_entropy', 'importance_sampling'] as const) {
      it(`gives the reference pass's logprobs, loss and gradients bit for bit (${name}, ${lossFn})`, () => {
        const model = new ByteModel(128256, 5);
        const ours = zeroGradients(adapter);
        const theirs = zeroGradients(adapter);
        // Three passes into the same gradients: the accumulation order matters from the second on.
        for (let pass = 0; pass < 3; pass++) {
          const a = runSequence(model, adapter, seq, lossFn, ours);
          const b = referencePass(model, adapter, seq, lossFn, theirs);
          expect(bits(new Float64Array(a.logprobs))).toBe(bits(new Float64Array(b.logprobs)));
          expect(Object.is(a.loss, b.loss)).toBe(true);
          expect(bits(ours.u)).toBe(bits(theirs.u));
          expect(bits(ours.v)).toBe(bits(theirs.v));
        }
      });
    }
  }
});
