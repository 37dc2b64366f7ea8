import { describe, expect, it } from '@jest/globals';
import { SamplingClient } from '../../src/index.js';
import { E2E_MODES, setup } from './harness.js';

/**
 * `sample()` waits for a dispatch slot (`sample_dispatch_concurrency`) before it builds its `asample`
 * call, and frees the slot once the server accepted or refused the submission.
 */
describe.each(E2E_MODES)('sample dispatch slots (%s)', (mode) => {
  const prompt = { prompt: [72, 105], sampling_params: { max_tokens: 4 } };

  it('never has more asample calls in flight than the limit, and every sample completes', async () => {
    const env = await setup({}, { sample_dispatch_concurrency: 3 }, mode);
    try {
      const sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      let inFlight = 0;
      let most = 0;
      const { events } = env.service.kernel;
      events.on('request:start', (e) => {
        if (e.endpointId !== 'asample') return;
        most = Math.max(most, ++inFlight);
      });
      const done = (e: { endpointId: string }) => {
        if (e.endpointId === 'asample') inFlight--;
      };
      events.on('request:stop', done);
      events.on('request:error', done);
      const results = await Promise.all(Array.from({ length: 30 }, () => sampler.sample(prompt)));
      expect(results.every((r) => r.sequences[0].tokens.length > 0)).toBe(true);
      expect(most).toBe(3);
      expect(inFlight).toBe(0);
    } finally {
      await env.close();
    }
  });

  it('frees the slot of a submission the server refused: later samples still go out', async () => {
    const env = await setup({}, { sample_dispatch_concurrency: 1 }, mode);
    try {
      const sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      // A sampler the server does not know: its asample is refused with a 404 (not retried).
      const unknown = new SamplingClient(env.service, `${sampler.sampling_session_id}-gone`);
      const refused = await Promise.allSettled([unknown.sample(prompt), unknown.sample(prompt)]);
      expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      // With one slot, a slot kept by a refused submission would leave these waiting forever.
      const results = await Promise.all([sampler.sample(prompt), sampler.sample(prompt)]);
      expect(results).toHaveLength(2);
    } finally {
      await env.close();
    }
  });

  it('holds an in-flight slot per sample until it settles, whether the slot was free or awaited, and gives it back on failure', async () => {
    const env = await setup({}, {}, mode);
    try {
      const sampler = await env.service.createSamplingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        retry_config: { max_connections: 2 },
      });
      const unknown = new SamplingClient(env.service, `${sampler.sampling_session_id}-gone`);
      const slots = (client: SamplingClient) =>
        env.service.kernel.getServices().semaphore(`tinker:sample-requests:${client.sampling_session_id}`, 1);
      // A bad request rejects (it never throws) and takes no slot.
      const bad = sampler.sample({ prompt: [72], sampling_params: { max_tokens: -1 } });
      await expect(bad).rejects.toThrow();
      // More samples than slots (in 0.25 the server's limit applies): all complete, none left holding.
      const results = await Promise.all(Array.from({ length: 12 }, () => sampler.sample(prompt)));
      expect(results.every((r) => r.sequences[0].tokens.length > 0)).toBe(true);
      const refused = await Promise.allSettled(Array.from({ length: 3 }, () => unknown.sample(prompt)));
      expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const sem of [slots(sampler), slots(unknown)]) {
        expect([sem.available, sem.waiting]).toEqual([sem.capacity, 0]);
      }
    } finally {
      await env.close();
    }
  });
});
