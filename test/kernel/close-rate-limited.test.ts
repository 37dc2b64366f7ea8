import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { ClientClosedError, RateLimitError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { json, scriptedServer } from '../support/scripted-server.js';

/**
 * Found by hand: after a 429 with `retry-after: 60`, calls waiting for the bucket's window stayed
 * pending through `kernel.close()` (a minute, with the window's timer keeping the process alive), while
 * calls waiting to retry or on the wire ended at once with ClientClosedError.
 */
let server: Awaited<ReturnType<typeof scriptedServer>>;
beforeAll(async () => {
  server = await scriptedServer((_req, res) => json(res, 429, {}, { 'retry-after': '60' }));
});
afterAll(() => server.close());

it.each([
  ['without a token bucket', undefined],
  ['with a token bucket', { requestsPerSecond: 1, burst: 1 }],
])(
  'close() ends calls waiting for a closed rate-limit window (%s) with ClientClosedError',
  async (_name, tokenBucket) => {
    const clock = new FakeClock();
    const kernel = createKernel().use(
      definePlugin({
        name: 'limited',
        version: '1',
        defaults: { baseUrl: server.url, maxRetries: 0, tokenBucket },
        manifest: {
          name: 'limited',
          version: '1',
          endpoints: [{ id: 'go', method: 'POST', path: '/go', input: Type.Object({}) }],
        },
      }),
    );
    kernel.register(Ports.Clock, clock);
    await expect(kernel.call('go', {})).rejects.toBeInstanceOf(RateLimitError);
    const sent = server.seen.length;
    const caller = new AbortController();
    const waiting = [kernel.call('go', {}), kernel.call('go', {}, { signal: caller.signal })].map((call) =>
      call.then(undefined, (error: unknown) => error),
    );
    while (clock.pending < 2) await new Promise((r) => setImmediate(r));

    await kernel.close();
    const outcomes = await Promise.all(waiting);
    expect(outcomes.map((e) => (e as Error).constructor.name)).toEqual([
      'ClientClosedError',
      'ClientClosedError',
    ]);
    expect(outcomes[0]).toBeInstanceOf(ClientClosedError);
    // Nothing was sent, and no window timer is left behind.
    expect(server.seen.length).toBe(sent);
    expect(clock.pending).toBe(0);
  },
);
