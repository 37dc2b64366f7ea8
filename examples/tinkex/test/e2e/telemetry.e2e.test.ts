import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import {
  APIConnectionError,
  APIStatusError,
  FutureCancelledError,
  NotFoundError,
  RequestFailedError,
  ServiceClient,
} from '../../src/index.js';
import { CaptureLogger, Ports, type Kernel } from 'pristine-kernel';
import { API_KEY, setup, TEXT, textDatum } from './harness.js';
import { InstantClock } from './instant-clock.js';

/** Backend telemetry as it arrives at the emulator's POST /api/v1/telemetry (real HTTP). */

type Batch = { session_id: string; platform: string; sdk_version: string; events: Event[] };
type Event = {
  event: string;
  event_session_index: number;
  severity: string;
  event_name?: string;
  event_data?: { measurements?: Record<string, unknown>; metadata?: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  error_type?: string;
  error_message?: string;
  traceback?: string | null;
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function start(emulatorOptions = {}, clientOptions = {}) {
  const env = await setup(emulatorOptions, { telemetry: true, ...clientOptions });
  cleanup = env.close;
  const batches = () => env.emulator.state.telemetry as Batch[];
  const events = (sessionId?: string) =>
    batches()
      .filter((b) => sessionId === undefined || b.session_id === sessionId)
      .flatMap((b) => b.events);
  const named = (name: string) => events().filter((e) => e.event_name === name);
  return { ...env, batches, events, named };
}

describe('backend telemetry', () => {
  it('forwards HTTP, retry and queue events of a session as generic events, framed by SESSION_START/END', async () => {
    const env = await start({ chaos: '5xx=0.3;scope=training;pause=0.3;scope=futures' });
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    for (let i = 0; i < 4; i++) {
      await Promise.all([
        training.forwardBackward([textDatum(TEXT)], 'cross_entropy'),
        training.optimStep({ learning_rate: 1e-4 }),
      ]);
    }
    const sessionId = (await env.service.session()).sessionId;
    await env.service.close();

    const events = env.events(sessionId);
    expect(env.batches().every((b) => b.session_id === sessionId && b.events.length <= 100)).toBe(true);
    expect(events[0].event).toBe('SESSION_START');
    expect(events.at(-1)!.event).toBe('SESSION_END');
    expect(events.map((e) => e.event_session_index)).toEqual(events.map((_, i) => i));

    const starts = env.named('tinkex.http.request.start').map((e) => e.event_data!.metadata!.endpoint);
    expect(starts).toEqual(expect.arrayContaining(['create_model', 'optim_step', 'retrieve_future']));
    expect(starts.some((id) => /^forward_backward/.test(String(id)))).toBe(true);
    // The telemetry POSTs and heartbeats themselves are never forwarded.
    expect(starts).not.toContain('telemetry');
    expect(starts).not.toContain('session_heartbeat');
    const stop = env.named('tinkex.http.request.stop').find((e) => e.event_data!.metadata!.result === 'ok')!;
    expect(stop.event_data).toMatchObject({
      measurements: { duration_ms: expect.any(Number) },
      metadata: { status: 200, retry_count: expect.any(Number) },
    });
    // Chaos 503s were retried within the call: each retry is an event (the call's stop says 200).
    const retry = env.named('tinkex.retry.attempt.retry')[0];
    expect(retry.event_data).toMatchObject({
      measurements: { delay_ms: expect.any(Number) },
      metadata: { attempt: expect.any(Number), error: { type: 'InternalServerError' } },
    });
    const paused = env.named('tinkex.queue.state_change')[0];
    expect(paused.event_data!.metadata).toMatchObject({ queue_state: expect.stringMatching(/^paused_/) });
    expect(JSON.stringify(env.batches())).not.toContain(API_KEY);
  });

  it("forwarded HTTP events mask the base URL's credentials; the password and key go nowhere", async () => {
    const env = await start();
    const base = new URL(env.emulator.url);
    base.username = 'alice';
    base.password = 'pw-telemetry-secret-98765';
    const service = new ServiceClient({ base_url: base.href, api_key: API_KEY, env: {}, telemetry: true });
    await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 });
    await service.close();
    const urls = env.named('tinkex.http.request.start').map((e) => String(e.event_data!.metadata!.url));
    expect(urls.length).toBeGreaterThanOrEqual(2); // create_model and its future
    for (const url of urls) expect(url).toMatch(/^http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/api\/v1\//);
    const sent = JSON.stringify(env.batches());
    expect(sent).not.toContain('pw-telemetry-secret');
    expect(sent).not.toContain(API_KEY);
  });

  it('each event carries the time it happened, not the time its batch was sent', async () => {
    const clock = new InstantClock();
    const env = await start({}, { configureKernel: (k: Kernel) => k.register(Ports.Clock, clock) });
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    const before = clock.now();
    await clock.sleep(50_000); // no flush meanwhile: this clock's repeating timers never fire
    await training.optimStep({ learning_rate: 1e-4 });
    await env.service.close();
    const times = env.events().map((e) => Date.parse((e as Event & { timestamp: string }).timestamp));
    expect(times[0]).toBeLessThanOrEqual(before);
    expect(times.filter((t) => t <= before).length).toBeGreaterThan(3);
    expect(times.filter((t) => t >= before + 50_000).length).toBeGreaterThan(1);
  });

  it('a user error from a public call is a user_error event, sent before the call rejects', async () => {
    const logger = new CaptureLogger({ level: 'debug' });
    const env = await start({}, { configureKernel: (k: Kernel) => k.register(Ports.Logger, logger) });
    await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
    const seenAtRejection: Event[][] = [];
    await expect(
      env.service
        .createSamplingClient({ model_path: 'tinker://nope:train:0/sampler_weights/missing' })
        .catch((error) => {
          seenAtRejection.push(env.events());
          throw error;
        }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const userErrors = seenAtRejection[0].filter((e) => e.event_name === 'user_error');
    expect(userErrors).toHaveLength(1);
    expect(userErrors[0]).toMatchObject({
      severity: 'WARNING',
      event_data: { error_type: 'NotFoundError', status_code: 404, message: expect.any(String) },
    });
    // Fatal, as in the Python SDK: the session's telemetry ends with it.
    expect(seenAtRejection[0].at(-1)!.event).toBe('SESSION_END');
    // The session id for support, once the report went out: at debug (the CLI shows info to people).
    const sessionId = env.batches().at(-1)!.session_id;
    expect(logger.records.filter((r) => r.message.startsWith('Exception logged'))).toEqual([
      expect.objectContaining({ level: 'debug', message: `Exception logged for session ID: ${sessionId}` }),
    ]);
  });

  it('a sample without options (no call scope) still reports its failure before it rejects, once', async () => {
    const env = await start();
    const sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    const seenAtRejection: Event[][] = [];
    const failing = sampler.sample({ prompt: [72, 105], sampling_params: { max_tokens: -1 } });
    await expect(
      failing.catch((error) => {
        seenAtRejection.push(env.events());
        throw error;
      }),
    ).rejects.toThrow(/max_tokens/);
    const reported = seenAtRejection[0].filter((e) => e.event_name === 'user_error');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ event_data: { error_type: 'ValidationError' } });
    await expect(
      sampler.sample({ prompt: [72, 105], sampling_params: { max_tokens: 2 } }),
    ).resolves.toMatchObject({ sequences: [expect.objectContaining({ tokens: expect.any(Array) })] });
  });

  it('an unhandled exception carries its type, message and stack, scrubbed of secrets', async () => {
    const env = await start();
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    const boom = () => {
      throw new Error(`loss exploded near ${API_KEY}`);
    };
    await expect(training.forwardBackwardCustom([textDatum(TEXT)], boom as never)).rejects.toThrow(
      /exploded/,
    );
    const [unhandled] = env.events().filter((e) => e.event === 'UNHANDLED_EXCEPTION');
    expect(unhandled).toMatchObject({ severity: 'ERROR', error_type: 'Error' });
    expect(unhandled.error_message).toBe('loss exploded near [REDACTED]');
    expect(unhandled.traceback).toMatch(/^Error: loss exploded near \[REDACTED\]\n\s+at boom /);
    expect(JSON.stringify(env.batches())).not.toContain(API_KEY);
    // Reported once, though the error passed through two public methods.
    expect(env.events().filter((e) => e.event === 'UNHANDLED_EXCEPTION')).toHaveLength(1);
  });

  it('a request the server accepted and then failed is an APIFuture.result_async event', async () => {
    const env = await start();
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    env.emulator.setRunCorrupted(training.model_id);
    await expect(training.forwardBackward([textDatum(TEXT)], 'cross_entropy')).rejects.toBeInstanceOf(
      RequestFailedError,
    );
    await env.service.close();
    const [failed] = env.named('APIFuture.result_async.application_error');
    expect(failed).toMatchObject({
      severity: 'ERROR',
      event_data: { request_type: 'forwardBackward', error_category: 'server', is_user_error: false },
    });
  });

  it('the caller cancelling a future is not an error to report', async () => {
    const env = await start();
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    const future = training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    future.cancel();
    await expect(future).rejects.toBeInstanceOf(FutureCancelledError);
    await env.service.close();
    const names = env.events().map((e) => e.event_name ?? e.event);
    expect(names.filter((n) => /result_async|user_error|UNHANDLED/.test(n))).toEqual([]);
    expect(names.filter((n) => n === 'SESSION_END')).toHaveLength(1);
  });

  it('REST-only use reports session-less: sessionless-<uuid>, no SESSION_START/END, no session created', async () => {
    const env = await start({}, { max_retries: 0 });
    const rest = env.service.createRestClient();
    await expect(rest.getTrainingRun('nope:train:0')).rejects.toBeInstanceOf(NotFoundError);
    env.emulator.setChaos('5xx=1;scope=rest');
    await expect(rest.listTrainingRuns()).rejects.toBeInstanceOf(APIStatusError);
    await env.service.close();

    const ids = new Set(env.batches().map((b) => b.session_id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(id).toMatch(/^sessionless-[0-9a-f-]{36}$/);
    const events = env.events();
    expect(events.some((e) => e.event === 'SESSION_START' || e.event === 'SESSION_END')).toBe(false);
    expect(events.find((e) => e.event_name === 'user_error')!.event_data).toMatchObject({ status_code: 404 });
    expect(events.find((e) => e.event === 'UNHANDLED_EXCEPTION')).toMatchObject({
      error_type: 'InternalServerError',
    });
    expect(env.named('tinkex.http.request.start').map((e) => e.event_data!.metadata!.endpoint)).toEqual(
      expect.arrayContaining(['get_training_run', 'list_training_runs']),
    );
    const notFound = env
      .named('tinkex.http.request.stop')
      .filter((e) => e.event_data!.metadata!.status === 404)
      .map((e) => e.event_data!.metadata);
    expect(notFound).toContainEqual(
      expect.objectContaining({ endpoint: 'get_training_run', result: 'error' }),
    );
    expect(env.emulator.requestLog().some((r) => r.path === '/api/v1/create_session')).toBe(false);
    // Telemetry goes through the session-less holder REST calls negotiated: one handshake, not two.
    const handshakes = env.emulator.requestLog().filter((r) => r.path === '/api/v1/client/config');
    expect(handshakes).toHaveLength(1);
  });

  it("an error while iterating a paged listing is reported like a unary call's, before it is thrown", async () => {
    const env = await start({}, { max_retries: 0 });
    for (let i = 0; i < 2; i++)
      await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
    const rest = env.service.createRestClient();
    const unhandled = () => env.events().filter((e) => e.event === 'UNHANDLED_EXCEPTION');
    const seen: string[] = [];
    const atRejection: Event[][] = [];
    const walk = async () => {
      for await (const run of rest.iterateTrainingRuns({ page_size: 1 })) {
        seen.push(run.training_run_id);
        env.emulator.setChaos('5xx=1;scope=rest'); // page 2 fails
      }
    };
    await expect(
      walk().catch((error) => (atRejection.push(unhandled()), Promise.reject(error))),
    ).rejects.toBeInstanceOf(APIStatusError);
    expect(seen).toHaveLength(1);
    expect(atRejection[0]).toEqual([expect.objectContaining({ error_type: 'InternalServerError' })]);
    // `toArray` walks the pages inside the listing: its failure is reported too.
    await expect(rest.iterateTrainingRuns({ page_size: 1 }).toArray()).rejects.toBeInstanceOf(APIStatusError);
    expect(unhandled()).toHaveLength(2);
    await env.service.close();
  });

  it("a legacy server's client/config 404 (the JSON fallback) is reported as an answer, not an error", async () => {
    const env = await start({ legacyJson: true });
    await env.service.createRestClient().listTrainingRuns();
    await env.service.close();
    const handshake = env
      .named('tinkex.http.request.stop')
      .filter((e) => e.event_data!.metadata!.endpoint === 'get_client_config');
    expect(handshake).toEqual([
      expect.objectContaining({
        severity: 'INFO',
        event_data: expect.objectContaining({
          metadata: { endpoint: 'get_client_config', status: 404, result: 'ok', protocol: 'legacy' },
        }),
      }),
    ]);
    const errors = env
      .events()
      .filter((e) => e.severity !== 'INFO' || e.event_data?.metadata?.result === 'error');
    expect(errors).toEqual([]);
  });

  it('a busy training loop is reported in full batches, not one POST per handful of new events', async () => {
    // A slow telemetry endpoint: while one POST is out, a pipelined loop queues ~8 events per step.
    // A flush that chased the queue's tail sent a POST per handful of events for as long as the loop ran.
    const env = await start({ chaos: 'latency=20ms@1;scope=telemetry' });
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    const steps: PromiseLike<unknown>[] = [];
    for (let i = 0; i < 120; i++) {
      steps.push(training.forwardBackward([textDatum(TEXT)], 'cross_entropy'));
      steps.push(training.optimStep({ learning_rate: 1e-4 }));
      if (steps.length >= 8) await Promise.all(steps.splice(0, 2));
    }
    await Promise.all(steps);
    await env.service.close();
    const sizes = env.batches().map((b) => b.events.length);
    const events = sizes.reduce((a, b) => a + b, 0);
    expect(events).toBeGreaterThan(500);
    // A flush sends what was queued when it began (≤ 100 a POST); later events wait for the next 100,
    // the 10 s timer, an exception or close().
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil(events / 100) + 3);
    // Nothing was left behind: close() (asked while a flush may run) sends the rest, SESSION_END last.
    const sent = env.events();
    expect(sent.map((e) => e.event_session_index)).toEqual(sent.map((_, i) => i));
    expect(sent.at(-1)!.event).toBe('SESSION_END');
  });

  it('a dead telemetry endpoint never holds up an error for long, nor breaks the SDK', async () => {
    // Default retries: the telemetry endpoint's own policy (one retry) bounds each batch.
    const logger = new CaptureLogger({ level: 'debug' });
    const env = await start(
      { chaos: '5xx=1;scope=telemetry' },
      { configureKernel: (k: Kernel) => k.register(Ports.Logger, logger) },
    );
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    const rest = env.service.createRestClient();
    await expect(rest.getTrainingRun('nope:train:0')).rejects.toBeInstanceOf(NotFoundError);
    await expect(training.forwardBackward([textDatum(TEXT)], 'cross_entropy')).resolves.toBeDefined();
    await env.service.close();
    expect(env.batches()).toEqual([]);
    const posts = env.emulator.requestLog().filter((r) => r.path === '/api/v1/telemetry');
    expect(posts.length).toBeGreaterThan(0);
    // Each batch is tried twice at most (first send + one retry), whatever max_retries says.
    const bodies = posts.map((p) => JSON.stringify((p.body as { events: unknown[] }).events));
    expect(Math.max(...[...new Set(bodies)].map((b) => bodies.filter((x) => x === b).length))).toBe(2);
    // Those retries are logged at debug only: the CLI shows info lines, and nobody waits on telemetry.
    const retryLines = logger.records.filter((r) => r.message.startsWith('retrying telemetry'));
    expect(retryLines.length).toBeGreaterThan(0);
    expect(new Set(retryLines.map((r) => r.level))).toEqual(new Set(['debug']));
  });

  it('a server that never answered the handshake gets no telemetry attempt (it would only repeat the handshake)', async () => {
    // Every connection is cut at once: the handshake fails, and so would any telemetry POST.
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup = () => new Promise<void>((resolve) => server.close(() => resolve()));
    const { port } = server.address() as AddressInfo;
    const service = new ServiceClient({
      api_key: API_KEY,
      base_url: `http://127.0.0.1:${port}`,
      max_retries: 0,
      telemetry: true,
      log_level: 'off',
      env: {},
    });
    await expect(service.createRestClient().getTrainingRun('any:train:0')).rejects.toBeInstanceOf(
      APIConnectionError,
    );
    await service.close();
    expect(sockets.size).toBe(1); // the handshake's one attempt, nothing after it
  });

  it('sends nothing with telemetry off', async () => {
    const env = await start({}, { telemetry: false });
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    await expect(env.service.createRestClient().getTrainingRun('nope:train:0')).rejects.toThrow();
    await env.service.close();
    expect(env.batches()).toEqual([]);
  });
});
