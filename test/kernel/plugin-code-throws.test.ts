import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { APIConnectionError, BadRequestError } from '../../src/kernel/errors/api-errors.js';
import { PluginError } from '../../src/kernel/errors/plugin-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import type { PluginSpec, Stage, StagePlacement } from '../../src/kernel/plugin-contract.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import type { Transport } from '../../src/ports/transport.js';
import { json, scriptedServer } from '../support/scripted-server.js';

/**
 * Plugin code that throws (an error mapper, a stage of its own) leaves the call as the kernel's typed
 * PluginError with the throw as cause: never a raw `Error` past the hierarchy, never a connection error
 * that a poller or a caller's retry loop would send again, and never retried by the kernel.
 */
describe('plugin code that throws', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((req, res) =>
      req.path === '/bad' ? json(res, 400, { message: 'no such thing' }) : json(res, 200, {}),
    );
  });
  afterAll(() => server.close());

  const kernelWith = (extra: Partial<PluginSpec>) =>
    createKernel().use(
      definePlugin({
        name: 'thrower',
        version: '1',
        defaults: { baseUrl: server.url, maxRetries: 2, breaker: false },
        manifest: {
          name: 'thrower',
          version: '1',
          endpoints: [
            { id: 'ping', method: 'GET', path: '/ping' },
            { id: 'bad', method: 'GET', path: '/bad' },
          ],
        },
        ...extra,
      }),
    );
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error,
    );
  const stageAt = (placement: StagePlacement, stage: Stage) => ({ stages: [{ stage, placement }] });

  it('an errorMapper that throws gives a PluginError naming the error it was mapping', async () => {
    let mapped = 0;
    const kernel = kernelWith({
      errorMapper: () => {
        mapped++;
        throw new TypeError("Cannot read properties of undefined (reading 'code')");
      },
    });
    const before = server.seen.length;
    const error = await failureOf(kernel.call('bad', {}));
    expect(error).toBeInstanceOf(PluginError);
    const plugin = error as PluginError;
    expect(plugin.message).toMatch(
      /^errorMapper of plugin "thrower" failed on BadRequestError \(400 no such thing\)/,
    );
    expect((plugin.cause as Error).name).toBe('TypeError');
    expect(plugin.status).toBe(400);
    expect(plugin.retryable).toBe(false);
    expect([mapped, server.seen.length - before]).toEqual([1, 1]);
    await kernel.close();
  });

  it.each([
    [
      'throws',
      (): Promise<never> => {
        throw new Error('negotiation table missing');
      },
    ],
    [
      'rejects',
      async (): Promise<never> => {
        throw new Error('negotiation table missing');
      },
    ],
  ])('a stage placed after validate that %s gives a PluginError, nothing sent', async (_how, run) => {
    const kernel = kernelWith(stageAt({ after: 'validate' }, { name: 'negotiate', run }));
    const before = server.seen.length;
    const error = await failureOf(kernel.call('ping', {}));
    expect(error).toBeInstanceOf(PluginError);
    expect((error as PluginError).message).toBe(
      'Stage "negotiate" of plugin "thrower" threw: negotiation table missing',
    );
    expect(((error as PluginError).cause as Error).message).toBe('negotiation table missing');
    expect(server.seen.length).toBe(before);
    await kernel.close();
  });

  it('a stage inside the retry loop that throws is not retried as a transport failure', async () => {
    let runs = 0;
    const kernel = kernelWith(
      stageAt(
        { before: 'transport' },
        {
          name: 'sign',
          run: () => {
            runs++;
            throw new Error('signing key unreadable');
          },
        },
      ),
    );
    const error = await failureOf(kernel.call('ping', {}));
    expect(error).toBeInstanceOf(PluginError);
    expect(error).not.toBeInstanceOf(APIConnectionError);
    expect(runs).toBe(1);
    await kernel.close();
  });

  it('what the stages inside throw passes untouched, even through a stage that chains on next()', async () => {
    const chaining: Stage = { name: 'chain', run: async (_context, next) => await next() };
    const kernel = kernelWith(stageAt({ after: 'validate' }, chaining));
    await expect(kernel.call('bad', {})).rejects.toBeInstanceOf(BadRequestError);
    await expect(kernel.call('ping', {})).resolves.toEqual({});
    await kernel.close();
    // A third-party transport that throws a raw error: the stage in front of it did not throw it.
    const raw: Transport = { name: 'raw', send: () => Promise.reject(new Error('socket gone')) };
    const inner = kernelWith({
      ...stageAt({ before: 'transport' }, chaining),
      defaults: { baseUrl: server.url, maxRetries: 0 },
    });
    inner.register(Ports.Transport, raw);
    const error = await failureOf(inner.call('ping', {}));
    expect(error).not.toBeInstanceOf(PluginError);
    expect((error as Error).message).toMatch(/socket gone/);
    await inner.close();
  });
});
