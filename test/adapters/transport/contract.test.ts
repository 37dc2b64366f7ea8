import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { inspect } from 'node:util';
import type { AddressInfo } from 'node:net';
import { GotTransport } from '../../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  ProxyError,
} from '../../../src/kernel/errors/api-errors.js';
import type { Transport, TransportRequest } from '../../../src/ports/transport.js';
import { closedPort } from '../../support/closed-port.js';
import { misbehavingProxy, type ProxyFailure } from '../../support/misbehaving-proxy.js';

let server: http.Server;
let base = '';
const seen: http.IncomingHttpHeaders[] = [];
/** Connections the server accepted: a call that tears down a kept-alive socket shows up here. */
let connections = 0;
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
        case '/trickle':
          return trickle(res, Number(url.searchParams.get('bytes')));
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
  server.on('connection', () => connections++);
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

/** One byte every 50 ms, `bytes` in all; stops when the client goes away. */
function trickle(res: http.ServerResponse, bytes: number) {
  res.writeHead(200, { 'content-length': String(bytes) });
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    res.write('x');
    if (++sent === bytes) {
      clearInterval(timer);
      res.end();
    }
  }, 50);
  res.on('close', () => clearInterval(timer));
}

/**
 * One call with a roomy deadline first: got loads on first use, and on a loaded machine that import
 * alone can outlast the short deadlines below (the deadline rightly counts it).
 */
async function warmUp(transport: Transport): Promise<void> {
  const res = await transport.send(req('/echo', { timeoutMs: 30_000 }));
  await text(res.body);
}

const unexpected = (): Error => {
  throw new Error('expected a rejection');
};

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

const transports: [string, () => Transport][] = [
  ['got', () => new GotTransport()],
  ['undici', () => new UndiciTransport()],
];

describe.each(transports)('transport contract: %s', (_name, make) => {
  let transport: Transport;
  beforeAll(async () => {
    transport = make();
    await warmUp(transport);
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

  it('bounds the whole attempt, body included: a body trickling in past timeoutMs times out', async () => {
    // 200 bytes, one per 50 ms, take 10 s; a timeout that restarts with every chunk never fires.
    const slow = { method: 'GET' as const, body: undefined, timeoutMs: 300 };
    let started = Date.now();
    const whole = await transport.send(req('/trickle?bytes=200', slow));
    await expect(whole.readAll!()).rejects.toBeInstanceOf(APITimeoutError);
    expect(Date.now() - started).toBeLessThan(3000);
    started = Date.now();
    const iterated = await transport.send(req('/trickle?bytes=200', slow));
    await expect(text(iterated.body)).rejects.toBeInstanceOf(APITimeoutError);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('times out a server that never answers at timeoutMs, not on a coarser clock', async () => {
    const started = Date.now();
    const error = await transport.send(req('/hang', { timeoutMs: 100 })).then(unexpected, (e: Error) => e);
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(error.message).toBe(`Request timed out after 100 ms: POST ${base}/hang`);
    // undici's own timers tick once a second: a 100 ms timeout used to fire after about 1 s.
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('lets a streaming body outlast timeoutMs, which then bounds the wait for headers only', async () => {
    const streaming = { method: 'GET' as const, body: undefined, streaming: true, timeoutMs: 250 };
    const res = await transport.send(req('/trickle?bytes=10', streaming));
    expect(await text(res.body)).toBe('x'.repeat(10));
    await expect(transport.send(req('/hang', { ...streaming, timeoutMs: 100 }))).rejects.toBeInstanceOf(
      APITimeoutError,
    );
  });

  it('ends a body at once when the caller aborts mid-read, and never starts an aborted call', async () => {
    const controller = new AbortController();
    const res = await transport.send(
      req('/trickle?bytes=200', {
        method: 'GET',
        body: undefined,
        signal: controller.signal,
        timeoutMs: 30_000,
      }),
    );
    const reading = res.readAll!();
    controller.abort();
    await expect(reading).rejects.toBeInstanceOf(APIUserAbortError);
    seen.length = 0;
    await expect(transport.send(req('/echo', { signal: controller.signal }))).rejects.toBeInstanceOf(
      APIUserAbortError,
    );
    expect(seen).toHaveLength(0);
  });

  it('an aborted call costs no connection: later calls reuse the kept-alive socket', async () => {
    // undici tore down a kept-alive socket for every call whose signal had aborted before it was sent,
    // and thousands of cancelled samples queued later calls behind those reconnects.
    // A transport of its own: the shared one's pool holds whatever sockets the tests before left, in
    // a random order of tests.
    const own = make();
    try {
      const first = await own.send(req('/echo', { timeoutMs: 30_000 }));
      await text(first.body);
      // undici puts a socket back in its pool on the turn after the body ended; a call sent before
      // that opens a second connection, which is not what this test is about.
      await new Promise((resolve) => setImmediate(resolve));
      const before = connections;
      const aborted = AbortSignal.abort();
      for (let i = 0; i < 20; i++)
        await expect(own.send(req('/echo', { signal: aborted }))).rejects.toBeInstanceOf(APIUserAbortError);
      const after = await own.send(req('/echo', { timeoutMs: 30_000 }));
      expect(await text(after.body)).toBe('payload-ü');
      expect(connections).toBe(before);
    } finally {
      await own.close?.();
    }
  });

  it('names method, origin and path (which call failed) and the cause, never credentials or the query', async () => {
    const port = await closedPort();
    const error = await transport
      .send(
        req('/private?key=query-secret', {
          url: `http://user:userinfo-secret@127.0.0.1:${port}/v1/things/t-7?key=query-secret#frag-secret`,
          headers: { authorization: 'Bearer header-secret' },
        }),
      )
      .then(unexpected, (e: Error) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error.message).toBe(`Connection error: POST http://127.0.0.1:${port}/v1/things/t-7 ECONNREFUSED`);
    expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    // The origin is a field too, so a caller can tell which host failed without parsing the message.
    expect((error as APIConnectionError).origin).toBe(`http://127.0.0.1:${port}`);
    const secrets = /header-secret|query-secret|userinfo-secret|frag-secret/;
    expect(`${inspect(error, { depth: 6 })} ${JSON.stringify(error)}`).not.toMatch(secrets);
    const reset = await transport.send(req('/reset')).then(unexpected, (e: Error) => e);
    expect(reset.message).toMatch(new RegExp(`^Connection error: POST ${base}/reset `));
  });
});

const PROXY_FAILURES: [ProxyFailure, abstract new (...args: never[]) => Error, number | undefined][] = [
  ['closes', ProxyError, undefined],
  ['answers 407', ProxyError, 407],
  ['answers 502', ProxyError, 502],
  ['never answers', APITimeoutError, undefined],
];

describe.each(transports)('transport contract through a failing proxy: %s', (_name, make) => {
  let transport: Transport;
  beforeAll(async () => {
    transport = make();
    await warmUp(transport);
  });
  afterAll(() => transport.close?.());

  it.each(PROXY_FAILURES)(
    'a proxy that %s on CONNECT fails the attempt typed, within timeoutMs, on one connection',
    async (failure, ErrorClass, proxyStatus) => {
      // Room for a loaded machine where the proxy answers; a short deadline where it never does.
      const timeoutMs = failure === 'never answers' ? 500 : 2000;
      const proxy = await misbehavingProxy(failure);
      try {
        const started = Date.now();
        const error = await transport
          .send(req('/echo', { timeoutMs, proxy: proxy.url.replace('//', '//user:proxy-secret@') }))
          .then(unexpected, (e: Error) => e);
        expect(error).toBeInstanceOf(ErrorClass);
        if (error instanceof ProxyError) {
          expect(error.proxyStatus).toBe(proxyStatus);
          expect(error.message).toMatch(
            new RegExp(`^Proxy error: POST ${base}/echo via ${proxy.url}: CONNECT `),
          );
        }
        expect(inspect(error, { depth: 6 })).not.toContain('proxy-secret'); // the stack holds the message
        // A hang guard, not a timing assertion: the attempt ends at its deadline at the latest.
        expect(Date.now() - started).toBeLessThan(timeoutMs + 1000);
        expect(proxy.connections).toBe(1);
      } finally {
        await proxy.close();
      }
    },
  );

  it.each(PROXY_FAILURES)('an abort ends a call to a proxy that %s at once', async (failure) => {
    const proxy = await misbehavingProxy(failure);
    try {
      const controller = new AbortController();
      proxy.onRequest = () => controller.abort();
      const started = Date.now();
      const pending = transport.send(
        req('/echo', { timeoutMs: 30_000, signal: controller.signal, proxy: proxy.url }),
      );
      await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(proxy.connections).toBe(1);
    } finally {
      await proxy.close();
    }
  });
});
