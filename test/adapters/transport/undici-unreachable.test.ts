import { afterAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { collected } from '../../support/collected.js';

const sockets: Socket[] = [];
// A server that keeps idle connections for a minute, as the Tinker API (and the emulator) do.
const server: Server = createServer((_req, res) => res.end('{}'));
server.keepAliveTimeout = 65_000;
server.on('connection', (socket) => sockets.push(socket));

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

async function useAndForget(url: string): Promise<WeakRef<UndiciTransport>> {
  const transport = new UndiciTransport();
  const response = await transport.send({
    method: 'GET',
    url,
    headers: {},
    timeoutMs: 5_000,
    redirect: 'manual',
  });
  for await (const _chunk of response.body);
  return new WeakRef(transport);
}

/**
 * A client made per request and never closed (found by hand: 300 forgotten ServiceClients kept 1,200
 * idle sockets and 20 MiB for the server's keep-alive minute): once its transport is collected, its
 * pools close their idle connections rather than hold them until the server's keep-alive runs out.
 */
describe('an UndiciTransport nobody can reach any more', () => {
  it('closes its idle connections once collected', async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const ref = await useAndForget(`http://127.0.0.1:${port}/x`);
    expect(sockets).toHaveLength(1);
    const closed = once(sockets[0]!, 'close');
    expect(await collected(ref)).toBe(true);
    await closed; // before: only after the server's keep-alive minute (the test's timeout first)
    expect(sockets[0]!.destroyed).toBe(true);
  });
});
