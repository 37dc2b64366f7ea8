import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GotTransport } from '../../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
} from '../../../src/kernel/errors/api-errors.js';
import type { Transport, TransportRequest } from '../../../src/ports/transport.js';

let server: http.Server;
let base = '';
const seen: http.IncomingHttpHeaders[] = [];
/** A second origin (another port), to see which headers follow a redirect there. */
let other: http.Server;
let otherBase = '';
const seenElsewhere: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      switch (url.pathname) {
        case '/echo':
          res.writeHead(Number(url.searchParams.get('status') ?? 200), {
            'X-Mixed-Case': 'yes',
            'content-type': 'application/octet-stream',
          });
          return res.end(Buffer.concat(chunks));
        case '/stream':
          res.writeHead(200);
          res.write('first;');
          return setImmediate(() => res.end('second'));
        case '/hang':
          return; // never answers
        case '/reset':
          return req.socket.destroy();
        case '/redirect':
          res.writeHead(302, { location: '/echo?status=203' });
          return res.end();
        case '/truncate':
          res.writeHead(200, { 'content-length': '100' });
          res.write('only ten b');
          return setImmediate(() => req.socket.destroy());
        case '/loop':
          res.writeHead(302, { location: '/loop' });
          return res.end();
        case '/away':
          res.writeHead(302, { location: `${otherBase}/elsewhere` });
          return res.end();
        default:
          res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  other = http.createServer((req, res) => {
    seenElsewhere.push(req.headers);
    res.writeHead(200).end('elsewhere');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [server, other]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const req = (path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'POST',
  url: `${base}${path}`,
  headers: { 'content-type': 'text/plain' },
  body: 'payload-ü',
  timeoutMs: 2000,
  redirect: 'manual',
  ...extra,
});

async function text(body: AsyncIterable<Uint8Array>) {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

describe.each([
  ['got', () => new GotTransport()],
  ['undici', () => new UndiciTransport()],
])('transport contract: %s', (_name, make) => {
  let transport: Transport;
  beforeAll(() => {
    transport = make();
  });
  afterAll(() => transport.close?.());

  it('returns every status (never throws for 4xx/5xx), lower-cases headers and sends the body intact', async () => {
    for (const status of [200, 404, 500]) {
      const res = await transport.send(req(`/echo?status=${status}`));
      expect(res.status).toBe(status);
      expect(res.headers['x-mixed-case']).toBe('yes');
      expect(await text(res.body)).toBe('payload-ü');
    }
  });

  it('reads a whole body at once when the adapter offers it, and a body cut short is a connection error', async () => {
    const res = await transport.send(req('/echo'));
    expect(res.readAll).toBeDefined();
    expect(Buffer.from(await res.readAll!()).toString('utf8')).toBe('payload-ü');
    const cut = await transport.send(req('/truncate', { method: 'GET', body: undefined }));
    await expect(cut.readAll!()).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('reads a body incrementally', async () => {
    const res = await transport.send(req('/stream', { method: 'GET', body: undefined, streaming: true }));
    const chunks: string[] = [];
    for await (const c of res.body) chunks.push(Buffer.from(c).toString());
    expect(chunks.join('')).toBe('first;second');
  });

  it('maps abort, timeout and reset to typed errors', async () => {
    const controller = new AbortController();
    const pending = transport.send(req('/hang', { signal: controller.signal }));
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    await expect(transport.send(req('/hang', { timeoutMs: 50 }))).rejects.toBeInstanceOf(APITimeoutError);
    await expect(transport.send(req('/reset'))).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('returns a redirect as is when manual, and follows it when asked', async () => {
    const manual = await transport.send(req('/redirect', { method: 'GET', body: undefined }));
    expect(manual.status).toBe(302);
    expect(manual.headers.location).toBe('/echo?status=203');
    manual.cancel();
    const followed = await transport.send(
      req('/redirect', { method: 'GET', body: undefined, redirect: 'follow' }),
    );
    expect(followed.status).toBe(203);
    await text(followed.body);
  });

  it('stops a redirect loop with a connection error', async () => {
    await expect(
      transport.send(req('/loop', { method: 'GET', body: undefined, redirect: 'follow' })),
    ).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    seenElsewhere.length = 0;
    const res = await transport.send(
      req('/away', {
        method: 'GET',
        body: undefined,
        redirect: 'follow',
        headers: {
          'x-api-key': 'tml-secret',
          authorization: 'Bearer secret',
          'cf-access-client-secret': 'cf-secret',
          'x-auth-token': 'token-secret',
          'x-team': 'research',
          'user-agent': 'ua',
        },
        originBound: ['x-team'],
      }),
    );
    expect(await text(res.body)).toBe('elsewhere');
    expect(seenElsewhere).toHaveLength(1);
    expect(seenElsewhere[0]['user-agent']).toBe('ua');
    for (const name of ['x-api-key', 'authorization', 'cf-access-client-secret', 'x-auth-token', 'x-team']) {
      expect(seenElsewhere[0]).not.toHaveProperty(name);
    }
  });

  it('never sends a hand-set Connection: close and keeps sockets alive', async () => {
    seen.length = 0;
    const res = await transport.send(req('/echo'));
    await text(res.body);
    expect(seen[0].connection ?? 'keep-alive').toMatch(/keep-alive/i);
  });
});
