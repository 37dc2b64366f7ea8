import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { APIConnectionError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';

/**
 * Found by hand (an SDK author's plugin, its server killed mid-body): got's ReadError carries its cause
 * as a plain `{ name, message, code }` object, not an Error, and the error's cause chain printed it as
 * `{ name: 'Error', message: '[object Object]' }`, losing the one line that said what broke.
 */
let server: http.Server;
let baseUrl: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    // Half a body, then the socket is cut once the client has the headers.
    res.write('{"a":', () => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('keeps the name, message and code of an error-like cause that is not an Error', async () => {
  const kernel = createKernel().use(
    definePlugin({
      name: 'cut',
      version: '1',
      defaults: { baseUrl, maxRetries: 0, breaker: false },
      manifest: { name: 'cut', version: '1', endpoints: [{ id: 'read', method: 'GET', path: '/read' }] },
    }),
  );
  kernel.register(Ports.Transport, new GotTransport());
  const error = await kernel.call('read', {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  await kernel.close();
  expect(error).toBeInstanceOf(APIConnectionError);
  expect(JSON.stringify(error)).not.toContain('[object Object]');
  let cause = (error as Error).cause as (Error & { code?: string }) | undefined;
  const chain: string[] = [];
  while (cause) {
    chain.push(`${cause.name}: ${cause.message} ${cause.code ?? ''}`.trim());
    cause = cause.cause as typeof cause;
  }
  expect(chain.join('\n')).not.toContain('[object Object]');
  expect(chain.length).toBeGreaterThan(0);
  expect(chain.every((link) => link.length > 0)).toBe(true);
});
