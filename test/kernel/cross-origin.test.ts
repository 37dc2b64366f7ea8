import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { ApiKeyHeaderAuth } from '../../src/adapters/auth/api-key-header.js';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports, type Transport } from '../../src/ports/index.js';

/*
 * A plugin's credentials and default headers are for its own API. A call whose base URL is another
 * origin (a signed archive URL) sends only User-Agent, Accept and what that call itself asked for,
 * unless the endpoint opts in. Two real servers on loopback, on different ports, record what they get.
 */
const API_KEY = 'sk-origin-key-0011223344556677';

interface Recorder {
  url: string;
  seen: http.IncomingHttpHeaders[];
  server: http.Server;
}

async function recorder(): Promise<Recorder> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    const away = /^\/away\?to=(.+)$/.exec(req.url!);
    if (away) return res.writeHead(302, { location: decodeURIComponent(away[1]) }).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

let api: Recorder;
let archive: Recorder;
beforeAll(async () => {
  [api, archive] = await Promise.all([recorder(), recorder()]);
});
afterAll(async () => {
  for (const { server } of [api, archive]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const ok = Type.Object({ ok: Type.Boolean() });

function originPlugin(baseUrl: string) {
  return definePlugin({
    name: 'origin',
    version: '2.0.0',
    defaults: { baseUrl },
    auth: { default: new ApiKeyHeaderAuth(API_KEY, 'x-api-key') },
    headers: {
      static: { 'x-tenant': 'acme', 'x-access-client-id': 'client-7' },
      platform: { os: 'x-platform-os' },
      retryCount: 'x-sdk-retry-count',
      dynamic: () => ({ 'x-read-timeout': '60' }),
    },
    manifest: {
      name: 'origin',
      version: '2.0.0',
      endpoints: [
        {
          id: 'fetch_archive',
          method: 'GET',
          path: '/{path}',
          multiSegment: ['path'],
          input: Type.Object({ path: Type.String(), range: Type.Optional(Type.String()) }),
          headers: { range: 'Range' },
          response: ok,
        },
        {
          id: 'away',
          method: 'GET',
          path: '/away',
          input: Type.Object({ to: Type.String() }),
          query: ['to'],
          response: ok,
        },
        {
          id: 'mirror',
          method: 'GET',
          path: '/mirror',
          crossOriginCredentials: true,
          response: ok,
        },
      ],
    },
  });
}

const PLUGIN_HEADERS = ['x-api-key', 'x-tenant', 'x-access-client-id', 'x-platform-os', 'x-sdk-retry-count'];

describe.each([
  ['got', () => new GotTransport()],
  ['undici', () => new UndiciTransport()],
])('calls to another origin on the %s transport', (_name, makeTransport: () => Transport) => {
  it('send the plugin headers to the plugin origin, and none of them to another origin', async () => {
    const kernel = createKernel().use(originPlugin(api.url));
    kernel.register(Ports.Transport, makeTransport());
    api.seen.length = 0;
    archive.seen.length = 0;

    await kernel.call('fetch_archive', { path: 'runs/1/ckpt.tar' });
    await kernel.call(
      'fetch_archive',
      { path: 'signed/ckpt.tar', range: 'bytes=0-' },
      { baseUrl: archive.url, headers: { 'x-call-header': 'mine' } },
    );
    await kernel.close();

    expect(api.seen).toHaveLength(1);
    for (const name of PLUGIN_HEADERS) expect(api.seen[0]).toHaveProperty(name);
    expect(api.seen[0]['x-api-key']).toBe(API_KEY);

    expect(archive.seen).toHaveLength(1);
    const received = archive.seen[0];
    for (const name of [...PLUGIN_HEADERS, 'authorization', 'x-read-timeout']) {
      expect(received).not.toHaveProperty(name);
    }
    expect(received['user-agent']).toMatch(/^origin\/2\.0\.0 /);
    expect(received.range).toBe('bytes=0-');
    expect(received['x-call-header']).toBe('mine');
    expect(JSON.stringify(received)).not.toContain(API_KEY);
  });

  it('drop them when the plugin API redirects to another origin', async () => {
    const kernel = createKernel().use(originPlugin(api.url));
    kernel.register(Ports.Transport, makeTransport());
    archive.seen.length = 0;
    await kernel.call('away', { to: `${archive.url}/signed` });
    await kernel.close();
    expect(archive.seen).toHaveLength(1);
    for (const name of ['x-api-key', 'x-tenant', 'x-access-client-id']) {
      expect(archive.seen[0]).not.toHaveProperty(name);
    }
  });

  it('send them to another origin when the endpoint opts in with crossOriginCredentials', async () => {
    const kernel = createKernel().use(originPlugin(api.url));
    kernel.register(Ports.Transport, makeTransport());
    archive.seen.length = 0;
    await kernel.call('mirror', undefined as never, { baseUrl: archive.url });
    await kernel.close();
    expect(archive.seen[0]['x-api-key']).toBe(API_KEY);
    expect(archive.seen[0]['x-tenant']).toBe('acme');
  });

  it('treat a per-call base URL on the same origin as the plugin origin', async () => {
    const kernel = createKernel().use(originPlugin(`${api.url}/v1`));
    kernel.register(Ports.Transport, makeTransport());
    api.seen.length = 0;
    await kernel.call('fetch_archive', { path: 'x' }, { baseUrl: `${api.url}/v2` });
    await kernel.close();
    expect(api.seen[0]['x-api-key']).toBe(API_KEY);
  });
});
