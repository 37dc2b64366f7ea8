import { createParser } from 'eventsource-parser';
import { Ajv } from 'ajv';
import { WhatwgSseDecoder } from '../packages/kernel/dist/index.js';
import { LossOutputSchema, tinkerManifest, TensorData } from '../examples/tinkex/dist/index.js';
import { compareJobs } from './lib.mjs';

const enc = new TextEncoder();

/** Our SSE decoder vs eventsource-parser 3 on many small events and on one 16 MiB event in 16-byte chunks. */
export async function sse() {
  const small = enc.encode(
    Array.from(
      { length: 50_000 },
      (_, i) => `id: ${i}\nevent: tick\ndata: {"n":${i},"text":"hello world"}\n\n`,
    ).join(''),
  );
  const smallChunks = Array.from({ length: Math.ceil(small.length / 1024) }, (_, i) =>
    small.subarray(i * 1024, (i + 1) * 1024),
  );
  const big = enc.encode(`data: ${'x'.repeat(16 * 1024 * 1024)}\n\n`);
  const bigChunks = Array.from({ length: Math.ceil(big.length / 16) }, (_, i) =>
    big.subarray(i * 16, (i + 1) * 16),
  );
  const ours = (chunks) => () => {
    const d = new WhatwgSseDecoder(64 * 1024 * 1024);
    let n = 0;
    for (const c of chunks) n += d.feed(c).length;
    return n;
  };
  const theirs = (chunks) => () => {
    let n = 0;
    const p = createParser({ onEvent: () => n++, maxBufferSize: 64 * 1024 * 1024 });
    const td = new TextDecoder();
    for (const c of chunks) p.feed(td.decode(c, { stream: true }));
    return n;
  };
  const mb = (bytes, ms) => bytes / 1024 / 1024 / (ms / 1000);
  const r = {};
  for (const [name, chunks, bytes] of [
    ['small_events', smallChunks, small.length],
    ['one_16MiB_event_16B_chunks', bigChunks, big.length],
  ]) {
    const { oursMs, theirsMs } = await compareJobs(
      { oursMs: ours(chunks), theirsMs: theirs(chunks) },
      { rounds: 7 },
    );
    r[name] = {
      ours_MBps: mb(bytes, oursMs),
      eventsource_parser_MBps: mb(bytes, theirsMs),
      ratio: theirsMs / oursMs,
    };
  }
  return r;
}

/**
 * ajv validation of a 1024-datum forward_backward request and of its 1024-output response, vs
 * `JSON.stringify` of the same request alone.
 */
export async function validation() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const endpoint = tinkerManifest.endpoints.find((e) => e.id === 'forward_backward');
  const validate = ajv.compile(endpoint.input);
  const validateOutput = ajv.compile(LossOutputSchema);
  const output = {
    loss_fn_output_type: 'cross_entropy',
    loss_fn_outputs: Array.from({ length: 1024 }, () => ({
      logprobs: { data: Array.from({ length: 128 }, (_, i) => -i / 100), dtype: 'float32', shape: [128] },
      elementwise_loss: {
        data: Array.from({ length: 128 }, (_, i) => i / 100),
        dtype: 'float32',
        shape: [128],
      },
    })),
    metrics: { 'loss:sum': 1.5 },
  };
  const datum = (n) => ({
    model_input: { chunks: [{ tokens: Array.from({ length: 128 }, (_, i) => (i * n) % 1000) }] },
    loss_fn_inputs: {
      target_tokens: { data: Array.from({ length: 128 }, (_, i) => i), dtype: 'int64', shape: [128] },
      weights: { data: Array.from({ length: 128 }, () => 1), dtype: 'float32', shape: [128] },
    },
  });
  const body = {
    forward_backward_input: {
      data: Array.from({ length: 1024 }, (_, i) => datum(i)),
      loss_fn: 'cross_entropy',
      loss_fn_config: null,
    },
    model_id: 'm',
    seq_id: 1,
  };
  const check = (fn, value) => () => {
    if (!fn(value)) throw new Error(`invalid: ${JSON.stringify(fn.errors)}`);
  };
  const times = await compareJobs(
    {
      stringify: () => JSON.stringify(body),
      request: check(validate, body),
      response: check(validateOutput, output),
    },
    { rounds: 9 },
  );
  return {
    stringify_ms: times.stringify,
    validate_request_ms: times.request,
    validate_response_ms: times.response,
    validate_over_stringify: (times.request + times.response) / times.stringify,
  };
}

/** 1M float32 values to wire JSON and back, vs a naive Array.from + JSON round trip. */
export async function tensorData() {
  const values = new Float32Array(1_000_000).map((_, i) => Math.sin(i));
  const ours = () =>
    TensorData.fromWire(JSON.parse(JSON.stringify(TensorData.fromArray(values)))).toTypedArray();
  const naive = () =>
    Float32Array.from(JSON.parse(JSON.stringify({ data: Array.from(values), dtype: 'float32' })).data);
  const { oursMs, naiveMs } = await compareJobs({ oursMs: ours, naiveMs: naive }, { rounds: 5 });
  return { ours_ms: oursMs, naive_ms: naiveMs, speedup: naiveMs / oursMs };
}
