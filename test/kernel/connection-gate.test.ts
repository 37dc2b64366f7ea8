import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { Agent } from 'undici';
import { TokenProviderAuth } from '../../src/adapters/auth/token-provider.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { APIUserAbortError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/kernel/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';

/** A server that holds every request until the test releases it. */
let server: http.Server;
let url = '';
const held: Array<{ size: number; release: () => void }> = [];
let arrived: () => void = () => {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { size } = JSON.parse(Buffer.concat(chunks).toString()) as { size: number };
      held.push({ size, release: () => res.writeHead(200).end(JSON.stringify({ size })) });
      arrived();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  held.length = 0;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Resolves once `n` requests are held by the server. */
const heldCount = (n: number) =>
  new Promise<void>((resolve) => {
    const check = () => (held.length >= n ? resolve() : undefined);
    arrived = check;
    check();
  });

/** A kernel whose every attempt fetches a token once its request is built (counted by `built()`). */
function kernelWith(transport: UndiciTransport) {
  let tokens = 0;
  const kernel = createKernel().use(
    definePlugin({
      name: 'jobs',
      version: '1',
      defaults: { baseUrl: url, maxRetries: 0, breaker: false },
      auth: { default: new TokenProviderAuth(() => `token-${++tokens}`) },
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
  return { kernel, built: () => tokens };
}

describe("the transport's connections per origin", () => {
  it('hold further attempts before their request is built, and admit them in order as exchanges end', async () => {
    const { kernel, built } = kernelWith(new UndiciTransport({ connections: 2 }));
    const calls = [1, 2, 3, 4, 5].map((size) => kernel.call('job', { size }));
    await heldCount(2);
    // Three calls wait for a connection: none of them has built its request (no token fetched).
    expect(held.map((h) => h.size)).toEqual([1, 2]);
    expect(built()).toBe(2);
    held[0].release();
    await heldCount(3);
    expect(held.map((h) => h.size)).toEqual([1, 2, 3]);
    expect(built()).toBe(3);
    held[1].release();
    held[2].release();
    await heldCount(5);
    expect(held.map((h) => h.size)).toEqual([1, 2, 3, 4, 5]);
    for (const h of held.slice(3)) h.release();
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3, 4, 5].map((size) => ({ size })));
    await kernel.close();
  });

  it('let a call waiting for one be aborted: it fails as aborted and is never sent', async () => {
    const { kernel, built } = kernelWith(new UndiciTransport({ connections: 1 }));
    const controller = new AbortController();
    const first = kernel.call('job', { size: 1 });
    const aborted = kernel.call('job', { size: 2 }, { signal: controller.signal });
    const third = kernel.call('job', { size: 3 });
    await heldCount(1);
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);
    held[0].release();
    await heldCount(2);
    held[1].release();
    await expect(Promise.all([first, third])).resolves.toEqual([{ size: 1 }, { size: 3 }]);
    expect(held.map((h) => h.size)).toEqual([1, 3]);
    expect(built()).toBe(2);
    await kernel.close();
  });

  it('are unknown for a dispatcher passed in, whose own queue is left as it is', async () => {
    const agent = new Agent({ connections: 1 });
    expect(new UndiciTransport({ dispatcher: agent }).connectionsPerOrigin).toBeUndefined();
    expect(new UndiciTransport().connectionsPerOrigin).toBe(256);
    expect(new UndiciTransport({ connections: 8 }).connectionsPerOrigin).toBe(8);
    await agent.close();
  });
});
