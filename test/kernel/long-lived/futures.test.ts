import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { Futures } from '../../../src/kernel/futures/combinators.js';
import {
  FutureCancelledError,
  FutureExpiredError,
  FutureFailedError,
  ResultTooLargeError,
} from '../../../src/kernel/futures/future-errors.js';
import type { PollProtocol, PollReading } from '../../../src/ports/futures.js';
import { Ports } from '../../../src/ports/index.js';
import { APIUserAbortError, NotFoundError, ProxyError } from '../../../src/kernel/errors/api-errors.js';
import { misbehavingProxy } from '../../support/misbehaving-proxy.js';
import { RecordingClock } from '../../support/recording-clock.js';
import { json, scriptedServer, type Seen } from '../../support/scripted-server.js';

/** A made-up job API: POST /jobs answers {id}; POST /jobs/poll answers {status, ...}. */
const protocol: PollProtocol<{ answer: number }> = {
  pollEndpoint: 'poll_job',
  requestId: (body) => (body as { id: string }).id,
  pollInput: ({ requestId, allowMetadataOnly }) => ({ id: requestId, metadata_ok: allowMetadataOnly }),
  pollHeaders: ({ iteration, submitEndpoint }) => ({
    'x-iteration': String(iteration),
    'x-kind': submitEndpoint,
  }),
  read(body): PollReading<{ answer: number }> {
    const b = body as Record<string, any>;
    if (b.status === 'pending') return { state: 'pending' };
    if (b.status === 'queued') return { state: 'try_again', queueState: b.queue, reason: b.reason };
    if (b.status === 'failed') return { state: 'failed', message: b.message, category: b.category };
    if (b.status === 'metadata') return { state: 'complete_metadata', sizeBytes: b.size };
    return { state: 'complete', value: b.result };
  },
  onExpired: 'resubmit',
};

function kernelFor(
  url: string,
  onExpired: 'resubmit' | 'fail' = 'resubmit',
  overrides: Partial<PollProtocol<{ answer: number }>> = {},
  proxy?: string,
) {
  const plugin = definePlugin({
    name: 'jobs',
    version: '1',
    defaults: { baseUrl: url, breaker: false },
    pollProtocols: { jobs: { ...protocol, onExpired, ...overrides } },
    manifest: {
      name: 'jobs',
      version: '1',
      endpoints: [
        {
          id: 'start_job',
          method: 'POST',
          path: '/jobs',
          input: Type.Object({ n: Type.Integer() }),
          future: 'jobs',
        },
        {
          id: 'poll_job',
          method: 'POST',
          path: '/jobs/poll',
          input: Type.Object({ id: Type.String(), metadata_ok: Type.Boolean() }),
        },
      ],
    },
  });
  const kernel = createKernel({ proxy }).use(plugin);
  const clock = new RecordingClock();
  kernel.register(Ports.Clock, clock);
  return { kernel, clock };
}

let closeAll: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closeAll.map((c) => c()));
  closeAll = [];
});

async function serve(script: (req: Seen, polls: number) => [number, unknown], headers = {}) {
  let polls = 0;
  const server = await scriptedServer((req, res) => {
    if (req.path === '/jobs') return json(res, 200, { id: `job-${req.body.n}` }, headers);
    const [status, body] = script(req, polls++);
    json(res, status, body);
  });
  closeAll.push(server.close);
  return server;
}

describe('futures through the pipeline', () => {
  it('goes pending → try_again (paused, with reason) → complete, reporting the queue state', async () => {
    const server = await serve((_req, n) =>
      n === 0
        ? [200, { status: 'pending' }]
        : n === 1
          ? [200, { status: 'queued', queue: 'paused_capacity', reason: 'busy' }]
          : [200, { status: 'done', result: { answer: 42 } }],
    );
    const { kernel } = kernelFor(server.url);
    const states: unknown[] = [];
    kernel.events.on('queue:state', (e) => states.push(e));
    const future = kernel.submit<{ answer: number }>('start_job', { n: 1 });
    await future.accepted;
    expect(future.requestId).toBe('job-1');
    await expect(future).resolves.toEqual({ answer: 42 });
    expect(states).toEqual([{ requestId: 'job-1', queueState: 'paused_capacity', reason: 'busy' }]);
    const polls = server.seen.filter((s) => s.path === '/jobs/poll');
    expect(polls.map((p) => p.headers['x-iteration'])).toEqual(['0', '1', '2']);
    expect(polls[0].headers['x-kind']).toBe('start_job');
    await kernel.close();
  });

  it('re-polls 408 and 5xx after the pacing delay, and backs off min(2^k s, 30 s) on 429', async () => {
    const statuses = [408, 503, 429, 429, 500];
    const server = await serve((_req, n) =>
      n < statuses.length
        ? [statuses[n], { status: 'queued' }]
        : [200, { status: 'done', result: { answer: 1 } }],
    );
    const { kernel, clock } = kernelFor(server.url);
    const future = kernel.submit('start_job', { n: 2 });
    await expect(future.result()).resolves.toEqual({ answer: 1 });
    // 408 and 5xx: the kernel's re-poll pacing (10 ms doubling); 429: the protocol's backoff.
    expect(clock.sleeps).toEqual([10, 20, 1000, 2000, 40]);
    expect(server.seen.filter((s) => s.path === '/jobs/poll')).toHaveLength(6);
    await kernel.close();
  });

  it('re-polls bare 400s within the protocol budget (reset by a 408 or an answer), then a 400 is fatal', async () => {
    const statuses = [400, 400, 400, 408, 400, 400, 400];
    const server = await serve((_req, n) =>
      n < statuses.length
        ? [statuses[n], { status: 'queued' }]
        : [200, { status: 'done', result: { answer: 3 } }],
    );
    const { kernel } = kernelFor(server.url, 'resubmit', { badRequestRetries: 3 });
    await expect(kernel.submit('start_job', { n: 2 }).result()).resolves.toEqual({ answer: 3 });
    const fatal = await serve(() => [400, { detail: 'bad' }]);
    const second = kernelFor(fatal.url, 'resubmit', { badRequestRetries: 3 });
    await expect(second.kernel.submit('start_job', { n: 2 }).result()).rejects.toMatchObject({ status: 400 });
    expect(fatal.seen.filter((s) => s.path === '/jobs/poll')).toHaveLength(4);
    const none = await serve(() => [400, {}]);
    const strict = kernelFor(none.url);
    await expect(strict.kernel.submit('start_job', { n: 2 }).result()).rejects.toMatchObject({ status: 400 });
    expect(none.seen.filter((s) => s.path === '/jobs/poll')).toHaveLength(1);
    await Promise.all([kernel.close(), second.kernel.close(), strict.kernel.close()]);
  });

  it('waits out a pause status every delayMs until the window closes, then fails with it', async () => {
    const pause = { status: 402, delayMs: 5_000, maxPauseMs: () => 12_000 };
    const brief = await serve((_req, n) =>
      n < 2 ? [402, { detail: 'billing' }] : [200, { status: 'done', result: { answer: 4 } }],
    );
    const ok = kernelFor(brief.url, 'resubmit', { pause });
    await expect(ok.kernel.submit('start_job', { n: 1 }).result()).resolves.toEqual({ answer: 4 });
    expect(ok.clock.sleeps).toEqual([5_000, 5_000]);
    const endless = await serve(() => [402, { detail: 'billing' }]);
    const ko = kernelFor(endless.url, 'resubmit', { pause });
    await expect(ko.kernel.submit('start_job', { n: 1 }).result()).rejects.toMatchObject({ status: 402 });
    // Pauses at 0, 5 and 10 s are inside the 12 s window; the answer at 15 s fails the future.
    expect(ko.clock.sleeps).toEqual([5_000, 5_000, 5_000]);
    await Promise.all([ok.kernel.close(), ko.kernel.close()]);
  });

  it('resubmits on 410 when the protocol says so, and fails when it does not', async () => {
    const server = await serve((req) =>
      req.body.id === 'job-3' ? [410, { gone: true }] : [200, { status: 'done', result: { answer: 3 } }],
    );
    const resubmitting = kernelFor(server.url);
    let n = 3;
    const future = resubmitting.kernel.submit('start_job', { n: 3 }, { resubmitInput: () => ({ n: ++n }) });
    await expect(future).resolves.toEqual({ answer: 3 });
    expect(server.seen.filter((s) => s.path === '/jobs').map((s) => s.body.n)).toEqual([3, 4]);
    const failing = kernelFor(server.url, 'fail');
    const doomed = failing.kernel.submit('start_job', { n: 3 });
    await expect(doomed).rejects.toBeInstanceOf(FutureExpiredError);
    await resubmitting.kernel.close();
    await failing.kernel.close();
  });

  it('surfaces failures with their category and request id, without re-polling', async () => {
    const server = await serve((req) => [
      200,
      { status: 'failed', message: 'bad tokens', category: req.body.id === 'job-5' ? 'user' : 'server' },
    ]);
    const { kernel } = kernelFor(server.url);
    const error = (await kernel.submit('start_job', { n: 5 }).catch((e) => e)) as FutureFailedError;
    expect(error).toBeInstanceOf(FutureFailedError);
    expect(error.category).toBe('user');
    expect(error.requestId).toBe('job-5');
    const server2 = (await kernel.submit('start_job', { n: 6 }).catch((e) => e)) as FutureFailedError;
    expect(server2.category).toBe('server');
    expect(server.seen.filter((s) => s.path === '/jobs/poll')).toHaveLength(2);
    await kernel.close();
  });

  it("throws the protocol's own failure class (a FutureFailedError subclass) when it names one", async () => {
    class JobFailedError extends FutureFailedError {}
    const server = await serve(() => [200, { status: 'failed', message: 'bad tokens', category: 'user' }]);
    const { kernel } = kernelFor(server.url, 'resubmit', {
      failedError: ({ message, category, body }, requestId) =>
        new JobFailedError(message, requestId, category, body),
    });
    const error = (await kernel.submit('start_job', { n: 5 }).catch((e) => e)) as JobFailedError;
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toBeInstanceOf(FutureFailedError);
    expect([error.message, error.category, error.requestId]).toEqual(['bad tokens', 'user', 'job-5']);
    await kernel.close();
  });

  it('fetches a metadata-only result in full when it fits the bytes budget, and refuses when it does not', async () => {
    const server = await serve((req) =>
      req.body.metadata_ok
        ? [200, { status: 'metadata', size: req.body.id === 'job-7' ? 100 : 10_000 }]
        : [200, { status: 'done', result: { answer: 7 } }],
    );
    const { kernel } = kernelFor(server.url);
    await expect(kernel.submit('start_job', { n: 7 }, { maxResultBytes: 1000 })).resolves.toEqual({
      answer: 7,
    });
    const polls = server.seen.filter((s) => s.path === '/jobs/poll');
    expect(polls.map((p) => p.body.metadata_ok)).toEqual([true, false]);
    await expect(kernel.submit('start_job', { n: 8 }, { maxResultBytes: 1000 })).rejects.toBeInstanceOf(
      ResultTooLargeError,
    );
    await kernel.close();
  });

  it('fails the future on a poll that can never succeed (a proxy 407), instead of backing off for ever', async () => {
    // Each response closes its connection, so every request opens a tunnel; only the submit's is let through.
    const server = await serve(() => [200, { status: 'pending' }], { connection: 'close' });
    const proxy = await misbehavingProxy('answers 407', { tunnelFirst: 1 });
    closeAll.push(() => proxy.close());
    const { kernel, clock } = kernelFor(server.url, 'resubmit', {}, proxy.url);
    const error = await kernel.submit('start_job', { n: 12 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyError);
    expect(error).toMatchObject({ proxyStatus: 407 });
    expect(server.seen.map((s) => s.path)).toEqual(['/jobs']);
    expect(proxy.connections).toBe(2);
    expect(clock.sleeps).toEqual([]);
    await kernel.close();
  });

  it('stops polling once cancelled: no further request reaches the server', async () => {
    const server = await serve(() => [200, { status: 'pending' }]);
    const { kernel } = kernelFor(server.url);
    const future = kernel.submit('start_job', { n: 9 });
    // Let a few polls happen, then cancel.
    while (server.seen.filter((s) => s.path === '/jobs/poll').length < 3)
      await new Promise((r) => setImmediate(r));
    future.cancel();
    await expect(future).rejects.toBeInstanceOf(FutureCancelledError);
    await expect(future).rejects.toThrow(/^Future \S+ was cancelled$/);
    const count = server.seen.length;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(server.seen.length).toBe(count);
    await kernel.close();
  });

  it('kernel.close() cancels futures that are still polling', async () => {
    const server = await serve(() => [200, { status: 'pending' }]);
    const { kernel } = kernelFor(server.url);
    const future = kernel.submit('start_job', { n: 11 });
    await future.accepted;
    while (server.seen.filter((s) => s.path === '/jobs/poll').length < 2)
      await new Promise((r) => setImmediate(r));
    await kernel.close();
    await expect(future).rejects.toBeInstanceOf(FutureCancelledError);
    const count = server.seen.length;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(server.seen.length).toBe(count);
  });

  it('kernel.close() leaves futures that already settled alone, failed or complete', async () => {
    const server = await serve((req) =>
      req.body.id === 'job-1' ? [200, { status: 'complete', result: { answer: 1 } }] : [404, {}],
    );
    const { kernel } = kernelFor(server.url);
    const done = kernel.submit('start_job', { n: 1 }, { callerSignalOnly: true });
    const failed = kernel.submit('start_job', { n: 2 }, { maxRetries: 0 });
    await expect(done).resolves.toEqual({ answer: 1 });
    await expect(failed).rejects.toBeInstanceOf(NotFoundError); // its poll's 404, as it was
    await kernel.close();
    expect([done.cancelled, failed.cancelled]).toEqual([false, false]);
    await expect(failed).rejects.not.toBeInstanceOf(FutureCancelledError);
  });

  it('a future nobody awaits, whose submission or poll fails, raises no unhandled rejection', async () => {
    const server = await scriptedServer((req, res) =>
      req.path === '/jobs' && req.body.n === 1
        ? json(res, 400, {})
        : json(res, req.path === '/jobs' ? 200 : 404, { id: 'job-2' }),
    );
    closeAll.push(server.close);
    const { kernel } = kernelFor(server.url);
    kernel.submit('start_job', { n: 1 }, { maxRetries: 0 });
    kernel.submit('start_job', { n: 2 }, { maxRetries: 0 });
    while (server.seen.filter((s) => s.path === '/jobs/poll').length < 1)
      await new Promise((r) => setImmediate(r));
    // Jest fails the running test on an unhandled rejection: let both settle while it runs.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    await kernel.close();
  });

  it('callerSignalOnly: futures polling with one signal stop on its abort and on close(); cancel() throws', async () => {
    const server = await serve(() => [200, { status: 'pending' }]);
    const polls = () => server.seen.filter((s) => s.path === '/jobs/poll').length;
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    const { kernel } = kernelFor(server.url);
    const caller = new AbortController();
    const options = { signal: caller.signal, callerSignalOnly: true };
    const [a, b] = [
      kernel.submit('start_job', { n: 1 }, options),
      kernel.submit('start_job', { n: 2 }, options),
    ];
    // The same signal without the option: both kinds must fail alike.
    const own = kernel.submit('start_job', { n: 5 }, { signal: caller.signal });
    while (polls() < 6) await new Promise((r) => setImmediate(r));
    expect(() => a.cancel()).toThrow(/signal/);
    caller.abort(new Error('caller gave up'));
    const errors = await Promise.all(
      [a, b, own].map((f) =>
        f.then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    );
    expect(errors[0]).toBeInstanceOf(APIUserAbortError);
    expect(errors.map((e) => (e as Error).constructor)).toEqual(Array(3).fill(APIUserAbortError));
    expect([a.cancelled, b.cancelled, own.cancelled]).toEqual([false, false, false]);
    await settle(); // a poll already on its way may still arrive; none may follow it
    const afterAbort = polls();
    await settle();
    expect(polls()).toBe(afterAbort);

    const other = new AbortController();
    const c = kernel.submit('start_job', { n: 3 }, { signal: other.signal, callerSignalOnly: true });
    const d = kernel.submit('start_job', { n: 4 }, { signal: other.signal, callerSignalOnly: true });
    while (polls() < afterAbort + 2) await new Promise((r) => setImmediate(r));
    await kernel.close();
    await expect(c).rejects.toBeInstanceOf(FutureCancelledError);
    await expect(d).rejects.toThrow(/^Future \S+ was cancelled: the client was closed$/);
    expect(other.signal.aborted).toBe(false);
    await settle();
    const afterClose = polls();
    await settle();
    expect(polls()).toBe(afterClose);
  });

  it('Futures.all over 100 futures keeps the order; the first failure carries its request id', async () => {
    const server = await serve((req) =>
      req.body.id === 'job-1042'
        ? [200, { status: 'failed', message: 'nope', category: 'user' }]
        : [200, { status: 'done', result: { answer: Number(req.body.id.slice(4)) } }],
    );
    const { kernel } = kernelFor(server.url);
    const futures = Array.from({ length: 100 }, (_, i) =>
      kernel.submit<{ answer: number }>('start_job', { n: i }),
    );
    const results = await Futures.all(futures);
    expect(results.map((r) => r.answer)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const mapped = await Futures.map(
      [1, 2, 3],
      (i) => kernel.submit<{ answer: number }>('start_job', { n: i * 10 }),
      { concurrency: 2 },
    );
    expect(mapped.map((r) => r.answer)).toEqual([10, 20, 30]);
    const error = await Futures.all([
      kernel.submit('start_job', { n: 1 }),
      kernel.submit('start_job', { n: 1042 }),
    ]).catch((e) => e);
    expect(error.requestId).toBe('job-1042');
    await kernel.close();
  });
});
