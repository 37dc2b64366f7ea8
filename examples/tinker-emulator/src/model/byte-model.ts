import { gaussian, prng } from './prng.js';

/** The byte-level core: token ids 0..255 are UTF-8 bytes; larger ids fold onto it. */
export const CORE = 256;
/** Buckets for the hashed two-byte context the adapter sees. */
export const CONTEXT_BUCKETS = 4096;
/** Logit of every id outside the core: a fixed, tiny share of the probability mass. */
const TAIL_LOGIT = -30;

/** Trainable LoRA-style adapter: logits += U[context] · V. Only these weights ever change. */
export interface AdapterWeights {
  rank: number;
  u: Float32Array; // CONTEXT_BUCKETS × rank
  v: Float32Array; // rank × CORE
}

export function createAdapter(rank: number, seed: number): AdapterWeights {
  const random = prng(seed ^ 0x9e3779b9);
  const u = new Float32Array(CONTEXT_BUCKETS * rank);
  for (let i = 0; i < u.length; i++) u[i] = gaussian(random) * 0.1;
  // V starts at zero (as LoRA's B does), so an untrained adapter is exactly the base model.
  return { rank, u, v: new Float32Array(rank * CORE) };
}

export function cloneAdapter(w: AdapterWeights): AdapterWeights {
  return { rank: w.rank, u: new Float32Array(w.u), v: new Float32Array(w.v) };
}

/**
 * The logits after one previous byte when the adapter adds nothing, with their log Z: what `logits`
 * computes then, kept (see `ByteModel.plainRow`). `probs` is filled by the sampler on first use.
 */
export interface PlainRow {
  readonly logits: Float64Array;
  readonly logZ: number;
  /** The sampler's normalized distribution at temperature 1, once computed (see sampler.ts). */
  probs?: Float64Array;
}

/**
 * A frozen base bigram over the byte core, shared by every model of one seed, plus a per-model adapter
 * over a hashed (previous two bytes) context. Probabilities cover the whole advertised vocabulary.
 */
export class ByteModel {
  readonly base: Float32Array; // CORE × CORE
  /**
   * Whether a base logit is −0: then an adapter term of +0 would change its sign, and a row computed
   * with one adapter that adds nothing could differ in that bit from another's (never seen: guarded).
   */
  private readonly baseHasNegativeZero: boolean;
  /** `plainRow`'s results by previous byte, built on first use (the base never changes). */
  private readonly plainRows: (PlainRow | undefined)[] = new Array(CORE);

  constructor(
    readonly vocabSize: number,
    seed: number,
  ) {
    const random = prng(seed);
    this.base = new Float32Array(CORE * CORE);
    for (let i = 0; i < this.base.length; i++) this.base[i] = gaussian(random) * 0.5;
    this.baseHasNegativeZero = this.base.some((x) => Object.is(x, -0));
  }

  /**
   * Whether `adapter` adds exactly nothing to any logit while it stays as it is: every V weight is
   * zero (an untrained adapter, LoRA's B at zero), so each term `u · v` is ±0 wherever U is finite.
   * Checked per use, not remembered: a training run's adapter changes in place.
   */
  addsNothing(adapter: AdapterWeights): boolean {
    if (this.baseHasNegativeZero) return false;
    const { v } = adapter;
    for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
    return true;
  }

  /**
   * `logits` for an adapter that `addsNothing` and whose U weights for this context are finite: the
   * result depends on `prev1` alone, so it is computed once per byte (by `logits` itself) and shared.
   * Undefined when U is not finite there (its product with a zero V is NaN): call `logits` then.
   */
  plainRow(adapter: AdapterWeights, prev2: number, prev1: number): PlainRow | undefined {
    const ctx = ByteModel.context(prev2, prev1) * adapter.rank;
    for (let k = 0; k < adapter.rank; k++) if (!Number.isFinite(adapter.u[ctx + k])) return undefined;
    const byte = prev1 % CORE;
    let row = this.plainRows[byte];
    if (!row) {
      const logits = new Float64Array(CORE);
      row = { logits, logZ: this.logits(adapter, prev2, prev1, logits) };
      this.plainRows[byte] = row;
    }
    return row;
  }

  /** The adapter context bucket for predicting after `prev2, prev1`. */
  static context(prev2: number, prev1: number): number {
    return (((prev2 % CORE) * 131 + (prev1 % CORE) * 7919) >>> 0) % CONTEXT_BUCKETS;
  }

  /** Fill `out` (length CORE) with logits for the next token; returns log Z over the full vocabulary. */
  logits(adapter: AdapterWeights, prev2: number, prev1: number, out: Float64Array): number {
    const row = (prev1 % CORE) * CORE;
    const ctx = ByteModel.context(prev2, prev1) * adapter.rank;
    const { u, v, rank } = adapter;
    for (let j = 0; j < CORE; j++) out[j] = this.base[row + j];
    for (let k = 0; k < rank; k++) {
      const uk = u[ctx + k];
      if (uk === 0) continue;
      const vk = k * CORE;
      for (let j = 0; j < CORE; j++) out[j] += uk * v[vk + j];
    }
    let max = TAIL_LOGIT;
    for (let j = 0; j < CORE; j++) if (out[j] > max) max = out[j];
    let sum = (this.vocabSize - CORE) * Math.exp(TAIL_LOGIT - max);
    for (let j = 0; j < CORE; j++) sum += Math.exp(out[j] - max);
    return max + Math.log(sum);
  }

  /** Log probability of `token` given the logits and log Z. */
  static logprob(logits: Float64Array, logZ: number, token: number): number {
    return (token < CORE ? logits[token] : TAIL_LOGIT) - logZ;
  }
}
