import { Agent, request } from 'undici';
import { childServer, median, runScript } from './lib.mjs';

/** 0.25-vs-JSON pairs of the fan-out (each two fresh processes, about 6–10 s on the shared machine). */
const PROTOCOL_PAIRS = 7;

/**
 * 2,000 sample requests (8 tokens) with futures through Tinkex, all started at once, without and with 5%
 * chaos, in protocol 0.25 and (no chaos) in the JSON protocol. Each scenario runs in a fresh process
 * (bench/fanout-child.mjs), three times, in round-robin order; the run with the median throughput is
 * reported, with the highest peak RSS of the three and the median client CPU per sample. The first two
 * scenarios also run a minimal raw-undici client of the same protocol (bench/raw-fanout-child.mjs),
 * interleaved, as the baseline of CPU per sample and of memory. 0.25 against JSON is compared in
 * PROTOCOL_PAIRS back-to-back pairs (`protocol_pairs`).
 */
export async function samplingFanout() {
  const scenarios = [
    ['no_chaos', '', {}, true],
    ['chaos_5pct', '5xx=0.05;scope=sampling|futures', {}, true],
    // The Python SDK's 400 submissions in flight is the default; 100 shows what the option buys.
    ['no_chaos_dispatch_100', '', { sample_dispatch_concurrency: 100 }, false],
    // The same emulator, the client forced to the JSON protocol of 0.7.0–0.24.1 (the others speak 0.25).
    ['no_chaos_json_protocol', '', { protocol: 'legacy' }, false],
  ];
  const runs = Object.fromEntries(scenarios.map(([name]) => [name, { tinkex: [], raw: [] }]));
  const byName = Object.fromEntries(scenarios.map((s) => [s[0], s]));
  const run = async (name, which) => {
    const [, chaos, options] = byName[name];
    runs[name][which].push(
      which === 'raw'
        ? await runScript('./raw-fanout-child.mjs', [chaos])
        : await runScript('./fanout-child.mjs', [chaos, JSON.stringify(options)]),
    );
  };
  // 0.25 against JSON: PROTOCOL_PAIRS pairs, each a fresh 0.25 run and a fresh JSON run made back to back
  // (order alternating pair by pair), compared within the pair. A single pair's rate ratio scattered
  // 0.65–1.86 on the shared machine (docs/performance-notes.md, rounds 12–14), so three pairs said little:
  // the first three are the round-robin's own no-chaos runs below, the others are extra pairs spread
  // over the rounds, kept apart from the scenarios' summaries (which stay at three runs each).
  const pairs = [];
  const pair = async (v025First) => {
    const got = {};
    for (const name of v025First ? ['v025', 'json'] : ['json', 'v025'])
      got[name] = await runScript('./fanout-child.mjs', [
        '',
        JSON.stringify(name === 'v025' ? {} : { protocol: 'legacy' }),
      ]);
    pairs.push(got);
  };
  // Round-robin over the scenarios rather than three runs of one scenario after another: a machine
  // whose load drifts during the bench then shifts every scenario alike. The runs compared with each
  // other are made back to back: the raw-undici baseline next to its scenario, and the 0.25 run between
  // its raw baseline and its JSON twin, the two protocols in turn first (a load swing of the other
  // helpers moved one fresh-process run ±40 % within a minute, more than the protocols differ).
  for (let i = 0; i < 3; i++) {
    const order =
      i % 2
        ? [
            ['no_chaos_json_protocol', 'tinkex'],
            ['no_chaos', 'tinkex'],
            ['no_chaos', 'raw'],
          ]
        : [
            ['no_chaos', 'raw'],
            ['no_chaos', 'tinkex'],
            ['no_chaos_json_protocol', 'tinkex'],
          ];
    for (const [name, which] of order) await run(name, which);
    pairs.push({ v025: runs.no_chaos.tinkex.at(-1), json: runs.no_chaos_json_protocol.tinkex.at(-1) });
    await run('chaos_5pct', 'tinkex');
    // An extra pair between the scenarios, with the other protocol first than in this round's pair.
    if (pairs.length < PROTOCOL_PAIRS) await pair(i % 2 === 1);
    await run('chaos_5pct', 'raw');
    await run('no_chaos_dispatch_100', 'tinkex');
  }
  while (pairs.length < PROTOCOL_PAIRS) await pair(pairs.length % 2 === 0);
  const out = {};
  for (const [name, , , raw] of scenarios) {
    out[name] = {
      ...summarize(runs[name].tinkex),
      ...(raw ? { raw_undici: summarize(runs[name].raw) } : {}),
    };
  }
  out.protocol_pairs = protocolPairs(pairs);
  return out;
}

/** 0.25 ÷ JSON within each pair, every pair's figure, and their medians (bench/run.mjs's row). */
function protocolPairs(pairs) {
  const ratios = (key) => pairs.map(({ v025, json }) => v025[key] / json[key]);
  const cpu = (r) => r.client_cpu_us_per_sample + r.emulator_cpu_us_per_sample;
  const both = pairs.map(({ v025, json }) => cpu(v025) / cpu(json));
  const rate = ratios('samples_per_s');
  const rss = ratios('peak_rss_mb');
  return {
    pairs: pairs.length,
    rate_ratio: median(rate),
    rate_ratios: rate,
    // Pairs in which 0.25 met the target on its own: at least JSON's rate, at most its peak RSS.
    rate_at_least_json: rate.filter((r) => r >= 1).length,
    client_cpu_ratio: median(ratios('client_cpu_us_per_sample')),
    emulator_cpu_ratio: median(ratios('emulator_cpu_us_per_sample')),
    // Both processes share the two cores: their CPU together sets the rate when the machine is busy.
    total_cpu_ratio: median(both),
    // The emulator's threads other than its main one (V8's compiler above all; Linux only): what a
    // fresh process compiling more code for one protocol costs (docs/performance-notes.md, round 13).
    emulator_helpers_cpu_ratio: threadRatio(pairs, 'emulator_threads_cpu_us_per_sample', 'helpers'),
    emulator_main_cpu_ratio: threadRatio(pairs, 'emulator_threads_cpu_us_per_sample', 'main'),
    rss_ratio: median(rss),
    rss_ratios: rss,
    rss_at_most_json: rss.filter((r) => r <= 1).length,
    // The CPU behind the ratios, µs per sample (medians of the same runs), next to the rates.
    client_cpu_us: byProtocol(pairs, 'client_cpu_us_per_sample'),
    emulator_cpu_us: byProtocol(pairs, 'emulator_cpu_us_per_sample'),
    samples_per_s: byProtocol(pairs, 'samples_per_s'),
    peak_rss_mb: byProtocol(pairs, 'peak_rss_mb'),
  };
}

/** The median of one figure over the pairs' runs, for each protocol. */
function byProtocol(pairs, key) {
  return { v025: median(pairs.map((p) => p.v025[key])), json: median(pairs.map((p) => p.json[key])) };
}

/** The median over pairs of 0.25 ÷ JSON of one thread group's CPU; undefined where not measured. */
function threadRatio(pairs, key, group) {
  const ratios = pairs
    .filter(({ v025, json }) => v025[key] && json[key])
    .map(({ v025, json }) => v025[key][group] / json[key][group]);
  return ratios.length ? median(ratios) : undefined;
}

/** The median-throughput run, with the highest peak RSS of all and the median client CPU per sample. */
export function summarize(runs) {
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
