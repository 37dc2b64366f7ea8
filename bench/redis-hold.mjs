// A/B of the Redis adapters' cost per call between two builds of the kernel, each run in fresh
// processes in turn (A B B A …) against one throwaway redis-server: wall µs per call (each call's own
// latency, and the batch's wall time over its calls) and this process's CPU µs per call
// (process.cpuUsage: Redis's own work is another process's). Written to price RedisLink's process hold
// (a ref and an unref of every socket around each command, round 32) against the build before it:
//   node bench/redis-hold.mjs <A's packages/kernel/dist/index.js> [B's …] [--rounds N]
// B defaults to this checkout's build. Prints JSON: medians over the children per build, B/A ratios,
// the load average before and after. `node bench/redis-hold.mjs --hold [dist/index.js]` times the hold
// alone (holdAlone below).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { median } from './lib.mjs';

/** Measurements per subject inside one child (after a warm-up); the child reports their median. */
const INNER = 3;

/** Median of each field over `runs`. */
function medians(runs) {
  return Object.fromEntries(Object.keys(runs[0]).map((k) => [k, median(runs.map((r) => r[k]))]));
}

async function child(dist, url) {
  const kernel = await import(pathToFileURL(dist).href);
  const { adapterCalls, batch } = await import('./redis.mjs');
  const link = new kernel.RedisLink({ url, keyPrefix: `bench:${process.pid}:` });
  const results = {};
  try {
    for (const [name, { redis: op }] of Object.entries(adapterCalls(kernel, link))) {
      for (const c of [1, 64]) {
        await batch(op, c);
        const runs = [];
        for (let i = 0; i < INNER; i++) runs.push(await batch(op, c));
        results[`${name}/c${c}`] = medians(runs);
      }
    }
  } finally {
    await link.close();
  }
  process.stdout.write(JSON.stringify(results));
}

function runChild(dist, url) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [new URL(import.meta.url).pathname, '--child', dist, url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`)),
    );
  });
}

async function main(args) {
  const roundsAt = args.indexOf('--rounds');
  const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 8;
  const [a, b = new URL('../packages/kernel/dist/index.js', import.meta.url).pathname] = args;
  if (!a)
    throw new Error('usage: node bench/redis-hold.mjs <A dist/index.js> [B dist/index.js] [--rounds N]');
  const { startRedis } = await import('./redis.mjs');
  const redis = await startRedis();
  const load = { before: loadavg() };
  const seen = { A: [], B: [] };
  try {
    for (let r = 0; r < rounds; r++) {
      // A B, then B A: a drift in the machine's load weighs on both alike.
      const order = r % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
      for (const which of order) {
        seen[which].push(await runChild(which === 'A' ? a : b, redis.url));
        process.stderr.write(`round ${r + 1}/${rounds} ${which} done (load ${loadavg()[0].toFixed(1)})\n`);
      }
    }
  } finally {
    await redis.stop();
  }
  load.after = loadavg();
  const results = {};
  for (const subject of Object.keys(seen.A[0])) {
    const A = medians(seen.A.map((c) => c[subject]));
    const B = medians(seen.B.map((c) => c[subject]));
    const ratio = Object.fromEntries(Object.keys(A).map((k) => [k, B[k] / A[k]]));
    results[subject] = { A, B, B_over_A: ratio };
  }
  return { a, b, rounds, inner: INNER, load, results };
}

/**
 * The hold alone: ns per hold-and-release pair with `count` real loopback sockets adopted (a cluster
 * link has one per node, and a subscriber's), the ref and unref of each included, against an empty
 * function call in the same loop. `--hold [B's dist/index.js]`.
 */
async function holdAlone(dist) {
  const module = new URL('modules/adapters/redis/redis-process-hold.js', pathToFileURL(dist));
  const { ProcessHold } = await import(module.href);
  const server = net.createServer((socket) => socket.resume());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const results = {};
  const PAIRS = 1_000_000;
  const time = (step) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < PAIRS; i++) step();
    return Number(process.hrtime.bigint() - start) / PAIRS;
  };
  for (const count of [1, 2, 4, 7]) {
    const sockets = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise((resolve) => {
            const socket = net.connect(server.address().port, '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    const hold = new ProcessHold();
    for (const socket of sockets) hold.adopt(socket);
    const empty = () => () => {};
    const runs = { hold: [], empty: [] };
    for (let r = 0; r < 7; r++) {
      runs.hold.push(time(() => hold.hold()()));
      runs.empty.push(time(() => empty()()));
    }
    results[`sockets_${count}`] = { hold_ns: median(runs.hold), empty_ns: median(runs.empty) };
    for (const socket of sockets) socket.destroy();
  }
  server.close();
  return results;
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1], args[2]);
else if (args[0] === '--hold') {
  const dist = args[1] ?? new URL('../packages/kernel/dist/index.js', import.meta.url).pathname;
  process.stdout.write(`${JSON.stringify(await holdAlone(dist), null, 2)}\n`);
} else process.stdout.write(`${JSON.stringify(await main(args), null, 2)}\n`);
