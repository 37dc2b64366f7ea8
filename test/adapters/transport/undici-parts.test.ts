import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as Undici from 'undici';
import { Agent, Pool, proxyAgentClass, request } from '../../../src/adapters/transport/undici-parts.js';

// The transport loads undici's parts from their files (not the index, which brings fetch, WebSocket
// and the mock agent along); these must be the very classes the index hands out, with the request API
// the index mixes into them, or an upgrade of undici that moved a file would change the transport.
const undici = createRequire(import.meta.url)('undici') as typeof Undici;

describe("undici's parts, loaded by their files", () => {
  let server: Server;
  let origin: string;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("are the classes undici's index exports", () => {
    expect(Agent).toBe(undici.Agent);
    expect(Pool).toBe(undici.Pool);
    expect(proxyAgentClass()).toBe(undici.ProxyAgent);
  });

  it('give an Agent the request API, as the index does', async () => {
    const agent = new Agent();
    try {
      const response = await agent.request({ origin, path: '/agent', method: 'GET' });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('ok');
    } finally {
      await agent.close();
    }
    expect(paths).toContain('/agent');
  });

  it("send a whole URL through undici's own request(url), on the dispatcher given", async () => {
    const agent = new Agent();
    try {
      const response = await request(`${origin}/whole?q=1`, { dispatcher: agent });
      expect(await response.body.text()).toBe('ok');
    } finally {
      await agent.close();
    }
    expect(paths).toContain('/whole?q=1');
  });
});
