import { afterEach, describe, expect, it } from '@jest/globals';
import { APIConnectionError, type SampleStreamChunk } from '../../src/index.js';
import { bytes, callsTo, E2E_MODES, setup } from './harness.js';

/*
 * The emulator's stream_sample used to send every event at once, so a stream could not fail mid-way and
 * a consumer leaving early went unseen. It now writes each token as it is sampled: these are the failures
 * a real streaming server shows. Every mode: the stream's auth and body encoding differ between them.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Within the model's context (131,072 tokens: the emulator refuses more, as vLLM does), far beyond a buffer.
const LONG = 131_000;
const params = (max_tokens: number) => ({ max_tokens, seed: 5 });

describe.each(E2E_MODES)('sampleStream against a real stream (%s)', (mode) => {
  async function start() {
    const env = await setup({}, {}, mode);
    cleanups.push(env.close);
    return {
      env,
      sampler: await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' }),
    };
  }

  it('a server gone mid-stream: the tokens so far, then APIConnectionError (no retry, no done)', async () => {
    const { env, sampler } = await start();
    const got: SampleStreamChunk[] = [];
    const error = await (async () => {
      for await (const chunk of sampler.sampleStream({
        prompt: bytes('The quick'),
        sampling_params: params(LONG),
      })) {
        got.push(chunk);
        if (got.length === 3) await env.emulator.close();
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(got.length).toBeLessThan(LONG);
    expect(got.every((c) => c.type === 'token')).toBe(true);
    // The tokens are the head of the seeded sequence, in order, none repeated.
    expect(got.map((c) => (c as { index: number }).index)).toEqual(got.map((_, i) => i));
    expect(env.emulator.state.sampleStreams.abandoned).toBe(1);
    expect(callsTo(env, 'stream_sample')).toHaveLength(1);
  });

  it('a consumer that breaks early: the emulator sees it leave and stops sampling', async () => {
    const { env, sampler } = await start();
    const got: SampleStreamChunk[] = [];
    for await (const chunk of sampler.sampleStream({
      prompt: bytes('The quick'),
      sampling_params: params(LONG),
    })) {
      got.push(chunk);
      if (got.length === 3) break;
    }
    const streams = env.emulator.state.sampleStreams;
    await streams.whenIdle();
    expect({ finished: streams.finished, abandoned: streams.abandoned }).toEqual({
      finished: 0,
      abandoned: 1,
    });
    expect(streams.tokens).toBeLessThan(LONG);
    // The same seed, sampled whole, starts with the streamed tokens.
    const whole = await sampler.sample({
      prompt: bytes('The quick'),
      num_samples: 1,
      sampling_params: params(3),
    });
    expect(got.map((c) => (c as { token: number }).token)).toEqual(whole.sequences[0].tokens);
  });
});
