import { childServer, median, runScript } from './lib.mjs';
import { datumOf, trainer } from './trainer.mjs';

/** 0.25-vs-JSON pairs of training processes (each two fresh processes, about 10–15 s on two cores). */
const TRAINING_PAIRS = 5;
const SIZES = [1, 8, 64];

/**
 * forward_backward + optim_step steps per second with 1, 8 and 64 datums per step, in protocol 0.25
 * (protobuf forward_backward) and the JSON protocol of 0.7.0–0.24.1, with the client's and the emulator's
 * CPU per step (both share the two cores, so either one's extra work lowers the rate). Each protocol runs
 * in a fresh process with its own emulator (bench/training-child.mjs), warmed up until V8's compiler has
 * settled, then measured at each size; TRAINING_PAIRS pairs, the two processes of a pair back to back,
 * order alternating pair by pair; each figure is the median over the pairs, each ratio the median of the
 * pairs' own ratios. (Until round 21 both clients shared one process and 7 short windows: the JIT's
 * warm-up on V8's background threads landed in whichever client's window made shared code hot, which
 * read 1.09–1.88× client CPU for 0.25; docs/performance-notes.md, round 21 notes.) Then datums per second in
 * 0.25 with chunking off (1,024 datums: one request per step) and on (2,048 datums: split into two
 * 1,024-datum requests, submitted back to back and merged).
 */
export async function trainingThroughput() {
  const pairs = [];
  for (let i = 0; i < TRAINING_PAIRS; i++) {
    const got = {};
    for (const name of i % 2 ? ['json', 'v025'] : ['v025', 'json'])
      got[name] = await runScript('./training-child.mjs', [
        JSON.stringify(name === 'v025' ? {} : { protocol: 'legacy' }),
      ]);
    pairs.push(got);
  }
  const out = { pairs: TRAINING_PAIRS, json_protocol: {} };
  for (const n of SIZES) {
    const key = `datums_${n}`;
    const at = pairs.map(({ v025, json }) => ({ v025: v025[key], json: json[key] }));
    out[key] = { ...figures(at, 'v025'), ...pairRatios(at) };
    out.json_protocol[key] = figures(at, 'json');
  }
  return { ...out, ...(await chunking()) };
}

/** One protocol's medians over the pairs at one size. */
function figures(at, name) {
  const med = (f) => median(at.map((p) => f(p[name])));
  const split = at.every((p) => p[name].client_threads_cpu_us_per_step);
  return {
    warmup_steps: at[0][name].warmup_steps,
    steps: at[0][name].steps,
    steps_per_s: med((r) => r.steps_per_s),
    client_cpu_us_per_step: med((r) => r.client_cpu_us_per_step),
    ...(split && {
      client_main_cpu_us_per_step: med((r) => r.client_threads_cpu_us_per_step.main),
      client_helpers_cpu_us_per_step: med((r) => r.client_threads_cpu_us_per_step.helpers),
    }),
    emulator_cpu_us_per_step: med((r) => r.emulator_cpu_us_per_step),
  };
}

/** 0.25 ÷ JSON within each pair at one size: every pair's rate ratio, and the medians. */
function pairRatios(at) {
  const ratios = (f) => at.map(({ v025, json }) => f(v025) / f(json));
  const rate = ratios((r) => r.steps_per_s);
  const split = at.every(
    (p) => p.v025.client_threads_cpu_us_per_step && p.json.client_threads_cpu_us_per_step,
  );
  return {
    rate_ratio: median(rate),
    rate_ratios: rate,
    rate_at_least_json: rate.filter((r) => r >= 1).length,
    client_cpu_ratio: median(ratios((r) => r.client_cpu_us_per_step)),
    // Main thread (the client's own work) and the others (V8's compiler and GC helpers; Linux only).
    ...(split && {
      client_main_cpu_ratio: median(ratios((r) => r.client_threads_cpu_us_per_step.main)),
      client_helpers_cpu_ratio: median(ratios((r) => r.client_threads_cpu_us_per_step.helpers)),
    }),
    emulator_cpu_ratio: median(ratios((r) => r.emulator_cpu_us_per_step)),
  };
}

/** 0.25 with 1,024 datums per step (one request) against 2,048 (two 1,024-datum chunks), 3 steps each. */
async function chunking() {
  const emu = await childServer('./emulator-child.mjs');
  const client = await trainer(emu.url, {});
  const short = datumOf(9);
  const batch = (n) => Array.from({ length: n }, () => short);
  // One step first, so the first measured size does not pay the large-request code's compile alone.
  await client.run(batch(1024), 1);
  const out = {};
  for (const [name, n] of [
    ['datums_1024_one_chunk', 1024],
    ['datums_2048_two_chunks', 2048],
  ]) {
    const stepsPerS = await client.run(batch(n), 3);
    out[name] = { steps_per_s: stepsPerS, datums_per_s: stepsPerS * n };
  }
  out.chunking_ratio = out.datums_2048_two_chunks.datums_per_s / out.datums_1024_one_chunk.datums_per_s;
  await client.close();
  await emu.stop();
  return out;
}
