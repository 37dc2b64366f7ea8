import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Socket } from 'node:net';
import { APITimeoutError, APIUserAbortError, ServiceClient, ValidationError } from '../../src/index.js';
import { API_KEY, bytes, setup, TEXT, textDatum } from './harness.js';
import { outcomeWithin } from '../support/outcome-within.js';

/**
 * `{ signal, timeoutMs }` on Tinkex methods, over real HTTP: an abort ends an in-flight call with the
 * typed error, a deadline bounds a call to a server that never answers, and neither wedges the
 * TrainingClient's seq_id order.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(emulatorOptions = {}) {
  const env = await setup({ sequenceGapMs: 300, ...emulatorOptions });
  cleanups.push(env.close);
  return env;
}

/** Resolves when the kernel starts an attempt on `endpointId` (the request is going out). */
function started(service: ServiceClient, endpointId: string): Promise<void> {
  return new Promise((resolve) => {
    const off = service.kernel.events.on('request:start', (event) => {
      if (event.endpointId !== endpointId) return;
      off();
      resolve();
    });
  });
}

/** A TCP server that accepts connections and never answers. */
async function silentServer() {
  const held: Socket[] = [];
  const server = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  cleanups.push(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return url;
}

describe('signal', () => {
  it('aborts an in-flight REST call with APIUserAbortError', async () => {
    const env = await start();
    const rest = env.service.createRestClient();
    await rest.listTrainingRuns(); // handshake done: the next request is the listing itself
    env.emulator.setChaos('latency=5000ms@1;scope=rest');
    const controller = new AbortController();
    const going = started(env.service, 'list_training_runs');
    const call = rest.listTrainingRuns({}, { signal: controller.signal });
    await going;
    controller.abort();
    expect(await outcomeWithin(call)).toBeInstanceOf(APIUserAbortError);
    env.emulator.setChaos(undefined);
    await expect(rest.listTrainingRuns()).resolves.toHaveProperty('training_runs');
  });

  /** A training step and a sample, both accepted and polled forever (every poll answers try_again). */
  async function pollingStepAndSample() {
    const env = await start();
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 8 });
    const sampler = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    env.emulator.setChaos('pause=1;scope=futures');
    const controller = new AbortController();
    const step = training.forwardBackward([textDatum(TEXT)], 'cross_entropy', null, {
      signal: controller.signal,
    });
    const sample = sampler.sample(
      { prompt: bytes('fox'), sampling_params: { max_tokens: 2 } },
      { signal: controller.signal },
    );
    await step.accepted;
    return { env, training, controller, step, sample };
  }

  it('aborts a training future being polled, and a sample waiting for its result', async () => {
    const { env, training, controller, step, sample } = await pollingStepAndSample();
    controller.abort();
    expect(await outcomeWithin(step)).toBeInstanceOf(APIUserAbortError);
    expect(await outcomeWithin(sample)).toBeInstanceOf(APIUserAbortError);
    // The accepted step still runs on the server; the next one follows it in order.
    env.emulator.setChaos(undefined);
    await training.optimStep({ learning_rate: 1e-4 });
    expect(env.emulator.state.appliedSteps(training.model_id)).toEqual([1, 2]);
  });

  it('a signal that timed out (AbortSignal.timeout) says so, with its reason as the cause', async () => {
    const { controller, step, sample } = await pollingStepAndSample();
    // What AbortSignal.timeout(ms) aborts with, given at once instead of waiting for a real timer.
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    controller.abort(timeout);
    for (const outcome of [await outcomeWithin(step), await outcomeWithin(sample)]) {
      expect(outcome).toBeInstanceOf(APIUserAbortError);
      expect((outcome as Error).message).toBe(
        'Request was aborted: its signal timed out (AbortSignal.timeout).',
      );
      expect((outcome as Error).cause).toBe(timeout);
    }
  });

  it('a training request aborted while queued is never sent, takes no seq_id, and later calls run', async () => {
    const env = await start();
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 8 });
    env.emulator.setChaos('latency=1000ms@1;scope=training'); // the first submission is slow to answer
    const first = training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    const controller = new AbortController();
    const queued = training.optimStep({ learning_rate: 1e-4 }, { signal: controller.signal });
    controller.abort();
    expect(await outcomeWithin(queued)).toBeInstanceOf(APIUserAbortError);
    env.emulator.setChaos(undefined);
    await first;
    const later = [
      training.optimStep({ learning_rate: 1e-4 }),
      training.saveState('after-abort'),
    ] as PromiseLike<unknown>[];
    const results = await outcomeWithin(Promise.all(later));
    expect(results).toMatchObject([{}, { path: expect.stringContaining('after-abort') }]);
    // The aborted request was never sent and took no seq_id: no gap for the server to wait on.
    const optimSeqIds = env.emulator.state.requests
      .filter((r) => r.path === '/api/v1/optim_step')
      .map((r) => (r.body as { seq_id: number }).seq_id);
    expect(optimSeqIds).toEqual([2]);
    expect(env.emulator.state.appliedSteps(training.model_id)).toEqual([1, 2, 3]);
  });

  it('an already-aborted signal sends nothing', async () => {
    const env = await start();
    const rest = env.service.createRestClient();
    await rest.listTrainingRuns();
    const before = env.emulator.state.requests.length;
    const error = await outcomeWithin(rest.listCheckpoints('run-1', { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(env.emulator.state.requests.length).toBe(before);
  });
});

describe('timeoutMs', () => {
  it('bounds a call to a server that never answers, retries included', async () => {
    const url = await silentServer();
    const service = new ServiceClient({ api_key: API_KEY, base_url: url, telemetry: false, env: {} });
    cleanups.push(() => service.close());
    const rest = service.createRestClient();
    const error = await outcomeWithin(rest.listTrainingRuns({}, { timeoutMs: 300 }));
    expect(error).toBeInstanceOf(APITimeoutError);
    expect((error as Error).message).toBe('listTrainingRuns did not finish within timeoutMs (300 ms)');
  });

  it('bounds a training future that never completes, and the next call still runs', async () => {
    const env = await start();
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 8 });
    env.emulator.setChaos('pause=1;scope=futures');
    const step = training.optimStep({ learning_rate: 1e-4 }, { timeoutMs: 300 });
    const error = await outcomeWithin(step);
    expect(error).toBeInstanceOf(APITimeoutError);
    expect((error as Error).message).toMatch(/^optimStep did not finish within timeoutMs/);
    env.emulator.setChaos(undefined);
    await expect(training.saveState('after-timeout')).resolves.toHaveProperty('path');
  });

  it('a call that finishes in time is unaffected, and bad options are refused by name', async () => {
    const env = await start();
    const rest = env.service.createRestClient();
    await expect(rest.listTrainingRuns({}, { timeoutMs: 10_000 })).resolves.toHaveProperty('training_runs');
    await expect(rest.listTrainingRuns({}, { timeoutMs: Number.NaN })).rejects.toThrow(ValidationError);
    await expect(rest.listTrainingRuns({}, { timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
    await expect(rest.listTrainingRuns({}, { signal: 'stop' as never })).rejects.toThrow(/signal/);
  });
});
