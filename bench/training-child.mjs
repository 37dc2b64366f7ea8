// Training steps of one protocol in a fresh process, with its own emulator, after a warm-up long enough
// for V8's compiler to settle. Usage: node bench/training-child.mjs ['<ServiceClient options JSON>']
// → prints one JSON line.
import { childServer, threadCpuUs } from './lib.mjs';
import { datumOf, trainer } from './trainer.mjs';

/**
 * Per datum count: steps in flight at once (as the bench always pipelined them), warm-up steps, and
 * measured steps. The sizes run in this order in one process. Measured per 100-step group in fresh
 * processes (docs/performance-notes.md, round 21 notes on `bench21`): at 1 datum the main thread's CPU per step
 * falls for about 800 steps (1.6 → 0.7 ms) and V8's helper threads' to near zero, whatever the protocol:
 * the per-request code (kernel call path, undici, Tinkex's futures) is compiled by then. After that, the
 * 8- and 64-datum steps are flat from their first group or the second, so they need only their own
 * per-datum code warmed (a fresh 8-datum process alone was still falling after 500 steps, 7 s).
 */
const TRAINING_PLAN = [
  { datums: 1, in_flight: 20, warmup_steps: 800, steps: 200 },
  { datums: 8, in_flight: 10, warmup_steps: 40, steps: 100 },
  { datums: 64, in_flight: 4, warmup_steps: 20, steps: 24 },
];

const options = process.argv[2] ? JSON.parse(process.argv[2]) : {};
const emulator = await childServer('./emulator-child.mjs');
const client = await trainer(emulator.url, options);
const datum = datumOf();
/** CPU of both processes, all threads and split by thread (Linux only; undefined elsewhere). */
const snapshot = async () => {
  const stats = await emulator.stats();
  const cpu = process.cpuUsage();
  return {
    client: cpu.user + cpu.system,
    threads: threadCpuUs(),
    emulator: stats.cpu_us,
    emulatorThreads: stats.threads,
  };
};
const perStep = (a, b, steps) =>
  a && b ? { main: (b.main - a.main) / steps, helpers: (b.helpers - a.helpers) / steps } : undefined;
const out = { protocol: client.protocol };
for (const { datums, in_flight: inFlight, warmup_steps: warmup, steps } of TRAINING_PLAN) {
  const data = Array.from({ length: datums }, () => datum);
  for (let done = 0; done < warmup; done += inFlight)
    await client.run(data, Math.min(inFlight, warmup - done));
  const start = await snapshot();
  const t = performance.now();
  for (let done = 0; done < steps; done += inFlight) await client.run(data, Math.min(inFlight, steps - done));
  const seconds = (performance.now() - t) / 1000;
  const end = await snapshot();
  out[`datums_${datums}`] = {
    warmup_steps: warmup,
    steps,
    steps_per_s: steps / seconds,
    // This process: the client, all threads (V8's compiler and GC helpers count).
    client_cpu_us_per_step: (end.client - start.client) / steps,
    client_threads_cpu_us_per_step: perStep(start.threads, end.threads, steps),
    // The emulator shares the two cores: its CPU per step lowers the rate too.
    emulator_cpu_us_per_step: (end.emulator - start.emulator) / steps,
    emulator_threads_cpu_us_per_step: perStep(start.emulatorThreads, end.emulatorThreads, steps),
  };
}
await client.close();
await emulator.stop();
process.stdout.write(`${JSON.stringify(out)}\n`);
