import { Agent, request } from 'undici';
import { childServer, median, runScript } from './lib.mjs';
import { benchClient } from './tinkex-client.mjs';

/**
 * 2,000 sample requests (8 tokens) with futures through Tinkex, all started at once, without and with 5%
 * chaos, in protocol 0.25 and (no chaos) in the JSON protocol. Each scenario runs in a fresh process
 * (bench/fanout-child.mjs), three times; the run with the median throughput is reported, with the highest
 * peak RSS of the three and the median client CPU per sample. The first two scenarios also run a minimal
 * raw-undici client of the same protocol (bench/raw-fanout-child.mjs), interleaved, as the baseline of CPU
 * per sample and of memory.
 */
export async function samplingFanout() {
  const out = {};
  for (const [name, chaos, options, raw] of [
    ['no_chaos', '', {}, true],
    ['chaos_5pct', '5xx=0.05;scope=sampling|futures', {}, true],
    // The Python SDK's 400 submissions in flight is the default; 100 shows what the option buys.
    ['no_chaos_dispatch_100', '', { sample_dispatch_concurrency: 100 }, false],
    // The same emulator, the client forced to the JSON protocol of 0.7.0–0.24.1 (the others speak 0.25).
    ['no_chaos_json_protocol', '', { protocol: 'legacy' }, false],
  ]) {
    const runs = [];
    const rawRuns = [];
    for (let i = 0; i < 3; i++) {
      runs.push(await runScript('./fanout-child.mjs', [chaos, JSON.stringify(options)]));
      // The minimal raw-undici client of the same protocol, interleaved: the CPU-per-sample baseline.
      if (raw) rawRuns.push(await runScript('./raw-fanout-child.mjs', [chaos]));
    }
    out[name] = { ...summarize(runs), ...(raw ? { raw_undici: summarize(rawRuns) } : {}) };
  }
  return out;
}

/** The median-throughput run, with the highest peak RSS of all and the median client CPU per sample. */
function summarize(runs) {
  const sorted = [...runs].sort((a, b) => a.samples_per_s - b.samples_per_s);
  const peaks = runs.map((r) => r.peak_rss_mb);
  return {
    ...sorted[Math.floor(sorted.length / 2)],
    client_cpu_us_per_sample: median(runs.map((r) => r.client_cpu_us_per_sample)),
    peak_rss_mb: Math.max(...peaks),
    peak_rss_mb_runs: peaks,
    runs: runs.length,
  };
}

/** The emulator alone, loaded by raw undici: submit + poll per 8-token sample, 64 in flight. */
export async function emulatorAlone() {
  const emu = await childServer('./emulator-child.mjs');
  const agent = new Agent({ connections: 64 });
  const post = async (path, body) => {
    const r = await request(`${emu.url}/api/v1/${path}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'x-api-key': 'tml-bench', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return r.body.json();
  };
  const session = (await post('create_session', { tags: [], sdk_version: 'bench' })).session_id;
  const sampler = (
    await post('create_sampling_session', {
      session_id: session,
      sampling_session_seq_id: 0,
      base_model: 'meta-llama/Llama-3.2-1B',
    })
  ).sampling_session_id;
  let seq = 0;
  const one = async () => {
    const { request_id } = await post('asample', {
      prompt: { chunks: [{ tokens: [72, 105] }] },
      sampling_params: { max_tokens: 8 },
      sampling_session_id: sampler,
      seq_id: seq++,
    });
    for (;;) {
      const r = await post('retrieve_future', { request_id });
      if (r.type !== 'try_again') return r;
    }
  };
  const run = async (n) => {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next++ < n) await one();
      }),
    );
    return n / ((performance.now() - start) / 1000);
  };
  await run(500);
  const rates = [await run(3000), await run(3000), await run(3000)];
  await agent.close();
  await emu.stop();
  return { samples_per_s: median(rates) };
}

/**
 * forward_backward + optim_step steps per second with 1, 8 and 64 datums per step; then datums per
 * second with chunking off (1,024 datums: one request per step) and on (2,048 datums: split into two
 * 1,024-datum requests, submitted back to back and merged).
 */
export async function trainingThroughput() {
  const emu = await childServer('./emulator-child.mjs');
  const out = await trainingRuns(emu.url, {});
  // Steps per second of small batches in the JSON protocol, on the same emulator.
  const json = await trainingRuns(emu.url, { protocol: 'legacy' }, false);
  out.json_protocol = { datums_1: json.datums_1, datums_8: json.datums_8, datums_64: json.datums_64 };
  await emu.stop();
  return out;
}

async function trainingRuns(url, options, chunking = true) {
  const service = benchClient(url, options);
  const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
  const text = [...Buffer.from('The quick brown fox jumps over the lazy dog. ')];
  const datumOf = (tokens) => ({
    model_input: { chunks: [{ tokens: tokens.slice(0, -1) }] },
    loss_fn_inputs: { target_tokens: { data: tokens.slice(1), dtype: 'int64' } },
  });
  const datum = datumOf(text);
  const run = async (data, steps) => {
    const start = performance.now();
    const futures = [];
    for (let i = 0; i < steps; i++) {
      futures.push(training.forwardBackward(data, 'cross_entropy'));
      futures.push(training.optimStep({ learning_rate: 1e-4 }));
    }
    await Promise.all(futures);
    return steps / ((performance.now() - start) / 1000);
  };
  await run([datum], 5); // warm-up: JIT, sockets, validators
  const out = {};
  for (const n of [1, 8, 64]) {
    out[`datums_${n}`] = {
      steps_per_s: await run(
        Array.from({ length: n }, () => datum),
        10,
      ),
    };
  }
  if (!chunking) {
    await service.close();
    return out;
  }
  const short = datumOf(text.slice(0, 9));
  for (const [name, n] of [
    ['datums_1024_one_chunk', 1024],
    ['datums_2048_two_chunks', 2048],
  ]) {
    const stepsPerS = await run(
      Array.from({ length: n }, () => short),
      3,
    );
    out[name] = { steps_per_s: stepsPerS, datums_per_s: stepsPerS * n };
  }
  out.chunking_ratio = out.datums_2048_two_chunks.datums_per_s / out.datums_1024_one_chunk.datums_per_s;
  await service.close();
  return out;
}
