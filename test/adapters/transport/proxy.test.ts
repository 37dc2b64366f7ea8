import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { GotTransport } from '../../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { Ports, type Transport } from '../../../src/ports/index.js';
import { APITimeoutError, ProxyError } from '../../../src/kernel/errors/api-errors.js';
import { misbehavingProxy, type ProxyFailure } from '../../support/misbehaving-proxy.js';
import { RecordingClock } from '../../support/recording-clock.js';

/** A target server and a forward proxy (absolute-URI requests), both on loopback. */
let target: http.Server;
let proxy: http.Server;
let targetUrl = '';
let proxyUrl = '';
const proxied: { url: string; auth?: string }[] = [];

beforeAll(async () => {
  target = http.createServer((_req, res) => res.end(JSON.stringify({ ok: true })));
  proxy = http.createServer((req, res) => {
    proxied.push({ url: req.url!, auth: req.headers['proxy-authorization'] });
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = http.request(req.url!, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  // CONNECT tunnels (undici's ProxyAgent tunnels even plain-http targets).
  proxy.on('connect', (req, socket, head) => {
    proxied.push({ url: req.url!, auth: req.headers['proxy-authorization'] });
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  proxyUrl = `http://user:proxy-secret@127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [target, proxy]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const pingPlugin = definePlugin({
  name: 'p',
  version: '1',
  defaults: { baseUrl: 'http://127.0.0.1:9' },
  manifest: {
    name: 'p',
    version: '1',
    endpoints: [{ id: 'ping', method: 'GET', path: '/ping', response: Type.Object({ ok: Type.Boolean() }) }],
  },
});

/**
 * One call through the working proxy with a roomy deadline: got and hpagent load on first use, and
 * on a loaded machine those imports alone can outlast a short deadline (which rightly counts them).
 */
async function warmUp(transport: Transport): Promise<void> {
  const res = await transport.send({
    method: 'GET',
    url: `${targetUrl}/warm-up`,
    headers: {},
    timeoutMs: 30_000,
    redirect: 'manual',
    proxy: proxyUrl,
  });
  for await (const _chunk of res.body);
}

describe.each([
  ['got', () => new GotTransport()],
  ['undici', () => new UndiciTransport()],
])('%s through a proxy', (_name, make: () => Transport) => {
  /** A call through a failing proxy with two retries (sleeps recorded, not waited). */
  async function callThrough(failure: ProxyFailure, timeoutMs = 5000) {
    const proxy = await misbehavingProxy(failure);
    const kernel = createKernel({ proxy: proxy.url, maxRetries: 2, timeoutMs, breaker: false }).use(
      pingPlugin,
    );
    const transport = make();
    await warmUp(transport);
    kernel.register(Ports.Transport, transport);
    kernel.register(Ports.Clock, new RecordingClock());
    const started = Date.now();
    const error = await kernel.call('ping', undefined as never).catch((e: Error) => e);
    const elapsedMs = Date.now() - started;
    await proxy.close();
    await kernel.close();
    return { error, connections: proxy.connections, elapsedMs };
  }

  it('never retries a 407 from the proxy: same credentials, same answer', async () => {
    const { error, connections } = await callThrough('answers 407');
    expect(error).toBeInstanceOf(ProxyError);
    expect(error).toMatchObject({ proxyStatus: 407, retryable: false, category: 'user' });
    expect(connections).toBe(1);
  });

  it('keeps answering a 407 as such: wrong proxy credentials never open a circuit breaker', async () => {
    const proxy = await misbehavingProxy('answers 407');
    const breaker = { consecutiveFailures: 1, halfOpenAfterMs: 60_000 };
    const kernel = createKernel({ proxy: proxy.url, maxRetries: 0, breaker }).use(pingPlugin);
    kernel.register(Ports.Transport, make());
    for (let i = 0; i < 2; i++) {
      await expect(kernel.call('ping', undefined as never)).rejects.toBeInstanceOf(ProxyError);
    }
    expect(proxy.connections).toBe(2);
    await proxy.close();
    await kernel.close();
  });

  it.each(['answers 502', 'closes'] as const)(
    'retries a proxy that %s as a connection error, within the retry budget',
    async (failure) => {
      const { error, connections } = await callThrough(failure);
      expect(error).toBeInstanceOf(ProxyError);
      expect(error).toMatchObject({ retryable: true, category: 'server' });
      expect(connections).toBe(3); // one tunnel per attempt: the first and two retries
    },
  );

  it('times out each attempt at a proxy that never answers, opening at most one tunnel per attempt', async () => {
    const { error, connections, elapsedMs } = await callThrough('never answers', 300);
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(connections).toBeGreaterThanOrEqual(1);
    expect(connections).toBeLessThanOrEqual(3);
    expect(elapsedMs).toBeLessThan(3 * 300 + 2000); // three deadlines, and a generous margin
  });

  it('routes calls through the configured proxy with Proxy-Authorization, and masks the credentials', async () => {
    proxied.length = 0;
    const kernel = createKernel({ proxy: proxyUrl }).use(
      definePlugin({
        name: 'p',
        version: '1',
        defaults: { baseUrl: targetUrl },
        manifest: {
          name: 'p',
          version: '1',
          endpoints: [
            { id: 'ping', method: 'GET', path: '/ping', response: Type.Object({ ok: Type.Boolean() }) },
          ],
        },
      }),
    );
    kernel.register(Ports.Transport, make());
    await expect(kernel.call('ping', undefined as never)).resolves.toEqual({ ok: true });
    expect(proxied).toHaveLength(1);
    // Absolute-URI forwarding (got) or a CONNECT tunnel to the target (undici).
    expect([`${targetUrl}/ping`, targetUrl.replace('http://', '')]).toContain(proxied[0].url);
    expect(proxied[0].auth).toBe(`Basic ${Buffer.from('user:proxy-secret').toString('base64')}`);
    expect(kernel.secrets.scrub(`failed via ${proxyUrl}`)).not.toContain('proxy-secret');
    await kernel.close();
  });
});
