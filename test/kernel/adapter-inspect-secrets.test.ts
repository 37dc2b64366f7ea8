import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { Type } from '@sinclair/typebox';
import { TokenProviderAuth } from '../../src/adapters/auth/token-provider.js';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports, type Transport } from '../../src/ports/index.js';
import { startEchoServer, startForwardProxy, type Loopback } from './fixtures/credential-servers.js';

/*
 * Found by hand (an SDK author printing what they built while debugging): the errors, logs and the
 * kernel were clean, but the adapters an author holds were not. `util.inspect` / `JSON.stringify` of a
 * `TokenProviderAuth` printed the tokens it had handed out (kept for `secretValues`), and so did a
 * printed plugin holding it; the got transport printed its proxy URLs, password included, once a call
 * went through a proxy. Adapters keep secrets where neither can reach them.
 */
const TOKEN = 'tok-inspect-3c4d5e6f7a8b9c0d1e';
const PROXY_PASSWORD = 'pr0xy-inspect-pass-42';
const printed = (value: unknown) => [
  inspect(value, { depth: Infinity, showHidden: true }),
  inspect(value),
  JSON.stringify(value) ?? '',
];

let echo: Loopback;
let proxy: Loopback;
beforeAll(async () => {
  [echo, proxy] = await Promise.all([startEchoServer(), startForwardProxy()]);
});
afterAll(async () => {
  await Promise.all([echo.close(), proxy.close()]);
});

function pluginWith(auth: TokenProviderAuth) {
  return definePlugin({
    name: 'print',
    version: '1',
    defaults: { baseUrl: echo.url, maxRetries: 0, breaker: false },
    auth: { default: auth },
    manifest: {
      name: 'print',
      version: '1',
      endpoints: [{ id: 'echo', method: 'POST' as const, path: '/echo', input: Type.Object({}) }],
    },
  });
}

it('a TokenProviderAuth that handed out tokens prints none of them (nor does a plugin holding it)', async () => {
  const auth = new TokenProviderAuth(() => TOKEN);
  const plugin = pluginWith(auth);
  const kernel = createKernel().use(plugin);
  try {
    await kernel.call('echo', {}).catch(() => undefined); // the echo server answers 401
  } finally {
    await kernel.close();
  }
  // It still knows them: the kernel scrubs them from what a server echoes.
  expect(auth.secretValues()).toEqual([TOKEN]);
  for (const text of [...printed(auth), ...printed(plugin)]) expect(text).not.toContain(TOKEN);
});

describe.each<[string, () => Transport]>([
  ['got', () => new GotTransport()],
  ['undici', () => new UndiciTransport()],
])('the %s transport after a call through an authenticating proxy', (_name, make) => {
  it('prints no proxy password', async () => {
    const proxyUrl = proxy.url.replace('http://', `http://user:${PROXY_PASSWORD}@`);
    const kernel = createKernel({ proxy: proxyUrl }).use(pluginWith(new TokenProviderAuth(() => TOKEN)));
    const transport = make();
    kernel.register(Ports.Transport, transport);
    const before = proxy.seen.length;
    try {
      await kernel.call('echo', {}).catch(() => undefined);
      expect(proxy.seen.length).toBeGreaterThan(before); // the call went through the proxy
      for (const text of printed(transport)) expect(text).not.toContain(PROXY_PASSWORD);
    } finally {
      await kernel.close();
    }
  });
});
