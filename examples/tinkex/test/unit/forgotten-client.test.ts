import { describe, expect, it } from '@jest/globals';
import { FakeClock, Ports } from 'pristine-kernel';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
import { collected, timersLeftAfterCollections } from '../../../../test/support/collected.js';

const request = {
  prompt: { chunks: [{ type: 'encoded_text' as const, tokens: [72, 105] }] },
  num_samples: 1,
  sampling_params: { max_tokens: 4 },
};

/** A client used once and dropped without `close()`: only weak references to it are returned. */
async function useAndForget(emulator: RunningEmulator, clock: FakeClock, use: 'sample' | 'rest') {
  const service = new ServiceClient({
    api_key: 'tml-forgotten-client',
    base_url: emulator.url,
    telemetry: true,
    log_level: 'off',
    env: {},
    configureKernel: (kernel) => kernel.register(Ports.Clock, clock),
  });
  if (use === 'sample') {
    const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    await sampler.sample(request);
  } else await service.createRestClient().listTrainingRuns();
  return { ref: new WeakRef(service), sessionId: service.activeSessions[0]?.id };
}

/**
 * A web app or job runner that makes a client per request and forgets `close()` (found by hand: 1,000
 * such clients were all kept, each beating every 10 s for the process's life). A client nobody can reach
 * any more is collected as openai-node's is; its heartbeat, telemetry flush and token refreshes stop,
 * and the server ends the session when its heartbeats stop, as after `close()`.
 */
describe.each([
  ['0.25', {}],
  ['0.25 with JWTs', { pjwt_auth_enabled: true }],
])('a ServiceClient never closed (%s)', (_mode, clientConfig) => {
  it('is collected once unreachable, and its session stops beating', async () => {
    const emulator = await startEmulator({ seed: 7, clientConfig });
    const clock = new FakeClock();
    try {
      const { ref, sessionId } = await useAndForget(emulator, clock, 'sample');
      await clock.advance(10_000);
      // The beat goes over a real socket: wait (turns, not time) until the emulator has it.
      for (let i = 0; i < 10_000 && emulator.state.heartbeats(sessionId!).length === 0; i++)
        await new Promise((resolve) => setImmediate(resolve));
      const beats = emulator.state.heartbeats(sessionId!).length;
      expect(beats).toBe(1);
      expect(await collected(ref)).toBe(true);
      expect(await timersLeftAfterCollections(clock, 120_000)).toBe(0);
      expect(emulator.state.heartbeats(sessionId!)).toHaveLength(beats);
    } finally {
      await emulator.close();
    }
  });

  it('is collected once unreachable after REST calls only (its telemetry flush stops)', async () => {
    const emulator = await startEmulator({ seed: 7, clientConfig });
    const clock = new FakeClock();
    try {
      const { ref } = await useAndForget(emulator, clock, 'rest');
      expect(await collected(ref)).toBe(true);
      expect(await timersLeftAfterCollections(clock, 120_000)).toBe(0);
    } finally {
      await emulator.close();
    }
  });
});
