import { describe, expect, it } from '@jest/globals';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { ClientClosedError, FutureCancelledError, ServiceClient } from '../../src/index.js';

const request = {
  prompt: { chunks: [{ type: 'encoded_text' as const, tokens: [72, 105] }] },
  num_samples: 1,
  sampling_params: { max_tokens: 4 },
};
const BASE_MODEL = 'meta-llama/Llama-3.2-1B';

/** Every credential a server was sent (API keys and JWTs: `X-API-Key`, `Authorization`). */
function credentials(emulator: RunningEmulator): Set<string> {
  const seen = new Set<string>();
  for (const { headers } of emulator.state.requests)
    for (const name of ['x-api-key', 'authorization']) {
      const value = headers[name];
      if (typeof value === 'string') seen.add(value.replace(/^Bearer /, ''));
    }
  return seen;
}

/** A sampler and a training client of `service`, and a way to put 40 samples and a step in flight. */
async function clientsOf(service: ServiceClient) {
  const sampler = await service.createSamplingClient({ base_model: BASE_MODEL });
  const training = await service.createLoraTrainingClient({ base_model: BASE_MODEL });
  return () => {
    const work: PromiseLike<unknown>[] = Array.from({ length: 40 }, () => sampler.sample(request));
    work.push(training.optimStep({ learning_rate: 1e-4 }));
    return Promise.allSettled(work);
  };
}

/**
 * A platform running clients of two accounts against two deployments in one process: nothing of one
 * (a key, a JWT, a limiter, a pool) may reach the other, and closing one must not touch the other's
 * calls in flight. (Checked by hand with the emulator's bin first; this keeps it so.) Both emulators
 * run in this process, so the modes are listed here rather than through describeInModes' one emulator.
 */
describe.each([
  ['0.25', {}],
  ['0.25 with JWTs', { pjwt_auth_enabled: true }],
])('two ServiceClients side by side (%s)', (_mode, clientConfig) => {
  it('send each key only to its own host, and closing one leaves the other’s calls alone', async () => {
    const [hostA, hostB] = await Promise.all([
      startEmulator({ seed: 1, clientConfig }),
      startEmulator({ seed: 2, clientConfig }),
    ]);
    const keyA = 'tml-side-by-side-alice';
    const keyB = 'tml-side-by-side-bob';
    const a = new ServiceClient({
      api_key: keyA,
      base_url: hostA.url,
      max_retries: 0,
      log_level: 'off',
      env: {},
    });
    const b = new ServiceClient({
      api_key: keyB,
      base_url: hostB.url,
      telemetry: false,
      log_level: 'off',
      env: {},
    });
    try {
      const [busyA, busyB] = await Promise.all([clientsOf(a), clientsOf(b)]);
      const inFlightA = busyA();
      const inFlightB = busyB();
      // Close A twice at once while both are busy.
      await Promise.all([a.close(), a.close()]);
      const sentToA = hostA.state.requests.length;
      const [doneA, doneB] = await Promise.all([inFlightA, inFlightB]);
      for (const outcome of doneB) expect(outcome.status).toBe('fulfilled');
      for (const outcome of doneA)
        if (outcome.status === 'rejected')
          expect(
            outcome.reason instanceof FutureCancelledError || outcome.reason instanceof ClientClosedError,
          ).toBe(true);
      await expect(b.createRestClient().listTrainingRuns()).resolves.toBeDefined();
      expect(hostA.state.requests.length).toBe(sentToA);

      const atA = credentials(hostA);
      const atB = credentials(hostB);
      expect(atA.has(keyB)).toBe(false);
      expect(atB.has(keyA)).toBe(false);
      expect([...atA].filter((credential) => atB.has(credential))).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([hostA.close(), hostB.close()]);
    }
  });
});
