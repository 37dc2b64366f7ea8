import { describe, expect, it } from '@jest/globals';
import { startEmulator } from 'tinker-emulator';
import { FakeClock, Ports } from 'pristine-kernel';
import { FutureCancelledError, ServiceClient } from '../../src/index.js';

type Batch = { events: { event: string }[] };

/** Resolves once `count` requests to `endpoint` have started. */
function untilStarted(service: ServiceClient, endpoint: string, count: number): Promise<void> {
  let started = 0;
  return new Promise((resolve) => {
    service.kernel.events.on('request:start', ({ endpointId }) => {
      if (endpointId === endpoint && ++started === count) resolve();
    });
  });
}

/**
 * Found by hand: `service.close()` during a 1,800-call burst took 15 s, and most calls then completed,
 * because close() flushed telemetry (SESSION_END) first, and that request queued behind every call in
 * flight. close() cancels what is outstanding first, then reports the session's end, then releases the
 * connections; it never waits for the work it is cancelling.
 */
describe('ServiceClient.close() with samples in flight', () => {
  it('cancels them, still delivers SESSION_END, and does not wait for them', async () => {
    // Every poll is held for an hour: these futures would never finish on their own.
    const emulator = await startEmulator({ seed: 3, chaos: 'latency=3600000ms@1;scope=futures' });
    const service = new ServiceClient({
      api_key: 'tml-close-in-flight',
      base_url: emulator.url,
      telemetry: true,
      log_level: 'off',
      env: {},
    });
    try {
      const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      const polling = untilStarted(service, 'retrieve_future', 300);
      // More polls than connections per origin (256): some wait in the connection gate.
      const samples = Array.from({ length: 300 }, () =>
        sampler
          .sample({ prompt: [72, 105], sampling_params: { max_tokens: 4 } })
          .then(undefined, (error: unknown) => error),
      );
      await polling;

      await service.close();

      const outcomes = await Promise.all(samples);
      for (const outcome of outcomes) expect(outcome).toBeInstanceOf(FutureCancelledError);
      expect((outcomes[0] as Error).message).toMatch(/was cancelled: the client was closed$/);
      const events = (emulator.state.telemetry as Batch[]).flatMap((b) => b.events.map((e) => e.event));
      expect(events).toContain('SESSION_END');
    } finally {
      await service.close();
      await emulator.close();
    }
  });

  it('ends a sample waiting out its retry backoff then: no timer left, nothing sent', async () => {
    // A sample's backoff must end with close(): its timer would keep a finished script alive.
    const emulator = await startEmulator({ seed: 3, chaos: '5xx=1;scope=sampling' });
    const clock = new FakeClock();
    const start = clock.now();
    const service = new ServiceClient({
      api_key: 'tml-close-in-backoff',
      base_url: emulator.url,
      telemetry: false,
      log_level: 'off',
      env: {},
      configureKernel: (kernel) => kernel.register(Ports.Clock, clock),
    });
    try {
      const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      const sample = sampler
        .sample({ prompt: [72, 105], sampling_params: { max_tokens: 4 } })
        .then(undefined, (error: unknown) => error);
      // The 503 was read and the backoff sleeps on the test clock.
      while (clock.pending === 0) await new Promise((resolve) => setImmediate(resolve));
      const refused = emulator.state.requests.filter((r) => r.path.endsWith('/asample')).length;
      await service.close();
      // Cancelled by close(), typed; never a result after the wait.
      expect(await sample).toBeInstanceOf(FutureCancelledError);
      expect(clock.now()).toBe(start);
      // Nothing still sleeps: a backoff timer would keep a finished script alive for up to 10 s.
      await new Promise((resolve) => setImmediate(resolve));
      expect(clock.pending).toBe(0);
      // Not retried: nothing more reached the server.
      expect(emulator.state.requests.filter((r) => r.path.endsWith('/asample'))).toHaveLength(refused);
    } finally {
      await service.close();
      await emulator.close();
    }
  });
  it('ends samples still being submitted at once, not after the last telemetry report', async () => {
    // Found by hand against a server that stopped answering: the samples whose `asample` was on the wire
    // rejected only once close() had sent the last report (8.5 s there). Every submission is held for an
    // hour here, and each telemetry POST is answered after 500 ms: the samples must all have settled
    // while close() still waits for its report.
    const emulator = await startEmulator({
      seed: 3,
      chaos: 'latency=3600000ms@1;scope=sampling;latency=500ms@1;scope=telemetry',
    });
    const service = new ServiceClient({
      api_key: 'tml-close-submitting',
      base_url: emulator.url,
      telemetry: true,
      log_level: 'off',
      env: {},
    });
    try {
      const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
      const submitting = untilStarted(service, 'asample', 20);
      let closeDone = false;
      const samples = Array.from({ length: 20 }, () =>
        sampler
          .sample({ prompt: [72, 105], sampling_params: { max_tokens: 4 } })
          .then(undefined, (error: unknown) => ({ error, closeDone })),
      );
      await submitting;

      const closing = service.close().then(() => (closeDone = true));
      const outcomes = await Promise.all(samples);
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({ closeDone: false });
        expect((outcome as { error: unknown }).error).toBeInstanceOf(FutureCancelledError);
      }
      await closing;
      const events = (emulator.state.telemetry as Batch[]).flatMap((b) => b.events.map((e) => e.event));
      expect(events).toContain('SESSION_END');
    } finally {
      await service.close();
      await emulator.close();
    }
  });
});
