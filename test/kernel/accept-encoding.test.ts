import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip, gzipSync } from 'node:zlib';
import { Type } from '@sinclair/typebox';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';

// What docs/plugin-authoring.md ("Compressed responses") promises an author whose API compresses only
// when asked: no Accept-Encoding unless the plugin adds one; with it, gzip answers and SSE feeds decode.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function gzipWhenAsked() {
  const asked: Array<string | undefined> = [];
  const server = http.createServer((req, res) => {
    req.resume();
    const accept = req.headers['accept-encoding'];
    asked.push(accept);
    const gzip = /\bgzip\b/.test(accept ?? '');
    if (req.url === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      });
      const out = gzip ? createGzip() : res;
      if (gzip) out.pipe(res);
      out.write('data: {"n":1}\n\n');
      out.end('data: {"n":2}\n\nevent: end\ndata: {}\n\n');
      return;
    }
    const body = Buffer.from(JSON.stringify({ used: 3, limit: 10 }));
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(gzip ? gzipSync(body) : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

function kernelFor(
  baseUrl: string,
  transport: () => GotTransport | UndiciTransport,
  staticHeaders?: Record<string, string>,
) {
  const kernel = createKernel().use(
    definePlugin({
      name: 'files',
      version: '1',
      defaults: { baseUrl, maxRetries: 0, breaker: false },
      ...(staticHeaders ? { headers: { static: staticHeaders } } : {}),
      manifest: {
        name: 'files',
        version: '1',
        endpoints: [
          {
            id: 'quota',
            method: 'GET',
            path: '/quota',
            response: Type.Object({ used: Type.Integer(), limit: Type.Integer() }),
          },
          {
            id: 'events',
            method: 'GET',
            path: '/events',
            stream: { doneEvent: 'end', event: Type.Object({ n: Type.Integer() }) },
          },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, transport());
  cleanups.push(() => kernel.close());
  return kernel;
}

describe.each([
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
])('compressed responses (%s)', (_name, transport) => {
  it('sends no Accept-Encoding unless the plugin adds one', async () => {
    const server = await gzipWhenAsked();
    const kernel = kernelFor(server.url, transport);
    await expect(kernel.call('quota', {})).resolves.toEqual({ used: 3, limit: 10 });
    expect(server.asked).toEqual([undefined]);
  });

  it('with accept-encoding in the static headers, decodes gzip answers and a gzip SSE feed', async () => {
    const server = await gzipWhenAsked();
    const kernel = kernelFor(server.url, transport, { 'accept-encoding': 'gzip, br' });
    await expect(kernel.call('quota', {})).resolves.toEqual({ used: 3, limit: 10 });
    const events: unknown[] = [];
    for await (const event of kernel.stream('events', {})) events.push(event);
    expect(events).toEqual([{ n: 1 }, { n: 2 }]);
    expect(server.asked).toEqual(['gzip, br', 'gzip, br']);
  });
});
