import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { ClientClosedError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/kernel/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import type { Transport } from '../../src/ports/transport.js';
import { useHoldingServer } from '../support/holding-server.js';

/**
 * Found by hand: `close()` while a server held requests did not return until the server answered them,
 * because the undici transport closed its pool gracefully (got destroyed its agents). A caller closing a
 * client wants it closed: calls on the wire and calls waiting for a connection end with
 * ClientClosedError (never retried), nothing more is sent, and `close()` returns without the server.
 */
const holding = useHoldingServer();
afterEach(() => {
  for (const h of holding.held) h.release();
  holding.held.length = 0;
});

function kernelWith(transport: Transport) {
  const kernel = createKernel().use(
    definePlugin({
      name: 'jobs',
      version: '1',
      defaults: { baseUrl: holding.url, maxRetries: 3 },
      manifest: {
        name: 'jobs',
        version: '1',
        endpoints: [
          { id: 'job', method: 'POST' as const, path: '/jobs', input: Type.Object({ size: Type.Integer() }) },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, transport);
  return kernel;
}

const transports: [string, () => Transport, number][] = [
  // Two connections: three of the five calls wait in the connection gate when close() comes.
  ['undici', () => new UndiciTransport({ connections: 2 }), 2],
  ['got', () => new GotTransport(), 5],
];

describe.each(transports)('close() with calls in flight (%s transport)', (_name, transport, onWire) => {
  it('ends every call with ClientClosedError and returns without waiting for the server', async () => {
    const kernel = kernelWith(transport());
    const calls = [1, 2, 3, 4, 5].map((size) =>
      kernel.call('job', { size }).then(undefined, (error: unknown) => error),
    );
    await holding.heldCount(onWire);
    // Resolves although no held request was answered.
    await kernel.close();
    const outcomes = await Promise.all(calls);
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(ClientClosedError);
      expect(outcome).toMatchObject({ retryable: false });
    }
    // Nothing was sent after close(): no retry, and no call that waited for a connection.
    expect(holding.held).toHaveLength(onWire);
  });
});
