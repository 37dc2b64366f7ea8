import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { APIConnectionError } from '../../../src/kernel/errors/api-errors.js';
import type { TransportRequest } from '../../../src/ports/transport.js';

/** `/hops/n` redirects to `/hops/n-1` until `/hops/0`, which answers 200; every request is counted. */
let server: http.Server;
let base = '';
let requests = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    const n = Number(req.url!.split('/').at(-1));
    if (n > 0) return res.writeHead(302, { location: `/hops/${n - 1}` }).end();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('arrived');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const follow = (path: string): TransportRequest => ({
  method: 'GET',
  url: `${base}${path}`,
  headers: {},
  timeoutMs: 5_000,
  redirect: 'follow',
});

describe('UndiciTransport redirect chains', () => {
  const transport = new UndiciTransport();
  afterAll(() => transport.close());

  it('follows a chain of exactly 10 redirects to the final answer', async () => {
    requests = 0;
    const response = await transport.send(follow('/hops/10'));
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.readAll!()).toString()).toBe('arrived');
    expect(requests).toBe(11);
  });

  it('refuses the 11th redirect after sending 11 requests, and the attempt is over', async () => {
    requests = 0;
    const error = await transport.send(follow('/hops/11')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toContain('Too many redirects: more than 10');
    expect(requests).toBe(11);
  });

  it('returns a redirect unfollowed when the request says manual', async () => {
    requests = 0;
    const response = await transport.send({ ...follow('/hops/3'), redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/hops/2');
    response.cancel();
    expect(requests).toBe(1);
  });
});
