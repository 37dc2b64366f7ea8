import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { Type } from '@sinclair/typebox';
import { ApiKeyHeaderAuth } from '../../src/adapters/auth/api-key-header.js';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { RedisLink } from '../../src/adapters/redis/redis-link.js';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import {
  closedPortUrl,
  startEchoServer,
  startForwardProxy,
  type Loopback,
} from './fixtures/credential-servers.js';

/*
 * `console.log(kernel)` (or of anything holding one) must not print a credential the kernel was given:
 * the API key, the proxy's userinfo, the password in the Redis URL of `shared`. The kernel is inspected
 * after a call went out through the proxy, so every lazily made holder (agents, pools, the Redis link)
 * exists.
 */
const API_KEY = 'sk-inspect-apikey-0c1d2e3f4a5b';
const PROXY_PASSWORD = 'pr0xy-inspect-pass';
const REDIS_PASSWORD = 'redis-inspect-pass-9988';
const CREDENTIALS = [API_KEY, PROXY_PASSWORD, REDIS_PASSWORD];

const ok = Type.Object({ ok: Type.Boolean() });

let echo: Loopback;
let proxy: Loopback;
let redisUrl = '';
beforeAll(async () => {
  [echo, proxy] = await Promise.all([startEchoServer(), startForwardProxy()]);
  // Nothing listens there: the shared adapters fall back to in-process limits, as they do while Redis is away.
  redisUrl = (await closedPortUrl()).replace('http://', `redis://inspector:${REDIS_PASSWORD}@`);
});
afterAll(async () => {
  await Promise.all([echo.close(), proxy.close()]);
});

function kernelFor(transport: 'undici' | 'got') {
  const kernel = createKernel({
    proxy: proxy.url.replace('http://', `http://inspector:${PROXY_PASSWORD}@`),
    shared: { redis: redisUrl, connectTimeoutMs: 200 },
  }).use(
    definePlugin({
      name: 'inspected',
      version: '1.0.0',
      defaults: { baseUrl: echo.url, timeoutMs: 5_000, maxRetries: 0 },
      auth: { default: new ApiKeyHeaderAuth(API_KEY, 'x-api-key') },
      manifest: {
        name: 'inspected',
        version: '1.0.0',
        endpoints: [{ id: 'echo', method: 'GET', path: '/echo', response: ok }],
      },
    }),
  );
  kernel.register(Ports.Transport, transport === 'undici' ? new UndiciTransport() : new GotTransport());
  // Redis is away on purpose: its warning is expected, and not for the test's output.
  kernel.register(Ports.Logger, new CaptureLogger({ level: 'debug', secrets: kernel.secrets }));
  return kernel;
}

/** Every way a program turns an object into text. */
function renderings(value: unknown): string[] {
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    json = String(error);
  }
  return [
    String(value),
    inspect(value),
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true }),
    json,
  ];
}

describe.each(['undici', 'got'] as const)('inspecting a kernel that used the %s transport', (transport) => {
  it('shows no credential: API key, proxy userinfo, Redis password', async () => {
    const kernel = kernelFor(transport);
    const proxiedBefore = proxy.seen.length;
    await kernel.call('echo', undefined as never).catch(() => {});
    // The call went through the authenticating proxy, so a pass cannot come from sending nothing.
    expect(proxy.seen.length).toBeGreaterThan(proxiedBefore);
    try {
      for (const text of renderings(kernel)) {
        for (const credential of CREDENTIALS) expect(text).not.toContain(credential);
      }
      expect(inspect(kernel)).toBe("Kernel { plugins: [ 'inspected@1.0.0' ], closed: false }");
    } finally {
      await kernel.close();
    }
  });
});

describe('inspecting the Redis link of shared state', () => {
  it('shows where Redis is, never the URL or the connections (both carry the password)', async () => {
    const link = new RedisLink({ url: redisUrl, keyPrefix: 'fleet:', connectTimeoutMs: 200 });
    try {
      for (const text of renderings(link)) expect(text).not.toContain(REDIS_PASSWORD);
      expect(inspect(link, { breakLength: Infinity })).toMatch(
        /^RedisLink \{ redis: '127\.0\.0\.1:\d+', prefix: 'fleet:'/,
      );
    } finally {
      await link.close();
    }
  });
});
