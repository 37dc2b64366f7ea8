import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock, Ports } from 'pristine-kernel';
import { APIUserAbortError, InternalServerError, type SamplingClient } from '../../src/index.js';
import { bytes, setup } from './harness.js';

/** Backend telemetry as it arrives at the emulator's POST /api/v1/telemetry (real HTTP). */
type Event = {
  event: string;
  severity: string;
  event_name?: string;
  error_type?: string;
  event_data?: { metadata?: Record<string, unknown> } & Record<string, unknown>;
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function start() {
  // Transport retries off (a stream's, before its first event), and whole-request retries off (a
  // sample's): a 5xx ends every way to sample at once.
  const env = await setup({}, { telemetry: true, max_retries: 0 });
  cleanup = env.close;
  const events = () =>
    (env.emulator.state.telemetry as { events: Event[] }[]).flatMap((batch) => batch.events);
  const sampler = await env.service.createSamplingClient({
    base_model: 'meta-llama/Llama-3.2-1B',
    retry_config: { enable_retry_logic: false },
  });
  return { ...env, events, sampler };
}

const request = { prompt: bytes('The quick'), sampling_params: { max_tokens: 4, temperature: 0 } };

/** Each way to sample, run to its end (a stream is read to its last chunk). */
const ways: Record<string, (sampler: SamplingClient, signal?: AbortSignal) => Promise<unknown>> = {
  sample: (sampler, signal) => sampler.sample(request, { signal }),
  sampleStream: async (sampler, signal) => {
    const chunks: unknown[] = [];
    for await (const chunk of sampler.sampleStream(request, { signal })) chunks.push(chunk);
    return chunks;
  },
  // A sample made for another public method: reported by that method, once.
  computeLogprobs: (sampler, signal) => sampler.computeLogprobs(request.prompt, { signal }),
};

/** `sample`, `sampleStream` and `computeLogprobs` report the same to backend telemetry: request start/stop, and a failure. */
describe.each(Object.keys(ways))('%s and backend telemetry', (way) => {
  const run = ways[way];

  it('a failure is reported as UNHANDLED_EXCEPTION, and the session ends, before the caller sees it', async () => {
    const env = await start();
    env.emulator.setChaos('5xx=1;scope=sampling');
    const atRejection: Event[][] = [];
    await expect(
      run(env.sampler).catch((error: unknown) => {
        atRejection.push(env.events());
        throw error;
      }),
    ).rejects.toBeInstanceOf(InternalServerError);
    const unhandled = atRejection[0].filter((e) => e.event === 'UNHANDLED_EXCEPTION');
    expect(unhandled).toEqual([
      expect.objectContaining({ severity: 'ERROR', error_type: 'InternalServerError' }),
    ]);
    expect(atRejection[0].at(-1)!.event).toBe('SESSION_END');
  });

  it('a success is a request start and an ok stop, and no error', async () => {
    const env = await start();
    await run(env.sampler);
    await env.service.close();
    const endpoint = way === 'sampleStream' ? 'stream_sample' : 'asample';
    const ofCall = env.events().filter((e) => e.event_data?.metadata?.endpoint === endpoint);
    expect(ofCall.map((e) => e.event_name)).toEqual([
      'tinkex.http.request.start',
      'tinkex.http.request.stop',
    ]);
    expect(ofCall[1].event_data!.metadata).toMatchObject({ result: 'ok', status: 200 });
    const names = env.events().map((e) => e.event_name ?? e.event);
    expect(names.filter((n) => /user_error|UNHANDLED|exception/.test(n))).toEqual([]);
  });

  it("the caller's own abort is not an error to report", async () => {
    const env = await start();
    const controller = new AbortController();
    controller.abort();
    await expect(run(env.sampler, controller.signal)).rejects.toBeInstanceOf(APIUserAbortError);
    await env.service.close();
    const names = env.events().map((e) => e.event_name ?? e.event);
    expect(names.filter((n) => /user_error|UNHANDLED|exception/.test(n))).toEqual([]);
    expect(names.filter((n) => n === 'SESSION_END')).toHaveLength(1);
  });
});

describe('sampleStream with telemetry on', () => {
  it('a caller breaking out of the loop still ends the stream (its deadline is cancelled)', async () => {
    const clock = new FakeClock();
    const env = await setup(
      {},
      { telemetry: true, configureKernel: (kernel) => kernel.register(Ports.Clock, clock) },
    );
    cleanup = env.close;
    const sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    const idle = clock.pending;
    let chunks = 0;
    for await (const chunk of sampler.sampleStream(request, { timeoutMs: 60_000 })) {
      expect(chunk.type).toBe('token');
      expect(clock.pending).toBe(idle + 1); // the call's deadline
      chunks++;
      break;
    }
    expect(chunks).toBe(1);
    expect(clock.pending).toBe(idle);
  });
});
