// One sampling fan-out in a fresh process, so its peak RSS is not inflated by whatever ran before it
// in the bench process. Usage: node bench/fanout-child.mjs '<chaos spec>' ['<ServiceClient options JSON>']
// → prints one JSON line.
import { childServer, median, peakRss, percentile } from './lib.mjs';
import { benchClient } from './tinkex-client.mjs';

const chaos = process.argv[2] ?? '';
const options = process.argv[3] ? JSON.parse(process.argv[3]) : {};
const emulator = await childServer('./emulator-child.mjs', [chaos]);
const rssAtStart = process.memoryUsage().rss;
const service = benchClient(emulator.url, options);
const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
const sample = () => sampler.sample({ prompt: [72, 105], sampling_params: { max_tokens: 8 } });
await Promise.all(Array.from({ length: 200 }, sample)); // warm-up: JIT, sockets, validators
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
await service.close();
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
  })}\n`,
);
