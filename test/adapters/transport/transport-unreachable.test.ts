import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import type { Transport, TransportResponse } from '../../../src/ports/transport.js';
import { GotTransport } from '../../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { collected } from '../../support/collected.js';

const sockets: Socket[] = [];
/** Answers held by the server: `/slow` sends its head, and its body once the test says so. */
const held: ServerResponse[] = [];
// A server that keeps idle connections for a minute, as the Tinker API (and the emulator) do.
const server: Server = createServer((req, res) => {
  if (req.url !== '/slow') return void res.end('{}');
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.write('first ');
  held.push(res);
});
server.keepAliveTimeout = 65_000;
server.on('connection', (socket) => sockets.push(socket));
let origin = '';

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

/** Sends one request on a new transport and keeps only a weak reference to the transport. */
async function sendAndForget(
  make: () => Transport,
  path: string,
): Promise<{ ref: WeakRef<Transport>; response: TransportResponse }> {
  const transport = make();
  const response = await transport.send({
    method: 'GET',
    url: `${origin}${path}`,
    headers: {},
    timeoutMs: 10_000,
    redirect: 'manual',
    streaming: true,
  });
  return { ref: new WeakRef(transport), response };
}

async function text(response: TransportResponse): Promise<string> {
  let out = '';
  for await (const chunk of response.body) out += Buffer.from(chunk as Uint8Array).toString();
  return out;
}

/**
 * A client made per request and never closed (found by hand: 300 forgotten ServiceClients kept 1,200
 * idle sockets and 20 MiB for the server's keep-alive minute): once its transport is collected, its
 * pools close their idle connections rather than hold them until the server's keep-alive runs out.
 * The got transport (the kernel's default) did the same as undici's until round 30's `left30`.
 */
describe.each([
  ['UndiciTransport', () => new UndiciTransport()],
  ['GotTransport', () => new GotTransport()],
])('a %s nobody can reach any more', (_name, make: () => Transport) => {
  it('closes its idle connections once collected', async () => {
    const before = sockets.length;
    const { ref, response } = await sendAndForget(make, '/x');
    expect(await text(response)).toBe('{}');
    expect(sockets).toHaveLength(before + 1);
    const socket = sockets[before]!;
    const closed = once(socket, 'close');
    expect(await collected(ref)).toBe(true);
    await closed; // before: only after the server's keep-alive minute (the test's timeout first)
    expect(socket.destroyed).toBe(true);
  });

  it('lets an answer still on the wire finish, then closes its connection', async () => {
    const before = sockets.length;
    const { ref, response } = await sendAndForget(make, '/slow');
    expect(await collected(ref)).toBe(true);
    const socket = sockets[before]!;
    expect(socket.destroyed).toBe(false);
    const closed = once(socket, 'close');
    const body = text(response);
    held.shift()!.end('and last');
    expect(await body).toBe('first and last');
    await closed;
  });
});
