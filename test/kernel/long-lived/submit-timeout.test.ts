import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { FutureTimeoutError } from '../../../src/kernel/futures/future-errors.js';
import { Ports } from '../../../src/ports/index.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

/**
 * `kernel.submit(id, input, { timeoutMs })`: `SubmitOptions` takes the poll's `timeoutMs`, and an SDK
 * author reads it as a bound on the operation. It was read only as the submit request's per-attempt
 * deadline: a job that never finished was polled for ever (round 31, a 300 ms bound polled 1,000 times
 * over 200 s). It now bounds the whole future, submission and polling: at the bound the polling stops
 * and the future rejects with `FutureTimeoutError` naming the request id.
 */
const plugin = definePlugin({
  name: 'slowjobs',
  version: '1',
  manifest: {
    name: 'slowjobs',
    version: '1',
    endpoints: [
      {
        id: 'start_job',
        method: 'POST',
        path: '/jobs',
        input: Type.Object({}),
        response: Type.Object({ id: Type.String() }),
        future: 'jobs',
      },
      {
        id: 'get_job',
        method: 'GET',
        path: '/jobs/{id}',
        input: Type.Object({ id: Type.String() }),
        response: Type.Object({ done: Type.Boolean() }),
      },
    ],
  },
  pollProtocols: {
    jobs: {
      pollEndpoint: 'get_job',
      requestId: (body) => body.id,
      pollInput: ({ requestId }) => ({ id: requestId }),
      read: (job) => (job.done ? { state: 'complete', value: 'finished' } : { state: 'pending' }),
      repollPacing: { initialMs: 100, maxMs: 100 },
    },
  },
});

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function jobServer(pollsUntilDone: number) {
  let polls = 0;
  const server = await scriptedServer((req, res) => {
    if (req.method === 'POST') return json(res, 200, { id: 'job-7' });
    polls++;
    json(res, 200, { done: polls >= pollsUntilDone });
  });
  cleanups.push(server.close);
  const clock = new FakeClock();
  const kernel = createKernel({ baseUrl: server.url, maxRetries: 0 }).use(plugin);
  kernel.register(Ports.Clock, clock);
  cleanups.push(() => kernel.close());
  return { kernel, clock, polls: () => polls };
}

/** Advance the fake clock in poll-sized steps until `settled` says so (each step lets the poll answer). */
async function runUntil(clock: FakeClock, settled: () => boolean, stepMs = 100, maxSteps = 100) {
  for (let i = 0; i < maxSteps && !settled(); i++) {
    await clock.advance(stepMs);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('submit with timeoutMs', () => {
  it('stops polling a job that outlives the bound and rejects with FutureTimeoutError', async () => {
    const { kernel, clock, polls } = await jobServer(Number.POSITIVE_INFINITY);
    const future = kernel.submit('start_job', {}, { timeoutMs: 1_000 });
    let outcome: unknown;
    future.then(
      (value) => (outcome = value),
      (error: unknown) => (outcome = error),
    );
    await future.accepted;
    await runUntil(clock, () => outcome !== undefined);
    expect(outcome).toBeInstanceOf(FutureTimeoutError);
    expect((outcome as FutureTimeoutError).requestId).toBe('job-7');
    expect((outcome as Error).message).toBe('Timed out after 1000 ms waiting for job-7 (start_job)');
    // No poll after the bound: the polling stopped with the future.
    const seenAtTimeout = polls();
    await runUntil(clock, () => false, 100, 10);
    expect(polls()).toBe(seenAtTimeout);
  });

  it('resolves a job that finishes within the bound', async () => {
    const { kernel, clock } = await jobServer(3);
    const future = kernel.submit('start_job', {}, { timeoutMs: 1_000 });
    let outcome: unknown;
    future.then(
      (value) => (outcome = value),
      (error: unknown) => (outcome = error),
    );
    await runUntil(clock, () => outcome !== undefined);
    expect(outcome).toBe('finished');
    // The bound passing after the result changes nothing.
    await clock.advance(2_000);
    await expect(future).resolves.toBe('finished');
  });
});
