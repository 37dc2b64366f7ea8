import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { ClientClosedError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import type { Transport } from '../../src/ports/transport.js';
import { useHoldingServer } from '../support/holding-server.js';

/**
 * Found by hand: `close()` of a Tinkex client whose server had stopped answering took 8.5 s, and the
 * samples still being submitted rejected only then. The client's close begins with `closeExcept` (its
 * last telemetry report may still go out) and flushes that report before `close()`; calls the caller
 * asked to stop stayed on the wire, or asleep in a retry backoff, for the whole flush (up to its 30 s
 * bound). Now `closeExcept` ends them at once with ClientClosedError: exchanges of the pools no final
 * endpoint uses are cut, and backoffs of other endpoints end. The final endpoints' pool still works.
 */
const holding = useHoldingServer();
afterEach(() => {
  for (const h of holding.held) h.release();
  holding.held.length = 0;
});

/** Answers every request 503 with `retry-after: 20`: a call to it sleeps in the retry backoff. */
let busyUrl = '';
let busy: http.Server;
beforeAll(async () => {
  busy = http.createServer((_req, res) => res.writeHead(503, { 'retry-after': '20' }).end('{}'));
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  busyUrl = `http://127.0.0.1:${(busy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  busy.closeAllConnections();
  await new Promise((r) => busy.close(r));
});

const input = Type.Object({ size: Type.Integer() });

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
          { id: 'job', method: 'POST' as const, path: '/jobs', input, pool: 'work' },
          { id: 'report', method: 'POST' as const, path: '/reports', input, pool: 'reports' },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, transport);
  return kernel;
}

const transports: [string, () => Transport][] = [
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
];

describe.each(transports)('closeExcept() with calls of other pools in flight (%s)', (_name, transport) => {
  it('ends the calls on the wire with ClientClosedError at once; the final pool still sends', async () => {
    const adapter = transport();
    const kernel = kernelWith(adapter);
    try {
      const jobs = [1, 2].map((size) => kernel.call('job', { size }).then(undefined, (e: unknown) => e));
      await holding.heldCount(2);
      kernel.closeExcept(['report']);
      // The held requests are never answered: before the fix these waited for `close()`.
      for (const outcome of await Promise.all(jobs)) {
        expect(outcome).toBeInstanceOf(ClientClosedError);
        expect(outcome).toMatchObject({ retryable: false });
      }
      const report = kernel.call('report', { size: 100 });
      await holding.heldCount(3);
      holding.held[2].release();
      await expect(report).resolves.toEqual({ size: 100 });
      // The closed pool sends nothing more, even when asked directly (a redirect, a plugin's own call).
      const direct = adapter.send({
        method: 'POST',
        url: `${holding.url}/jobs`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ size: 3 }),
        timeoutMs: 5_000,
        redirect: 'manual',
        pool: 'work',
      });
      await expect(direct).rejects.toBeInstanceOf(ClientClosedError);
      // No job was sent again.
      expect(holding.held.map((h) => h.size)).toEqual([1, 2, 100]);
    } finally {
      await kernel.close();
    }
  });

  it('ends a call asleep in its retry backoff at once', async () => {
    const kernel = kernelWith(transport());
    const retries: unknown[] = [];
    kernel.events.on('request:retry', (event) => retries.push(event));
    try {
      const job = kernel.call('job', { size: 1 }, { baseUrl: busyUrl }).then(undefined, (e: unknown) => e);
      // The first answer was a 503: the call now sleeps 20 s before its next attempt.
      await new Promise<void>((resolve) => {
        const poll = () => (retries.length > 0 ? resolve() : setImmediate(poll));
        poll();
      });
      kernel.closeExcept(['report']);
      const outcome = await job;
      expect(outcome).toBeInstanceOf(ClientClosedError);
      expect(retries).toHaveLength(1);
    } finally {
      await kernel.close();
    }
  });
});
