import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { ClientClosedError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { Ports } from '../../src/ports/index.js';
import type { Transport } from '../../src/ports/transport.js';
import { thingsPlugin } from './fixtures/things-plugin.js';
import { scriptedServer } from '../support/scripted-server.js';

/**
 * A closed kernel sends nothing more. Found by hand: a Tinkex client used after `close()` retried its
 * call against the destroyed undici agent (a "connection error", retryable) for as long as its retry
 * budget lasted, and a call waiting out a backoff when `close()` came did the same. Both must end at
 * once with a typed error that is never retried.
 */
const transports: [string, () => Transport][] = [
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
];

describe.each(transports)('after close (%s transport)', (_name, transport) => {
  it('a new call rejects with ClientClosedError and sends nothing', async () => {
    const server = await scriptedServer((_req, res) => res.writeHead(200).end('{}'));
    const kernel = createKernel().use(thingsPlugin({ defaults: { baseUrl: server.url } }));
    kernel.register(Ports.Transport, transport());
    try {
      await kernel.close();
      const outcome = await kernel.call('get_thing', { id: 't1' }).catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(ClientClosedError);
      expect(outcome).toMatchObject({ retryable: false, category: 'user' });
      expect(String((outcome as Error).message)).toContain('get_thing');
      expect(server.seen).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('a call waiting out a retry backoff when close() comes ends then, and is not retried', async () => {
    let firstSeen!: () => void;
    const seenOnce = new Promise<void>((resolve) => (firstSeen = resolve));
    const server = await scriptedServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"busy"}');
      firstSeen();
    });
    const clock = new FakeClock();
    const start = clock.now();
    const kernel = createKernel({ maxRetries: 5 }).use(thingsPlugin({ defaults: { baseUrl: server.url } }));
    kernel.register(Ports.Transport, transport());
    kernel.register(Ports.Clock, clock);
    try {
      const call = kernel.call('get_thing', { id: 't1' }).catch((error: unknown) => error);
      await seenOnce;
      // The 503 has been read and the backoff sleep is on the test clock.
      while (clock.pending === 0) await new Promise((resolve) => setImmediate(resolve));
      await kernel.close();
      // Settled by close() itself: the backoff ends early, the test clock never moves.
      const outcome = await call;
      expect(outcome).toBeInstanceOf(ClientClosedError);
      expect(server.seen).toHaveLength(1);
      expect(clock.now()).toBe(start);
    } finally {
      await server.close();
    }
  });
});

describe('closing with final reports (closeExcept)', () => {
  it('admits only the named endpoints until close(), and sends nothing else', async () => {
    const server = await scriptedServer((req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          req.method === 'POST' ? '{"id":"t1","name":"last","size":1}' : '{"id":"t1","name":"a","size":1}',
        ),
    );
    const kernel = createKernel().use(thingsPlugin({ defaults: { baseUrl: server.url } }));
    try {
      await kernel.call('get_thing', { id: 't1' });
      kernel.closeExcept(['create_thing']);
      const refused = await kernel.call('get_thing', { id: 't1' }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ClientClosedError);
      // The final report still goes out…
      await expect(kernel.call('create_thing', { name: 'last', size: 1 })).resolves.toMatchObject({
        name: 'last',
      });
      await kernel.close();
      // …until close() ends it.
      const late = await kernel
        .call('create_thing', { name: 'late', size: 1 })
        .catch((error: unknown) => error);
      expect(late).toBeInstanceOf(ClientClosedError);
      expect(server.seen.map((r) => r.method)).toEqual(['GET', 'POST']);
    } finally {
      await kernel.close();
      await server.close();
    }
  });
});
