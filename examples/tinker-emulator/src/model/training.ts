import { ByteModel, CORE, type AdapterWeights } from './byte-model.js';

export interface Sequence {
  tokens: number[];
  targets: number[];
  weights: number[];
  /** importance_sampling inputs. */
  old_logprobs?: number[];
  advantages?: number[];
}

export interface PassResult {
  logprobs: number[];
  elementwise: number[];
  loss: number;
}

/** Gradient buffers with the adapter's shape. */
export interface Gradients {
  u: Float64Array;
  v: Float64Array;
}

export function zeroGradients(w: AdapterWeights): Gradients {
  return { u: new Float64Array(w.u.length), v: new Float64Array(w.v.length) };
}

/**
 * One forward (and optionally backward) pass over a sequence. Position t predicts `targets[t]` from
 * `tokens[..t]`. The loss is the Python SDK's: cross_entropy Σ −w·logp, importance_sampling
 * Σ −adv·exp(logp − old_logp). Gradients flow into the adapter only.
 */
export function runSequence(
  model: ByteModel,
  adapter: AdapterWeights,
  seq: Sequence,
  lossFn: 'cross_entropy' | 'importance_sampling',
  grads?: Gradients,
): PassResult {
  const logits = new Float64Array(CORE);
  const dLogits = new Float64Array(CORE);
  const logprobs: number[] = [];
  const elementwise: number[] = [];
  let loss = 0;
  const { rank, u, v } = adapter;
  for (let t = 0; t < seq.tokens.length; t++) {
    const prev1 = seq.tokens[t];
    const prev2 = t > 0 ? seq.tokens[t - 1] : 0;
    const logZ = model.logits(adapter, prev2, prev1, logits);
    const target = seq.targets[t];
    const lp = ByteModel.logprob(logits, logZ, target);
    logprobs.push(lp);
    let coefficient: number; // d loss / d logprob at this position
    if (lossFn === 'cross_entropy') {
      const w = seq.weights[t] ?? 1;
      elementwise.push(-w * lp);
      loss += -w * lp;
      coefficient = -w;
    } else {
      const ratio = Math.exp(lp - (seq.old_logprobs?.[t] ?? lp));
      const adv = seq.advantages?.[t] ?? 0;
      elementwise.push(-adv * ratio);
      loss += -adv * ratio;
      coefficient = -adv * ratio;
    }
    if (!grads || coefficient === 0) continue;
    // d logp(target) / d logit_j = 1[j = target] − p_j (only core logits are trainable).
    for (let j = 0; j < CORE; j++)
      dLogits[j] = coefficient * ((j === target ? 1 : 0) - Math.exp(logits[j] - logZ));
    // One rank at a time, so V and its gradient are read in order. Every gradient entry still gets the
    // same additions in the same order (U's over j ascending; a Float64Array holds what a local sum
    // holds), and a zero dLogit still adds nothing: the sums are bit for bit those of a j-major loop.
    const ctx = ByteModel.context(prev2, prev1) * rank;
    for (let k = 0; k < rank; k++) {
      const uk = u[ctx + k];
      const row = k * CORE;
      let gu = grads.u[ctx + k];
      let added = false;
      for (let j = 0; j < CORE; j++) {
        const dLogit = dLogits[j];
        if (dLogit === 0) continue;
        grads.v[row + j] += uk * dLogit;
        gu += v[row + j] * dLogit;
        added = true;
      }
      if (added) grads.u[ctx + k] = gu;
    }
  }
  return { logprobs, elementwise, loss };
}
