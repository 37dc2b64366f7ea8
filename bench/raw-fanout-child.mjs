// The baseline of the sampling fan-out: a minimal raw-undici client that performs the same protocol
// (submit `asample`, poll `retrieve_future` until the result) against the same emulator, in a fresh
// process, with the same burst as bench/fanout-child.mjs. Usage: node bench/raw-fanout-child.mjs
// '<chaos spec>' → prints one JSON line (throughput, peak RSS, client CPU µs per sample).
import { Agent } from 'undici';
import { childServer, median, peakRss, percentile } from './lib.mjs';

const chaos = process.argv[2] ?? '';
const emulator = await childServer('./emulator-child.mjs', [chaos]);
const rssAtStart = process.memoryUsage().rss;
const { origin } = new URL(emulator.url);
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
const headers = { 'x-api-key': 'tml-bench', 'content-type': 'application/json' };

/** One POST; a 5xx or a connection error is retried after a short pause (the chaos scenario's 5%). */
async function post(path, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await agent.request({
        origin,
        path: `/api/v1/${path}`,
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      const json = await r.body.json();
      if (r.statusCode < 500) return json;
    } catch (error) {
      if (attempt >= 10) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** Math.min(attempt, 4)));
  }
}

const session = (await post('create_session', { tags: [], sdk_version: 'bench' })).session_id;
const sampler = (
  await post('create_sampling_session', {
    session_id: session,
    sampling_session_seq_id: 0,
    base_model: 'meta-llama/Llama-3.2-1B',
  })
).sampling_session_id;
let seq = 0;
const sample = async () => {
  const { request_id } = await post('asample', {
    prompt: { chunks: [{ type: 'encoded_text', tokens: [72, 105] }] },
    num_samples: 1,
    sampling_params: { max_tokens: 8 },
    sampling_session_id: sampler,
    seq_id: seq++,
  });
  for (;;) {
    const r = await post('retrieve_future', { request_id });
    if (r.type !== 'try_again') return r;
  }
};
await Promise.all(Array.from({ length: 200 }, sample)); // warm-up, as the Tinkex child does
const rssBeforeBurst = process.memoryUsage().rss;
const latencies = [];
const cpu0 = process.cpuUsage();
const start = performance.now();
const { peak } = await peakRss(() =>
  Promise.all(
    Array.from({ length: 2000 }, async () => {
      const t = performance.now();
      await sample();
      latencies.push(performance.now() - t);
    }),
  ),
);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
// Loaded and read once the peak was taken, so neither can move it (a module loaded at start shifts
// when the first mark-compact comes, and with it the peak: docs/performance-notes.md, round 12 notes).
const afterBurst = (await import('./memory-split.mjs')).memorySplit();
await agent.close();
await emulator.stop();
const mb = (bytes) => bytes / 1024 / 1024;
process.stdout.write(
  `${JSON.stringify({
    samples_per_s: 2000 / seconds,
    p50_ms: median(latencies),
    p99_ms: percentile(latencies, 99),
    client_cpu_us_per_sample: (cpu.user + cpu.system) / 2000,
    peak_rss_mb: mb(peak),
    rss_at_start_mb: mb(rssAtStart),
    rss_before_burst_mb: mb(rssBeforeBurst),
    after_burst: afterBurst,
  })}\n`,
);
