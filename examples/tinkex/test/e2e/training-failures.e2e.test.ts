import { afterEach, describe, expect, it } from '@jest/globals';
import {
  APIStatusError,
  BadRequestError,
  TrainingSequenceAbortedError,
  ValidationError,
} from '../../src/index.js';
import { setup, TEXT, textDatum } from './harness.js';

/**
 * A training submission that fails must not wedge the TrainingClient: every later future settles, and
 * none polls faster than a few times a second while it waits.
 */

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** Hang guard: the promises must all settle before the deadline (generous; it only catches a wedge). */
async function settledWithin(futures: readonly PromiseLike<unknown>[], ms = 15_000) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.allSettled(futures.map((f) => Promise.resolve(f))), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function start(emulatorOptions = {}, clientOptions = {}) {
  const env = await setup(emulatorOptions, clientOptions);
  cleanup = env.close;
  const training = await env.service.createLoraTrainingClient({
    base_model: 'meta-llama/Llama-3.2-1B',
    rank: 8,
  });
  const requests = (path: string) => env.emulator.state.requests.filter((r) => r.path === `/api/v1/${path}`);
  /** Polls the emulator received for one future. */
  const pollsFor = (requestId: string | undefined) =>
    requests('retrieve_future').filter((r) => (r.body as { request_id?: string }).request_id === requestId)
      .length;
  return { env, training, requests, pollsFor };
}

describe('a failed training submission does not wedge the TrainingClient', () => {
  it('rejects bad input before reserving a seq_id: nothing is sent and the next steps run', async () => {
    const { env, training, requests } = await start();
    const fb = training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    // Rejected futures, never thrown where called (a pipelined loop's Promise.all sees them).
    await expect(training.optimStep({ learning_rate: -1 })).rejects.toThrow(ValidationError);
    await expect(training.optimStep({ learning_rate: -1 })).rejects.toThrow(/learning_rate/);
    await expect(training.optimStep(undefined as never)).rejects.toThrow(/adam_params/);
    await expect(training.saveState('')).rejects.toThrow(/\/path/);
    const optim = training.optimStep({ learning_rate: 1e-4 });
    const saved = training.saveState('after-bad-input');
    const results = await settledWithin([fb, optim, saved]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    // No hole: the three valid requests took seq_ids 1, 2, 3; the invalid ones never left the client.
    expect(env.emulator.state.appliedSteps(training.model_id)).toEqual([1, 2, 3]);
    expect(requests('optim_step')).toHaveLength(1);
    expect(requests('save_weights')).toHaveLength(1);
  });

  it('a 4xx at submit rejects that future with a typed error; the server passes its seq_id over', async () => {
    const { env, training } = await start();
    const fb = training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    // The client accepts any name without '/'; the server wants letters, digits, . _ - only.
    const refused = training.saveState('has a space');
    const optim = training.optimStep({ learning_rate: 1e-4 });
    const fb2 = training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    const results = await settledWithin([fb, refused, optim, fb2]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const error = (results[1] as PromiseRejectedResult).reason as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toMatch(/path/);
    expect(env.emulator.state.appliedSteps(training.model_id)).toEqual([1, 3, 4]);
  });

  it('retries running out: that future fails, the queue behind it fails at once naming it, later calls run', async () => {
    const { env, training, pollsFor, requests } = await start(
      // longPollMs 0: the emulator answers try_again at once, so the pacing seen is the client's own.
      { sequenceGapMs: 300, longPollMs: 0 },
      { max_retries: 1 },
    );
    await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    env.emulator.setChaos('5xx=1;scope=training');
    const lost = training.optimStep({ learning_rate: 1e-4 });
    const queued = [
      training.forwardBackward([textDatum(TEXT)], 'cross_entropy'),
      training.optimStep({ learning_rate: 1e-4 }),
    ];
    const outcomes = await settledWithin([lost, ...queued]);
    env.emulator.setChaos(undefined);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const [error, ...aborted] = outcomes.map((o) => (o as PromiseRejectedResult).reason);
    expect(error).toBeInstanceOf(APIStatusError);
    expect((error as APIStatusError).status).toBe(503);
    for (const reason of aborted) {
      expect(reason).toBeInstanceOf(TrainingSequenceAbortedError);
      expect((reason as TrainingSequenceAbortedError).failed).toMatchObject({
        endpoint: 'optim_step',
        seq_id: 2,
      });
      expect((reason as Error).message).toMatch(/optim_step \(seq_id 2\)/);
    }
    // The queued requests were never sent, and took no seq_id.
    const sentSeqIds = [...requests('forward_backward'), ...requests('optim_step')].map(
      (r) => (r.body as { seq_id: number }).seq_id,
    );
    expect(sentSeqIds.filter((id) => id > 2)).toEqual([]);
    // seq_id 2 never got past the 503: seq_id 3 waits for it, then the gap is passed over.
    const fb2 = training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    const optim = training.optimStep({ learning_rate: 1e-4 });
    const results = await settledWithin([fb2, optim]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(env.emulator.state.appliedSteps(training.model_id)).toEqual([1, 3, 4]);
    // Held ~300 ms while the emulator answered try_again at once: paced polls (10, 20, 40, … 250 ms),
    // not the thousands an immediate re-poll loop sends.
    expect(pollsFor(fb2.requestId)).toBeGreaterThan(1);
    expect(pollsFor(fb2.requestId)).toBeLessThanOrEqual(20);
    expect(pollsFor(optim.requestId)).toBeLessThanOrEqual(20);
  });
});
