import { afterAll, beforeAll } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TransportRequest } from '../../src/ports/transport.js';

/**
 * A loopback server for transport body tests. `/whole`: a complete body. `/repeated`: a header sent
 * twice and a single one. Any other path: headers and the first byte of a 1,000-byte body that never
 * ends (a stalled body).
 */
export async function startBodyServer(): Promise<{
  base: string;
  get(path: string, extra?: Partial<TransportRequest>): TransportRequest;
  close(): Promise<void>;
}> {
  const server = http.createServer((req, res) => {
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
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    get: (path, extra = {}) => ({
      method: 'GET',
      url: `${base}${path}`,
      headers: {},
      timeoutMs: 30_000,
      redirect: 'manual',
      ...extra,
    }),
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A body server for the whole test file (started before its tests, closed after them): `get` builds a
 * request to it.
 */
export function bodyServerForFile(): {
  get(path: string, extra?: Partial<TransportRequest>): TransportRequest;
} {
  let server: Awaited<ReturnType<typeof startBodyServer>>;
  beforeAll(async () => {
    server = await startBodyServer();
  });
  afterAll(() => server.close());
  return { get: (path, extra) => server.get(path, extra) };
}
