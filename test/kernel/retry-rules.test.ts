import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { BackoffRetry } from '../../src/adapters/retry/backoff-retry.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { retryMessage } from '../../src/kernel/pipeline/stages/retry.js';
import {
  APIConnectionError,
  APIStatusError,
  APIUserAbortError,
  BadRequestError,
  ClientClosedError,
  ConflictError,
  InternalServerError,
  RateLimitError,
  UnprocessableEntityError,
} from '../../src/kernel/errors/api-errors.js';
import { Ports } from '../../src/ports/index.js';
import type { Retry } from '../../src/ports/retry.js';
import type { TransportRequest } from '../../src/ports/transport.js';
import { RecordingClock } from '../support/recording-clock.js';

type Reply = { status: number; headers?: Record<string, string>; body?: string } | Error;

const spec = {
  name: 'echo',
  version: '1',
  defaults: { baseUrl: 'http://echo.test', maxRetries: 2, breaker: false },
  headers: { retryCount: 'x-retry-count', idempotency: { header: 'idempotency-key' } },
  manifest: {
    name: 'echo',
    version: '1',
    endpoints: [
      { id: 'echo', method: 'POST', path: '/echo', input: Type.Object({ n: Type.Optional(Type.Integer()) }) },
      { id: 'upload', method: 'POST', path: '/upload', bodyType: 'raw' },
      { id: 'moved', method: 'GET', path: '/moved', redirect: 'manual' },
    ],
  },
} as const;
const plugin = definePlugin(spec);

/** A kernel whose transport plays back `replies` in order and records every request. */
function scripted(replies: Reply[], use = plugin) {
  const clock = new RecordingClock();
  const seen: TransportRequest[] = [];
  const transport = new MemoryTransport((req: TransportRequest) => {
    seen.push(req);
    const reply = replies.shift() ?? { status: 200, body: '{"ok":true}' };
    if (reply instanceof Error) throw reply;
    return {
      status: reply.status,
      headers: { 'content-type': 'application/json', ...reply.headers },
      body: reply.body ?? '{}',
    };
  });
  const kernel = createKernel().use(use);
  kernel.register(Ports.Clock, clock);
  kernel.register(Ports.Transport, transport);
  kernel.register(Ports.Retry, new BackoffRetry(clock, undefined, () => 0));
  return { kernel, clock, seen };
}

describe('retry rules', () => {
  it('asks a Retry adapter without oneAttemptWithoutRetries for calls sent without retries too', async () => {
    const { kernel, seen } = scripted([{ status: 500 }]);
    const asked: number[] = [];
    const inner = new BackoffRetry(new RecordingClock(), undefined, () => 0);
    const counting: Retry = {
      run: (attempt, context) => {
        asked.push(context.maxRetries);
        return inner.run(attempt, { ...context, maxRetries: 1 });
      },
    };
    kernel.register(Ports.Retry, counting);
    await expect(kernel.call('echo', {}, { maxRetries: 0 })).resolves.toEqual({ ok: true });
    expect([asked, seen.length]).toEqual([[0], 2]);
  });

  it('sends a call without retries once, its error as the attempt gave it', async () => {
    const { kernel, seen } = scripted([{ status: 503 }]);
    await expect(kernel.call('echo', {}, { maxRetries: 0 })).rejects.toBeInstanceOf(InternalServerError);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers['x-retry-count']).toBe('0');
  });

  it.each([408, 409, 429, 500, 503])('retries status %i and succeeds', async (status) => {
    const { kernel, seen } = scripted([{ status }]);
    await expect(kernel.call('echo', {})).resolves.toEqual({ ok: true });
    expect(seen).toHaveLength(2);
  });

  it("never retries a status the plugin's policy names fatal, though the status rules would", async () => {
    const fatal409 = definePlugin({ ...spec, retryPolicies: { default: { fatalStatuses: [409] } } });
    const { kernel, seen } = scripted([{ status: 409 }, { status: 409 }], fatal409);
    const error = await kernel.call('echo', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).retryable).toBe(false);
    expect(seen).toHaveLength(1);
    const other = scripted([{ status: 503 }], fatal409); // statuses it does not name keep their rules
    await expect(other.kernel.call('echo', {})).resolves.toEqual({ ok: true });
    expect(other.seen).toHaveLength(2);
  });

  it("backs off by the plugin's default policy when the endpoint names none", async () => {
    const slow = definePlugin({
      ...spec,
      retryPolicies: { default: { initialDelayMs: 7, maxDelayMs: 7, jitter: 0 } },
    });
    const { kernel, clock } = scripted([{ status: 503 }, { status: 503 }], slow);
    await expect(kernel.call('echo', {})).resolves.toEqual({ ok: true });
    expect(clock.sleeps).toEqual([7, 7]);
  });

  it('reads an error answer that is JSON under another content-type as JSON, for its message', async () => {
    const { kernel } = scripted([
      { status: 400, headers: { 'content-type': 'text/plain' }, body: ' {"detail":"n must be even"}' },
    ]);
    const error = (await kernel.call('echo', {}).catch((e: unknown) => e)) as BadRequestError;
    expect(error.body).toEqual({ detail: 'n must be even' });
    expect(error.message).toBe('400 n must be even');
  });

  it("names each of a FastAPI validation answer's entries (422 detail list) by place and message, never retried", async () => {
    // FastAPI's request-validation answer: a list under `detail`, each entry a `loc` path and a `msg`.
    // Raw JSON with its `type`/`input` noise buried the field the server named.
    const detail = [
      {
        type: 'less_than',
        loc: ['body', 'adam_params', 'beta1'],
        msg: 'Input should be less than 1',
        input: 1.5,
      },
      { type: 'missing', loc: ['body', 'data', 0, 'model_input'], msg: 'Field required' },
    ];
    const { kernel, seen } = scripted([{ status: 422, body: JSON.stringify({ detail }) }]);
    const error = (await kernel.call('echo', {}).catch((e: unknown) => e)) as UnprocessableEntityError;
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.message).toBe(
      '422 body.adam_params.beta1: Input should be less than 1; body.data[0].model_input: Field required',
    );
    expect(error.body).toEqual({ detail });
    expect(error.retryable).toBe(false);
    expect(seen).toHaveLength(1);
  });

  it('keeps a detail list it cannot read as entries (no msg) as JSON, so nothing the server said is lost', async () => {
    const { kernel } = scripted([{ status: 422, body: '{"detail":[{"code":7}]}' }]);
    const error = (await kernel.call('echo', {}).catch((e: unknown) => e)) as UnprocessableEntityError;
    expect(error.message).toBe('422 {"detail":[{"code":7}]}');
  });

  it('reads no more of an error answer than 64 KiB: the message needs its start, not a runaway body', async () => {
    const { kernel } = scripted([]);
    let chunksRead = 0;
    kernel.register(
      Ports.Transport,
      new MemoryTransport(() => ({
        status: 400,
        headers: { 'content-type': 'text/plain' },
        body: (async function* () {
          for (let i = 0; i < 64; i++) {
            chunksRead++;
            yield Buffer.alloc(16 * 1024, 'x');
          }
        })(),
      })),
    );
    const error = await kernel.call('echo', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(String((error as BadRequestError).body)).toBe('x'.repeat(64 * 1024));
    expect(chunksRead).toBeLessThan(64);
  });

  it('retries a body that breaks mid-way under content-encoding identity (no decoder, so no decode error)', async () => {
    const { kernel } = scripted([]);
    let sent = 0;
    kernel.register(
      Ports.Transport,
      new MemoryTransport(() => {
        sent++;
        if (sent > 1) return { status: 200, body: '{"ok":true}' };
        return {
          status: 200,
          headers: { 'content-encoding': 'Identity' },
          body: (async function* () {
            yield Buffer.from('{"ok":');
            throw new Error('socket reset');
          })(),
        };
      }),
    );
    await expect(kernel.call('echo', {})).resolves.toEqual({ ok: true });
    expect(sent).toBe(2);
  });

  it.each([300, 302, 304])(
    'fails on a %i nobody followed, unless the endpoint handles redirects itself',
    async (status) => {
      const followed = scripted([{ status, body: '{"moved":true}' }]);
      const error = await followed.kernel.call('echo', {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(APIStatusError);
      expect((error as APIStatusError).status).toBe(status);
      const manual = scripted([{ status, body: '{"moved":true}' }]);
      await expect(manual.kernel.call('moved', {})).resolves.toEqual({ moved: true });
    },
  );

  it('retries connection errors and timeouts', async () => {
    const { kernel, seen } = scripted([new APIConnectionError('reset')]);
    await expect(kernel.call('echo', {})).resolves.toEqual({ ok: true });
    expect(seen).toHaveLength(2);
  });

  it('does not retry 400, and gives up after maxRetries', async () => {
    const bad = scripted([{ status: 400, body: '{"message":"nope"}' }]);
    await expect(bad.kernel.call('echo', {})).rejects.toBeInstanceOf(BadRequestError);
    expect(bad.seen).toHaveLength(1);
    const down = scripted([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }]);
    await expect(down.kernel.call('echo', {})).rejects.toBeInstanceOf(InternalServerError);
    expect(down.seen).toHaveLength(3);
  });

  it('lets x-should-retry override the status rules both ways', async () => {
    const stop = scripted([{ status: 500, headers: { 'x-should-retry': 'false' } }]);
    await expect(stop.kernel.call('echo', {})).rejects.toBeInstanceOf(InternalServerError);
    expect(stop.seen).toHaveLength(1);
    const force = scripted([{ status: 400, headers: { 'x-should-retry': 'true' } }]);
    await expect(force.kernel.call('echo', {})).resolves.toEqual({ ok: true });
    expect(force.seen).toHaveLength(2);
  });

  it('waits the server retry-after (ms, seconds, HTTP date) and falls back to backoff on garbage', async () => {
    const future = new Date(1_700_000_000_000 + 3000).toUTCString();
    const { kernel, clock } = scripted([
      { status: 429, headers: { 'retry-after-ms': '120' } },
      { status: 429, headers: { 'retry-after': '0.1' } },
    ]);
    await kernel.call('echo', {}, { maxRetries: 5 });
    const dated = scripted([
      { status: 503, headers: { 'retry-after': future } },
      { status: 503, headers: { 'retry-after': 'later' } },
    ]);
    await dated.kernel.call('echo', {}, { maxRetries: 5 });
    expect(clock.sleeps).toEqual([120, 100]);
    expect(dated.clock.sleeps).toEqual([3000, 1000]);
  });

  it('increments the retry-count header and keeps one idempotency key per call', async () => {
    const { kernel, seen } = scripted([{ status: 500 }, { status: 500 }]);
    await kernel.call('echo', {});
    await kernel.call('echo', {});
    expect(seen.map((r) => r.headers['x-retry-count'])).toEqual(['0', '1', '2', '0']);
    const keys = seen.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it('uses a caller-supplied idempotency key and per-call maxRetries', async () => {
    const { kernel, seen } = scripted([{ status: 500 }]);
    await expect(kernel.call('echo', {}, { idempotencyKey: 'mine', maxRetries: 0 })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(seen.map((r) => r.headers['idempotency-key'])).toEqual(['mine']);
  });

  it('never retries a streaming request body, but retries a buffered one', async () => {
    const streamed = scripted([{ status: 500 }]);
    await expect(
      streamed.kernel.call('upload', { body: Readable.from([Buffer.from('abc')]) } as never),
    ).rejects.toBeInstanceOf(InternalServerError);
    expect(streamed.seen).toHaveLength(1);
    const buffered = scripted([{ status: 500 }]);
    await buffered.kernel.call('upload', { body: Buffer.from('abc') } as never);
    expect(buffered.seen).toHaveLength(2);
  });

  it('rejects promptly with APIUserAbortError when aborted during a backoff sleep', async () => {
    const { kernel, clock } = scripted([{ status: 500 }]);
    clock.hold = true;
    const controller = new AbortController();
    const call = kernel.call('echo', {}, { signal: controller.signal });
    while (clock.sleeps.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it.each([2, 0])(
    'types a failure that comes with the caller abort as that abort, its reason as cause (maxRetries %i)',
    async (maxRetries) => {
      const { kernel } = scripted([]);
      const controller = new AbortController();
      const reason = new Error('the caller gave up');
      let sent = 0;
      kernel.register(
        Ports.Transport,
        new MemoryTransport(() => {
          sent++;
          // The caller aborts while the body is read, and the transport's body fails its own way (the
          // abort's echo, not an APIUserAbortError): the call must still end as that abort.
          return {
            status: 200,
            body: {
              [Symbol.asyncIterator]: () => ({
                next: () => {
                  controller.abort(reason);
                  return Promise.reject(new Error('terminated'));
                },
              }),
            },
          };
        }),
      );
      const error = await kernel.call('echo', {}, { signal: controller.signal, maxRetries }).catch((e) => e);
      expect(error).toBeInstanceOf(APIUserAbortError);
      expect((error as Error).cause).toBe(reason);
      expect(sent).toBe(1);
    },
  );

  it('ends a call asleep in its backoff when the kernel closes, with ClientClosedError', async () => {
    const { kernel, clock, seen } = scripted([{ status: 503 }]);
    // Sleeps end only when aborted: close() must cut this one short, not wait it out.
    clock.hold = true;
    const call = kernel.call('echo', {}).catch((e: unknown) => e);
    while (clock.sleeps.length === 0) await new Promise((r) => setImmediate(r));
    const closing = kernel.close();
    expect(await call).toBeInstanceOf(ClientClosedError);
    await closing;
    expect(seen).toHaveLength(1);
  });

  it('surfaces the last error with its retry-after after exhausting retries on 429', async () => {
    const { kernel } = scripted([{ status: 429 }, { status: 429 }, { status: 429 }]);
    const error = await kernel.call('echo', {}).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryable).toBe(true);
  });
});

describe('retryMessage', () => {
  it('says what is retried, when, why and which retry of how many (none for an unlimited budget)', () => {
    const http503 = { status: 503, message: 'ignored' };
    expect(retryMessage('asample', { attempt: 1, delayMs: 500, error: http503 }, 10)).toBe(
      'retrying asample in 0.5 s after HTTP 503 (retry 1 of 10)',
    );
    expect(retryMessage('asample', { attempt: 3, delayMs: 9_960, error: http503 }, Infinity)).toBe(
      'retrying asample in 10.0 s after HTTP 503 (retry 3)',
    );
    expect(retryMessage('poll', { attempt: 2, delayMs: 10_000, error: new Error('reset') }, undefined)).toBe(
      'retrying poll in 10 s after reset (retry 2)',
    );
  });
});
