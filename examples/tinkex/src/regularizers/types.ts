import type { Datum } from '../types/datum.js';

/** Per-datum logprob rows (the last axis is the inner array), as the custom loss sees them. */
export type Rows = number[][];

/**
 * What a regularizer computes at the current logprobs: its value, the exact gradient of that value
 * with respect to every logprob (same shape), and numeric metrics.
 */
export interface RegularizerResult {
  value: number;
  grad: Rows;
  metrics: Record<string, number>;
}

/** A regularizer: pure, synchronous or async, given the batch and its logprobs. */
export type Regularizer = (
  data: readonly Datum[],
  logprobs: Rows,
) => RegularizerResult | Promise<RegularizerResult>;

/** What the penalty is applied to: the logprobs, the probabilities exp(logprobs), or a datum input. */
export type Target = 'logprobs' | 'probs' | { field: string };
export type Reduction = 'sum' | 'mean';
