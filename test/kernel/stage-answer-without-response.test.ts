import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createKernel } from '../../src/defaults/kernel.js';
import { PluginError } from '../../src/kernel/errors/plugin-errors.js';
import type { CallResult, Stage } from '../../src/kernel/plugin-contract.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { json, scriptedServer } from '../support/scripted-server.js';

/**
 * Found in round 29 removing `result.response!` from the classify stage: a plugin stage placed inside
 * `classify` (here `{ before: 'transport' }`) that answers with a decoded result of its own, without the
 * transport's `response`, made classify read `undefined.headers`. That TypeError came out of the kernel's
 * `errors` stage as an APIConnectionError, so the call was retried (maxRetries times) and looked like
 * a network failure. It is the plugin's mistake: a PluginError naming the stage's place, never retried.
 */
describe("a plugin stage that answers without the transport's response", () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((_req, res) => json(res, 200, {}));
  });
  afterAll(() => server.close());

  it('placed inside classify, fails the call with a PluginError, once, not a retried connection error', async () => {
    let answered = 0;
    const answering: Stage = {
      name: 'answer-from-memory',
      run: () => {
        answered++;
        const result: CallResult = { status: 200, headers: {}, body: { ok: true } };
        return Promise.resolve(result);
      },
    };
    const kernel = createKernel().use(
      definePlugin({
        name: 'answering',
        version: '1',
        defaults: { baseUrl: server.url, maxRetries: 2, breaker: false },
        manifest: {
          name: 'answering',
          version: '1',
          endpoints: [{ id: 'ping', method: 'GET', path: '/ping' }],
        },
        stages: [{ stage: answering, placement: { before: 'transport' } }],
      }),
    );
    const error = await kernel.call('ping', {}).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    await kernel.close();
    expect(error).toBeInstanceOf(PluginError);
    expect((error as PluginError).message).toMatch(/answered "ping" without the transport's response/);
    expect((error as PluginError).retryable).toBe(false);
    expect(answered).toBe(1);
  });

  // The same stage outside classify (it answers for the whole call, as a cache would) on a stream
  // endpoint: the stream read `undefined` as its response, a TypeError from inside the kernel.
  it('placed outside classify, fails a stream with a PluginError, not a TypeError', async () => {
    const answering: Stage = {
      name: 'answer-from-memory',
      run: () => Promise.resolve({ status: 200, headers: {}, body: undefined }),
    };
    const kernel = createKernel().use(
      definePlugin({
        name: 'answering',
        version: '1',
        defaults: { baseUrl: server.url, breaker: false },
        manifest: {
          name: 'answering',
          version: '1',
          endpoints: [{ id: 'ticks', method: 'GET', path: '/ticks', stream: { terminator: '[DONE]' } }],
        },
        stages: [{ stage: answering, placement: { after: 'validate' } }],
      }),
    );
    const events = kernel.stream('ticks', undefined as never)[Symbol.asyncIterator]();
    const error = await events.next().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    await kernel.close();
    expect(error).toBeInstanceOf(PluginError);
    expect((error as PluginError).message).toMatch(/"ticks" answered without a live response/);
  });
});
