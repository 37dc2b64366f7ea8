/** What `snapshot()` reports for one histogram series. */
export interface HistogramSummary {
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Bucket growth factor: each bucket's upper bound is 5 % above the previous one. */
export const BUCKET_GROWTH = 1.05;
/** Values at or below this share the first bucket (latencies under a microsecond are all "zero"). */
const SMALLEST = 0.001;
/** Buckets above SMALLEST: 0.001 · 1.05^520 ≈ 1e8 (about 28 hours in ms); larger values share the last. */
const BUCKETS = 521;

/**
 * A fixed-size log-bucketed histogram (constant memory, O(1) record, whatever the number of values).
 * A quantile is the upper bound of the bucket holding that rank, clamped to the observed [min, max], so
 * it is never below the true value and at most 5 % above it (relative error ≤ BUCKET_GROWTH − 1) for
 * values in [0.001, 1e8]. Count, sum, min, max and mean are exact.
 */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS + 1);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;

  record(value: number): void {
    if (!Number.isFinite(value)) return;
    const v = Math.max(value, 0);
    this.#counts[bucketOf(v)]++;
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** The q-quantile (0 < q ≤ 1) by the nearest-rank method, within the bucket error; 0 when empty. */
  quantile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i];
      if (seen >= rank) return Math.min(Math.max(upperBound(i), this.#min), this.#max);
    }
    return this.#max;
  }

  summary(): HistogramSummary {
    const empty = this.#count === 0;
    return {
      count: this.#count,
      sum: this.#sum,
      min: empty ? 0 : this.#min,
      max: empty ? 0 : this.#max,
      mean: empty ? 0 : this.#sum / this.#count,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
    };
  }
}

const LOG_GROWTH = Math.log(BUCKET_GROWTH);

function bucketOf(v: number): number {
  if (v <= SMALLEST) return 0;
  return Math.min(BUCKETS, Math.ceil(Math.log(v / SMALLEST) / LOG_GROWTH));
}

function upperBound(bucket: number): number {
  return bucket >= BUCKETS ? Infinity : SMALLEST * BUCKET_GROWTH ** bucket;
}
