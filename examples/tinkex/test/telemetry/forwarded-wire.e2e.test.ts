import { afterEach, describe, expect, it } from '@jest/globals';
import { Ports, type Kernel } from 'pristine-kernel';
import { API_KEY, setup } from '../e2e/harness.js';
import { InstantClock } from '../e2e/instant-clock.js';

/**
 * The exact JSON of the forwarded kernel events as the emulator receives them (real HTTP). The queue
 * may hold an event in any form it likes; what is sent must stay Elixir tinkex's shape, field for
 * field and in this key order: `event`, `event_id`, `event_session_index`, `severity`, `timestamp`,
 * `event_name`, `event_data: {measurements, metadata}`.
 */

type WireEvent = Record<string, unknown> & { event_id: string; event_session_index: number };
type Batch = { session_id: string; events: WireEvent[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function start() {
  const clock = new InstantClock();
  let kernel: Kernel | undefined;
  const env = await setup(
    {},
    {
      telemetry: true,
      configureKernel: (k: Kernel) => {
        kernel = k;
        k.register(Ports.Clock, clock);
      },
    },
  );
  cleanup = env.close;
  // A session, so the events go to the session's reporter.
  const sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
  const sessionId = (await env.service.session()).sessionId;
  const sent = () =>
    (env.emulator.state.telemetry as Batch[])
      .filter((b) => b.session_id === sessionId)
      .flatMap((b) => b.events);
  return { env, clock, kernel: kernel!, sampler, sent };
}

/** The event as JSON with its id and index taken out (checked on their own). */
const shape = (event: WireEvent) => JSON.stringify({ ...event, event_id: 'ID', event_session_index: 0 });

describe('forwarded kernel events on the wire', () => {
  it('start, stop, retry, exception and error stops are sent exactly as Elixir tinkex shapes them', async () => {
    const { env, clock, kernel, sent } = await start();
    const at = new Date(clock.now()).toISOString();
    const url = `http://127.0.0.1:9/api/v1/probe?note=${API_KEY}`;
    const events = kernel.events;
    events.emit('request:start', { endpointId: 'wire_probe', method: 'POST', url, attempt: 0 });
    events.emit('request:stop', { endpointId: 'wire_probe', status: 200, durationMs: 12, attempts: 1 });
    events.emit('request:start', { endpointId: 'telemetry', method: 'POST', url, attempt: 0 });
    events.emit('request:retry', {
      endpointId: 'wire_probe',
      attempt: 1,
      delayMs: 250,
      error: Object.assign(new Error('upstream said 503'), { name: 'InternalServerError' }),
    });
    events.emit('request:error', {
      endpointId: 'wire_probe',
      error: new Error('socket hang up'),
      durationMs: 7,
    });
    events.emit('request:error', {
      endpointId: 'wire_probe',
      error: Object.assign(new Error('bad input'), { name: 'BadRequestError' }),
      durationMs: 3,
      status: 400,
    });
    events.emit('request:stop', { endpointId: 'wire_probe', status: 201, durationMs: 1.5, attempts: 3 });
    events.emit('request:start', { endpointId: 'wire_probe', method: 'GET', url: 'http://h/x', attempt: 0 });
    await env.service.close();

    const probe = sent().filter((e) => JSON.stringify(e).includes('wire_probe'));
    const head = `"event":"GENERIC_EVENT","event_id":"ID","event_session_index":0,"severity"`;
    const masked = `http://127.0.0.1:9/api/v1/probe?note=[REDACTED]`;
    expect(probe.map(shape)).toEqual([
      `{${head}:"INFO","timestamp":"${at}","event_name":"tinkex.http.request.start","event_data":{"measurements":{},"metadata":{"endpoint":"wire_probe","method":"POST","url":"${masked}"}}}`,
      `{${head}:"INFO","timestamp":"${at}","event_name":"tinkex.http.request.stop","event_data":{"measurements":{"duration_ms":12},"metadata":{"endpoint":"wire_probe","status":200,"result":"ok","retry_count":0}}}`,
      `{${head}:"INFO","timestamp":"${at}","event_name":"tinkex.retry.attempt.retry","event_data":{"measurements":{"delay_ms":250},"metadata":{"endpoint":"wire_probe","attempt":1,"error":{"type":"InternalServerError","message":"upstream said 503"}}}}`,
      `{${head}:"ERROR","timestamp":"${at}","event_name":"tinkex.http.request.exception","event_data":{"measurements":{"duration_ms":7},"metadata":{"endpoint":"wire_probe","error":{"type":"Error","message":"socket hang up"}}}}`,
      `{${head}:"INFO","timestamp":"${at}","event_name":"tinkex.http.request.stop","event_data":{"measurements":{"duration_ms":3},"metadata":{"endpoint":"wire_probe","error":{"type":"BadRequestError","message":"bad input"},"status":400,"result":"error"}}}`,
      `{${head}:"INFO","timestamp":"${at}","event_name":"tinkex.http.request.stop","event_data":{"measurements":{"duration_ms":1.5},"metadata":{"endpoint":"wire_probe","status":201,"result":"ok","retry_count":2}}}`,
      `{${head}:"INFO","timestamp":"${at}","event_name":"tinkex.http.request.start","event_data":{"measurements":{},"metadata":{"endpoint":"wire_probe","method":"GET","url":"http://h/x"}}}`,
    ]);
    // One index per event, in the order they happened, and a fresh uuid each.
    const first = probe[0].event_session_index;
    expect(probe.map((e) => e.event_session_index)).toEqual(probe.map((_, i) => first + i));
    expect(probe.every((e) => UUID.test(e.event_id))).toBe(true);
    expect(new Set(probe.map((e) => e.event_id)).size).toBe(probe.length);
  });

  it("a sample's calls are sent as their start and stop, with the call's real URL", async () => {
    const { env, clock, sampler, sent } = await start();
    const at = new Date(clock.now()).toISOString();
    await sampler.sample({ prompt: [72, 105], sampling_params: { max_tokens: 4 } });
    await env.service.close();
    const head = `"event":"GENERIC_EVENT","event_id":"ID","event_session_index":0,"severity":"INFO","timestamp":"${at}"`;
    const http = sent()
      .filter((e) => /^tinkex\.http\.request\.(start|stop)$/.test(String(e.event_name)))
      .filter((e) => /"endpoint":"(asample|retrieve_future)"/.test(JSON.stringify(e)))
      .map(shape);
    const startOf = (endpoint: string) =>
      `{${head},"event_name":"tinkex.http.request.start","event_data":{"measurements":{},"metadata":{"endpoint":"${endpoint}","method":"POST","url":"${env.emulator.url}/api/v1/${endpoint}"}}}`;
    const stopOf = (endpoint: string) =>
      `{${head},"event_name":"tinkex.http.request.stop","event_data":{"measurements":{"duration_ms":0},"metadata":{"endpoint":"${endpoint}","status":200,"result":"ok","retry_count":0}}}`;
    expect(http[0]).toBe(startOf('asample'));
    expect(http[1]).toBe(stopOf('asample'));
    expect(http.slice(2)).toContain(startOf('retrieve_future'));
    expect(http.slice(2)).toContain(stopOf('retrieve_future'));
  });

  it('a secret registered after a URL was first sent is scrubbed from that URL from then on', async () => {
    const { env, kernel, sent } = await start();
    const url = 'http://127.0.0.1:9/api/v1/probe?note=late-secret-424242';
    const emit = () =>
      kernel.events.emit('request:start', { endpointId: 'wire_probe', method: 'POST', url, attempt: 0 });
    emit();
    kernel.secrets.add('late-secret-424242');
    emit();
    await env.service.close();
    const urls = sent()
      .filter((e) => JSON.stringify(e).includes('wire_probe'))
      .map((e) => (e.event_data as { metadata: { url: string } }).metadata.url);
    expect(urls).toEqual([url, 'http://127.0.0.1:9/api/v1/probe?note=[REDACTED]']);
  });

  it('every telemetry body is still checked against its schema, whichever event type it holds', async () => {
    const { kernel } = await start();
    const common = { event_id: 'e', event_session_index: 0, severity: 'INFO', timestamp: 't' };
    const body = (...events: object[]) => ({
      events,
      platform: 'Linux',
      sdk_version: '0.25.0',
      session_id: 's',
    });
    const valid = [
      { event: 'GENERIC_EVENT', event_name: 'x', event_data: { a: 1 }, ...common },
      { event: 'SESSION_START', ...common },
      { event: 'SESSION_END', duration: '0:00:01.000000', ...common },
      { event: 'UNHANDLED_EXCEPTION', error_type: 'E', error_message: 'm', traceback: null, ...common },
    ];
    expect(() => kernel.validateInput('telemetry', body(...valid))).not.toThrow();
    const refused = [
      { event: 'GENERIC_EVENT', event_name: 'x', extra: 1, ...common },
      { event: 'GENERIC_EVENT', ...common },
      { event: 'SESSION_END', ...common },
      { event: 'SESSION_START', ...common, severity: 'LOUD' },
      { event: 'NO_SUCH_EVENT', ...common },
      { event: 'GENERIC_EVENT', event_name: 'x', ...common, event_session_index: -1 },
    ];
    for (const event of refused)
      expect(() => kernel.validateInput('telemetry', body(valid[0], event))).toThrow(/input for "telemetry"/);
  });
});
