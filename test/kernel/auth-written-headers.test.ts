import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { BadRequestError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import type { AuthScheme } from '../../src/ports/auth.js';

/**
 * Found by review (kern19): a custom scheme that writes a credential under a header it does not list in
 * `secretHeaders` (here `X-Team`, and a short `X-Pin`) had it printed by the debug request log and
 * echoed unmasked in the error of a server that quotes it. Whatever an auth scheme writes is a
 * credential: the name is kept, the value masked, listed or not.
 */
const TEAM = 'team-7f3a-credential';

const teamAuth: AuthScheme = {
  name: 'team',
  secretHeaders: [],
  identity: () => 'team',
  apply(headers) {
    headers['X-Team'] = TEAM;
    headers['X-Pin'] = '42';
  },
};

let server: http.Server;
let baseUrl: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    const team = String(req.headers['x-team']);
    req.on('end', () =>
      res
        .writeHead(400, { 'content-type': 'application/json', 'x-echo-team': team })
        .end(JSON.stringify({ message: `unknown team ${team}` })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('masks every header an auth scheme writes, in the debug log, errors, inspect and JSON', async () => {
  const kernel = createKernel({ logLevel: 'debug' }).use(
    definePlugin({
      name: 'teams',
      version: '1',
      defaults: { baseUrl, maxRetries: 0, breaker: false },
      auth: { default: teamAuth },
      manifest: { name: 'teams', version: '1', endpoints: [{ id: 'ping', method: 'GET', path: '/ping' }] },
    }),
  );
  const logger = new CaptureLogger({ logHeaders: true });
  kernel.register(Ports.Logger, logger);
  const error = await kernel.call('ping', {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  await kernel.close();
  expect(error).toBeInstanceOf(BadRequestError);
  // The names stay, so a reader sees what left; the values do not.
  expect(logger.text()).toContain('"X-Team":"[REDACTED]"');
  expect(logger.text()).toContain('"X-Pin":"[REDACTED]"');
  const shown = [
    logger.text(),
    (error as Error).message,
    inspect(error, { depth: 10 }),
    JSON.stringify(error),
    inspect(kernel, { depth: 10 }),
    JSON.stringify(kernel),
  ].join('\n');
  expect(shown).toContain('unknown team');
  expect(shown).not.toContain(TEAM);
});

it('masks a renewed credential written under the same undeclared header', async () => {
  let token = 'first-team-token-1111';
  const renewing: AuthScheme = {
    name: 'renewing',
    secretHeaders: [],
    identity: () => 'renewing',
    apply(headers) {
      headers['X-Team'] = token;
    },
    renew: async () => {
      token = 'second-team-token-2222';
      return true;
    },
  };
  const echo = http.createServer((req, res) => {
    req.resume();
    const team = String(req.headers['x-team']);
    req.on('end', () =>
      res
        .writeHead(team.startsWith('first') ? 401 : 400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: `unknown team ${team}` })),
    );
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  const kernel = createKernel().use(
    definePlugin({
      name: 'renewer',
      version: '1',
      defaults: { baseUrl: url, maxRetries: 0, breaker: false },
      auth: { default: renewing },
      manifest: { name: 'renewer', version: '1', endpoints: [{ id: 'ping', method: 'GET', path: '/ping' }] },
    }),
  );
  const error = await kernel.call('ping', {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  await kernel.close();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
  expect(error).toBeInstanceOf(BadRequestError);
  const shown = `${(error as Error).message}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`;
  expect(shown).toContain('unknown team');
  expect(shown).not.toContain('second-team-token-2222');
});
