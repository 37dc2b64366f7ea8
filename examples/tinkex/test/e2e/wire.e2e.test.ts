import { afterEach, describe, expect, it } from '@jest/globals';
import { Ports } from 'pristine-kernel';
import { InstantClock } from './instant-clock.js';
import { describeInModes, setup, textDatum, bytes } from './harness.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

// About the JSON protocol only (request-log.e2e.test.ts covers the 0.25 wire): it pins legacy mode.
describeInModes(['legacy'], 'what Tinkex puts on the wire (JSON protocol)', () => {
  it('sends the 0.7.0 JSON client headers and bodies, field for field (legacy server)', async () => {
    const env = await setup({}, {}, 'legacy');
    cleanup = env.close;
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    await training.forwardBackward([textDatum('hello')], 'cross_entropy');
    const sampler = await training.saveWeightsAndGetSamplingClient();
    await sampler.sample({ prompt: bytes('he'), sampling_params: { max_tokens: 2 } });
    await env.service.getServerCapabilities();
    const log = env.emulator.state.requests;
    const find = (path: string) => log.find((r) => r.path.startsWith(path))!;

    const session = find('/api/v1/create_session');
    expect(session.body).toEqual({ tags: [], user_metadata: {}, sdk_version: expect.any(String) });
    const fb = find('/api/v1/forward_backward');
    expect(fb.body).toMatchObject({
      model_id: training.model_id,
      seq_id: 1,
      forward_backward_input: { loss_fn: 'cross_entropy', loss_fn_config: null },
    });
    expect(JSON.stringify(fb.body)).not.toContain('"type"');
    const h = fb.headers;
    expect(h['x-api-key']).toBe('tml-e2e-test-key-0123456789');
    expect(h['user-agent']).toMatch(/^Tinkex\/TypeScript /);
    expect(h['x-stainless-os']).toBeTruthy();
    expect(h['x-stainless-arch']).toBe(process.arch);
    expect(h['x-stainless-runtime']).toBe('node');
    expect(h['x-stainless-runtime-version']).toBe(process.version);
    expect(h['x-stainless-package-version']).toBeTruthy();
    expect(h['x-stainless-retry-count']).toBe('0');
    expect(h['x-stainless-read-timeout']).toBe('60');
    expect(h['x-idempotency-key']).toMatch(
      /^stainless-node-retry-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(h['content-type']).toBe('application/json');

    const polls = log.filter((r) => r.path === '/api/v1/retrieve_future');
    const fbPoll = polls.find(
      (p) =>
        (p.body as any).request_id === undefined || p.headers['x-tinker-request-type'] === 'ForwardBackward',
    )!;
    expect(fbPoll.headers['x-tinker-request-iteration']).toBe('0');
    expect(fbPoll.headers['x-tinker-create-promise-roundtrip-time']).toMatch(/^\d+(\.\d+)?(e-?\d+)?$/);
    expect(fbPoll.headers['x-stainless-read-timeout']).toBe('45');
    expect(fbPoll.headers['x-idempotency-key']).toBeTruthy();

    const sample = find('/api/v1/asample');
    expect(sample.headers['x-tinker-sampling-backpressure']).toBe('1');
    expect(sample.body).toMatchObject({
      num_samples: 1,
      seq_id: 0,
      prompt_logprobs: false,
      topk_prompt_logprobs: 0,
      sampling_params: { max_tokens: 2 },
    });
    const caps = find('/api/v1/get_server_capabilities');
    expect(caps.headers['x-idempotency-key']).toBeUndefined();
    expect(caps.headers['content-type']).toBeUndefined();
  });
});

describe('what Tinkex puts on the wire', () => {
  it('heartbeats on the clock and reports telemetry batches, SESSION_START … SESSION_END', async () => {
    const clock = new InstantClock();
    const env = await setup({}, { telemetry: true, configureKernel: (k) => k.register(Ports.Clock, clock) });
    cleanup = env.close;
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    const sessionId = (await env.service.session()).sessionId;
    expect(env.emulator.state.heartbeats(sessionId)).toHaveLength(0);
    // Heartbeats have connections of their own (the SESSION pool): wait for each answer, not for
    // another call that used to share its connection.
    const answered = () =>
      new Promise<void>((resolve) => {
        const off = env.service.kernel.events.on('request:stop', (e) => {
          if (e.endpointId !== 'session_heartbeat') return;
          off();
          resolve();
        });
      });
    for (let i = 0; i < 3; i++) {
      const beat = answered();
      clock.tick();
      await beat;
      await training.getInfo(); // the heartbeat's own bookkeeping settles before the next tick
    }
    expect(env.emulator.state.heartbeats(sessionId).length).toBeGreaterThanOrEqual(3);
    await env.service.close();
    cleanup = () => env.emulator.close();
    expect(clock.timerCount).toBe(0);
    const events = env.emulator.state.telemetry.flatMap((b: any) => b.events.map((e: any) => e.event));
    expect(events[0]).toBe('SESSION_START');
    expect(events.at(-1)).toBe('SESSION_END');
    expect((env.emulator.state.telemetry[0] as any).session_id).toBe(sessionId);
  });

  it('sends no telemetry when it is disabled', async () => {
    const env = await setup({}, { env: { TINKER_TELEMETRY: '0' }, telemetry: undefined });
    cleanup = env.close;
    await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 });
    await env.service.close();
    cleanup = () => env.emulator.close();
    expect(env.emulator.state.telemetry).toEqual([]);
  });
});
