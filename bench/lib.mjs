// A small benchmark harness: warm-up, repeated rounds, medians, and ratios against a baseline measured
// in the same run (timings drift between runs and machines; ratios drift much less).
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/**
 * Median wall time (ms) of each job, measured in interleaved rounds (A B A B …) after one warm-up each,
 * so machine drift and GC state hit every job alike.
 */
export async function compareJobs(jobs, { rounds = 7 } = {}) {
  const names = Object.keys(jobs);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) await jobs[name]();
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const start = performance.now();
      await jobs[name]();
      times[name].push(performance.now() - start);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n])]));
}

/**
 * CPU time (µs) of this process's main thread and of all its other threads together (V8's compiler and
 * GC helpers, libuv's pool), from Linux's per-thread schedstat; undefined elsewhere. `process.cpuUsage`
 * counts both: a protocol that makes V8 compile more shows up in the helpers, not the main thread.
 */
export function threadCpuUs() {
  try {
    let main = 0;
    let helpers = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      if (Number(tid) === process.pid) main += ns / 1000;
      else helpers += ns / 1000;
    }
    return { main, helpers };
  } catch {
    return undefined;
  }
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

/** Start a bench/*.mjs server script in a child process; resolves to its printed URL and a stop(). */
export async function childServer(script, args = []) {
  const { fork } = await import('node:child_process');
  const child = fork(new URL(script, import.meta.url), args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const url = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
  return {
    url,
    /** The emulator child's CPU time (µs) and requests answered per path so far (emulator-child.mjs). */
    stats: () =>
      new Promise((resolve) => {
        const onMessage = (m) => {
          if (!m?.stats) return;
          child.off('message', onMessage);
          resolve(m.stats);
        };
        child.on('message', onMessage);
        child.send('stats');
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.send('stop');
      }),
  };
}

/**
 * Latency (c=1) and throughput (c=`concurrency`) of several contenders, measured in interleaved rounds
 * (A B C A B C …) so drift in machine load hits all of them alike; each figure is the median over
 * rounds. Also reports the client's own CPU time per call, which does not depend on the server.
 */
export async function compareCalls(
  contenders,
  { rounds = 7, latencyOps = 500, throughputOps = 4000, concurrency = 64, warmup = 2000 } = {},
) {
  const names = Object.keys(contenders);
  const samples = Object.fromEntries(names.map((n) => [n, { latency: [], throughput: [], cpu: [] }]));
  const sequential = async (fn, ops) => {
    const start = performance.now();
    for (let i = 0; i < ops; i++) await fn();
    return ((performance.now() - start) * 1000) / ops;
  };
  const parallel = async (fn, ops) => {
    let next = 0;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < ops) await fn();
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { rps: ops / seconds, cpuUs: (cpu.user + cpu.system) / ops };
  };
  for (const name of names) {
    await sequential(contenders[name], warmup / 2);
    await parallel(contenders[name], warmup);
  }
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      samples[name].latency.push(await sequential(contenders[name], latencyOps));
      const { rps, cpuUs } = await parallel(contenders[name], throughputOps);
      samples[name].throughput.push(rps);
      samples[name].cpu.push(cpuUs);
    }
  }
  return Object.fromEntries(
    names.map((n) => [
      n,
      {
        latency_us_c1: median(samples[n].latency),
        [`throughput_rps_c${concurrency}`]: median(samples[n].throughput),
        client_cpu_us_per_call: median(samples[n].cpu),
      },
    ]),
  );
}

/**
 * Run a bench script in a fresh Node process (with `nodeFlags`; by default the Node running the bench,
 * or the binary `node`) and parse the JSON line it prints last.
 */
export async function runScript(script, args = [], nodeFlags = [], node = process.execPath) {
  const { execFile } = await import('node:child_process');
  const stdout = await new Promise((resolve, reject) =>
    execFile(
      node,
      [...nodeFlags, new URL(script, import.meta.url).pathname, ...args],
      { maxBuffer: 1 << 20 },
      (error, out) => (error ? reject(error) : resolve(out)),
    ),
  );
  return JSON.parse(stdout.trim().split('\n').pop());
}
