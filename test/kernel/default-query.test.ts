import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';

/*
 * A plugin's default query (Stainless `default_query`) goes on every request to its own origin; the
 * endpoint's query params and the call's `query` win for the same name, and a signed URL on another host
 * never gets it. Two real servers on loopback record the request lines.
 */
interface Recorder {
  url: string;
  paths: string[];
  server: http.Server;
}

async function recorder(): Promise<Recorder> {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url!);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths, server };
}

let api: Recorder;
let other: Recorder;
beforeAll(async () => {
  [api, other] = await Promise.all([recorder(), recorder()]);
});
afterAll(async () => {
  for (const { server } of [api, other]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const ok = Type.Object({ ok: Type.Boolean() });

function kernelWith(query: Record<string, string> | undefined) {
  return createKernel({ maxRetries: 0 }).use(
    definePlugin({
      name: 'q',
      version: '1.0.0',
      defaults: { baseUrl: api.url, query },
      manifest: {
        name: 'q',
        version: '1.0.0',
        endpoints: [
          {
            id: 'list',
            method: 'GET',
            path: '/things',
            query: ['limit', 'tenant'],
            input: Type.Object({
              limit: Type.Optional(Type.Integer()),
              tenant: Type.Optional(Type.String()),
            }),
            response: ok,
          },
          { id: 'create', method: 'POST', path: '/things', input: Type.Object({}), response: ok },
        ],
      },
    }),
  );
}

describe('plugin default query', () => {
  it('is merged into every request, under the endpoint query and the call query', async () => {
    const kernel = kernelWith({ tenant: 'acme', region: 'eu west' });
    await kernel.call('create', {});
    await kernel.call('list', { limit: 5 });
    await kernel.call('list', { tenant: 'beta' });
    await kernel.call('list', {}, { query: { region: 'us' } });
    expect(api.paths.slice(-4)).toEqual([
      '/things?tenant=acme&region=eu+west',
      '/things?tenant=acme&region=eu+west&limit=5',
      '/things?region=eu+west&tenant=beta',
      '/things?tenant=acme&region=us',
    ]);
    await kernel.close();
  });

  it('is not sent to another origin', async () => {
    const kernel = kernelWith({ tenant: 'acme' });
    await kernel.call('list', { limit: 1 }, { baseUrl: other.url });
    expect(other.paths.at(-1)).toBe('/things?limit=1');
    await kernel.close();
  });

  it('rejects non-string values and empty names when the plugin registers', () => {
    expect(() => kernelWith({ tenant: 7 } as never)).toThrow(ValidationError);
    expect(() => kernelWith({ '': 'x' })).toThrow(/query/);
  });
});
