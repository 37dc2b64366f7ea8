import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { Ports } from '../../src/ports/index.js';
import type { AuthScheme } from '../../src/ports/auth.js';
import { thingsPlugin } from './fixtures/things-plugin.js';

/**
 * Found by hand (an SDK author's plugin with its own auth scheme, and a logger of its own registered
 * with `kernel.register(Ports.Logger, …)`): the debug request log handed the logger each request's
 * headers as sent, trusting it to know the kernel's secrets. A logger built without them (a
 * `CaptureLogger` in a test, an author's pino adapter) then printed a credential under a header name
 * that does not look secret. The kernel knows its secrets: the log stage masks them itself.
 */
const SIGNING_KEY = 'sk-signing-key-7d1e5a90c3';
const STATIC_KEY = 'cf-client-id-0b8e44d1f2';

/** Signs with a header whose name says nothing of a credential. */
class SignedAuth implements AuthScheme {
  readonly name = 'signed';
  readonly secretHeaders = ['x-sig'];
  apply(headers: Record<string, string>): void {
    headers['x-sig'] = SIGNING_KEY;
  }
  identity(): string {
    return 'signed-1';
  }
}

let server: http.Server;
let baseUrl: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"t1","name":"n","size":1}'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('masks the credentials the kernel knows in the debug request log, whatever logger is bound', async () => {
  const kernel = createKernel({ logLevel: 'debug' }).use(
    thingsPlugin({
      defaults: { baseUrl },
      auth: { default: new SignedAuth() },
      headers: { static: { 'x-client-id': STATIC_KEY } },
      secrets: [STATIC_KEY],
    }),
  );
  // Headers kept, and no `secrets`: the logger knows nothing of the kernel's credentials.
  const logger = new CaptureLogger({ logHeaders: true });
  kernel.register(Ports.Logger, logger);
  try {
    await kernel.call('create_thing', { name: 'n', size: 1 });
    await kernel.call('get_thing', { id: 't1' });
  } finally {
    await kernel.close();
  }
  const lines = logger.at('debug');
  // The lines are there, with the headers named, their values masked.
  expect(lines.map((line) => line.message)).toContain(`request POST ${baseUrl}/things`);
  expect(logger.text()).toContain('"x-sig":"[REDACTED]"');
  expect(logger.text()).toContain('"x-client-id":"[REDACTED]"');
  expect(logger.text()).not.toContain(SIGNING_KEY);
  expect(logger.text()).not.toContain(STATIC_KEY);
});
