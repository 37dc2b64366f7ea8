import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { GotTransport } from '../../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { APIConnectionError } from '../../../src/kernel/errors/api-errors.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { Ports } from '../../../src/ports/index.js';
import type { Transport, TransportRequest } from '../../../src/ports/transport.js';
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from '../../support/self-signed.js';

// A TLS failure that only the client's or the server's configuration can fix (a certificate this process
// does not trust, an https:// URL of a plain-HTTP port) fails the same way on every attempt: it is said
// as a TLS problem, with the way out, and never retried (before, a self-signed certificate was a
// generic "Connection error … DEPTH_ZERO_SELF_SIGNED_CERT" retried for a minute by Tinkex's defaults).

let tlsServer: https.Server;
let tlsBase = '';
let plainServer: http.Server;
let plainBase = '';
let tlsConnections = 0;

beforeAll(async () => {
  tlsServer = https.createServer({ key: SELF_SIGNED_KEY, cert: SELF_SIGNED_CERT }, (_req, res) =>
    res.end('{}'),
  );
  tlsServer.on('connection', () => tlsConnections++);
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  tlsBase = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  plainServer = http.createServer((_req, res) => res.end('{}'));
  await new Promise<void>((r) => plainServer.listen(0, '127.0.0.1', r));
  plainBase = `https://127.0.0.1:${(plainServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [tlsServer, plainServer]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const req = (url: string): TransportRequest => ({
  method: 'POST',
  url: `${url}/path?key=query-secret`,
  headers: { 'content-type': 'application/json', authorization: 'Bearer header-secret' },
  body: '{}',
  timeoutMs: 10_000,
  redirect: 'manual',
});

/** What `transport` rejects with for a request to `url` (a connection error here). */
function failure(transport: Transport, url: string): Promise<APIConnectionError> {
  return transport.send(req(url)).then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: APIConnectionError) => e,
  );
}

const transports: [string, () => Transport][] = [
  ['got', () => new GotTransport()],
  ['undici', () => new UndiciTransport()],
];

describe.each(transports)('TLS failures: %s', (_name, make) => {
  let transport: Transport;
  beforeAll(() => {
    transport = make();
  });
  afterAll(() => transport.close?.());

  it('names an untrusted certificate as such, with NODE_EXTRA_CA_CERTS, and marks it not retryable', async () => {
    const error = await failure(transport, tlsBase);
    expect(error).toBeInstanceOf(APIConnectionError);
    // OpenSSL's text is Node's: Node 24 adds its own hint (`--use-system-ca`) after "self-signed certificate".
    expect(
      error.message.startsWith(`TLS error: POST ${tlsBase}/path: the server's certificate is not trusted `),
    ).toBe(true);
    expect(error.message).toMatch(/\(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate[^()]*\); /);
    expect(error.message).toMatch(
      /; if it is signed by a private CA, point NODE_EXTRA_CA_CERTS at that CA certificate \(PEM\)$/,
    );
    expect(error.retryable).toBe(false);
    expect(error.category).toBe('user');
    expect(error.origin).toBe(tlsBase);
    expect(JSON.stringify(error)).not.toMatch(/header-secret|query-secret/);
  });

  it('says that an https:// URL points at a server that does not speak TLS, not retryable', async () => {
    const error = await failure(transport, plainBase);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error.message).toBe(
      `TLS error: POST ${plainBase}/path: the server did not answer in TLS ` +
        '(ERR_SSL_WRONG_VERSION_NUMBER); is it an http:// URL?',
    );
    expect(error.retryable).toBe(false);
  });
});

describe('a kernel call to a server whose certificate is not trusted', () => {
  it('fails after one attempt, whatever maxRetries says', async () => {
    const plugin = definePlugin({
      name: 'tls',
      version: '1',
      defaults: { baseUrl: tlsBase, maxRetries: 5, breaker: false },
      manifest: {
        name: 'tls',
        version: '1',
        endpoints: [{ id: 'ping', method: 'POST', path: '/ping', input: Type.Object({}) }],
      },
    });
    const kernel = createKernel().use(plugin);
    kernel.register(Ports.Transport, new UndiciTransport());
    const before = tlsConnections;
    try {
      const error = await kernel.call('ping', {}).then(
        () => new Error('expected a rejection'),
        (e: Error) => e,
      );
      expect(error.message).toMatch(
        /^TLS error: POST https:\/\/127\.0\.0\.1:\d+\/ping: the server's certificate/,
      );
      expect(tlsConnections - before).toBe(1);
    } finally {
      await kernel.close();
    }
  });
});
