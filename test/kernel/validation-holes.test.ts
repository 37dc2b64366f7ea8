import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { ApiKeyHeaderAuth } from '../../src/adapters/auth/api-key-header.js';
import { BearerTokenAuth } from '../../src/adapters/auth/bearer-token.js';
import { toTransportError } from '../../src/adapters/transport/transport-errors.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { defineManifest } from '../../src/kernel/manifest/types.js';
import { definePlugin, type PluginSpec } from '../../src/kernel/plugin.js';
import { json, scriptedServer } from '../support/scripted-server.js';
import { rejected, thrown } from '../support/validation-errors.js';

/** A measurement API: a `number` field, a single- and a multi-segment path param, a header param. */
const manifest = defineManifest({
  name: 'measure',
  version: '1.0.0',
  endpoints: [
    {
      id: 'record',
      method: 'POST',
      path: '/series/{series}/points',
      input: Type.Object(
        {
          series: Type.String(),
          value: Type.Number(),
          weight: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
          samples: Type.Optional(Type.Array(Type.Number())),
        },
        { additionalProperties: false },
      ),
      response: Type.Object({ ok: Type.Boolean() }),
    },
    {
      id: 'remove',
      method: 'DELETE',
      path: '/runs/{run}/files/{file}',
      multiSegment: ['file'],
      headers: { trace: 'X-Trace' },
      input: Type.Object({ run: Type.String(), file: Type.String(), trace: Type.Optional(Type.String()) }),
      response: Type.Object({ ok: Type.Boolean() }),
    },
  ],
});

const plugin = (baseUrl: string, overrides: Partial<PluginSpec<typeof manifest>> = {}) =>
  definePlugin({
    name: 'measure',
    version: '1.0.0',
    manifest,
    defaults: { baseUrl, maxRetries: 3 },
    auth: { default: new ApiKeyHeaderAuth('k-123') },
    ...overrides,
  });

describe('validation holes (issue 13, item 6)', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((_req, res) => json(res, 200, { ok: true }));
  });
  afterAll(() => server.close());

  function kernelWithRetries(overrides: Partial<PluginSpec<typeof manifest>> = {}) {
    const kernel = createKernel().use(plugin(server.url, overrides));
    const retries: number[] = [];
    kernel.events.on('request:retry', (e) => retries.push(e.attempt));
    return { kernel, retries };
  }

  it('rejects NaN and ±Infinity in every number schema (rule finite) and unsafe integers (rule safe-integer)', async () => {
    const { kernel } = kernelWithRetries();
    const before = server.seen.length;
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      const error = await rejected(
        kernel.call('record', { series: 's', value: bad, weight: bad, samples: [1, bad] }),
      );
      expect(error.issues).toEqual([
        expect.objectContaining({ pointer: '/value', rule: 'finite' }),
        expect.objectContaining({ pointer: '/weight', rule: 'finite' }),
        expect.objectContaining({ pointer: '/samples/1', rule: 'finite' }),
      ]);
      expect(error.message).toContain('/value: must be a finite number');
    }
    // An `integer` beyond ±(2^53 − 1) holds no exact integer (1e308 passes `% 1 === 0`).
    for (const bad of [2 ** 53, -(2 ** 53), 1e308]) {
      const error = await rejected(kernel.call('record', { series: 's', value: 1, weight: bad }));
      expect(error.issues).toEqual([expect.objectContaining({ pointer: '/weight', rule: 'safe-integer' })]);
    }
    expect(server.seen.length).toBe(before);
    await expect(kernel.call('record', { series: 's', value: 1.5, weight: null })).resolves.toEqual({
      ok: true,
    });
    await kernel.close();
  });

  it('refuses ".", ".." and empty segments in path params, single- or multi-segment, before sending', async () => {
    const { kernel, retries } = kernelWithRetries();
    const before = server.seen.length;
    const cases: [{ run: string; file: string }, string, string][] = [
      [{ run: '..', file: 'weights/x' }, '/run', 'dot-segment'],
      [{ run: '.', file: 'weights/x' }, '/run', 'dot-segment'],
      [{ run: 'r', file: 'weights/../x' }, '/file', 'dot-segment'],
      [{ run: 'r', file: 'weights//x' }, '/file', 'empty-segment'],
      [{ run: 'r', file: 'weights/' }, '/file', 'empty-segment'],
      [{ run: 'r\uD800', file: 'x' }, '/run', 'unicode'],
    ];
    for (const [input, pointer, rule] of cases) {
      const error = await rejected(kernel.call('remove', input));
      expect(error.issues).toEqual([expect.objectContaining({ pointer, rule })]);
    }
    expect(server.seen.length).toBe(before);
    expect(retries).toEqual([]);
    // Dots inside a segment are ordinary characters.
    await kernel.call('remove', { run: 'r.1', file: 'weights/..x' });
    expect(server.seen.at(-1)?.path).toBe('/runs/r.1/files/weights/..x');
    await kernel.close();
  });

  it('validates kernel options at construction, naming the option and the rule', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ maxRetries: Number.NaN }, '/maxRetries', 'integer'],
      [{ maxRetries: -1 }, '/maxRetries', 'minimum'],
      [{ maxRetries: '3' }, '/maxRetries', 'integer'],
      [{ timeoutMs: 0 }, '/timeoutMs', 'minimum'],
      [{ timeoutMs: Number.NaN }, '/timeoutMs', 'finite'],
      [{ timeoutMs: 2 ** 31 }, '/timeoutMs', 'maximum'],
      [{ baseUrl: 'not a url' }, '/baseUrl', 'format'],
      [{ baseUrl: 'ftp://x' }, '/baseUrl', 'format'],
      [{ responseValidation: 'loose' }, '/responseValidation', 'enum'],
      [{ compressionThresholdBytes: -5 }, '/compressionThresholdBytes', 'minimum'],
      [{ breaker: { halfOpenAfterMs: Number.NaN } }, '/breaker/halfOpenAfterMs', 'finite'],
      [{ breaker: true }, '/breaker', 'type'],
      [
        { tokenBucket: { requestsPerSecond: 0, burst: 1 } },
        '/tokenBucket/requestsPerSecond',
        'exclusiveMinimum',
      ],
      [{ requestIdHeader: 'x id' }, '/requestIdHeader', 'header-name'],
      [{ logLevel: 'verbose' }, '/logLevel', 'enum'],
      // A misspelt option would otherwise be ignored: the caller believes a timeout is set that is not.
      [{ timeout_ms: 5000 }, '/timeout_ms', 'additionalProperties'],
      [{ retries: 3 }, '/retries', 'additionalProperties'],
    ];
    for (const [options, pointer, rule] of cases) {
      const error = thrown(() => createKernel(options as never));
      expect(error.issues).toEqual([expect.objectContaining({ pointer, rule })]);
      expect(error.retryable).toBe(false);
    }
    expect(thrown(() => createKernel(42 as never)).issues[0].rule).toBe('type');
    expect(thrown(() => createKernel({ timeout_ms: 5000 } as never)).message).toContain(
      'did you mean "timeoutMs"',
    );
    // Keys set to undefined are "not given", as for every other check (spreading optional settings).
    expect(() => createKernel({ timeout_ms: undefined } as never)).not.toThrow();
    expect(() => createKernel({ maxRetries: 0, timeoutMs: 1, breaker: false })).not.toThrow();
  });

  it('validates plugin defaults and static headers at registration', () => {
    expect(
      thrown(() => createKernel().use(plugin(server.url, { defaults: { maxRetries: Number.NaN } }))).issues,
    ).toEqual([expect.objectContaining({ pointer: '/maxRetries', rule: 'integer' })]);
    const error = thrown(() =>
      createKernel().use(plugin(server.url, { headers: { static: { 'X-Team': 'a\r\nInjected: 1' } } })),
    );
    expect(error.issues).toEqual([
      expect.objectContaining({ pointer: '/static/X-Team', rule: 'header-value' }),
    ]);
    expect(error.message).not.toContain('Injected');
  });

  it('refuses a key or token that can never be sent when the auth scheme is built, without quoting it', () => {
    for (const key of ['tml-abc…def', 'tml-abc\r\ndef', 'tml-abc\ndef', 'tml-é', 'tml-\u0000']) {
      const error = thrown(() => new ApiKeyHeaderAuth(key));
      expect(error.issues).toEqual([expect.objectContaining({ pointer: '/value', rule: 'header-value' })]);
      expect(error.message).not.toContain('abc');
      expect(error.retryable).toBe(false);
      expect(() => new BearerTokenAuth(key)).toThrow(ValidationError);
    }
    expect(thrown(() => new ApiKeyHeaderAuth('k', 'x key')).issues[0].rule).toBe('header-name');
  });

  // Found by an SDK author: `new BearerTokenAuth(process.env.FILES_API_KEY as string)` with the variable
  // unset sent `Authorization: Bearer undefined`, and an empty one `Bearer`, to the server on every call.
  it('refuses a missing, empty or blank key or token when the auth scheme is built, naming what is wrong', () => {
    for (const key of [undefined, null, 42, '', '   ']) {
      for (const build of [
        () => new ApiKeyHeaderAuth(key as string),
        () => new BearerTokenAuth(key as string),
      ]) {
        const error = thrown(build);
        expect(error.issues).toEqual([expect.objectContaining({ pointer: '/value', rule: 'credential' })]);
        expect(error.message).toMatch(typeof key === 'string' ? /is empty/ : /must be a string/);
        expect(error.message).toMatch(/environment variable/);
        // The message names the scheme: "Invalid bearer token" read "Invalid bearer [REDACTED]", since
        // every error message is scrubbed of `Bearer <word>`.
        expect(error.message).toMatch(/^Invalid (API key|BearerTokenAuth token):/);
        expect(error.retryable).toBe(false);
      }
    }
  });

  it('refuses bad per-call options and headers before sending: zero requests, zero retries', async () => {
    const { kernel, retries } = kernelWithRetries();
    const before = server.seen.length;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ headers: { 'X-Note': 'a\r\nb' } }, '/headers/X-Note', 'header-value'],
      [{ headers: { 'X-Note': 'pasted…' } }, '/headers/X-Note', 'header-value'],
      [{ headers: { 'X-Note': 'ünïcödé' } }, '/headers/X-Note', 'header-value'],
      [{ headers: { 'X Note': 'ok' } }, '/headers/X Note', 'header-name'],
      [{ headers: { 'X-Note': 5 } }, '/headers/X-Note', 'header-value'],
      [{ maxRetries: Number.NaN }, '/maxRetries', 'integer'],
      [{ timeoutMs: -1 }, '/timeoutMs', 'minimum'],
      [{ idempotencyKey: 'k\n' }, '/idempotencyKey', 'header-value'],
      [{ signal: {} }, '/signal', 'type'],
      [{ query: { q: Number.NaN } }, '/query/q', 'type'],
      [{ timeout: 5 }, '/timeout', 'additionalProperties'],
      [{ max_retries: 0 }, '/max_retries', 'additionalProperties'],
    ];
    for (const [options, pointer, rule] of cases) {
      const error = await rejected(kernel.call('record', { series: 's', value: 1 }, options as never));
      expect(error.issues).toEqual([expect.objectContaining({ pointer, rule })]);
    }
    expect(server.seen.length).toBe(before);
    expect(retries).toEqual([]);
    await kernel.close();
  });

  it('checks headers assembled per attempt (header params, dynamic headers) before they leave', async () => {
    const { kernel, retries } = kernelWithRetries({
      headers: {
        dynamic: (ctx) => (ctx.endpoint.id === 'record' ? { 'X-Dyn': 'line\r\nbreak' } : undefined),
      },
    });
    const before = server.seen.length;
    const fromParam = await rejected(kernel.call('remove', { run: 'r', file: 'f', trace: 'a\nb' }));
    expect(fromParam.issues).toEqual([
      expect.objectContaining({ pointer: '/headers/x-trace', rule: 'header-value' }),
    ]);
    const dynamic = await rejected(kernel.call('record', { series: 's', value: 1 }));
    expect(dynamic.issues).toEqual([
      expect.objectContaining({ pointer: '/headers/x-dyn', rule: 'header-value' }),
    ]);
    expect(server.seen.length).toBe(before);
    expect(retries).toEqual([]);
    await kernel.close();
  });

  it('skips re-checking only unchanged static headers: one overridden per attempt is checked again', async () => {
    const { kernel, retries } = kernelWithRetries({
      headers: {
        static: { 'X-Team': 'blue' },
        dynamic: (ctx) => (ctx.endpoint.id === 'record' ? { 'X-Team': 'blue\r\nInjected: 1' } : undefined),
      },
    });
    const before = server.seen.length;
    const overridden = await rejected(kernel.call('record', { series: 's', value: 1 }));
    expect(overridden.issues).toEqual([
      expect.objectContaining({ pointer: '/headers/x-team', rule: 'header-value' }),
    ]);
    expect(server.seen.length).toBe(before);
    // The unchanged static value still goes out.
    await kernel.call('remove', { run: 'r', file: 'f' });
    expect(server.seen.at(-1)?.headers['x-team']).toBe('blue');
    expect(retries).toEqual([]);
    await kernel.close();
  });

  it('maps Node refusing a header in a transport to a connection error that is not retried', async () => {
    const transport = new UndiciTransport();
    const request = { method: 'GET', url: server.url, headers: { 'x-bad': 'a\r\nb' }, timeoutMs: 5_000 };
    try {
      const error = await transport.send(request as never).then(
        () => undefined,
        (e: unknown) => toTransportError(e as Error, request as never),
      );
      expect(error?.retryable).toBe(false);
    } finally {
      await transport.close?.();
    }
  });
});
