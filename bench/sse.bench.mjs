// Quick SSE throughput check against eventsource-parser 3 (the suite's bench/micro.mjs runs the same
// inputs). Usage: `npm run build && node bench/sse.bench.mjs`, or point SSE_DECODER_MODULE at another
// build of sse-decoder.js. Ratios (theirs ÷ ours time) are what matter; absolute MB/s drift by machine.
import { createParser } from 'eventsource-parser';
import { performance } from 'node:perf_hooks';

const modulePath =
  process.env.SSE_DECODER_MODULE ?? '../packages/kernel/dist/modules/adapters/streaming/sse-decoder.js';
const { WhatwgSseDecoder } = await import(modulePath);

const enc = new TextEncoder();
const split = (bytes, size) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

// The three shapes of issue 16: many small events in 4 KiB chunks; one 16 MiB event in 64 KiB chunks
// (what a socket delivers) and in 16-byte chunks (the worst case for re-scanning decoders).
const small = enc.encode(
  Array.from(
    { length: 100_000 },
    (_, i) => `id: ${i}\nevent: tick\ndata: {"n":${i},"text":"hello world"}\n\n`,
  ).join(''),
);
const big = enc.encode(`data: ${'x'.repeat(16 * 1024 * 1024)}\n\n`);
const inputs = [
  ['100k small events, 4 KiB chunks', split(small, 4096), small.length, 100_000],
  ['one 16 MiB event, 64 KiB chunks', split(big, 64 * 1024), big.length, 1],
  ['one 16 MiB event, 16 B chunks', split(big, 16), big.length, 1],
];

const ours = (chunks) => {
  const d = new WhatwgSseDecoder(64 * 1024 * 1024);
  let n = 0;
  for (const c of chunks) n += d.feed(c).length;
  return n;
};
const theirs = (chunks) => {
  let n = 0;
  const p = createParser({ onEvent: () => n++, maxBufferSize: 64 * 1024 * 1024 });
  const td = new TextDecoder();
  for (const c of chunks) p.feed(td.decode(c, { stream: true }));
  return n;
};

function time(fn, chunks, expected, rounds) {
  const ms = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    const n = fn(chunks);
    ms.push(performance.now() - start);
    if (n !== expected) throw new Error(`expected ${expected} events, got ${n}`);
  }
  return ms.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

const rounds = Number(process.env.ROUNDS ?? 7);
for (const [name, chunks, bytes, expected] of inputs) {
  time(ours, chunks, expected, 2); // warm-up
  time(theirs, chunks, expected, 2);
  // Interleave so drift (GC, turbo) hits both sides alike.
  const oursMs = [];
  const theirsMs = [];
  for (let r = 0; r < rounds; r++) {
    oursMs.push(time(ours, chunks, expected, 1));
    theirsMs.push(time(theirs, chunks, expected, 1));
  }
  // Minimum over interleaved rounds: the least disturbed run of each (machines here are shared).
  const o = Math.min(...oursMs);
  const t = Math.min(...theirsMs);
  const mbps = (ms) => (bytes / 1024 / 1024 / (ms / 1000)).toFixed(1);
  console.log(
    `${name}: ours ${mbps(o)} MB/s, eventsource-parser ${mbps(t)} MB/s, ratio ${(t / o).toFixed(2)}x`,
  );
}
