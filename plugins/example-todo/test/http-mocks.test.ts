import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { MockAgent } from 'undici';
import { useNockInThisFile } from '../../../test/support/nock-per-file.js';
import { GotTransport, Ports, UndiciTransport } from 'pristine-kernel';
import { TodoClient } from '../src/index.js';

// docs/plugin-authoring.md "Testing with nock or undici's MockAgent": what the guide promises, as a user
// of any plugin meets it.
describe('HTTP mocking libraries with a plugin', () => {
  // A real server on the mocked origin: a request nock does not intercept reaches it and says so.
  let server: http.Server;
  let origin: string;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'from-the-real-server', title: 'x', done: false }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  useNockInThisFile();

  it("nock intercepts the kernel's default transport (got, on node:http) with no configuration", async () => {
    nock.disableNetConnect();
    const scope = nock(origin)
      .post('/todos', { title: 'milk' })
      .matchHeader('authorization', 'Bearer t')
      .reply(201, { id: 't1', title: 'milk', done: false });
    const client = new TodoClient({ baseUrl: origin, token: 't' });
    try {
      expect(client.kernel.resolve(Ports.Transport)).toBeInstanceOf(GotTransport);
      await expect(client.create('milk')).resolves.toEqual({ id: 't1', title: 'milk', done: false });
      expect(scope.isDone()).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("nock does not see UndiciTransport (Tinkex's default): the request reaches the network", async () => {
    const scope = nock(origin).post('/todos').reply(201, { id: 'mocked', title: 'x', done: false });
    const client = new TodoClient({
      baseUrl: origin,
      token: 't',
      configure: (kernel) => kernel.register(Ports.Transport, new UndiciTransport()),
    });
    try {
      await expect(client.create('milk')).resolves.toMatchObject({ id: 'from-the-real-server' });
      expect(scope.isDone()).toBe(false);
    } finally {
      await client.close();
    }
  });

  it("undici's MockAgent answers through UndiciTransport({ dispatcher }), and refuses unmatched requests", async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('https://todo.test')
      .intercept({ path: '/todos?page_size=2&start=0', method: 'GET' })
      .reply(200, { todos: [{ id: 't1', title: 'a', done: false }], total: 1 });
    const client = new TodoClient({
      baseUrl: 'https://todo.test',
      token: 't',
      configure: (kernel) => kernel.register(Ports.Transport, new UndiciTransport({ dispatcher: agent })),
    });
    try {
      await expect(client.all(2).toArray()).resolves.toEqual([{ id: 't1', title: 'a', done: false }]);
      agent.assertNoPendingInterceptors();
      // No interceptor left: the request fails instead of going to real DNS.
      await expect(client.kernel.call('create_todo', { title: 'milk' }, { maxRetries: 0 })).rejects.toThrow();
    } finally {
      await client.close();
      await agent.close();
    }
  });
});
