import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import type { TransportRequest } from '../../../src/ports/transport.js';

/**
 * The undici adapter keeps undici's own header object when no header came twice, and adds no 'error'
 * listener to a body it is handed: undici adds one itself before it destroys a body on the signal's
 * abort. These pin what that must keep: repeated headers joined, and a body nobody reads yet that the
 * attempt's end (or `cancel`) destroys never surfaces as an unhandled 'error' event.
 */
let server: http.Server;
let base = '';

beforeAll(async () => {
  // `/repeated`: a header sent twice and a single one. `/whole`: a complete body. `/stall`: headers and
  // a body that never ends.
  server = http.createServer((req, res) => {
    if (req.url === '/whole') return res.writeHead(200).end('whole body');
    if (req.url === '/repeated') {
      res.setHeader('X-Twice', ['one', 'two']);
      res.setHeader('X-Once', 'single');
      return res.writeHead(200).end('ok');
    }
    res.writeHead(200, { 'content-length': '1000' });
    res.write('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const get = (path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'GET',
  url: `${base}${path}`,
  headers: {},
  timeoutMs: 30_000,
  redirect: 'manual',
  ...extra,
});

/** Long enough for undici's destroy and a stream's 'error' (emitted on a later tick) to have run. */
const settled = async () => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('UndiciTransport responses', () => {
  const transport = new UndiciTransport();
  afterAll(() => transport.close());

  it('joins a header sent twice with ", " and keeps single ones, lower-cased', async () => {
    const response = await transport.send(get('/repeated'));
    expect(response.headers['x-twice']).toBe('one, two');
    expect(response.headers['x-once']).toBe('single');
    expect(Object.values(response.headers).every((value) => typeof value === 'string')).toBe(true);
    expect(Buffer.from(await response.readAll!()).toString()).toBe('ok');
  });

  it.each(['/stall', '/whole'])(
    'lets the caller abort an attempt whose body (%s) nobody reads yet, without an unhandled error',
    async (path) => {
      const controller = new AbortController();
      const response = await transport.send(get(path, { signal: controller.signal }));
      await settled();
      controller.abort();
      // An 'error' event without a listener would throw here, as an uncaught exception of this test.
      await settled();
      await expect(response.readAll!()).rejects.toBeInstanceOf(APIUserAbortError);
    },
  );

  it('cancels a body that arrived whole and was never read, without an unhandled error', async () => {
    // undici destroys such a body with an abort error of its own (a stalled one it aborts first).
    const response = await transport.send(get('/whole'));
    await settled();
    response.cancel();
    await settled();
    expect(response.status).toBe(200);
  });
});
