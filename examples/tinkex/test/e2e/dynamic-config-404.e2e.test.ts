import { afterEach, describe, expect, it } from '@jest/globals';
import { CaptureLogger, Ports } from 'pristine-kernel';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
import { hidingProxy } from '../support/forwarding-proxy.js';
import { API_KEY } from './harness.js';

type Event = {
  event: string;
  severity: string;
  event_name?: string;
  event_data?: { metadata?: Record<string, unknown> };
};

/**
 * A 0.25 server without `client/dynamic_config` (a real emulator behind a proxy that answers 404 there)
 * is an expected answer, as in the Python SDK (404 ⇒ defaults): the session starts, nothing is retried,
 * and neither the log nor backend telemetry reports it as an error.
 */
describe('client/dynamic_config answering 404', () => {
  let emulator: RunningEmulator;
  let proxy: Awaited<ReturnType<typeof hidingProxy>>;
  let service: ServiceClient;
  afterEach(async () => {
    await service?.close();
    await proxy?.close();
    await emulator?.close();
  });

  it('is the defaults, asked once, never logged or reported as an error', async () => {
    emulator = await startEmulator({ seed: 7 });
    proxy = await hidingProxy(emulator.url, /\/client\/dynamic_config$/);
    const logger = new CaptureLogger({ level: 'debug' });
    service = new ServiceClient({
      api_key: API_KEY,
      base_url: proxy.url,
      telemetry: true,
      env: {},
      configureKernel: (kernel) => kernel.register(Ports.Logger, logger),
    });
    // REST first: the session-less holder's handshake is reported (session-less telemetry exists from
    // the start); then a session, whose holder asks again.
    await service.createRestClient().listTrainingRuns();
    const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    await sampler.sample({ prompt: [1, 2, 3], sampling_params: { max_tokens: 2 } });
    await service.close();

    const paths = emulator.requestLog().map((r) => r.path);
    // Not on the emulator (the proxy answered it), so the 0.25 session went on after the 404.
    expect(paths).not.toContain('/api/v1/client/dynamic_config');
    expect(paths).toContain('/api/v1/create_session');
    expect(paths).toContain('/api/v1/asample');

    expect(logger.records.filter((r) => r.level === 'warn' || r.level === 'error')).toEqual([]);
    // At debug the one request and its 404 answer are shown, once per holder that asked: no retry.
    const asked = logger.records.filter(
      (r) => r.level === 'debug' && /^request POST .*\/client\/dynamic_config$/.test(r.message),
    );
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.fields?.attempt === 1)).toBe(true);

    const events = (emulator.state.telemetry as { events: Event[] }[]).flatMap((b) => b.events);
    const dynamic = events.filter((e) => e.event_data?.metadata?.endpoint === 'get_dynamic_config');
    // One answer per holder that asked (session-less, then sessionful), each an ok answer at INFO.
    const answers = dynamic.filter((e) => e.event_name === 'tinkex.http.request.stop');
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(answer).toMatchObject({
        severity: 'INFO',
        event_data: {
          metadata: { endpoint: 'get_dynamic_config', status: 404, result: 'ok', dynamic_config: 'defaults' },
        },
      });
    }
    const errors = events.filter((e) => e.severity !== 'INFO' || e.event_data?.metadata?.result === 'error');
    expect(errors).toEqual([]);
  });
});
