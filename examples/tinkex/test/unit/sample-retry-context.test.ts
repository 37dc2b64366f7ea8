import { describe, expect, it } from '@jest/globals';
import { startEmulator } from 'tinker-emulator';
import { BackoffRetry, Ports, SystemClock, type Retry, type RetryContext } from 'pristine-kernel';
import { ServiceClient } from '../../src/index.js';

/**
 * Each sample's retry loop runs under the sampler's retry context with the sample's signal. Samples
 * with no signal of their own (stuck detection's, one for the sampler) share one context object; a
 * sample with a signal of its own gets a copy with that signal (sample-retry-signal.e2e.test.ts checks
 * that this signal ends its backoff).
 */
describe('the retry context each sample runs under', () => {
  it('is one object for samples without a signal, and a copy with its own signal for one with', async () => {
    const emulator = await startEmulator({ seed: 5 });
    const contexts: RetryContext[] = [];
    const backoff = new BackoffRetry(new SystemClock());
    // The kernel's own retry adapter, told what each loop runs under.
    const recording: Retry = {
      run: (attempt, context) => (contexts.push(context), backoff.run(attempt, context)),
    };
    const service = new ServiceClient({
      api_key: 'tml-retry-context',
      base_url: emulator.url,
      telemetry: false,
      log_level: 'off',
      env: {},
      configureKernel: (kernel) => kernel.register(Ports.Retry, recording),
    });
    try {
      // A base delay of its own tells the sampler's loops from the kernel's per request.
      const sampler = await service.createSamplingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        retry_config: { retry_delay_base_ms: 1_234 },
      });
      const params = { max_tokens: 2 };
      await Promise.all(
        [72, 73, 74].map((token) => sampler.sample({ prompt: [token], sampling_params: params })),
      );
      const own = new AbortController().signal;
      await sampler.sample({ prompt: [75], sampling_params: params }, { signal: own });
      await sampler.sample({ prompt: [76], sampling_params: params });
      const [a, b, c, mine, after] = contexts.filter((context) => context.delays?.initialDelayMs === 1_234);
      expect(a.signal).toBeInstanceOf(AbortSignal);
      expect(b).toBe(a);
      expect(c).toBe(a);
      expect(after).toBe(a);
      expect(mine).not.toBe(a);
      expect(mine.signal).toBeInstanceOf(AbortSignal);
      expect(mine.signal).not.toBe(a.signal);
      expect({ ...mine, signal: undefined }).toEqual({ ...a, signal: undefined });
    } finally {
      await service.close();
      await emulator.close();
    }
  });
});
