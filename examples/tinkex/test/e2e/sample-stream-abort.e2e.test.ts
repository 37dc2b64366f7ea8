import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  APIUserAbortError,
  ServiceClient,
  type SamplingClient,
  type SampleStreamChunk,
} from '../../src/index.js';
import { hidingProxy } from '../support/forwarding-proxy.js';
import { API_KEY, bytes, setup } from './harness.js';

describe('sampleStream after its signal is aborted', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let proxy: Awaited<ReturnType<typeof hidingProxy>>;
  let withoutExtension: ServiceClient;
  const samplers: Record<string, SamplingClient> = {};

  beforeAll(async () => {
    env = await setup();
    proxy = await hidingProxy(env.emulator.url, /\/stream_sample$/);
    withoutExtension = new ServiceClient({
      api_key: API_KEY,
      base_url: proxy.url,
      telemetry: false,
      log_level: 'off',
      env: {},
    });
    const base_model = 'meta-llama/Llama-3.2-1B';
    samplers.sse = await env.service.createSamplingClient({ base_model });
    samplers.fallback = await withoutExtension.createSamplingClient({ base_model });
  }, 30_000);
  afterAll(async () => {
    await withoutExtension.close();
    await proxy.close();
    await env.close();
  });

  const request = { prompt: bytes('The quick'), sampling_params: { max_tokens: 8, temperature: 0 } };

  it.each(['sse', 'fallback'])(
    '%s: yields nothing more once aborted, and rejects with APIUserAbortError',
    async (kind) => {
      // 8 tokens are one turn of the emulator's stream (64): they arrive in one chunk, so buffered events wait.
      const controller = new AbortController();
      const got: SampleStreamChunk[] = [];
      const error = await (async () => {
        for await (const chunk of samplers[kind].sampleStream(request, { signal: controller.signal })) {
          got.push(chunk);
          controller.abort();
        }
      })().catch((e: unknown) => e);
      expect(got).toHaveLength(1);
      expect(got[0].type).toBe('token');
      expect(error).toBeInstanceOf(APIUserAbortError);
    },
  );

  it.each(['sse', 'fallback'])('%s: an already-aborted signal yields nothing', async (kind) => {
    const got: SampleStreamChunk[] = [];
    const error = await (async () => {
      for await (const chunk of samplers[kind].sampleStream(request, { signal: AbortSignal.abort() }))
        got.push(chunk);
    })().catch((e: unknown) => e);
    expect(got).toEqual([]);
    expect(error).toBeInstanceOf(APIUserAbortError);
  });

  it.each(['sse', 'fallback'])(
    '%s: without an abort, streams every token then the response',
    async (kind) => {
      const got: SampleStreamChunk[] = [];
      for await (const chunk of samplers[kind].sampleStream(request)) got.push(chunk);
      expect(got.at(-1)?.type).toBe('done');
      expect(got.filter((c) => c.type === 'token')).toHaveLength(8);
    },
  );
});
