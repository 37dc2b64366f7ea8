// `npm run bench`: build, run every benchmark, write bench/results/latest.json and docs/performance.md.
import { execSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync, readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
if (!process.argv.includes('--no-build')) {
  for (const project of ['tsconfig.build.json', 'examples/tinkex/tsconfig.build.json']) {
    const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], {
      cwd: root,
      stdio: 'inherit',
    });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
const { kernelOverhead } = await import('./kernel-overhead.mjs');
const { sse, validation, tensorData } = await import('./micro.mjs');
const { samplingFanout, emulatorAlone, trainingThroughput } = await import('./tinkex.mjs');

const started = Date.now();
const results = {};
for (const [name, fn] of [
  ['kernel_overhead', kernelOverhead],
  ['sse_decoding', sse],
  ['validation', validation],
  ['tensor_data', tensorData],
  ['emulator_alone', emulatorAlone],
  ['sampling_fanout', samplingFanout],
  ['training_throughput', trainingThroughput],
]) {
  process.stderr.write(`bench: ${name}…\n`);
  results[name] = await fn();
}
let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim();
} catch {
  // not a git checkout: keep "unknown"
}
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  commit,
  seconds: (Date.now() - started) / 1000,
  results,
};
writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);

const f = (x, d = 2) => (typeof x === 'number' ? x.toFixed(d) : String(x));
const k = results.kernel_overhead;
const table = [
  `Measured ${report.date} on Node ${report.node}, ${report.cpu} (${report.cores} cores), commit ${commit}; the run took ${f(report.seconds, 0)} s.`,
  '',
  '| benchmark | measured | baseline | ratio | target |',
  '| --- | --- | --- | --- | --- |',
  `| unary call latency, c=1, undici adapter | ${f(k.kernel_undici.latency_us_c1, 0)} µs | raw undici ${f(k.raw_undici.latency_us_c1, 0)} µs | ${f(k.ratios.undici_latency)}× | ≤ 1.25× |`,
  `| unary throughput, c=64, undici adapter | ${f(k.kernel_undici.throughput_rps_c64, 0)} req/s | raw undici ${f(k.raw_undici.throughput_rps_c64, 0)} req/s | ${f(k.ratios.undici_throughput)}× | ≥ 0.80× |`,
  `| unary call latency, c=1, got adapter | ${f(k.kernel_got.latency_us_c1, 0)} µs | raw got ${f(k.raw_got.latency_us_c1, 0)} µs | ${f(k.ratios.got_latency)}× | ≤ 1.10× |`,
  `| unary throughput, c=64, got adapter | ${f(k.kernel_got.throughput_rps_c64, 0)} req/s | raw got ${f(k.raw_got.throughput_rps_c64, 0)} req/s | ${f(k.ratios.got_throughput)}× | ≥ 0.90× |`,
  ...Object.entries(results.sse_decoding).map(
    ([n, r]) =>
      `| SSE decoding, ${n.replace(/_/g, ' ')} | ${f(r.ours_MBps, 1)} MB/s | eventsource-parser ${f(r.eventsource_parser_MBps, 1)} MB/s | ${f(r.ratio)}× | ≥ 1.0× |`,
  ),
  `| ajv validation, forward_backward with 1024 datums | ${f(results.validation.validate_ms)} ms | JSON.stringify ${f(results.validation.stringify_ms)} ms | ${f(results.validation.validate_over_stringify)}× | — |`,
  `| TensorData 1M float32 encode + decode | ${f(results.tensor_data.ours_ms, 1)} ms | naive ${f(results.tensor_data.naive_ms, 1)} ms | ${f(results.tensor_data.speedup)}× faster | — |`,
  `| emulator alone, raw undici, 8-token samples | ${f(results.emulator_alone.samples_per_s, 0)} samples/s | — | — | ≥ 1500/s |`,
  ...Object.entries(results.sampling_fanout).map(
    ([n, r]) =>
      `| Tinkex sampling fan-out, 2,000 requests, ${n.replace(/_/g, ' ')} | ${f(r.samples_per_s, 0)} samples/s, p50 ${f(r.p50_ms, 0)} ms, p99 ${f(r.p99_ms, 0)} ms, peak RSS ${f(r.peak_rss_mb, 0)} MB | — | — | ≥ 750/s, < 160 MB |`,
  ),
  ...Object.entries(results.training_throughput).map(
    ([n, r]) => `| training, ${n.replace('_', ' ')} per step | ${f(r.steps_per_s, 1)} steps/s | — | — | — |`,
  ),
].join('\n');
const doc = new URL('../docs/performance.md', import.meta.url);
let text = '';
try {
  text = readFileSync(doc, 'utf8');
} catch {
  // not a git checkout: keep "unknown"
}
const begin = '<!-- bench:begin -->';
const end = '<!-- bench:end -->';
const block = `${begin}\n${table}\n${end}`;
text = text.includes(begin)
  ? text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), block)
  : `# Performance\n\n${block}\n`;
writeFileSync(doc, text);
process.stdout.write(`${table}\n`);
