// One sampling fan-out in a fresh process, so its peak RSS is not inflated by whatever ran before it
// in the bench process. Usage: node bench/fanout-child.mjs '<chaos spec>' ['<ServiceClient options JSON>']
// ['<emulator options JSON>'] → prints one JSON line.
import { childServer, median, peakRss, percentile, threadCpuUs } from './lib.mjs';
import { benchClient } from './tinkex-client.mjs';

const chaos = process.argv[2] ?? '';
const options = process.argv[3] ? JSON.parse(process.argv[3]) : {};
const emulator = await childServer('./emulator-child.mjs', [chaos, process.argv[4] ?? '{}']);
const rssAtStart = process.memoryUsage().rss;
const service = benchClient(emulator.url, options);
const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
const sample = () => sampler.sample({ prompt: [72, 105], sampling_params: { max_tokens: 8 } });
await Promise.all(Array.from({ length: 200 }, sample)); // warm-up: JIT, sockets, validators
const rssBeforeBurst = process.memoryUsage().rss;
const latencies = [];
const emulatorAtStart = await emulator.stats();
const cpuAtStart = process.cpuUsage();
const threadsAtStart = threadCpuUs();
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
const cpu = process.cpuUsage(cpuAtStart);
const threadsAtEnd = threadCpuUs();
// Loaded and read once the peak was taken, so neither can move it (a module loaded at start shifts
// when the first mark-compact comes, and with it the peak: docs/performance-notes.md, round 12 notes).
const afterBurst = (await import('./memory-split.mjs')).memorySplit();
const emulatorAtEnd = await emulator.stats();
const requestsPerSample = (pathEnd) => {
  const count = (stats) =>
    Object.entries(stats.requests)
      .filter(([path]) => path.endsWith(pathEnd))
      .reduce((sum, [, n]) => sum + n, 0);
  return (count(emulatorAtEnd) - count(emulatorAtStart)) / 2000;
};
/** Per-thread CPU per sample of the burst (Linux only): main thread and the others (V8's compiler, GC). */
const threadsPerSample = (start, end) =>
  start && end
    ? { main: (end.main - start.main) / 2000, helpers: (end.helpers - start.helpers) / 2000 }
    : undefined;
const protocol = service.protocol.mode;
await service.close();
await emulator.stop();
const mb = (bytes) => bytes / 1024 / 1024;
process.stdout.write(
  `${JSON.stringify({
    protocol,
    samples_per_s: 2000 / seconds,
    // CPU time of this (client) process per sample: steadier than the rate on a loaded machine.
    client_cpu_us_per_sample: (cpu.user + cpu.system) / 2000,
    // The emulator runs on the same cores: its CPU per sample lowers the client's rate too.
    emulator_cpu_us_per_sample: (emulatorAtEnd.cpu_us - emulatorAtStart.cpu_us) / 2000,
    client_threads_cpu_us_per_sample: threadsPerSample(threadsAtStart, threadsAtEnd),
    emulator_threads_cpu_us_per_sample: threadsPerSample(emulatorAtStart.threads, emulatorAtEnd.threads),
    submits_per_sample: requestsPerSample('/asample'),
    polls_per_sample: requestsPerSample('/retrieve_future'),
    p50_ms: median(latencies),
    p99_ms: percentile(latencies, 99),
    peak_rss_mb: mb(peak),
    rss_at_start_mb: mb(rssAtStart),
    rss_before_burst_mb: mb(rssBeforeBurst),
    after_burst: afterBurst,
  })}\n`,
);
