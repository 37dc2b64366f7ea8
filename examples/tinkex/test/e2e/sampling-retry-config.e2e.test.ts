import { afterEach, describe, expect, it } from '@jest/globals';
import { Ports, UndiciTransport, type Transport, type TransportRequest } from 'pristine-kernel';
import {
  APIConnectionError,
  InternalServerError,
  ModelInput,
  type SamplingClient,
  type SamplingRetryConfig,
} from '../../src/index.js';
import { describeInModes, setup } from './harness.js';
import { InstantClock } from './instant-clock.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const turn = () => new Promise((resolve) => setImmediate(resolve));
const prompt = (i: number) => ModelInput.fromInts([70 + i, 111, 120]);
const params = { max_tokens: 2, seed: 1 };

/** The real transport, counting `/asample` submissions on the wire at once. */
class CountingTransport implements Transport {
  readonly name = 'counting';
  private readonly inner = new UndiciTransport();
  inFlight = 0;
  max = 0;
  async send(request: TransportRequest) {
    if (!request.url.includes('/api/v1/asample')) return this.inner.send(request);
    this.max = Math.max(this.max, ++this.inFlight);
    try {
      return await this.inner.send(request);
    } finally {
      this.inFlight--;
    }
  }
  close() {
    return this.inner.close();
  }
}

/** How many samples of `sampler` wait for a slot of its RetryConfig semaphore. */
function waitingForSlot(sampler: SamplingClient, env: Awaited<ReturnType<typeof setup>>) {
  return env.service.kernel
    .getServices()
    .semaphore(`tinker:sample-requests:${sampler.sampling_session_id}`, 1).waiting;
}

// The limit comes from different places in the two protocols, so each row pins its mode and runs in
// that mode's whole-suite run.
const maxConnectionRows = [
  ['legacy', {}, 2],
  // As in the Python SDK, the server's sample_max_concurrent_requests always replaces it in 0.25.
  ['v025', { clientConfig: { sample_max_concurrent_requests: 3 } }, 3],
] as const;
for (const row of maxConnectionRows) {
  describeInModes([row[0]], `sampling RetryConfig: max_connections (${row[0]})`, () => {
    it.each([row])(
      '%s: bounds the samples of one sampler in progress, polling included',
      async (mode, emulatorOptions, limit) => {
        const env = await setup(emulatorOptions, {}, mode);
        cleanup.push(env.close);
        const sampler = await env.service.createSamplingClient({
          base_model: 'tinkex/byte-tiny',
          retry_config: { max_connections: 2 },
        });
        env.emulator.setChaos('pause=1;scope=futures');
        const samples = Array.from({ length: 5 }, (_, i) =>
          sampler.sample({ prompt: prompt(i), sampling_params: params }),
        );
        const submitted = () => env.emulator.requestLog().filter((r) => r.path === '/api/v1/asample').length;
        while (submitted() < limit || waitingForSlot(sampler, env) < 5 - limit) await turn();
        expect(submitted()).toBe(limit);
        env.emulator.setChaos('');
        const responses = await Promise.all(samples);
        expect(responses.map((r) => r.sequences[0].tokens.length)).toEqual([2, 2, 2, 2, 2]);
      },
    );
  });
}

describe('sampling RetryConfig: stuck detection', () => {
  it('fails the samples of a sampler with no progress for progress_timeout_ms; off, a sample waits on', async () => {
    const env = await setup();
    cleanup.push(env.close);
    const watched = await env.service.createSamplingClient({
      base_model: 'tinkex/byte-tiny',
      retry_config: { progress_timeout_ms: 300 },
    });
    const unwatched = await env.service.createSamplingClient({
      base_model: 'tinkex/byte-tiny',
      retry_config: { progress_timeout_ms: 300, enable_stuck_detection: false },
    });
    env.emulator.setChaos('pause=1;scope=futures');
    let waitingOn: 'pending' | 'settled' = 'pending';
    const patient = unwatched.sample({ prompt: prompt(0), sampling_params: params });
    void patient.finally(() => (waitingOn = 'settled'));
    const error = await watched
      .sample({ prompt: prompt(1), sampling_params: params })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toMatch(
      /^No progress made in 0\.3s\. Requests to http:\/\/127\.0\.0\.1:\d+ appear to be stuck\.$/,
    );
    await turn();
    expect(waitingOn).toBe('pending');
    env.emulator.setChaos('');
    expect((await patient).sequences).toHaveLength(1);
  });
});

describe('sampling RetryConfig: stuck detection and the dispatch slots', () => {
  it('also fails a sample still waiting for a dispatch slot, which then never submits', async () => {
    const env = await setup({}, { sample_dispatch_concurrency: 1 });
    cleanup.push(env.close);
    const sampler = await env.service.createSamplingClient({
      base_model: 'tinkex/byte-tiny',
      retry_config: { progress_timeout_ms: 300 },
    });
    // Submissions are answered after 5 s: the first holds the one dispatch slot, the second waits for it.
    env.emulator.setChaos('latency=5000ms@1;scope=sampling');
    let submitted = 0;
    env.service.kernel.events.on('request:start', (e) => {
      if (e.endpointId === 'asample') submitted++;
    });
    const errors = await Promise.all(
      [0, 1].map((i) =>
        sampler.sample({ prompt: prompt(i), sampling_params: params }).catch((e: unknown) => e),
      ),
    );
    for (const error of errors) expect((error as Error).message).toMatch(/^No progress made in 0\.3s\./);
    // The waiting sample was under stuck detection too: it failed with the first, without submitting.
    expect(submitted).toBe(1);
    env.emulator.setChaos('');
  });
});

describe('the throttled phase after a sampling 429', () => {
  it('sends at most sample_throttle.concurrency submissions at once within window_ms of a 429', async () => {
    const transport = new CountingTransport();
    const env = await setup(
      {},
      {
        sample_throttle: { concurrency: 1, window_ms: 60_000 },
        configureKernel: (kernel) => kernel.register(Ports.Transport, transport),
      },
    );
    cleanup.push(env.close);
    const sampler = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    // Slow submissions, so concurrent ones overlap on the wire.
    env.emulator.setChaos('latency=150ms;scope=sampling');
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) => sampler.sample({ prompt: prompt(i), sampling_params: params })),
    );
    expect(transport.max).toBeGreaterThan(1);

    // One sample meets a 429, backs off (1 s) and succeeds on its retry: the window has reopened, but
    // the samples sent after it, within window_ms, still go one at a time.
    env.emulator.setChaos('429=1;scope=sampling');
    const first = sampler.sample({ prompt: prompt(5), sampling_params: params });
    const rateLimited = () =>
      env.emulator.requestLog().some((r) => r.path === '/api/v1/asample' && r.status === 429);
    while (!rateLimited()) await turn();
    env.emulator.setChaos('latency=150ms;scope=sampling');
    await first;
    transport.max = 0;
    await Promise.all(
      [6, 7, 8, 9].map((i) => sampler.sample({ prompt: prompt(i), sampling_params: params })),
    );
    expect(transport.max).toBe(1);
  }, 30_000);
});

describe('sampling RetryConfig: max_retries', () => {
  it('bounds the whole-request retries of a sample (default unlimited, as the Python SDK)', async () => {
    const env = await setup(
      { chaos: '5xx=1;scope=sampling' },
      { configureKernel: (kernel) => kernel.register(Ports.Clock, new InstantClock()) },
    );
    cleanup.push(env.close);
    const bounded = await env.service.createSamplingClient({
      base_model: 'tinkex/byte-tiny',
      retry_config: { max_retries: 2 },
    });
    const submissions = () => env.emulator.requestLog().filter((r) => r.path === '/api/v1/asample').length;
    await expect(bounded.sample({ prompt: prompt(0), sampling_params: params })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    // The first attempt and two retries, each a new submission.
    expect(submissions()).toBe(3);

    // The default keeps going while the server keeps failing; it succeeds once the server recovers.
    const unbounded = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    const before = submissions();
    const sample = unbounded.sample({ prompt: prompt(1), sampling_params: params });
    while (submissions() < before + 5) await turn();
    env.emulator.setChaos('');
    await expect(sample).resolves.toHaveProperty('sequences');
  });

  it('a retry_config member given as undefined keeps its default (unlimited retries), not undefined', async () => {
    const clock = new InstantClock();
    const env = await setup(
      { chaos: '5xx=1;scope=sampling' },
      { configureKernel: (kernel) => kernel.register(Ports.Clock, clock) },
    );
    cleanup.push(env.close);
    const sampler = await env.service.createSamplingClient({
      base_model: 'tinkex/byte-tiny',
      retry_config: { max_retries: undefined, retry_delay_base_ms: undefined },
    });
    const submissions = () => env.emulator.requestLog().filter((r) => r.path === '/api/v1/asample').length;
    const sample = sampler.sample({ prompt: prompt(2), sampling_params: params });
    const settled = sample.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    while (submissions() < 5) {
      const early = await Promise.race([settled, turn().then(() => undefined)]);
      if (early !== undefined)
        throw new Error(`settled after ${submissions()} submissions: ${String(early)}`);
    }
    env.emulator.setChaos('');
    await expect(sample).resolves.toHaveProperty('sequences');
    // An undefined retry_delay_base_ms made every backoff NaN: a real clock's timer fires at once.
    expect(clock.sleeps.filter((ms) => !Number.isFinite(ms))).toEqual([]);
  });

  it.each([-1, 1.5, Number.NaN, '3'])('refuses max_retries %p before the client exists', async (value) => {
    const env = await setup();
    cleanup.push(env.close);
    await expect(
      env.service.createSamplingClient({
        base_model: 'tinkex/byte-tiny',
        retry_config: { max_retries: value as number },
      }),
    ).rejects.toMatchObject({ issues: [expect.objectContaining({ pointer: '/retry_config/max_retries' })] });
  });
});

describe('a bad retry_config is refused before anything is sent', () => {
  // Both used to create the sampler on the server first and refuse the config afterwards, leaving a
  // sampling session (or a saved sampler snapshot) behind for a call that failed.
  const bad = { retry_config: 'step-10' } as unknown as { retry_config: Partial<SamplingRetryConfig> };
  const calls = (env: Awaited<ReturnType<typeof setup>>, path: string) =>
    env.emulator.requestLog().filter((r) => r.path === path).length;

  it('createSamplingClient sends no create_sampling_session', async () => {
    const env = await setup();
    cleanup.push(env.close);
    await expect(
      env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny', ...bad }),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ pointer: '/retry_config', rule: 'type' })],
    });
    expect(calls(env, '/api/v1/create_sampling_session')).toBe(0);
  });

  it('saveWeightsAndGetSamplingClient sends no save_weights_for_sampler', async () => {
    const env = await setup();
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 4 });
    // Python's deprecated first argument is a name; here it is the retry_config.
    await expect(training.saveWeightsAndGetSamplingClient(bad.retry_config)).rejects.toMatchObject({
      issues: [expect.objectContaining({ pointer: '/retry_config', rule: 'type' })],
      message: expect.stringContaining('saveWeightsForSampler(name)'),
    });
    expect(calls(env, '/api/v1/save_weights_for_sampler')).toBe(0);
    // The refused call took no sampling seq id: the next unnamed snapshot is the session's first.
    const sampler = await training.saveWeightsAndGetSamplingClient();
    expect(sampler.sampling_session_id).toMatch(/:sample:0$/);
  });
});
