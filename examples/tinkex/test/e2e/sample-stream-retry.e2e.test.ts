import { afterEach, describe, expect, it } from '@jest/globals';
import { Ports } from 'pristine-kernel';
import {
  APIConnectionError,
  InternalServerError,
  ServiceClient,
  type SampleStreamChunk,
  type SamplingClient,
} from '../../src/index.js';
import { forwardingProxy } from '../support/forwarding-proxy.js';
import type { EmulatorOptions } from 'tinker-emulator';
import { API_KEY, bytes, callsTo, describeInModes, setup, type E2EMode } from './harness.js';
import { InstantClock } from './instant-clock.js';

/**
 * `sampleStream` is retried as openai-node retries a streamed request: like any other call while nothing
 * has reached the caller (the failure came before the body), never once an event was handed out (a retry
 * would repeat tokens the caller already has). Backoff sleeps are instant (InstantClock) and recorded.
 */
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const request = { prompt: bytes('The quick'), sampling_params: { max_tokens: 4, temperature: 0 } };

async function collect(stream: AsyncIterable<SampleStreamChunk>) {
  const got: SampleStreamChunk[] = [];
  const error = await (async () => {
    for await (const chunk of stream) got.push(chunk);
  })().catch((e: unknown) => e);
  return { got, error };
}

async function streamingSetup(max_retries = 2, emulatorOptions: EmulatorOptions = {}, mode?: E2EMode) {
  const clock = new InstantClock();
  const env = await setup(
    emulatorOptions,
    { max_retries, configureKernel: (kernel) => kernel.register(Ports.Clock, clock) },
    mode,
  );
  cleanup.push(env.close);
  const sampler: SamplingClient = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
  return { env, sampler, clock };
}

describe('sampleStream retries before its first event', () => {
  it.each([
    ['a 503', '5xx=1;scope=sampling', 503],
    ['a 429 (Retry-After: 0, honoured)', '429=1;scope=sampling', 429],
    ['a connection reset', 'reset=1;scope=sampling', 0],
  ])('retries %s with the default policy, then streams every event once', async (_name, chaos, status) => {
    const { env, sampler, clock } = await streamingSetup();
    // The server fails the first attempt only: the chaos ends as the client decides to retry.
    env.emulator.setChaos(chaos);
    env.service.kernel.events.on('request:retry', () => env.emulator.setChaos(''));
    const { got, error } = await collect(sampler.sampleStream(request));
    expect(error).toBeUndefined();
    expect(got.filter((c) => c.type === 'token')).toHaveLength(4);
    expect(got.at(-1)?.type).toBe('done');
    const calls = callsTo(env, 'stream_sample');
    expect(calls.map((c) => c.status)).toEqual([status, 200]);
    // A retry as the kernel makes any other: counted, with the call's one idempotency key.
    expect(calls.map((c) => c.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
    expect(calls[1].headers['x-idempotency-key']).toBe(calls[0].headers['x-idempotency-key']);
    // The default policy's first backoff (0.5 s less up to 25 % jitter), or the server's Retry-After.
    expect(clock.sleeps).toHaveLength(1);
    if (status === 429) expect(clock.sleeps[0]).toBe(0);
    else expect(clock.sleeps[0]).toBeGreaterThanOrEqual(375);
  });

  it('gives up after max_retries with the typed status error', async () => {
    const { env, sampler } = await streamingSetup(2);
    env.emulator.setChaos('5xx=1;scope=sampling');
    const { got, error } = await collect(sampler.sampleStream(request));
    expect(got).toEqual([]);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(503);
    expect(callsTo(env, 'stream_sample')).toHaveLength(3);
  });

  it('never retries once an event reached the caller: the drop surfaces as APIConnectionError', async () => {
    const { env } = await streamingSetup();
    // A server that sends one token event, then drops the connection.
    let streams = 0;
    const proxy = await forwardingProxy(env.emulator.url, (req, _body, res) => {
      if (!/\/stream_sample$/.test(req.url ?? '')) return false;
      streams++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"type":"token","index":0,"token":84,"logprob":-1}\n\n', () =>
        setImmediate(() => res.socket?.destroy()),
      );
      return true;
    });
    cleanup.push(proxy.close);
    const service = new ServiceClient({
      api_key: API_KEY,
      base_url: proxy.url,
      max_retries: 2,
      telemetry: false,
      log_level: 'off',
      env: {},
    });
    cleanup.push(() => service.close());
    const sampler = await service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    const { got, error } = await collect(sampler.sampleStream(request));
    expect(got.map((c) => c.type)).toEqual(['token']);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(streams).toBe(1);
  });
});

describeInModes(['v025'], 'sampleStream and the server flag sample_no_retries', () => {
  it('is not retried when the server turns sample retries off, as sample is not', async () => {
    const { env, sampler } = await streamingSetup(2, { clientConfig: { sample_no_retries: true } }, 'v025');
    env.emulator.setChaos('5xx=1;scope=sampling');
    const { error } = await collect(sampler.sampleStream(request));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(callsTo(env, 'stream_sample')).toHaveLength(1);
  });
});
