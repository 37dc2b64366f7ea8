// A small benchmark harness: warm-up, repeated rounds, medians, and ratios against a baseline measured
// in the same run (timings drift between runs and machines; ratios drift much less).
import { performance } from 'node:perf_hooks';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Median time per operation (µs) of `fn`, over `rounds` rounds of `ops` sequential calls. */
export async function latency(fn, { ops = 500, rounds = 5, warmup = 200 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const perOp = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < ops; i++) await fn();
    perOp.push(((performance.now() - start) * 1000) / ops);
  }
  return median(perOp);
}

/** Median throughput (ops/s) with `concurrency` workers doing `ops` calls in total, over `rounds`. */
export async function throughput(fn, { concurrency = 64, ops = 5000, rounds = 3, warmup = 500 } = {}) {
  const run = async (n) => {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < n) await fn();
      }),
    );
    return n / ((performance.now() - start) / 1000);
  };
  await run(warmup);
  const results = [];
  for (let r = 0; r < rounds; r++) results.push(await run(ops));
  return median(results);
}

/** Median wall time (ms) of a synchronous or async job. */
export async function timeJob(fn, { rounds = 5, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Track peak RSS while `fn` runs. */
export async function peakRss(fn, intervalMs = 20) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), intervalMs);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peak };
  } finally {
    clearInterval(timer);
  }
}
