import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { GotTransport } from '../../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../../src/kernel/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { Ports, type Transport } from '../../../src/ports/index.js';

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

describe.each([
  ['got', () => new GotTransport()],
  ['undici', () => new UndiciTransport()],
])('%s through a proxy', (_name, make: () => Transport) => {
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
