import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { FakeClock, Ports } from 'pristine-kernel';
import {
  APITimeoutError,
  APIUserAbortError,
  ClientClosedError,
  RestClient,
  SamplingClient,
  TrainingClient,
  ValidationError,
} from '../../src/index.js';
import { bytes, callsTo, setup, TEXT, textDatum } from './harness.js';
import { outcomeWithin } from '../support/outcome-within.js';
import { onTestClock } from '../support/on-test-clock.js';

/**
 * `client.withOptions({ signal, timeoutMs })`, over real HTTP against the emulator: a view of the same
 * client (one session, one model and seq_id order) whose every call takes the defaults, joined with the
 * call's own options; the clients a view creates take them too; the original is unaffected.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(...args: Parameters<typeof setup>) {
  const env = await setup(...args);
  cleanups.push(env.close);
  return env;
}

const BASE = { base_model: 'tinkex/byte-tiny', rank: 8 };
const SAMPLER = { base_model: 'tinkex/byte-tiny' };
const ADAM = { learning_rate: 1e-4 };
const REQUEST = { prompt: bytes('fox'), sampling_params: { max_tokens: 2 } };

describe('a view is the same client', () => {
  it('calls through a training view and through the original interleave in call order on one model', async () => {
    const env = await start();
    const training = await env.service.createLoraTrainingClient(BASE);
    const job = new AbortController();
    const view = training.withOptions({ signal: job.signal, timeoutMs: 60_000 });
    expect(view).toBeInstanceOf(TrainingClient);
    expect(view).not.toBe(training);
    expect(view.model_id).toBe(training.model_id);
    // Pipelined without awaiting, alternating between the two.
    const steps = [
      view.forwardBackward([textDatum(TEXT)], 'cross_entropy'),
      training.optimStep(ADAM),
      view.optimStep(ADAM),
      training.forwardBackward([textDatum(TEXT)], 'cross_entropy'),
      view.saveState('interleaved'),
      training.optimStep(ADAM),
    ];
    expect(await outcomeWithin(Promise.all(steps))).toHaveLength(6);
    expect(env.emulator.state.appliedSteps(training.model_id)).toEqual([1, 2, 3, 4, 5, 6]);
    // One session, one model: the view opened nothing of its own.
    expect(callsTo(env, 'create_session')).toHaveLength(1);
    expect(callsTo(env, 'create_model')).toHaveLength(1);
    expect(env.service.withOptions({}).kernel).toBe(env.service.kernel);
    // The job's signal held no listener once the calls settled.
    expect(getEventListeners(job.signal, 'abort')).toHaveLength(0);
  });

  it('close() through a view closes the client itself', async () => {
    const env = await start();
    const rest = env.service.createRestClient();
    await env.service.withOptions({ timeoutMs: 10_000 }).close();
    expect(await outcomeWithin(rest.listTrainingRuns())).toBeInstanceOf(ClientClosedError);
  });
});

describe('the default signal', () => {
  it('aborting it settles every pending call made through the view; the original’s go on', async () => {
    const env = await start({ sequenceGapMs: 300 });
    const training = await env.service.createLoraTrainingClient(BASE);
    const job = new AbortController();
    const view = training.withOptions({ signal: job.signal });
    const sampler = await env.service.withOptions({ signal: job.signal }).createSamplingClient(SAMPLER);
    env.emulator.setChaos('pause=1;scope=futures'); // every poll answers try_again: nothing completes
    const viewSteps = [
      view.forwardBackward([textDatum(TEXT)], 'cross_entropy'),
      view.optimStep(ADAM),
      view.saveState('view-save'),
    ];
    const originalStep = training.optimStep(ADAM);
    const later = view.optimStep(ADAM);
    await Promise.all([...viewSteps, originalStep, later].map((f) => f.accepted));
    const sample = sampler.sample(REQUEST);
    const listing = env.service
      .withOptions({ signal: job.signal })
      .createRestClient()
      .exportSessionTrace('sess-1');
    job.abort();
    for (const pending of [...viewSteps, later, sample, listing] as PromiseLike<unknown>[])
      expect(await outcomeWithin(pending)).toBeInstanceOf(APIUserAbortError);
    env.emulator.setChaos(undefined);
    // The original's step was accepted and runs; the next one follows it in order.
    expect(await outcomeWithin(originalStep)).toEqual(expect.objectContaining({}));
    await training.optimStep(ADAM);
    expect(env.emulator.state.appliedSteps(training.model_id)).toEqual([1, 2, 3, 4, 5, 6]);
    // Later calls through the view reject at once, sending nothing.
    const before = env.emulator.state.requests.length;
    expect(await outcomeWithin(view.optimStep(ADAM))).toBeInstanceOf(APIUserAbortError);
    expect(await outcomeWithin(sampler.sample(REQUEST))).toBeInstanceOf(APIUserAbortError);
    expect(env.emulator.state.requests.length).toBe(before);
  });

  it('clients a view creates take its defaults; those of the original do not', async () => {
    const env = await start();
    const job = new AbortController();
    const service = env.service.withOptions({ signal: job.signal });
    const training = await service.createLoraTrainingClient(BASE);
    const sampler = await service.createSamplingClient(SAMPLER);
    const rest = service.createRestClient();
    const snapshot = await training.saveWeightsAndGetSamplingClient();
    const { path } = await training.saveWeightsForSampler('for-view');
    const fromPath = await training.createSamplingClient(path);
    expect([training, sampler, rest, snapshot, fromPath].map((c) => c.constructor)).toEqual([
      TrainingClient,
      SamplingClient,
      RestClient,
      SamplingClient,
      SamplingClient,
    ]);
    const original = await env.service.createSamplingClient(SAMPLER);
    job.abort();
    const before = env.emulator.state.requests.length;
    const outcomes = [
      await outcomeWithin(training.optimStep(ADAM)),
      await outcomeWithin(sampler.sample(REQUEST)),
      await outcomeWithin(rest.listTrainingRuns()),
      await outcomeWithin(snapshot.sample(REQUEST)),
      await outcomeWithin(fromPath.sample(REQUEST)),
      await outcomeWithin(service.createSamplingClient(SAMPLER)),
    ];
    expect(outcomes).toEqual(outcomes.map(() => expect.any(APIUserAbortError)));
    expect(env.emulator.state.requests.length).toBe(before);
    await expect(original.sample(REQUEST)).resolves.toHaveProperty('sequences');
    await expect(env.service.createRestClient().listTrainingRuns()).resolves.toHaveProperty('training_runs');
  });

  it('a view of a view is aborted by either signal', async () => {
    const env = await start();
    const rest = env.service.createRestClient();
    const [outer, inner] = [new AbortController(), new AbortController()];
    const both = rest.withOptions({ signal: outer.signal }).withOptions({ signal: inner.signal });
    inner.abort();
    expect(await outcomeWithin(both.listTrainingRuns())).toBeInstanceOf(APIUserAbortError);
    const [first, second] = [new AbortController(), new AbortController()];
    const again = rest.withOptions({ signal: first.signal }).withOptions({ signal: second.signal });
    first.abort();
    expect(await outcomeWithin(again.listTrainingRuns())).toBeInstanceOf(APIUserAbortError);
    await expect(rest.listTrainingRuns()).resolves.toHaveProperty('training_runs');
  });

  it('a long-lived default signal holds no listener per call (thousands of calls)', async () => {
    const any = jest.spyOn(AbortSignal, 'any');
    try {
      const env = await start();
      const job = new AbortController();
      const sampler = (await env.service.createSamplingClient(SAMPLER)).withOptions({
        signal: job.signal,
        timeoutMs: 60_000,
      });
      const rest = env.service.createRestClient().withOptions({ signal: job.signal });
      for (let round = 0; round < 10; round++) {
        await Promise.all([
          ...Array.from({ length: 100 }, () =>
            sampler.sample(REQUEST, { signal: new AbortController().signal }),
          ),
          ...Array.from({ length: 100 }, () =>
            rest.getSampler(sampler.sampling_session_id, { signal: new AbortController().signal }),
          ),
        ]);
        expect(getEventListeners(job.signal, 'abort')).toHaveLength(0);
      }
      expect(any).not.toHaveBeenCalled();
    } finally {
      any.mockRestore();
    }
  }, 60_000);
});

describe('the default timeoutMs', () => {
  it('bounds each call through the view; a call’s own timeoutMs overrides it', async () => {
    const clock = new FakeClock();
    const env = await start({}, { configureKernel: (kernel) => kernel.register(Ports.Clock, clock) });
    const training = await onTestClock(env.service.createLoraTrainingClient(BASE), clock);
    env.emulator.setChaos('pause=1;scope=futures');
    const view = training.withOptions({ timeoutMs: 1_000 });
    const byDefault = view.optimStep(ADAM);
    const ownBound = view.saveState('own-bound', {}, { timeoutMs: 5_000 });
    const original = training.optimStep(ADAM);
    await Promise.all([byDefault.accepted, ownBound.accepted, original.accepted]);
    const settled: string[] = [];
    for (const [name, future] of Object.entries({ byDefault, ownBound, original }))
      future.then(
        () => settled.push(name),
        () => settled.push(name),
      );
    await clock.advance(1_000);
    const early = await outcomeWithin(byDefault);
    expect(early).toBeInstanceOf(APITimeoutError);
    expect((early as Error).message).toBe('optimStep did not finish within timeoutMs (1000 ms)');
    expect(settled).toEqual(['byDefault']);
    await clock.advance(4_000);
    const late = await outcomeWithin(ownBound);
    expect((late as Error).message).toBe('saveState did not finish within timeoutMs (5000 ms)');
    expect(settled).toEqual(['byDefault', 'ownBound']);
    // The original has no bound: it completes once the server does.
    env.emulator.setChaos(undefined);
    await expect(onTestClock(Promise.resolve(original), clock)).resolves.toBeDefined();
  });
});

describe('defaults are checked at withOptions', () => {
  it('bad defaults are refused by name and rule, before anything is sent', async () => {
    const env = await start();
    const training = await env.service.createLoraTrainingClient(BASE);
    const sampler = await env.service.createSamplingClient(SAMPLER);
    const before = env.emulator.state.requests.length;
    for (const client of [env.service, env.service.createRestClient(), training, sampler]) {
      const refuse = (defaults: unknown) => () => client.withOptions(defaults as never);
      expect(refuse({ timeout: 5_000 })).toThrow(ValidationError);
      expect(refuse({ timeout: 5_000 })).toThrow(/timeout/);
      expect(refuse({ timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
      expect(refuse({ timeoutMs: 0 })).toThrow(/timeoutMs/);
      expect(refuse({ signal: 'stop' })).toThrow(/signal.*AbortSignal|AbortSignal/);
      expect(refuse(undefined)).toThrow(ValidationError);
      expect(refuse('fast')).toThrow(ValidationError);
    }
    expect(env.emulator.state.requests.length).toBe(before);
  });
});
