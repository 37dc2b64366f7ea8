import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
import { RedisServer, describeRedis } from '../../../../test/support/redis-server.js';
import {
  connectedClients,
  connectedClientsAfterCollections,
} from '../../../../test/support/redis-clients.js';

const request = {
  prompt: { chunks: [{ type: 'encoded_text' as const, tokens: [72, 105] }] },
  num_samples: 1,
  sampling_params: { max_tokens: 4 },
};

/** A client with `shared.redis` used for one sample and dropped without `close()`. */
async function sampleAndForget(emulator: RunningEmulator, redisUrl: string): Promise<WeakRef<ServiceClient>> {
  const service = new ServiceClient({
    api_key: 'tml-forgotten-shared-client',
    base_url: emulator.url,
    telemetry: false,
    log_level: 'off',
    env: {},
    shared: { redis: redisUrl },
  });
  const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
  await sampler.sample(request);
  return new WeakRef(service);
}

/**
 * A web server making a ServiceClient per request with `shared.redis` and never closing it: once the
 * client is collected, its Redis connections leave the server (else they add up to `maxclients`).
 */
describeRedis('a ServiceClient with shared Redis never closed', () => {
  let redis: RedisServer;
  let inspector: Redis;
  let emulator: RunningEmulator;
  beforeAll(async () => {
    redis = await RedisServer.start();
    inspector = new Redis(redis.url);
    emulator = await startEmulator({ seed: 7 });
  });
  afterAll(async () => {
    await emulator?.close();
    await inspector?.quit();
    await redis?.stop();
  });

  it('closes its Redis connections once collected', async () => {
    const baseline = await connectedClients(inspector);
    const refs = [await sampleAndForget(emulator, redis.url), await sampleAndForget(emulator, redis.url)];
    expect(await connectedClients(inspector)).toBeGreaterThanOrEqual(baseline + 2);
    expect(await connectedClientsAfterCollections(inspector, baseline)).toBe(baseline);
    expect(refs.every((ref) => ref.deref() === undefined)).toBe(true);
  }, 30_000);
});
