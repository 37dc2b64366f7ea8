// `npm run bench`: build, run every benchmark, write bench/results/latest.json and docs/performance.md.
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync, readFileSync } from 'node:fs';
import { build } from '../scripts/build.mjs';

const root = new URL('..', import.meta.url).pathname;
if (!process.argv.includes('--no-build') && !build()) process.exit(1);
const { kernelOverhead } = await import('./kernel-overhead.mjs');
const { sse, validation, tensorData } = await import('./micro.mjs');
const { samplingFanout, emulatorAlone } = await import('./tinkex.mjs');
const { trainingThroughput } = await import('./training.mjs');
const { samplingFanoutNode24 } = await import('./fanout-node24.mjs');
const { memory } = await import('./memory.mjs');
const { redisAdapters } = await import('./redis.mjs');
const { protobufVsJson } = await import('./protobuf.mjs');
const { startTime } = await import('./start.mjs');

const started = Date.now();
const results = {};
for (const [name, fn] of [
  ['kernel_overhead', kernelOverhead],
  ['sse_decoding', sse],
  ['validation', validation],
  ['tensor_data', tensorData],
  ['emulator_alone', emulatorAlone],
  ['sampling_fanout', samplingFanout],
  ['sampling_fanout_node24', samplingFanoutNode24],
  ['training_throughput', trainingThroughput],
  ['memory', memory],
  ['redis_adapters', redisAdapters],
  ['protobuf_vs_json', protobufVsJson],
  ['npm_start', startTime],
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
const v = results.validation;
const t = results.training_throughput;
const row = (...cells) => `| ${cells.join(' | ')} |`;
const table = [
  `Measured ${report.date} on Node ${report.node}, ${report.cpu} (${report.cores} cores), commit ${commit}; the run took ${f(report.seconds, 0)} s.`,
  '',
  row('benchmark', 'measured', 'baseline (same run)', 'ratio', 'target'),
  row('---', '---', '---', '---', '---'),
  row(
    'unary call latency, c=1, undici adapter',
    `${f(k.kernel_undici.latency_us_c1, 0)} µs`,
    `raw undici ${f(k.raw_undici.latency_us_c1, 0)} µs`,
    `${f(k.ratios.undici_latency)}×`,
    '≤ 1.25×',
  ),
  row(
    'unary throughput, c=64, undici adapter',
    `${f(k.kernel_undici.throughput_rps_c64, 0)} req/s (${f(k.kernel_undici.client_cpu_us_per_call, 0)} µs CPU/call)`,
    `raw undici ${f(k.raw_undici.throughput_rps_c64, 0)} req/s (${f(k.raw_undici.client_cpu_us_per_call, 0)} µs)`,
    `${f(k.ratios.undici_throughput)}×`,
    '≥ 0.80×',
  ),
  row(
    'unary call latency, c=1, got adapter',
    `${f(k.kernel_got.latency_us_c1, 0)} µs`,
    `raw got ${f(k.raw_got.latency_us_c1, 0)} µs`,
    `${f(k.ratios.got_latency)}×`,
    '≤ 1.10×',
  ),
  row(
    'unary throughput, c=64, got adapter',
    `${f(k.kernel_got.throughput_rps_c64, 0)} req/s`,
    `raw got ${f(k.raw_got.throughput_rps_c64, 0)} req/s`,
    `${f(k.ratios.got_throughput)}×`,
    '≥ 0.90×',
  ),
  ...Object.entries(results.sse_decoding).map(([n, r]) =>
    row(
      `SSE decoding, ${n.replace(/_/g, ' ')}`,
      `${f(r.ours_MBps, 1)} MB/s`,
      `eventsource-parser ${f(r.eventsource_parser_MBps, 1)} MB/s`,
      `${f(r.ratio)}×`,
      '≥ 1.0×',
    ),
  ),
  row(
    'ajv validation, forward_backward: 1,024-datum request + 1,024-output response',
    `${f(v.validate_request_ms)} + ${f(v.validate_response_ms)} ms`,
    `JSON.stringify of the request ${f(v.stringify_ms)} ms`,
    `${f(v.validate_over_stringify)}×`,
    '—',
  ),
  row(
    'TensorData, 1M float32 encode + decode',
    `${f(results.tensor_data.ours_ms, 1)} ms`,
    `naive Array.from + JSON ${f(results.tensor_data.naive_ms, 1)} ms`,
    `${f(results.tensor_data.speedup)}× as fast`,
    '—',
  ),
  row(
    'emulator alone, raw undici, 8-token samples',
    `${f(results.emulator_alone.samples_per_s, 0)} samples/s`,
    '—',
    '—',
    '≥ 1,500/s',
  ),
  ...Object.entries(results.sampling_fanout)
    .filter(([n]) => n !== 'protocol_pairs')
    .map(([n, r]) => {
      const raw = r.raw_undici;
      return row(
        `Tinkex sampling fan-out, 2,000 requests at once, ${n.replace(/_/g, ' ')} (protocol ${r.protocol})`,
        `${f(r.samples_per_s, 0)} samples/s, p50 ${f(r.p50_ms, 0)} ms, p99 ${f(r.p99_ms, 0)} ms, peak RSS ${f(r.peak_rss_mb, 0)} MiB (${r.peak_rss_mb_runs.map((p) => f(p, 0)).join(' / ')}), ${f(r.client_cpu_us_per_sample, 0)} µs CPU/sample`,
        raw
          ? `raw undici ${f(raw.samples_per_s, 0)} samples/s, peak RSS ${f(raw.peak_rss_mb, 0)} MiB, ${f(raw.client_cpu_us_per_sample, 0)} µs CPU/sample`
          : `RSS ${f(r.rss_at_start_mb, 0)} MiB at start, ${f(r.rss_before_burst_mb, 0)} MiB before the burst`,
        raw ? `${f(r.client_cpu_us_per_sample / raw.client_cpu_us_per_sample)}× CPU` : '—',
        raw ? '≥ 750/s, ≤ 128 MiB, CPU ≤ 2×' : '≥ 750/s, ≤ 128 MiB',
      );
    }),
  protocolPairsRow(results.sampling_fanout.protocol_pairs),
  ...node24Rows(results.sampling_fanout_node24),
  ...[1, 8, 64].map((n) => trainingRow(n, t[`datums_${n}`], t.json_protocol[`datums_${n}`], t.pairs)),
  ...protobufRows(results.protobuf_vs_json),
  row(
    'training with chunking: 2,048 datums per step (two requests)',
    `${f(t.datums_2048_two_chunks.datums_per_s, 0)} datums/s`,
    `1,024 datums per step (one request) ${f(t.datums_1024_one_chunk.datums_per_s, 0)} datums/s`,
    `${f(t.chunking_ratio)}×`,
    '—',
  ),
  ...Object.entries(results.memory).map(([n, r]) =>
    row(
      `memory, ${n.replace(/_/g, ' ')}`,
      `peak RSS growth ${f(r.peak_rss_growth_mb, 1)} MiB at ${f(r.MBps, 0)} MB/s`,
      `${f(r.megabytes, 0)} MiB moved`,
      '—',
      '< 64 MiB',
    ),
  ),
  row(
    '`npm start`, nothing changed since the last build: first training step',
    `${f(results.npm_start.first_step_ms, 0)} ms (${results.npm_start.first_step_ms_runs.map((ms) => f(ms, 0)).join(' / ')})`,
    '—',
    '—',
    '≤ 2,000 ms',
  ),
  ...(results.redis_adapters.skipped
    ? [row('Redis adapters', `skipped: ${results.redis_adapters.skipped}`, '—', '—', '—')]
    : Object.entries(results.redis_adapters).flatMap(([n, r]) =>
        ['c1', 'c64'].map((c) =>
          row(
            `Redis ${n.replace(/_/g, ' ')}, ${c.replace('c', 'c=')}, per call`,
            `${f(r[c].redis_us, 0)} µs (+${f(r[c].added_us, 0)} µs)`,
            `in-process ${f(r[c].in_process_us, 1)} µs`,
            '—',
            '—',
          ),
        ),
      )),
].join('\n');
/** The no-chaos fan-out on Node 24 (bench/fanout-node24.mjs), Tinkex and raw undici on the same Node. */
function node24Rows(r) {
  const label = 'Tinkex sampling fan-out on Node 24, 2,000 requests at once, no chaos (protocol v025)';
  if (r.skipped) return [row(label, `skipped: ${r.skipped}`, '—', '—', '≥ 750/s, ≤ 128 MiB, CPU ≤ 2×')];
  const raw = r.raw_undici;
  // After the burst (bench/memory-split.mjs): the young generation is where Node 24 differs most.
  const split = ({ after_burst: m }) =>
    m
      ? `; after the burst (that run): young generation ${f(m.new_space_resident_mb, 0)} MiB resident (${f(m.semi_space_mb, 0)} MiB semi-spaces), old space ${f(m.old_space_resident_mb, 0)}, code ${f(m.code_resident_mb, 0)}, malloc thread arenas ${f(m.thread_arenas_mb, 0)}`
      : '';
  const phases = (x) =>
    `${f(x.rss_at_start_mb, 0)} / ${f(x.rss_before_burst_mb, 0)} / ${f(x.peak_rss_mb, 0)} MiB${split(x)}`;
  return [
    row(
      label.replace('Node 24', `Node ${r.node}`),
      `${f(r.samples_per_s, 0)} samples/s, p50 ${f(r.p50_ms, 0)} ms, p99 ${f(r.p99_ms, 0)} ms, peak RSS ${f(r.peak_rss_mb, 0)} MiB (${r.peak_rss_mb_runs.map((p) => f(p, 0)).join(' / ')}), ${f(r.client_cpu_us_per_sample, 0)} µs CPU/sample`,
      `raw undici on Node ${r.node} ${f(raw.samples_per_s, 0)} samples/s, peak RSS ${f(raw.peak_rss_mb, 0)} MiB (${raw.peak_rss_mb_runs.map((p) => f(p, 0)).join(' / ')}), ${f(raw.client_cpu_us_per_sample, 0)} µs CPU/sample`,
      `${f(r.client_cpu_us_per_sample / raw.client_cpu_us_per_sample)}× CPU`,
      '≥ 750/s, ≤ 128 MiB, CPU ≤ 2×',
    ),
    row(
      `the same on Node ${r.node}: RSS at start / before the burst (the median-rate run) / highest peak`,
      `Tinkex ${phases(r)}`,
      `raw undici ${phases(raw)}`,
      `+${f(r.peak_rss_mb - raw.peak_rss_mb, 0)} MiB at the peak`,
      '—',
    ),
  ];
}

/**
 * Training steps, 0.25 against JSON: medians over back-to-back pairs of fresh processes, each warmed up
 * first (bench/training.mjs); client CPU split into the main thread and V8's helper threads where measured.
 */
function trainingRow(n, p, j, pairs) {
  const cpu = (x) =>
    `CPU/step client ${f(x.client_cpu_us_per_step, 0)} µs${x.client_main_cpu_us_per_step === undefined ? '' : ` (main thread ${f(x.client_main_cpu_us_per_step, 0)}, helpers ${f(x.client_helpers_cpu_us_per_step, 0)})`}, emulator ${f(x.emulator_cpu_us_per_step, 0)} µs`;
  const split =
    p.client_main_cpu_ratio === undefined
      ? ''
      : ` (main thread ${f(p.client_main_cpu_ratio)}×, helpers ${f(p.client_helpers_cpu_ratio)}×)`;
  return row(
    `training, ${n} datum(s) per step (${pairs} back-to-back pairs of fresh processes, order alternating; ${p.steps} steps measured after ${p.warmup_steps} warm-up steps${n > 1 ? ', in a process that ran the smaller sizes first' : ''}; medians of the pairs)`,
    `${f(p.steps_per_s, 1)} steps/s (0.25, protobuf), ${cpu(p)}`,
    `JSON protocol ${f(j.steps_per_s, 1)} steps/s, ${cpu(j)}`,
    `${f(p.rate_ratio)}× rate (pairs ${p.rate_ratios.map((r) => f(r)).join(' / ')}; 0.25 ≥ JSON in ${p.rate_at_least_json} of ${pairs}); CPU client ${f(p.client_cpu_ratio)}×${split}, emulator ${f(p.emulator_cpu_ratio)}×`,
    '≥ 1.0×',
  );
}

/** forward_backward with 1,024 datums: protobuf (0.25) against JSON (0.7.0–0.24.1). */
function protobufRows(p) {
  const kb = (bytes) => `${f(bytes / 1024, 0)} KiB`;
  return [
    row(
      `forward_backward request encode, ${p.datums} datums × ${p.tokens_per_datum} tokens, protobuf`,
      `${f(p.ms.request_encode_protobuf)} ms`,
      `JSON.stringify ${f(p.ms.request_encode_json)} ms (reflective toBinary ${f(p.ms.request_encode_protobuf_reflective)} ms)`,
      `${f(p.ms.request_encode_protobuf / p.ms.request_encode_json)}×`,
      '≤ 1.0×',
    ),
    row(
      `forward_backward result decode, ${p.datums} datums, protobuf to public types`,
      `${f(p.ms.result_decode_protobuf)} ms`,
      `JSON.parse ${f(p.ms.result_decode_json)} ms (reflective fromBinary + conversion ${f(p.ms.result_decode_protobuf_reflective)} ms)`,
      `${f(p.ms.result_decode_protobuf / p.ms.result_decode_json)}×`,
      '≤ 1.0×',
    ),
    row(
      `forward_backward bytes on the wire, ${p.datums} datums: request / result`,
      `protobuf ${kb(p.request_bytes.protobuf)} (zstd ${kb(p.request_bytes.protobuf_zstd)}) / ${kb(p.result_bytes.protobuf)}`,
      `JSON ${kb(p.request_bytes.json)} / ${kb(p.result_bytes.json)}`,
      `${f(p.request_bytes.protobuf / p.request_bytes.json)}× / ${f(p.result_bytes.protobuf / p.result_bytes.json)}×`,
      '—',
    ),
  ];
}

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

/**
 * 0.25 against JSON in the fan-out: medians over back-to-back pairs of fresh processes (bench/tinkex.mjs),
 * every pair's ratio shown, and in how many pairs 0.25 met the target on its own.
 */
function protocolPairsRow(pp) {
  const list = (xs) => xs.map((x) => f(x)).join(' / ');
  return row(
    `sampling fan-out, protocol 0.25 vs JSON (no chaos; ${pp.pairs} back-to-back pairs of fresh processes, order alternating; medians of the pairs)`,
    `${f(pp.samples_per_s.v025, 0)} samples/s, peak RSS ${f(pp.peak_rss_mb.v025, 1)} MiB, CPU/sample client ${f(pp.client_cpu_us.v025, 0)} µs, emulator ${f(pp.emulator_cpu_us.v025, 0)} µs`,
    `JSON ${f(pp.samples_per_s.json, 0)} samples/s, peak RSS ${f(pp.peak_rss_mb.json, 1)} MiB, CPU/sample client ${f(pp.client_cpu_us.json, 0)} µs, emulator ${f(pp.emulator_cpu_us.json, 0)} µs`,
    `${f(pp.rate_ratio)}× rate (pairs ${list(pp.rate_ratios)}; 0.25 ≥ JSON in ${pp.rate_at_least_json} of ${pp.pairs}); CPU client ${f(pp.client_cpu_ratio)}×, emulator ${f(pp.emulator_cpu_ratio)}× (main thread ${f(pp.emulator_main_cpu_ratio)}×, helpers ${f(pp.emulator_helpers_cpu_ratio)}×), both ${f(pp.total_cpu_ratio)}×; ${f(pp.rss_ratio, 3)}× peak RSS (0.25 ≤ JSON in ${pp.rss_at_most_json} of ${pp.pairs})`,
    '≥ 1.0× rate, ≤ 1.0× RSS',
  );
}
