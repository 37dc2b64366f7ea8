// The Redis adapters' added latency per call against the in-process ones, at c=1 and c=64, on a
// throwaway redis-server (loopback, free port). `node bench/redis.mjs` (after `npm run build`) prints
// the results as JSON; `npm run bench` runs it too and puts it in docs/performance.md.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as kernel from '../packages/kernel/dist/index.js';
import { median } from './lib.mjs';

const CALLS = 2000;
const ROUNDS = 5;

async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** A throwaway redis-server on a free loopback port; stop() kills it and removes its folder. */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.removeAllListeners('exit');
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One batch of CALLS calls of `op` by `concurrency` loops, in µs per call: each call's own latency
 * (mean), the batch's wall time, and this process's CPU time (process.cpuUsage: Redis's is another's).
 */
export async function batch(op, concurrency) {
  let next = 0;
  let latency = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < CALLS) {
        const began = performance.now();
        await op();
        latency += performance.now() - began;
      }
    }),
  );
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    latency_us: (latency / CALLS) * 1000,
    wall_us: (wall / CALLS) * 1000,
    cpu_us: (used.user + used.system) / CALLS,
  };
}

/** Mean µs per call of `op`, with `concurrency` loops sharing CALLS calls. */
const perCall = async (op, concurrency) => (await batch(op, concurrency)).latency_us;

/** Interleaved rounds (in-process, Redis, …) after a warm-up; medians of µs per call. */
async function compare(inProcess, redis, concurrency) {
  const a = [];
  const b = [];
  await perCall(inProcess, concurrency);
  await perCall(redis, concurrency);
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await perCall(inProcess, concurrency));
    b.push(await perCall(redis, concurrency));
  }
  const local = median(a);
  const shared = median(b);
  return { in_process_us: local, redis_us: shared, added_us: shared - local };
}

/**
 * Each adapter's call as a benchmark subject, in-process and on Redis: `{ name: { local, redis } }`,
 * each a function making one call. `kernel` is the kernel package's module (bench/redis-hold.mjs passes
 * an older build's).
 */
export function adapterCalls(kernel, link) {
  const clock = new kernel.SystemClock();
  const limiters = {
    local: new kernel.WindowRateLimiter(clock),
    redis: new kernel.RedisRateLimiter(link, clock),
  };
  const tokenBucket = { requestsPerSecond: 1e9, burst: 1e9 };
  const semaphores = {
    local: new kernel.FifoSemaphore(1000),
    redis: new kernel.RedisSemaphoreFactory(link, clock).create(1000, 'bench:jobs:count'),
  };
  const breakers = {
    local: new kernel.CockatielBreakerRegistry(),
    redis: new kernel.RedisBreakerRegistry(link),
  };
  const settings = {
    failureRateThreshold: 0.5,
    samplingWindowMs: 30_000,
    minimumRps: 2,
    halfOpenAfterMs: 30_000,
  };
  const ops = {
    rate_limiter_window: (l) => () => l.acquire('bucket'),
    rate_limiter_token_bucket: (l) => () => l.acquire('tokens', { tokenBucket }),
    semaphore_acquire_release: (s) => async () => (await s.acquire(1))(),
    breaker_execute: (b) => () =>
      b.execute(
        'key',
        settings,
        async () => 'ok',
        () => true,
      ),
  };
  const subjects = {
    rate_limiter_window: limiters,
    rate_limiter_token_bucket: limiters,
    semaphore_acquire_release: semaphores,
    breaker_execute: breakers,
  };
  return Object.fromEntries(
    Object.entries(ops).map(([name, make]) => [
      name,
      { local: make(subjects[name].local), redis: make(subjects[name].redis) },
    ]),
  );
}

export async function redisAdapters() {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    return { skipped: 'redis-server is not installed (scripts/ensure-redis.sh installs it)' };
  }
  const redis = await startRedis();
  const link = new kernel.RedisLink({ url: redis.url, keyPrefix: 'bench:' });
  try {
    const calls = adapterCalls(kernel, link);
    const results = {};
    for (const [name, { local, redis: shared }] of Object.entries(calls)) {
      results[name] = { c1: await compare(local, shared, 1), c64: await compare(local, shared, 64) };
    }
    return results;
  } finally {
    await link.close();
    await redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await redisAdapters(), null, 2)}\n`);
}
