// Preloaded (NODE_OPTIONS=--require) by worker-exit.test.ts: a Jest worker (a forked child, so it has
// `process.send`) takes SLOW_WORKER_START_MS longer to start, as on the loaded 2-core CI machine. Blocks
// without spinning, to leave the shared cores to others.
const ms = Number(process.env.SLOW_WORKER_START_MS ?? 0);
if (ms > 0 && process.send && process.env.JEST_WORKER_ID)
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
