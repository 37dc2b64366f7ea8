import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { Type } from '@sinclair/typebox';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { MemoryTransport } from '../../../src/adapters/transport/memory-transport.js';
import { ApiKeyHeaderAuth } from '../../../src/adapters/auth/api-key-header.js';
import { BackoffRetry } from '../../../src/adapters/retry/backoff-retry.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import {
  APIConnectionError,
  AuthenticationError,
  CircuitOpenError,
  InternalServerError,
} from '../../../src/kernel/errors/api-errors.js';
import { Ports } from '../../../src/ports/index.js';
import { RecordingClock } from '../../support/recording-clock.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

const endpoints = [
  {
    id: 'work',
    method: 'POST' as const,
    path: '/work',
    resource: 'jobs',
    input: Type.Object({ n: Type.Integer() }),
  },
  {
    id: 'other',
    method: 'POST' as const,
    path: '/other',
    resource: 'other',
    input: Type.Object({ n: Type.Integer() }),
  },
];

function kernelFor(url: string, extra: Record<string, unknown> = {}, key = 'tml-tenant-a-key-0001') {
  const plugin = definePlugin({
    name: 'svc',
    version: '1',
    defaults: { baseUrl: url, maxRetries: 0 },
    auth: { default: new ApiKeyHeaderAuth(key, 'x-api-key') },
    breakers: { jobs: { consecutiveFailures: 3, halfOpenAfterMs: 1000 }, other: false },
    manifest: { name: 'svc', version: '1', endpoints },
    ...extra,
  });
  return createKernel({ logLevel: 'off' }).use(plugin);
}

describe('resilience stages against a faulty local server', () => {
  let mode = 'ok';
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  let inFlight = 0;
  let maxInFlight = 0;
  beforeAll(async () => {
    server = await scriptedServer((req, res) => {
      if (mode === 'fail') return json(res, 500, { message: 'down' });
      if (mode === 'slow') {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setImmediate(() => {
          inFlight--;
          json(res, 200, { n: req.body.n });
        });
        return;
      }
      if (mode === 'throttle' && req.headers['x-api-key'] === 'tml-tenant-a-key-0001')
        return json(res, 429, { message: 'slow down' }, { 'retry-after': '7' });
      if (mode === 'leak') return json(res, 401, { message: `bad key ${req.headers['x-api-key']}` });
      json(res, 200, { n: req.body?.n });
    });
  });
  afterAll(() => server.close());

  it('opens the breaker after N server failures, fails fast without network, then half-opens', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      mode = 'fail';
      const kernel = kernelFor(server.url);
      const states: string[] = [];
      kernel.events.on('breaker:state', (c) => states.push(`${c.from}->${c.to}`));
      for (let i = 0; i < 3; i++)
        await expect(kernel.call('work', { n: i })).rejects.toBeInstanceOf(InternalServerError);
      const sent = server.seen.length;
      await expect(kernel.call('work', { n: 9 })).rejects.toBeInstanceOf(CircuitOpenError);
      expect(server.seen.length).toBe(sent);
      await expect(kernel.call('other', { n: 1 })).rejects.toBeInstanceOf(InternalServerError); // other resource unaffected
      mode = 'ok';
      jest.advanceTimersByTime(1001);
      await expect(kernel.call('work', { n: 10 })).resolves.toEqual({ n: 10 });
      expect(states).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
      await kernel.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('a call whose failure opens the breaker fails at once with CircuitOpenError, not after another backoff', async () => {
    mode = 'fail';
    const clock = new RecordingClock();
    const kernel = kernelFor(server.url, {
      defaults: { baseUrl: server.url, maxRetries: 5 },
      breakers: { jobs: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } },
    });
    kernel.register(Ports.Clock, clock);
    kernel.register(Ports.Retry, new BackoffRetry(clock, undefined, () => 0));
    const sent = server.seen.length;
    const error = await kernel.call('work', { n: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as Error).cause).toBeInstanceOf(InternalServerError); // the failure that opened it
    expect(server.seen.length - sent).toBe(2); // the second failure opened the breaker
    expect(clock.sleeps).toHaveLength(1); // one backoff, between the two attempts; none after
    await kernel.close();
  });

  it('a call that cannot be retried (a streamed body) fails with its own error when it opens the breaker', async () => {
    mode = 'fail';
    const upload = {
      id: 'upload',
      method: 'POST' as const,
      path: '/upload',
      resource: 'jobs',
      bodyType: 'raw',
    };
    const kernel = kernelFor(server.url, {
      defaults: { baseUrl: server.url, maxRetries: 5 },
      breakers: { jobs: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } },
      manifest: { name: 'svc', version: '1', endpoints: [...endpoints, upload] },
    });
    const body = Readable.from([Buffer.from('{"n":1}')]);
    const error = await kernel.call('upload', { body } as never).catch((e: unknown) => e);
    // No retry could meet the open breaker: the caller sees what the server answered.
    expect(error).toBeInstanceOf(InternalServerError);
    await expect(kernel.call('work', { n: 2 })).rejects.toBeInstanceOf(CircuitOpenError); // it did open
    await kernel.close();
  });

  it('a 429 with Retry-After delays only that tenant', async () => {
    mode = 'throttle';
    const clockA = new RecordingClock();
    const tenantA = kernelFor(server.url);
    tenantA.register(Ports.Clock, clockA);
    tenantA.register(Ports.Retry, new BackoffRetry(clockA, undefined, () => 0));
    const tenantB = kernelFor(server.url, {}, 'tml-tenant-b-key-0002');
    const clockB = new RecordingClock();
    tenantB.register(Ports.Clock, clockB);
    await expect(tenantA.call('other', { n: 1 })).rejects.toThrow('slow down');
    mode = 'ok';
    await tenantA.call('other', { n: 2 });
    await tenantB.call('other', { n: 3 });
    expect(clockA.sleeps).toEqual([7000]);
    expect(clockB.sleeps).toEqual([]);
    await tenantA.close();
    await tenantB.close();
  });

  it('never exceeds the concurrency limit under 500 concurrent calls', async () => {
    mode = 'slow';
    maxInFlight = 0;
    const kernel = kernelFor(server.url, { concurrency: { other: { maxConcurrent: 7 } } });
    const results = await Promise.all(Array.from({ length: 500 }, (_, n) => kernel.call('other', { n })));
    expect(results.map((r: any) => r.n)).toEqual(Array.from({ length: 500 }, (_, n) => n));
    expect(maxInFlight).toBeLessThanOrEqual(7);
    expect(maxInFlight).toBeGreaterThan(1);
    await kernel.close();
  });

  it('scrubs an echoed API key from the error a retry event carries', async () => {
    const clock = new RecordingClock();
    const key = 'tml-secret-key-retry-0042';
    const kernel = kernelFor(
      server.url,
      { defaults: { baseUrl: server.url, maxRetries: 1, breaker: false } },
      key,
    );
    kernel.register(Ports.Clock, clock);
    kernel.register(Ports.Retry, new BackoffRetry(clock, undefined, () => 0));
    // A transport whose failure echoes the credential it was sending (a proxy's or a library's message).
    kernel.register(
      Ports.Transport,
      new MemoryTransport((req) => {
        throw new APIConnectionError(`connect refused for ${String(req.headers['x-api-key'])}`);
      }),
    );
    const retried: unknown[] = [];
    kernel.events.on('request:retry', (event) => retried.push(event.error));
    await expect(kernel.call('other', { n: 1 })).rejects.toBeInstanceOf(APIConnectionError);
    expect(retried).toHaveLength(1);
    expect(inspect(retried[0], { depth: 8 })).not.toContain(key);
    expect((retried[0] as Error).message).toContain('[REDACTED]');
    await kernel.close();
  });

  it('keeps the API key out of error messages, logs and inspected objects', async () => {
    mode = 'leak';
    const proxy = 'http://proxyuser:proxy-pass-42@127.0.0.1:9';
    const kernel = createKernel({ proxy, logLevel: 'debug' }).use(
      definePlugin({
        name: 'svc',
        version: '1',
        defaults: { baseUrl: server.url, maxRetries: 0, breaker: false },
        auth: { default: new ApiKeyHeaderAuth('tml-secret-key-abcdef', 'x-api-key') },
        manifest: { name: 'svc', version: '1', endpoints },
      }),
    );
    const logger = new CaptureLogger({ secrets: kernel.secrets });
    kernel.register(Ports.Logger, logger);
    kernel.settings.proxy = undefined; // the proxy is only here to be redacted; do not route through it
    const error = (await kernel.call('other', { n: 1 }).catch((e) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    logger.error('call failed', {
      error: error.message,
      body: error.body,
      proxy,
      authorization: 'Bearer tok-xyz-123456',
    });
    const haystack = [
      error.message,
      JSON.stringify(error.body),
      logger.text(),
      inspect(kernel, { depth: 8 }),
      inspect(error),
    ].join('\n');
    for (const secret of ['tml-secret-key-abcdef', 'proxy-pass-42', 'tok-xyz-123456']) {
      expect(error.message).not.toContain(secret);
      expect(logger.text()).not.toContain(secret);
      expect(inspect(kernel, { depth: 8 })).not.toContain(secret);
    }
    expect(haystack).toContain('[REDACTED]');
    await kernel.close();
  });
});
