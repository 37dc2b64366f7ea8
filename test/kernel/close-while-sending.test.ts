import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { ClientClosedError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import type { Transport, TransportRequest } from '../../src/ports/transport.js';
import { useHoldingServer } from '../support/holding-server.js';

/**
 * Found by hand (an SDK author's first call, then close()): the got transport awaits its lazily loaded
 * client before it opens a socket, and close() in that gap destroyed agents that had no socket yet. The
 * request then went out after close() and the call hung until its timeout (forever against a server
 * that holds it). A call whose send began before close() must end with ClientClosedError, unsent.
 */
const holding = useHoldingServer();
afterEach(() => {
  for (const h of holding.held) h.release();
  holding.held.length = 0;
});

/** The real transport; the kernel is closed the moment the first send has begun (and not finished). */
class ClosingAfterSend implements Transport {
  readonly name = 'closing-after-send';
  onSend: () => void = () => {};
  constructor(private readonly inner: Transport) {}
  send(request: TransportRequest) {
    const sending = this.inner.send(request);
    this.onSend();
    return sending;
  }
  close() {
    return this.inner.close?.() ?? Promise.resolve();
  }
}

const transports: [string, () => Transport][] = [
  ['got', () => new GotTransport()],
  ['undici', () => new UndiciTransport()],
];

describe.each(transports)('close() while a send is under way (%s transport)', (_name, make) => {
  it('ends the call with ClientClosedError and sends nothing', async () => {
    const transport = new ClosingAfterSend(make());
    const kernel = createKernel().use(
      definePlugin({
        name: 'jobs',
        version: '1',
        defaults: { baseUrl: holding.url, maxRetries: 2 },
        manifest: {
          name: 'jobs',
          version: '1',
          endpoints: [
            {
              id: 'job',
              method: 'POST' as const,
              path: '/jobs',
              input: Type.Object({ size: Type.Integer() }),
            },
          ],
        },
      }),
    );
    kernel.register(Ports.Transport, transport);
    let closed: Promise<void> | undefined;
    transport.onSend = () => void (closed ??= kernel.close());
    // A bounded attempt, so that a request sent after close() fails the test instead of hanging it.
    const outcome = await kernel.call('job', { size: 1 }, { timeoutMs: 2_000 }).then(
      () => 'answered',
      (error: unknown) => error,
    );
    await closed;
    expect(outcome).toBeInstanceOf(ClientClosedError);
    expect(holding.held).toHaveLength(0);
  });
});
