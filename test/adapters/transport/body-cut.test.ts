import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GotTransport } from '../../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { APIConnectionError } from '../../../src/kernel/errors/api-errors.js';
import type { Transport } from '../../../src/ports/transport.js';

/*
 * A response body that breaks off after the status line, read whole (`readAll`) or chunk by chunk
 * (`body`), by both transports: the error says the body was cut short, how many bytes came and, when the
 * server sent a Content-Length, how many it announced. Round 37: undici's whole-body read said only
 * "(content-length 100)", not how much had come.
 */
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    // Announces 100 bytes (or, chunked, nothing), sends 10 and destroys the socket.
    res.writeHead(200, req.url === '/announced' ? { 'content-length': '100' } : {});
    res.write('only ten b');
    setImmediate(() => req.socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function cutShort(transport: Transport, path: string, how: string): Promise<APIConnectionError> {
  const res = await transport.send({
    method: 'GET',
    url: `${base}${path}`,
    headers: {},
    timeoutMs: 5000,
    redirect: 'manual',
  });
  const reading = how === 'readAll' ? res.readAll!() : drain(res.body);
  const error = await reading.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APIConnectionError);
  return error as APIConnectionError;
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _chunk of body);
}

describe.each([
  ['got', () => new GotTransport()],
  ['undici', () => new UndiciTransport()],
] as const)('a response body cut short (%s)', (_name, make) => {
  let transport: Transport;
  beforeAll(() => {
    transport = make();
  });
  afterAll(() => transport.close?.());

  it.each(['readAll', 'body'])('read by %s: says how much came of what was announced', async (how) => {
    const error = await cutShort(transport, '/announced', how);
    // Method, origin and path; what broke is the response body, not the connection attempt.
    expect(error.message).toMatch(
      /^Connection error: GET http:\/\/127\.0\.0\.1:\d+\/announced: the response body was cut short after 10 of the 100 bytes its Content-Length announced \(/,
    );
  });

  it.each(['readAll', 'body'])('read by %s without a Content-Length: how much came', async (how) => {
    const error = await cutShort(transport, '/chunked', how);
    expect(error.message).toMatch(/: the response body was cut short after 10 bytes \(/);
    expect(error.message).not.toMatch(/Content-Length/i);
  });
});
