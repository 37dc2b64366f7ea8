import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  APIUserAbortError,
  FakeClock,
  fingerprint,
  Ports,
  RedisLink,
  RedisSemaphoreFactory,
  SharedStateUnavailableError,
  SystemClock,
} from 'pristine-kernel';
import { RedisServer, describeRedis } from '../../../../test/support/redis-server.js';
import { ServiceClient, type SamplingClient } from '../../src/index.js';
import { API_KEY, bytes, setup } from './harness.js';

/** A manual clock that tells when the first sleep starts and records every sleep's length. */
class WatchedClock extends FakeClock {
  readonly sleeps: number[] = [];
  private slept!: () => void;
  readonly firstSleep = new Promise<void>((resolve) => (this.slept = resolve));

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.slept();
    return super.sleep(ms, signal);
  }
}

/** `new ServiceClient({ shared: { redis } })`: the sampling dispatch budget is the fleet's, in Redis. */
describeRedis('ServiceClient with shared: { redis }', () => {
  let redis: RedisServer;
  let env: Awaited<ReturnType<typeof setup>>;
  let sampler: SamplingClient;
  let link: RedisLink;

  beforeAll(async () => {
    redis = await RedisServer.start();
    env = await setup({}, { shared: { redis: redis.url }, sample_dispatch_concurrency: 1 });
    sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    // Another process of the same fleet: same Redis, same API key, so the same key prefix.
    link = new RedisLink({ url: redis.url, keyPrefix: `tinkex:${fingerprint(API_KEY)}:` });
  }, 30_000);
  afterAll(async () => {
    await link?.close();
    await env?.close();
    await redis?.stop();
  });

  const request = { prompt: bytes('The quick'), sampling_params: { max_tokens: 4, temperature: 0 } };

  it('waits while another process holds the fleet-wide dispatch permit, and goes once it is released', async () => {
    await sampler.sample(request); // the budget is free: goes at once
    // The other process takes the fleet's only sampling permit (sample_dispatch_concurrency: 1).
    const fleet = new RedisSemaphoreFactory(link, new SystemClock()).create(1, 'tinker:sampling:count');
    const release = await fleet.acquire();
    let done = false;
    const sampled = sampler.sample(request).then((response) => ((done = true), response));
    // Wait for the event itself, not for time: the sampler's waiter appears in the fleet's queue.
    const probe = new Redis(redis.url);
    try {
      const [queue] = link.slotKeys(['sem', 'tinker:sampling:count'], ['queue']);
      while ((await probe.zcard(queue)) === 0) await new Promise((r) => setImmediate(r));
    } finally {
      probe.disconnect();
    }
    expect(done).toBe(false);
    release();
    const response = await sampled;
    expect(response.sequences).toHaveLength(1);
  }, 20_000);

  it('closes the sampling 429 window for every process of the fleet when one sampler sees a 429', async () => {
    const fleetKey = `tinkex:${fingerprint(API_KEY)}:{rate:tinker-sampling|fleet}`;
    const probe = new Redis(redis.url);
    let first: Promise<unknown> | undefined;
    const clock = new WatchedClock();
    const peer = new ServiceClient({
      api_key: API_KEY,
      base_url: env.emulator.url,
      telemetry: false,
      log_level: 'off',
      env: {},
      shared: { redis: redis.url },
      configureKernel: (kernel) => kernel.register(Ports.Clock, clock),
    });
    try {
      const peerSampler = await peer.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      env.emulator.setChaos('429=1;scope=sampling');
      first = sampler.sample(request); // meets the 429, closes the fleet's window for 1 s, retries
      // Each read is a real round trip to Redis: no pause of its own (the test's timeout bounds it).
      let openAt: string | null = null;
      while (!openAt) openAt = await probe.hget(fleetKey, 'open_at');
      env.emulator.setChaos(undefined);
      // Another process, which never saw a 429 itself, waits out the fleet's window on its own clock.
      const controller = new AbortController();
      const held = peerSampler.sample(request, { signal: controller.signal });
      const outcome = await Promise.race([
        clock.firstSleep.then(() => 'held back'),
        held.then(
          () => 'sampled',
          () => 'failed',
        ),
      ]);
      expect(outcome).toBe('held back');
      expect(clock.sleeps[0]).toBeGreaterThan(0);
      expect(clock.sleeps[0]).toBeLessThanOrEqual(1_000);
      controller.abort();
      await expect(held).rejects.toBeInstanceOf(APIUserAbortError);
      await first;
    } finally {
      env.emulator.setChaos(undefined);
      await first?.catch(() => {}); // settles once its 1 s backoff ends: nothing outlives the test
      probe.disconnect();
      await peer.close();
    }
  }, 20_000);

  it("with on_unavailable: 'reject', a sample while Redis is down fails before anything is sent", async () => {
    // A fleet that must never exceed its limits (quotas billed per call) fails closed, as the kernel's
    // `shared.onUnavailable: 'reject'` does; Tinkex only offered the default, falling back to in-process.
    const own = await RedisServer.start();
    const service = new ServiceClient({
      api_key: API_KEY,
      base_url: env.emulator.url,
      telemetry: false,
      log_level: 'off',
      env: {},
      shared: { redis: own.url, on_unavailable: 'reject' },
    });
    try {
      // The error is retryable (Redis may come back), so a sampler retries it as it would a dead server;
      // with no retries it surfaces at once.
      const closed = await service.createSamplingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        retry_config: { max_retries: 0 },
      });
      await closed.sample(request); // Redis is up: the fleet's budget is asked, the sample goes
      await own.halt();
      const sent = () => env.emulator.state.requests.filter((r) => r.path.endsWith('/asample')).length;
      const before = sent();
      await expect(closed.sample(request)).rejects.toBeInstanceOf(SharedStateUnavailableError);
      expect(sent()).toBe(before);
    } finally {
      await service.close();
      await own.stop();
    }
  }, 20_000);

  it('refuses an on_unavailable other than local or reject, naming the field', () => {
    expect(
      () =>
        new ServiceClient({
          api_key: API_KEY,
          shared: { redis: 'redis://127.0.0.1:6379', on_unavailable: 'fail' as 'reject' },
          env: {},
        }),
    ).toThrow(/\/shared\/on_unavailable/);
  });

  it('rejects a shared.redis that is not a redis:// URL before anything is sent', () => {
    expect(
      () => new ServiceClient({ api_key: API_KEY, shared: { redis: 'localhost:6379' }, env: {} }),
    ).toThrow(/\/shared\/redis/);
  });
});
