import { afterEach, describe, expect, it } from '@jest/globals';
import type http from 'node:http';
import { Type } from '@sinclair/typebox';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { APIFuture } from '../../../src/kernel/futures/api-future.js';
import { FutureCancelledError, FutureTimeoutError } from '../../../src/kernel/futures/future-errors.js';
import { Ports } from '../../../src/ports/index.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

/**
 * A future whose submission the server has not answered yet has no request id. Its timeout (and its
 * cancellation) used to report the placeholder "(not accepted)" as the error's `requestId`, and a
 * message "waiting for (not accepted)": a caller logging `error.requestId` to find the operation on
 * the server got an id that never existed. The error now says which request was not yet accepted.
 */
const plugin = definePlugin({
  name: 'held',
  version: '1',
  pollProtocols: {
    held: {
      pollEndpoint: 'poll_job',
      requestId: (body) => (body as { id: string }).id,
      pollInput: ({ requestId }) => ({ id: requestId }),
      read: () => ({ state: 'complete', value: 1 }),
      onExpired: 'fail',
    },
  },
  manifest: {
    name: 'held',
    version: '1',
    endpoints: [
      { id: 'start_job', method: 'POST', path: '/jobs', input: Type.Object({}), future: 'held' },
      // Sent through an endpoint of its own (as Tinkex's 0.25 `forward_backward_proto`), named as called.
      {
        id: 'start_job_proto',
        callName: 'start_job',
        method: 'POST',
        path: '/jobs-proto',
        input: Type.Object({}),
        future: 'held',
      },
      { id: 'poll_job', method: 'POST', path: '/poll', input: Type.Object({ id: Type.String() }) },
    ],
  },
});

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** A kernel on a fake clock whose server holds every request (submission, poll) until the test answers it. */
async function heldSubmission(endpoint: 'start_job' | 'start_job_proto' = 'start_job') {
  const held: http.ServerResponse[] = [];
  let onArrival = () => {};
  /** Resolves once `n` requests are held. */
  const arrived = (n: number) =>
    new Promise<void>((resolve) => {
      onArrival = () => void (held.length >= n && resolve());
      onArrival();
    });
  const server = await scriptedServer((_req, res) => {
    held.push(res);
    onArrival();
  });
  cleanups.push(server.close);
  const clock = new FakeClock();
  const kernel = createKernel({ baseUrl: server.url, maxRetries: 0 }).use(plugin);
  kernel.register(Ports.Clock, clock);
  cleanups.push(() => kernel.close());
  const future = kernel.submit<number>(endpoint, {});
  await arrived(1);
  return { future, clock, held, kernel, arrived };
}

describe('a future the server has not accepted yet', () => {
  it('times out naming the endpoint and the bound, with no request id', async () => {
    const { future, clock, held, arrived } = await heldSubmission();
    const waiting = future.result({ timeoutMs: 5_000 }).catch((e: unknown) => e);
    await clock.advance(5_000);
    const error = (await waiting) as FutureTimeoutError;
    expect(error).toBeInstanceOf(FutureTimeoutError);
    expect(error.requestId).toBeUndefined();
    expect(error.message).toBe(
      'Timed out after 5000 ms waiting for start_job: the server had not accepted the request yet ' +
        '(no request id); it may still be accepted and run',
    );
    expect(error.message).not.toContain('(not accepted)');
    // It was only the wait that ended: the submission goes on, and the result can still be awaited.
    json(held[0], 200, { id: 'job-1' });
    await arrived(2);
    json(held[1], 200, {});
    await expect(future).resolves.toBe(1);
    expect(future.requestId).toBe('job-1');
  });

  it('once accepted, times out naming its request id and the endpoint', async () => {
    const { future, clock, held } = await heldSubmission();
    // Accepted; its poll is then held too, so the wait for the result outlives the bound.
    json(held[0], 200, { id: 'job-2' });
    await future.accepted;
    const waiting = future.result({ timeoutMs: 1 }).catch((e: unknown) => e);
    await clock.advance(1);
    const error = (await waiting) as FutureTimeoutError;
    expect(error).toBeInstanceOf(FutureTimeoutError);
    expect(error.requestId).toBe('job-2');
    expect(error.message).toBe('Timed out after 1 ms waiting for job-2 (start_job)');
  });

  it('closed before acceptance, is cancelled naming the endpoint, with no request id', async () => {
    const { future, kernel } = await heldSubmission();
    await kernel.close();
    const error = (await future.result().catch((e: unknown) => e)) as FutureCancelledError;
    expect(error).toBeInstanceOf(FutureCancelledError);
    expect(error.requestId).toBeUndefined();
    expect(error.message).toBe(
      'The future of start_job was cancelled before the server accepted it: the client was closed',
    );
  });

  it('names the call as its users know it (the callName), not the endpoint that sent it', async () => {
    // A user who called `forwardBackward` read "The future of forward_backward_proto was cancelled".
    const timedOut = await heldSubmission('start_job_proto');
    const waiting = timedOut.future.result({ timeoutMs: 5 }).catch((e: unknown) => e);
    await timedOut.clock.advance(5);
    expect(((await waiting) as Error).message).toMatch(/^Timed out after 5 ms waiting for start_job: /);
    const closed = await heldSubmission('start_job_proto');
    await closed.kernel.close();
    expect(((await closed.future.result().catch((e: unknown) => e)) as Error).message).toBe(
      'The future of start_job was cancelled before the server accepted it: the client was closed',
    );
  });

  it('a mapped or combined future names the endpoint its parts share', async () => {
    const clock = new FakeClock();
    const never = new Promise<string>(() => {});
    const part = (endpointId: string) =>
      new APIFuture<number>(never, async () => 1, clock, undefined, { endpointId });
    const futures = {
      mapped: part('forward').map((n) => n + 1),
      combined: APIFuture.combine([part('forward'), part('forward')], (ns) => ns.length, clock),
      mixed: APIFuture.combine([part('forward'), part('optim_step')], (ns) => ns.length, clock),
    };
    const waits = Object.values(futures).map((f) => f.result({ timeoutMs: 10 }).catch((e: unknown) => e));
    await clock.advance(10);
    const messages = (await Promise.all(waits)).map((e) => (e as FutureTimeoutError).message);
    expect(messages.map((m) => /waiting for ([^:]+):/.exec(m)?.[1])).toEqual([
      'forward',
      'forward',
      'a request',
    ]);
  });
});
