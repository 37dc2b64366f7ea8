import { describe, expect, it } from '@jest/globals';
import { SamplingClient } from '../../src/index.js';
import { E2E_MODES, modeClient, setup } from './harness.js';
import { forwardingProxy } from '../support/forwarding-proxy.js';

/**
 * A loopback proxy in front of `target` that refuses the first `asample` with a 503 and records the
 * first prompt token and the seq_id of every `asample` in the order they arrive.
 */
async function refuseFirstSubmission(target: string) {
  const arrivals: number[] = [];
  const seqIds: number[] = [];
  const proxy = await forwardingProxy(target, (req, body, res) => {
    if (!req.url?.endsWith('/asample')) return false;
    const parsed = JSON.parse(body.toString()) as {
      prompt: { chunks: { tokens: number[] }[] };
      seq_id: number;
    };
    arrivals.push(parsed.prompt.chunks[0].tokens[0]);
    seqIds.push(parsed.seq_id);
    if (arrivals.length > 1) return false;
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"busy"}');
    return true;
  });
  return { ...proxy, arrivals, seqIds };
}

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

  it('keeps the slot of a submission refused with a 5xx for its resubmission, ahead of samples waiting for one', async () => {
    const env = await setup({}, {}, mode);
    const proxy = await refuseFirstSubmission(env.emulator.url);
    const service = modeClient(mode, proxy.url, { sample_dispatch_concurrency: 1 });
    try {
      const sampler = await service.createSamplingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        retry_config: { retry_delay_base_ms: 1, retry_delay_max_ms: 1 },
      });
      const first = sampler.sample({ prompt: [72], sampling_params: { max_tokens: 2 } });
      const second = sampler.sample({ prompt: [73], sampling_params: { max_tokens: 2 } });
      await Promise.all([first, second]);
      // The refused 72 is resubmitted before 73, which waited for the one slot all along (as the Python
      // SDK retries a failed asample inside its dispatch semaphore); the slot is free again afterwards.
      expect(proxy.arrivals).toEqual([72, 72, 73]);
      // 0.25 resubmits a sample with its seq_id; 0.7.0 gave each attempt a new one (tinker-wire-0.25.md).
      expect(proxy.seqIds).toEqual(mode === 'legacy' ? [0, 1, 2] : [0, 0, 1]);
      const gate = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      await expect(gate.sample({ prompt: [74], sampling_params: { max_tokens: 2 } })).resolves.toBeDefined();
    } finally {
      await service.close();
      await proxy.close();
      await env.close();
    }
  });

  it('sends a sample as it was when sample() was called: params edited while it waits for a slot do not reach the wire', async () => {
    const env = await setup({}, { sample_dispatch_concurrency: 1 }, mode);
    try {
      const sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      const params = { max_tokens: 3, stop: ['x'] as string[] };
      const first = sampler.sample({ prompt: [72], sampling_params: { max_tokens: 2 } });
      // Waits for the one dispatch slot: its request was checked (and made) when it was called.
      const second = sampler.sample({ prompt: [73], sampling_params: params });
      params.max_tokens = -1;
      params.stop.push('\n');
      await Promise.all([first, second]);
      const sent = env.emulator.state.requests
        .filter((r) => r.path.endsWith('/asample'))
        .map((r) => (r.body as { sampling_params: unknown }).sampling_params);
      expect(sent[1]).toEqual(expect.objectContaining({ max_tokens: 3, stop: ['x'] }));
    } finally {
      await env.close();
    }
  });

  it('a sample aborted while it waits for a dispatch slot rejects and gives its in-flight slot back', async () => {
    const env = await setup({}, { sample_dispatch_concurrency: 1 }, mode);
    try {
      const sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      const inFlight = env.service.kernel
        .getServices()
        .semaphore(`tinker:sample-requests:${sampler.sampling_session_id}`, 1);
      const first = sampler.sample(prompt);
      const controller = new AbortController();
      // The one dispatch slot is the first sample's until the server accepts it: this one waits for it.
      const second = sampler.sample(prompt, { signal: controller.signal });
      controller.abort();
      await expect(second).rejects.toThrow();
      await expect(first).resolves.toBeDefined();
      await expect(sampler.sample(prompt)).resolves.toBeDefined();
      expect([inFlight.available, inFlight.waiting]).toEqual([inFlight.capacity, 0]);
    } finally {
      await env.close();
    }
  });
});
