import { afterEach, describe, expect, it } from '@jest/globals';
import { ClientClosedError, ServiceClient, type SampleStreamChunk } from '../../src/index.js';
import { hidingProxy } from '../support/forwarding-proxy.js';
import { API_KEY, bytes, callsTo, setup } from './harness.js';

/*
 * Found by hand: after `service.close()`, a `sampleStream` whose events had all arrived went on yielding
 * them. Its next read now rejects with the ClientClosedError every other call gets after close; the
 * events already handed out stay the caller's.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const request = { prompt: bytes('The quick'), sampling_params: { max_tokens: 8, temperature: 0 } };

/** A ServiceClient on the emulator, or (`fallback`) behind a proxy that hides the SSE extension. */
async function serviceFor(kind: 'sse' | 'fallback') {
  const env = await setup();
  cleanups.push(env.close);
  if (kind === 'sse') return { env, service: env.service };
  const proxy = await hidingProxy(env.emulator.url, /\/stream_sample$/);
  cleanups.push(proxy.close);
  const service = new ServiceClient({
    api_key: API_KEY,
    base_url: proxy.url,
    telemetry: false,
    log_level: 'off',
    env: {},
  });
  cleanups.push(() => service.close());
  return { env, service };
}

describe.each(['sse', 'fallback'] as const)('sampleStream after close() (%s)', (kind) => {
  it('rejects its next read with ClientClosedError, however many events are buffered', async () => {
    const { env, service } = await serviceFor(kind);
    const sampler = await service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    const stream = sampler.sampleStream(request);
    const first = await stream.next();
    expect((first.value as SampleStreamChunk).type).toBe('token');
    // The whole answer has arrived (8 tokens are one write of the emulator's stream; the fallback has it whole).
    expect(callsTo(env, kind === 'sse' ? 'stream_sample' : 'asample')).toHaveLength(1);
    await service.close();
    const error = await stream.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientClosedError);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('a stream first read after close sends nothing and rejects with ClientClosedError', async () => {
    const { env, service } = await serviceFor(kind);
    const sampler = await service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    const sent = env.emulator.requestLog().length;
    const stream = sampler.sampleStream(request);
    await service.close();
    const error = await stream.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientClosedError);
    const after = env.emulator.requestLog().slice(sent);
    expect(after.filter((r) => /sample/.test(r.path))).toEqual([]);
  });
});
