import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { APIUserAbortError, ServiceClient } from '../../src/index.js';
import { API_KEY, E2E_MODES, MODE_PROTOCOL, setup } from './harness.js';
import { forwardingProxy } from '../support/forwarding-proxy.js';

/**
 * A sample's retry loop runs under the sampler's retry context with the sample's signal. Samples without
 * a signal of their own share one such context (SamplingClient.withSignal); a sample with one must still have
 * its own signal end its backoff, after the sampler's shared context was made.
 */
describe.each(E2E_MODES)('a sample’s retry backoff and its signal (%s)', (mode) => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('a sample aborted in its backoff rejects at once, after samples without a signal shared a context', async () => {
    const env = await setup({}, {}, mode);
    // The sampler's loop logs its retry (at info) just before its backoff sleep starts.
    let retrying!: () => void;
    const inBackoff = new Promise<void>((resolve) => (retrying = resolve));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      if (String(chunk).includes('retrying sample in')) retrying();
      return true;
    });
    // Every submission of prompt token 90 is refused with a 410, which the sampler's
    // loop retries after its backoff; the others pass.
    const proxy = await forwardingProxy(env.emulator.url, (req, body, res) => {
      if (!req.url?.endsWith('/asample')) return false;
      const parsed = JSON.parse(body.toString()) as { prompt: { chunks: { tokens: number[] }[] } };
      if (parsed.prompt.chunks[0].tokens[0] !== 90) return false;
      res.writeHead(410, { 'content-type': 'application/json' }).end('{"detail":"gone"}');
      return true;
    });
    const service = new ServiceClient({
      api_key: API_KEY,
      base_url: proxy.url,
      protocol: MODE_PROTOCOL[mode],
      telemetry: false,
      log_level: 'info',
      env: {},
      // The transport's own retries off: the refusal reaches the sampler's retry loop at once.
      max_retries: 0,
    });
    try {
      const sampler = await service.createSamplingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        // A backoff far longer than the test's timeout: only the signal can end it in time.
        retry_config: { retry_delay_base_ms: 600_000, retry_delay_max_ms: 600_000, jitter_factor: 0 },
      });
      const params = { max_tokens: 2 };
      await Promise.all([
        sampler.sample({ prompt: [72], sampling_params: params }),
        sampler.sample({ prompt: [73], sampling_params: params }),
      ]);
      const controller = new AbortController();
      const aborted = sampler.sample(
        { prompt: [90], sampling_params: params },
        { signal: controller.signal },
      );
      aborted.catch(() => {});
      await inBackoff;
      controller.abort();
      await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);
      // Its retry loop ended too (the call's own rejection does not wait for it): nothing is left in
      // flight, and its in-flight slot is back. A loop that slept on without the sample's signal would
      // hold both for the whole backoff.
      await service.idle();
      const inFlight = service.kernel
        .getServices()
        .semaphore(`tinker:sample-requests:${sampler.sampling_session_id}`, 1);
      expect(inFlight.available).toBe(inFlight.capacity);
      // The sampler's samples without a signal still run.
      await expect(sampler.sample({ prompt: [74], sampling_params: params })).resolves.toBeDefined();
    } finally {
      await service.close();
      await proxy.close();
      await env.close();
    }
  });
});
