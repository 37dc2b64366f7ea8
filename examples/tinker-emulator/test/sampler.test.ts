import { describe, expect, it } from '@jest/globals';
import { ByteModel, CORE, createAdapter, type AdapterWeights } from '../src/model/byte-model.js';
import { prng } from '../src/model/prng.js';
import { sampleSequence, type SampledSequence, type SamplingSettings } from '../src/model/sampler.js';

/**
 * The sampler written out once, plainly: the model's logits at every step, then softmax, the top-k /
 * top-p filter and the draw. `sampleSequence` takes shortcuts (per-byte rows for an adapter that adds
 * nothing); it must return exactly this, bit for bit.
 */
function referenceSample(
  model: ByteModel,
  adapter: AdapterWeights,
  prompt: number[],
  s: SamplingSettings,
  random: () => number,
): SampledSequence {
  const logits = new Float64Array(CORE);
  const probs = new Float64Array(CORE);
  const context = prompt.slice(-2);
  const tokens: number[] = [];
  const logprobs: number[] = [];
  const drawOne = (): number => {
    if (s.temperature <= 0) {
      let best = 0;
      for (let j = 1; j < CORE; j++) if (logits[j] > logits[best]) best = j;
      return best;
    }
    let max = -Infinity;
    for (let j = 0; j < CORE; j++) max = Math.max(max, logits[j]);
    let sum = 0;
    for (let j = 0; j < CORE; j++) sum += probs[j] = Math.exp((logits[j] - max) / s.temperature);
    for (let j = 0; j < CORE; j++) probs[j] /= sum;
    const k = s.top_k > 0 ? Math.min(s.top_k, CORE) : CORE;
    const sorted = Array.from({ length: CORE }, (_, j) => j);
    if (k < CORE || s.top_p < 1) sorted.sort((a, b) => probs[b] - probs[a]);
    let mass = 0;
    let kept = 0;
    if (k < CORE || s.top_p < 1) {
      for (; kept < k; kept++) {
        mass += probs[sorted[kept]];
        if (mass >= s.top_p) {
          kept++;
          break;
        }
      }
    } else {
      mass = 1;
      kept = CORE;
    }
    let r = k < CORE || s.top_p < 1 ? random() * mass : random();
    for (let i = 0; i < kept; i++) {
      r -= probs[sorted[i]];
      if (r <= 0) return sorted[i];
    }
    return sorted[kept - 1];
  };
  for (let step = 0; step < s.max_tokens; step++) {
    const logZ = model.logits(adapter, context.at(-2) ?? 0, context.at(-1) ?? 0, logits);
    const token = drawOne();
    tokens.push(token);
    logprobs.push(ByteModel.logprob(logits, logZ, token));
    context.push(token);
    if (s.stopTokens.includes(token)) return { tokens, logprobs, stop_reason: 'stop' };
  }
  return { tokens, logprobs, stop_reason: 'length' };
}

const settings = (over: Partial<SamplingSettings>): SamplingSettings => ({
  max_tokens: 16,
  temperature: 1,
  top_k: -1,
  top_p: 1,
  stopStrings: [],
  stopTokens: [],
  ...over,
});

/** Each logprob's exact bits, so that equal-looking numbers that differ in the last bit fail. */
// Bit for bit, but one NaN for all: a NaN's sign and payload are not part of JavaScript's semantics, and
// V8 gives 0x7ff8… or 0xfff8… for the same expression depending on the tier that ran it (CI saw both).
const exactly = (s: SampledSequence) => ({
  ...s,
  logprobs: s.logprobs.map((x) =>
    Number.isNaN(x) ? 'NaN' : Buffer.from(new Float64Array([x]).buffer).toString('hex'),
  ),
});

const adapters: [string, () => AdapterWeights][] = [
  ['an untrained adapter (V all zero)', () => createAdapter(1, 0)],
  ['an untrained rank-8 adapter', () => createAdapter(8, 3)],
  [
    'a trained adapter',
    () => {
      const adapter = createAdapter(4, 2);
      const random = prng(9);
      for (let i = 0; i < adapter.v.length; i++) adapter.v[i] = random() - 0.5;
      return adapter;
    },
  ],
  [
    'V of negative zeros',
    () => {
      const adapter = createAdapter(1, 5);
      adapter.v.fill(-0);
      return adapter;
    },
  ],
  [
    'V zero but U not finite in some contexts',
    () => {
      const adapter = createAdapter(2, 6);
      for (let prev1 = 0; prev1 < CORE; prev1 += 3)
        adapter.u[ByteModel.context(prev1, prev1) * 2] = prev1 % 2 ? Number.NaN : Infinity;
      return adapter;
    },
  ],
];

const cases: [string, SamplingSettings][] = [
  ['temperature 1', settings({})],
  ['temperature 0.7', settings({ temperature: 0.7 })],
  ['greedy', settings({ temperature: 0 })],
  ['top-k', settings({ top_k: 5 })],
  ['top-p', settings({ top_p: 0.8 })],
  [
    'top-k, top-p, temperature 1.5 and a stop token',
    settings({ temperature: 1.5, top_k: 40, top_p: 0.9, stopTokens: [10] }),
  ],
];

describe('sampleSequence', () => {
  // Built once (65,536 base weights each); their per-byte rows fill as the cases run, in any order.
  const models = [new ByteModel(128256, 1), new ByteModel(256, 7)];
  for (const [adapterName, makeAdapter] of adapters) {
    for (const [caseName, s] of cases) {
      it(`returns the reference sampler's tokens and logprobs bit for bit: ${adapterName}, ${caseName}`, () => {
        for (const model of models) {
          const adapter = makeAdapter();
          for (const prompt of [[72, 105], [1000 % model.vocabSize], [], [3, 3, 3, 200]]) {
            const ours = prng(model.vocabSize + prompt.length);
            const theirs = prng(model.vocabSize + prompt.length);
            // Several sequences in a row: later ones reuse rows the first ones built.
            for (let i = 0; i < 4; i++) {
              expect(exactly(sampleSequence(model, adapter, prompt, s, ours))).toEqual(
                exactly(referenceSample(model, adapter, prompt, s, theirs)),
              );
            }
          }
        }
      });
    }
  }

  it('follows an adapter that is trained between samples (nothing of the untrained rows is reused)', () => {
    const model = new ByteModel(128256, 4);
    const adapter = createAdapter(2, 1);
    const s = settings({});
    const ours = prng(3);
    const theirs = prng(3);
    expect(exactly(sampleSequence(model, adapter, [72, 105], s, ours))).toEqual(
      exactly(referenceSample(model, adapter, [72, 105], s, theirs)),
    );
    adapter.v[7] = 0.25;
    adapter.v[CORE + 72] = -1.5;
    for (let i = 0; i < 4; i++) {
      expect(exactly(sampleSequence(model, adapter, [72, 105], s, ours))).toEqual(
        exactly(referenceSample(model, adapter, [72, 105], s, theirs)),
      );
    }
  });
});
