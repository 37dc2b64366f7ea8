import { ByteModel, CORE, type AdapterWeights } from './byte-model.js';
import { prng } from './prng.js';

export interface SamplingSettings {
  max_tokens: number;
  temperature: number;
  top_k: number;
  top_p: number;
  seed?: number;
  /** Stop strings (byte sequences) or stop token ids. */
  stopStrings: number[][];
  stopTokens: number[];
}

export interface SampledSequence {
  tokens: number[];
  logprobs: number[];
  stop_reason: 'length' | 'stop';
}

/** 0, 1, … CORE − 1: the order `pick` ranks candidates from (it never changes). */
const IDENTITY = Int32Array.from({ length: CORE }, (_, j) => j);

/**
 * Autoregressive sampling from the byte core. Temperature 0 is greedy; top-k and top-p filter the core
 * distribution.
 *
 * While the adapter adds nothing (an untrained one: a base-model sampler), each step's logits and, at
 * temperature 1, its distribution depend on the previous byte alone: they are taken from the model's
 * per-byte rows (`ByteModel.plainRow`), computed once by the same code, so every number is the same.
 */
export function sampleSequence(
  model: ByteModel,
  adapter: AdapterWeights,
  prompt: number[],
  settings: SamplingSettings,
  random: () => number,
): SampledSequence {
  const steps = new SequenceSteps(model, adapter, prompt, settings, random);
  while (steps.next());
  return steps.result;
}

/**
 * One sequence being sampled, a token per `next()` (the SSE extension writes each as it comes): the same
 * tokens and logprobs as `sampleSequence` for the same `random`. A class, not a closure: `asample` makes one
 * per sequence, and a closure with a getter doubled the cost of an 8-token sample.
 */
export class SequenceSteps {
  readonly result: SampledSequence = { tokens: [], logprobs: [], stop_reason: 'length' };
  /** True once the sequence has ended (a stop, or `max_tokens`). */
  done: boolean;
  private readonly plain: boolean;
  private scratch: Float64Array | undefined;
  private probs: Float64Array | undefined;
  /** The last two tokens: all the model reads (a long sequence must not grow it). */
  private prev1: number;
  private prev2: number;

  constructor(
    private readonly model: ByteModel,
    private readonly adapter: AdapterWeights,
    prompt: number[],
    private readonly settings: SamplingSettings,
    private readonly random: () => number,
  ) {
    this.plain = model.addsNothing(adapter);
    this.prev1 = prompt[prompt.length - 1] ?? 0;
    this.prev2 = prompt[prompt.length - 2] ?? 0;
    this.done = settings.max_tokens <= 0;
  }

  /** Sample one more token (its logprob is `result.logprobs.at(-1)`); false once the sequence has ended. */
  next(): boolean {
    if (this.done) return false;
    const { model, adapter, settings, random, result } = this;
    const row = this.plain ? model.plainRow(adapter, this.prev2, this.prev1) : undefined;
    let logits: Float64Array;
    let logZ: number;
    let token: number;
    if (row) {
      logits = row.logits;
      logZ = row.logZ;
      if (settings.temperature === 1) {
        row.probs ??= distribution(logits, new Float64Array(CORE), 1);
        token = draw(row.probs, settings, random);
      } else {
        token = pick(logits, (this.probs ??= new Float64Array(CORE)), settings, random);
      }
    } else {
      logits = this.scratch ??= new Float64Array(CORE);
      logZ = model.logits(adapter, this.prev2, this.prev1, logits);
      token = pick(logits, (this.probs ??= new Float64Array(CORE)), settings, random);
    }
    const { tokens } = result;
    tokens.push(token);
    result.logprobs.push(ByteModel.logprob(logits, logZ, token));
    this.prev2 = this.prev1;
    this.prev1 = token;
    if (settings.stopTokens.includes(token) || settings.stopStrings.some((s) => endsWith(tokens, s))) {
      result.stop_reason = 'stop';
      this.done = true;
    } else if (tokens.length >= settings.max_tokens) this.done = true;
    return true;
  }
}

function pick(logits: Float64Array, probs: Float64Array, s: SamplingSettings, random: () => number): number {
  if (s.temperature <= 0) {
    let best = 0;
    for (let j = 1; j < CORE; j++) if (logits[j] > logits[best]) best = j;
    return best;
  }
  return draw(distribution(logits, probs, s.temperature), s, random);
}

/** Fill `probs` with the softmax of `logits / temperature` over the core; returns it. */
function distribution(logits: Float64Array, probs: Float64Array, temperature: number): Float64Array {
  let max = -Infinity;
  for (let j = 0; j < CORE; j++) max = Math.max(max, logits[j]);
  let sum = 0;
  for (let j = 0; j < CORE; j++) sum += probs[j] = Math.exp((logits[j] - max) / temperature);
  for (let j = 0; j < CORE; j++) probs[j] /= sum;
  return probs;
}

/** Draw a token from a core distribution, after the top-k and top-p filters. */
function draw(probs: Float64Array, s: SamplingSettings, random: () => number): number {
  const k = s.top_k > 0 ? Math.min(s.top_k, CORE) : CORE;
  if (k < CORE || s.top_p < 1) {
    const sorted = Array.from(IDENTITY).sort((a, b) => probs[b] - probs[a]);
    let mass = 0;
    let kept = 0;
    for (; kept < k; kept++) {
      mass += probs[sorted[kept]];
      if (mass >= s.top_p) {
        kept++;
        break;
      }
    }
    let r = random() * mass;
    for (let i = 0; i < kept; i++) {
      r -= probs[sorted[i]];
      if (r <= 0) return sorted[i];
    }
    return sorted[kept - 1];
  }
  let r = random();
  for (let j = 0; j < CORE; j++) {
    r -= probs[j];
    if (r <= 0) return j;
  }
  return CORE - 1;
}

function endsWith(tokens: number[], suffix: number[]): boolean {
  if (suffix.length === 0 || suffix.length > tokens.length) return false;
  for (let i = 1; i <= suffix.length; i++)
    if (tokens[tokens.length - i] !== suffix[suffix.length - i]) return false;
  return true;
}

/** A PRNG for one sample request: seeded when the client asks for reproducibility. */
export function samplingRandom(seed: number | undefined, fallback: () => number): () => number {
  return seed === undefined ? fallback : prng(seed);
}
