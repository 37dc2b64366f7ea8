import { describe, expect, it } from '@jest/globals';
import { BUCKET_GROWTH, LatencyHistogram } from '../../../src/kernel/metrics/latency-histogram.js';

/** Nearest-rank quantile of the exact values, the definition the histogram approximates. */
function exact(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

describe('LatencyHistogram', () => {
  it('reports p50/p95/p99 never below the exact value and at most one bucket (5 %) above it', () => {
    // A deterministic spread over five decades (LCG), like request latencies with a long tail.
    let seed = 42;
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      values.push(0.5 * 10 ** (5 * (seed / 2 ** 31)));
    }
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    const summary = h.summary();
    for (const [q, key] of [
      [0.5, 'p50'],
      [0.95, 'p95'],
      [0.99, 'p99'],
    ] as const) {
      const truth = exact(sorted, q);
      expect(summary[key]).toBeGreaterThanOrEqual(truth);
      expect(summary[key]).toBeLessThanOrEqual(truth * BUCKET_GROWTH * (1 + 1e-9));
    }
    expect(summary.count).toBe(values.length);
    expect(summary.min).toBe(sorted[0]);
    expect(summary.max).toBe(sorted.at(-1));
    expect(summary.sum).toBeCloseTo(
      values.reduce((a, b) => a + b, 0),
      3,
    );
  });

  it('clamps quantiles to the observed range, so a single value is reported exactly', () => {
    const h = new LatencyHistogram();
    h.record(123.4);
    expect(h.summary()).toMatchObject({ count: 1, p50: 123.4, p95: 123.4, p99: 123.4, mean: 123.4 });
  });

  it('is all zeros when empty and ignores non-finite values', () => {
    const h = new LatencyHistogram();
    h.record(Number.NaN);
    h.record(Infinity);
    expect(h.summary()).toEqual({ count: 0, sum: 0, min: 0, max: 0, mean: 0, p50: 0, p95: 0, p99: 0 });
  });
});
